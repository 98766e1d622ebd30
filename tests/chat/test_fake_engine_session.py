"""The session, pipeline, feedback and page logic on the fake engine (tests/fake_engine.py):
no model is loaded, so these run in milliseconds; the same behaviours are tested on real models
in the integration tests."""
from __future__ import annotations

import pytest

from chat.feedback import Feedback
from chat.model_host import ModelHost
from chat.session import ChatSession
from chat.settings import TurnSettings
from prompts import build_prompt
from tests.fake_engine import FakeEngine

SETTINGS = TurnSettings(src="de", tgt="en", max_new_tokens=64)


@pytest.fixture
def fake():
    return FakeEngine("alma")


@pytest.fixture
def session(store, fake):
    return ChatSession(store, ModelHost.serving(fake))


def turn(session, store, text, settings=SETTINGS):
    user = store.ensure_user("anon:" + "f" * 32)
    conv = store.create_conversation(user)
    return user, conv, list(session.send(user, conv, text, settings))


def test_a_turn_stores_the_exact_prompt_and_the_streamed_reply(session, store, fake):
    user, conv, replies = turn(session, store, "Guten Morgen")
    final = replies[-1]
    assert final.done and final.status == "complete" and final.text == "GUTEN MORGEN"
    assert len(replies) > 2  # streamed in pieces
    assert fake.prompts == [build_prompt("alma", "Guten Morgen", "de", "en")]
    stored = store.get_message(user, final.message_id)
    assert (stored.prompt, stored.content, stored.status, stored.model_id) == \
        (fake.prompts[0], "GUTEN MORGEN", "complete", "fake/model")


def test_long_text_goes_in_segments_and_batches(session, store, fake):
    text = " ".join(f"Satz Nummer {i} ist hier." for i in range(10))
    _, _, replies = turn(session, store, text)
    assert len(fake.prompts) == 10 and replies[-1].text.count("SATZ") == 10


def test_a_failing_model_is_a_reply_with_status_error(session, store, fake):
    fake.fail = "The model process stopped (SIGSEGV); it is being restarted"
    user, _, replies = turn(session, store, "Guten Morgen")
    final = replies[-1]
    assert final.status == "error" and "SIGSEGV" in final.note
    assert store.get_message(user, final.message_id).status == "error"


def test_regenerate_and_pick_make_a_preference_pair(session, store, fake):
    user, conv, replies = turn(session, store, "Guten Morgen")
    first = replies[-1]
    fake.script = lambda prompt: ["Good ", "morning"]
    second = list(session.regenerate(user, first.message_id, SETTINGS))[-1]
    done = Feedback(store).pick(user, first.message_id, second.message_id, "b")
    assert (done.kind, done.pairs) == ("pick", 1)
    pair = next(store.pairs(user))
    assert (pair.chosen, pair.rejected, pair.prompt) == ("Good morning", "GUTEN MORGEN", fake.prompts[0])


def test_stop_ends_a_reply_and_keeps_what_was_shown(store):
    slow = FakeEngine("alma", script=lambda p: [f"w{i} " for i in range(200)], delay_s=0.01)
    session = ChatSession(store, ModelHost.serving(slow))
    user = store.ensure_user("anon:" + "s" * 32)
    conv = store.create_conversation(user)
    replies = session.send(user, conv, "Guten Morgen", SETTINGS.with_(max_new_tokens=200))
    shown = [next(replies) for _ in range(5)][-1]
    session.stop(user, conv)
    final = list(replies)[-1]
    assert final.status == "stopped" and final.text.startswith(shown.text.strip()[:2])
    assert store.get_message(user, final.message_id).status == "stopped"


def test_the_page_handlers_on_the_fake_engine(store, fake):
    from chat.identity import new_browser_key
    from web.handlers import Handlers

    h = Handlers(ChatSession(store, ModelHost.serving(fake)), Feedback(store), ModelHost.serving(fake))
    loaded = h.on_load(new_browser_key())
    user = loaded[1]
    controls = ("de", "en", "none", "", "translate", 0, -0.05, 1.0, 0, "")
    sent = list(h.on_send("Guten Abend", user, None, *controls, {}))
    text_box, notice, chat, ids, conv = sent[-1]
    assert "GUTEN ABEND" in chat[-1]["content"] and conv is not None and len(ids) == 2
    assert h.on_stop(user, conv) == {"__type__": "update"}  # nothing running: the notice stays as it is
    refused = list(h.on_send("", user, conv, *controls, {}))[-1]
    assert refused[1].startswith("⚠️")
