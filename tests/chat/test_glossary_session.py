"""A glossary in a turn, on the scripted fake engine and a real SQLite file: with a chat model the
matched terms go into each segment's hint and the checker flags a term the model missed (note,
stored offsets, a correction that adds it is an `edit` pair); the seed styles' prompts stay
byte-identical with a glossary set."""
from __future__ import annotations

import pytest

from chat.feedback import REASONS, Feedback
from chat.glossaries import import_glossary
from chat.glossary_check import glossary_note
from chat.model_host import ModelHost
from chat.pipeline import plan_turn
from chat.session import ChatSession
from chat.settings import TurnSettings, UserError
from prompts import build_prompt
from tests.fake_engine import FakeEngine

CSV = b"source,target,note\nHaus,house,\nDach,roof,\nerneuerbare Energie,renewable energy,\n"
TEXT = "Das Haus hat ein rotes Dach. Wir nutzen erneuerbare Energie."
SETTINGS = TurnSettings(src="de", tgt="en", max_new_tokens=64, glossary="bau")
LANGS = ("de", "en", "fr")


class Tokenizer:
    """A chat template that shows every message, so a test can read the prompt."""

    chat_template = "stub"

    @staticmethod
    def apply_chat_template(messages, tokenize=False, add_generation_prompt=True):
        return "".join(f"<{m['role']}>{m['content']}\n" for m in messages) + "<assistant>"


def translations(prompt: str) -> list[str]:
    """The "model": a fixed English sentence per German one; 'roof' is left out."""
    if "Dach" in prompt:
        return ["The house ", "has a red top."]
    return ["We use ", "renewable energy."]


def engine(style: str, script=translations) -> FakeEngine:
    fake = FakeEngine(style, script=script, languages=LANGS)
    fake.tokenizer = Tokenizer()
    return fake


@pytest.fixture
def user(store):
    uid = store.ensure_user("hf:alice")
    import_glossary(store, uid, "bau", "de", "en", data=CSV, filename="bau.csv")
    return uid


def send(store, fake, user, text=TEXT, settings=SETTINGS):
    session = ChatSession(store, ModelHost.serving(fake))
    conv = store.create_conversation(user)
    return session, conv, list(session.send(user, conv, text, settings))[-1]


def test_chat_terms_go_into_the_hint_and_a_missed_term_is_flagged(store, user):
    fake = engine("chat")
    _, conv, final = send(store, fake, user)
    first, second = fake.prompts
    assert "Note: use: Haus → house; Dach → roof\n\nDas Haus hat ein rotes Dach." in first
    assert "Note: use: erneuerbare Energie → renewable energy\n\nWir nutzen" in second
    assert final.text == "The house has a red top. We use renewable energy."
    assert "Glossary: 1 of 3 terms missed: Dach → roof." in final.note
    stored = store.get_message(user, final.message_id)
    record = stored.params["glossary"]
    assert (record["name"], record["src"], record["tgt"]) == ("bau", "de", "en")
    assert [TEXT[t["start"]:t["end"]] for t in record["terms"]] == ["Haus", "Dach", "erneuerbare Energie"]
    assert record["missed"] == [{"source": "Dach", "target": "roof", "start": 23, "end": 27}]
    assert TEXT[23:27] == "Dach" and glossary_note(stored.params) in final.note
    assert stored.params["hint"] is None  # the user's own hint; the terms are in the prompts


def test_a_user_hint_and_the_terms_share_the_note_line(store, user):
    fake = engine("chat", script=lambda p: ["The house ", "has a roof."])
    send(store, fake, user, "Das Haus hat ein Dach.", SETTINGS.with_(hint="formal register"))
    assert "Note: formal register; use: Haus → house; Dach → roof\n\n" in fake.prompts[0]


def test_a_correction_that_adds_the_term_is_an_edit_pair_and_passes_the_check(store, user):
    fake = engine("chat")
    _, _, final = send(store, fake, user)
    corrected = "The house has a red roof. We use renewable energy."
    done = Feedback(store).edit(user, final.message_id, corrected)
    assert (done.kind, done.pairs) == ("edit", 1)
    pair = next(store.pairs(user))
    assert (pair.kind, pair.chosen, pair.rejected) == ("edit", "The house has a red roof.", "The house has a red top.")
    assert pair.prompt == fake.prompts[0]
    assert store.get_message(user, done.message_id).params["glossary"]["missed"] == []
    assert "term missed" in REASONS


@pytest.mark.parametrize("style", ["alma", "x-alma", "parrot", "llamax"])
def test_seed_prompts_are_byte_identical_with_a_glossary(store, user, style):
    fake = engine(style, script=lambda p: ["The house has a top."])
    _, _, final = send(store, fake, user, "Das Haus hat ein Dach.")
    plain = engine(style)
    without = plan_turn(plain, "Das Haus hat ein Dach.", SETTINGS.with_(glossary=None))
    assert fake.prompts == without.prompts
    assert fake.prompts[0] == build_prompt(style, "Das Haus hat ein Dach.", "de", "en",
                                           tokenizer=Tokenizer())
    assert "Haus → house" not in fake.prompts[0]
    assert "Glossary: 1 of 2 terms missed: Dach → roof." in final.note  # checked all the same


def test_a_glossary_for_another_direction_is_not_used_and_says_so(store, user):
    fake = engine("chat", script=lambda p: ["The house."])
    _, _, final = send(store, fake, user, "La maison.", SETTINGS.with_(src="fr"))
    assert "Note:" not in fake.prompts[0]
    assert "is German → English, so it was not used for this French → English text" in final.note
    assert "glossary" not in store.get_message(user, final.message_id).params


def test_an_unknown_glossary_is_refused_before_anything_is_stored(store, user):
    session = ChatSession(store, ModelHost.serving(engine("chat")))
    conv = store.create_conversation(user)
    with pytest.raises(UserError, match="no glossary 'nope'"):
        list(session.send(user, conv, TEXT, SETTINGS.with_(glossary="nope")))
    assert store.messages(user, conv) == []
    other = store.ensure_user("hf:bob")  # another user's glossary is not theirs
    with pytest.raises(UserError):
        list(session.send(other, store.create_conversation(other), TEXT, SETTINGS))


def test_batches_and_regenerate_use_the_glossary_too(store, user):
    fake = engine("chat", script=lambda p: ["The house."])
    session, conv, final = send(store, fake, user, "Das Haus.")
    again = list(session.regenerate(user, final.message_id, SETTINGS))[-1]
    assert "Note: use: Haus → house" in fake.prompts[-1] and "Glossary: 1 of 1 term used." in again.note
    replies = session.send_batch(user, conv, ["Das Haus.", "Das Dach."], SETTINGS)
    assert [r.note for r in replies] == ["Glossary: 1 of 1 term used.",
                                         "Glossary: 1 of 1 term missed: Dach → roof."]
    assert store.get_message(user, replies[1].message_id).params["glossary"]["missed"][0]["start"] == 4
