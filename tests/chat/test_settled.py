"""chat/settled.py: the part of a growing reply that is final. Every prefix it gives must begin
the text the cleaning makes at the end (checked on random completions, loops, end markers,
length caps, Alpaca and one-line styles, and through the real session on a scripted engine with
the runaway guard), and ordinary text must still stream (not wait for the end). No model."""
from __future__ import annotations

import random

import pytest

from chat.model_host import ModelHost
from chat.session import ChatSession
from chat.settings import TurnSettings
from chat.settled import ReplyText, final_text, settled_prefix
from models.engines.repeats import mark_cut
from models.params import GenParams, Generation, per_prompt
from prompts.extract import clean_completion
from prompts.styles import ALPACA, LINE, PLAIN
from tests.fake_engine import FakeEngine

PIECES = ["Hallo", " Welt", " die", " Katze", ",", ".", " ", "\n", "\n\n", "日本", "語", "です", "。",
          "<|im_end|>", "<|", "im_", "end|>", "</s>", "###", "#", "German:", " German:", "Below is an ",
          "instruction that describes a task", " ha", " ha ha", "\u2028", "In Japanese:\n\n", "パッ",
          "サウル", " the", " cat", " sat", " on", " mat", "-", "über"]


def completion(rng: random.Random) -> str:
    """A random completion, often with a loop in it and sometimes a leading space."""
    parts = [rng.choice(PIECES) for _ in range(rng.randint(0, 30))]
    if parts and rng.random() < 0.5:  # a loop: a span said again and again
        at = rng.randrange(len(parts))
        span = parts[at:at + rng.randint(1, 6)]
        parts[at:at] = span * rng.randint(2, 9)
    return (" " if rng.random() < 0.4 else "") + "".join(parts)


def gen(text: str) -> Generation:
    return Generation(prompt="", text=text, model_id="m", revision=None, adapter=None, params={},
                      prompt_tokens=0, completion_tokens=0, ttft_s=None, duration_s=0.0, status="complete")


CASES = [(PLAIN, ()), (ALPACA, ("###",)), (LINE, ("\n",)), (LINE, ())]


@pytest.mark.parametrize("kind, stop", CASES)
def test_every_settled_prefix_begins_the_final_text(kind, stop):
    rng = random.Random(f"{kind}{stop}")
    streamed = 0
    for _ in range(500):
        raw = completion(rng)
        for s in stop:  # the engine's stop filter: the text ends before a stop string
            raw = raw.split(s, 1)[0]
        params = GenParams(stop=stop, repeat_guard=rng.random() < 0.8,
                           max_chars=rng.choice([None, 5, 12, 25, 40, 80]))
        final = clean_completion(kind, mark_cut(gen(raw), params).text, "de")
        for end in range(len(raw) + 1):
            shown = settled_prefix(raw[:end].strip(), kind, "de", params)
            assert final.startswith(shown), (raw[:end], shown, final, params)
            streamed += 0 < len(shown) < len(final)
    if stop or kind != LINE:  # (a one-line style that may go on after a newline waits for its end)
        assert streamed > 300  # text streams before its end


def test_ordinary_text_streams_word_by_word():
    params = GenParams(max_chars=200)
    text = "The cat sat on the mat, and the dog slept by the door all afternoon."
    shown = [settled_prefix(text[:i], PLAIN, "en", params) for i in range(len(text) + 1)]
    assert shown[20] == "The cat sat on the" and shown[-1] == text[:text.rindex(" ")]
    assert settled_prefix(text[:33], PLAIN, "en", GenParams()) == "The cat sat on the mat, and the d"
    assert settled_prefix(text[:32], PLAIN, "en", GenParams()) == "The cat sat on the mat, and"  # "the" again


def test_what_the_cleaner_may_still_cut_is_held_back():
    loop = "Passau ist eine Stadt. Passau ist eine Stadt. Passau ist"
    assert settled_prefix(loop, PLAIN, None, GenParams()) == "Passau ist eine Stadt"
    assert settled_prefix("Hallo <|im_", PLAIN, None, GenParams()) == "Hallo"
    assert settled_prefix("German: Hallo Welt", LINE, "de", GenParams(stop=("\n",))) == "Hallo Welt"
    assert settled_prefix("Germ", LINE, "de", GenParams(stop=("\n",))) == ""
    assert settled_prefix("Below is an instr", ALPACA, None, GenParams()) == ""
    # a length cap cuts a text without spaces at the cap itself (a leading space is no boundary)
    assert settled_prefix("パッサウルで", PLAIN, "ja", GenParams(max_chars=60)) == "パッサウルで"
    assert settled_prefix("Passau ist", PLAIN, "de", GenParams(max_chars=60)) == "Passau"
    assert final_text("Hallo Welt", PLAIN, None, GenParams()) == "Hallo Welt"


class Tokenizer:
    chat_template = "stub"

    @staticmethod
    def apply_chat_template(messages, tokenize=False, add_generation_prompt=True):
        return "".join(f"<{m['role']}>{m['content']}\n" for m in messages) + "<assistant>"


class GuardedEngine(FakeEngine):
    """The fake engine with the runaway guard's cut, as the real engines record it; a batch's
    prompts stream their pieces (as on llama.cpp) or come whole (as on transformers)."""

    def __init__(self, style: str, script, pieces: bool):
        super().__init__(style, script)
        self.tokenizer, self.pieces = Tokenizer(), pieces

    def stream_batch(self, prompts, params, adapter_group=None):
        if not self.pieces:
            return super().stream_batch(prompts, params, adapter_group)
        return [self.stream(p, own) for p, own in zip(prompts, per_prompt(params, len(prompts)))]

    def _record(self, prompt, params, text, n, status, error=None) -> Generation:
        return mark_cut(super()._record(prompt, params, text, n, status, error), params)


INPUTS = ["Guten Morgen.", "Das ist gut. Wirklich gut!\nUnd hier eine zweite Zeile.",
          "Eins. Zwei. Drei. Vier. Fünf. Sechs.", "Erste Zeile\n\n  Zweite Zeile. Noch ein Satz."]


@pytest.mark.parametrize("style, mode, pieces", [
    ("chat", "translate", True), ("chat", "translate", False), ("chat", "chat", True),
    ("alma", "translate", True), ("parrot", "translate", True)])
def test_a_session_reply_streams_only_final_text(store, style, mode, pieces):
    rng = random.Random(f"{style}{mode}{pieces}")

    def script(prompt: str) -> list[str]:
        raw = completion(random.Random(rng.random()))
        return [raw[i:i + 3] for i in range(0, len(raw), 3)]

    session = ChatSession(store, ModelHost.serving(GuardedEngine(style, script, pieces)))
    user = store.ensure_user("anon:" + "a" * 32)
    follows = early = 0
    for round_ in range(40):
        conv = store.create_conversation(user)
        text = INPUTS[round_ % len(INPUTS)]
        replies = list(session.send(user, conv, text, TurnSettings(src="de", tgt="en", mode=mode)))
        final, stored = replies[-1], store.get_message(user, replies[-1].message_id)
        assert final.done and final.text == stored.content
        follow = ReplyText.of(stored.params, stored.tgt, text, drafts=False)
        for reply in replies[1:-1]:
            shown = follow.update(reply.text, reply.note)
            assert final.text.startswith(shown), (reply.text, shown, final.text)
            early += 0 < len(shown) < len(final.text)
        follows += not follow.lost
    assert follows >= 35  # the segments were followed (the pipeline's notes are understood)
    assert early > 40  # and text went out before the end
