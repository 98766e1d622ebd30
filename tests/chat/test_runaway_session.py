"""A reply cut by the runaway guard says so, on the streaming and the batched path: a real Llama
checkpoint that loops "ein Blick, ein Blick, …" for ever (greedy), through ChatSession."""
from __future__ import annotations

import pytest
import torch

from chat.model_host import ModelHost
from chat.session import ChatSession
from chat.settings import TurnSettings
from models.engines.repeats import CUT_NOTE
from storage import open_store
from tests.fixtures_reliability import make_scripted_model_dir

PIECES = ["ein ", "Blick, "]


@pytest.fixture(scope="module")
def looping_host(tmp_path_factory):
    path = make_scripted_model_dir(tmp_path_factory.mktemp("loop-model"), PIECES)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    model = AutoModelForCausalLM.from_pretrained(str(path))
    first, last = tok.convert_tokens_to_ids(PIECES[0]), tok.convert_tokens_to_ids(PIECES[-1])
    with torch.no_grad():  # the last piece leads back to the first instead of to EOS
        head = model.lm_head.weight
        head[:, last] = 0.0
        head[first, last] = 2.0
    model.save_pretrained(str(path))
    host = ModelHost(str(path), style="alma")
    host.start()
    assert host.wait(120).ready
    return host


@pytest.mark.parametrize("text", ["Ein Blick.", "Ein Blick. Noch ein Blick."], ids=["streamed", "batched"])
def test_a_looping_reply_is_cut_and_says_so(looping_host, tmp_path, text):
    store = open_store(tmp_path / "chat.db")
    session = ChatSession(store, looping_host)
    user = store.ensure_user("anon:loop")
    conv = store.create_conversation(user)
    replies = list(session.send(user, conv, text, TurnSettings(src="de", tgt="en", max_new_tokens=200)))
    final = replies[-1]
    assert final.done and final.status == "complete"
    assert CUT_NOTE in (final.note or "")
    stored = store.messages(user, conv)[-1]
    per_sentence = stored.params.get("segments") or [{"output": stored.content}]
    assert all(s["output"].strip() == "ein Blick," for s in per_sentence), per_sentence
    assert stored.params["cut"] == "repeating" and stored.completion_tokens < 40
    store.close()


def test_without_the_guard_the_loop_runs_to_the_token_limit(looping_host):
    from models import GenParams

    gen = looping_host.engine.generate("Ein Blick.", GenParams(max_new_tokens=60, repeat_guard=False,
                                                                  max_len_a=0))
    assert gen.completion_tokens == 60 and gen.text.count("Blick") == 30 and "cut" not in gen.extra


def test_the_guard_can_be_switched_off_for_raw_output(monkeypatch):
    from models import GenParams

    on = TurnSettings().gen_params(GenParams(), [])
    assert on.repeat_guard and on.max_len_a > 0
    monkeypatch.setenv("HINTMT_RUNAWAY_GUARD", "off")
    off = TurnSettings().gen_params(GenParams(), [])
    assert not off.repeat_guard and off.for_source(10).max_chars is None
