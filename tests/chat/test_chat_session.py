"""The session layer (no Gradio) with a tiny random Llama and a real SQLite file."""
from __future__ import annotations

import json
import threading

import pytest
import torch

from chat.feedback import Feedback
from chat.render import as_text, chat_messages, from_text, group_turns, strip_header, reply_markdown
from chat.session import ChatSession
from chat.settings import TurnSettings, UserError
from prompts import build_prompt
from storage import NotFound
from tests.fixtures_reliability import make_scripted_model_dir
from tests.fixtures_session import make_host


def run(replies):
    out = list(replies)
    assert out and out[-1].done
    return out


def new_user(store, name="a"):
    user = store.ensure_user(f"anon:{name * 32}"[:37])
    return user, store.create_conversation(user)


SETTINGS = TurnSettings(src="de", tgt="en", max_new_tokens=12)


def test_send_streams_and_stores_everything(store, alma_host):
    session = ChatSession(store, alma_host)
    user, conv = new_user(store)
    replies = run(session.send(user, conv, "  Guten Morgen, wie geht es dir?  ", SETTINGS))
    assert len(replies) >= 3  # placeholder, several pieces, final
    final = replies[-1]
    msgs = store.messages(user, conv)
    assert [m.role for m in msgs] == ["user", "assistant"]
    user_msg, reply = msgs
    assert user_msg.content == "Guten Morgen, wie geht es dir?"
    assert reply.parent_id == user_msg.id and reply.status == "complete"
    assert reply.content == final.text
    assert "\n" not in reply.content  # ALMA keeps the first line
    assert reply.prompt == build_prompt("alma", "Guten Morgen, wie geht es dir?", "de", "en")
    assert reply.prompt == "Translate this from German to English:\nGerman: Guten Morgen, wie geht es dir?\nEnglish:"
    assert reply.completion_tokens > 0 and reply.prompt_tokens > 0
    assert reply.duration_s > 0 and reply.ttft_s is not None
    assert reply.params["max_new_tokens"] == 12 and reply.params["style"] == "alma"
    assert store.get_conversation(user, conv).title.startswith("Guten Morgen")


def test_auto_detect_and_same_language_target(store, alma_host):
    session = ChatSession(store, alma_host)
    user, conv = new_user(store)
    replies = run(session.send(user, conv, "Der Hund schläft heute den ganzen Tag im Garten.",
                               TurnSettings(src="auto", tgt="de", max_new_tokens=4)))
    assert replies[-1].header.startswith("German → English")
    assert "detected" in replies[-1].header
    user_msg = store.messages(user, conv)[0]
    assert user_msg.detected_lang == "de" and 0 < user_msg.detected_confidence <= 1


@pytest.mark.parametrize("text, message", [
    ("   ", "Type some text"),
    ("x" * 20_001, "limit is 20,000"),
])
def test_bad_input_is_refused_and_nothing_stored(store, alma_host, text, message):
    session = ChatSession(store, alma_host)
    user, conv = new_user(store)
    with pytest.raises(UserError, match=message):
        run(session.send(user, conv, text, SETTINGS))
    assert store.messages(user, conv) == []


def test_unknown_language_asks_the_user(store, alma_host):
    session = ChatSession(store, alma_host)
    user, conv = new_user(store)
    with pytest.raises(UserError, match="Pick the source language"):
        run(session.send(user, conv, "12345 !!!", TurnSettings(src="auto", tgt="en")))


def test_unsupported_language_for_model(store, alma_host):
    import dataclasses

    session = ChatSession(store, alma_host)
    engine = alma_host.engine
    original = engine.preset
    engine.preset = dataclasses.replace(original, languages=("en", "de"))
    try:
        user, conv = new_user(store)
        with pytest.raises(UserError, match="does not translate French"):
            run(session.send(user, conv, "Bonjour tout le monde", TurnSettings(src="fr", tgt="en")))
        assert store.messages(user, conv) == []
    finally:
        engine.preset = original


@pytest.fixture(scope="module")
def scripted_alma_host(tmp_path_factory):
    """ALMA prompts on a model that answers "Done." to every prompt (greedy)."""
    return make_host(make_scripted_model_dir(tmp_path_factory.mktemp("done-model"), ["Done", "."]), "alma")


def test_long_input_is_batched_and_keeps_layout(store, scripted_alma_host):
    session = ChatSession(store, scripted_alma_host)
    user, conv = new_user(store)
    text = "Erster Satz hier. Zweiter Satz dort.\n\nNeuer Absatz beginnt."
    replies = run(session.send(user, conv, text, SETTINGS))
    reply = store.messages(user, conv)[-1]
    segments = reply.params["segments"]
    assert len(segments) == 3
    assert segments[2]["prompt"] == build_prompt("alma", "Neuer Absatz beginnt.", "de", "en")
    assert [s["output"].strip() for s in segments] == ["Done."] * 3
    # sentences of a paragraph joined by a space, paragraphs by the blank line of the input
    assert replies[-1].text == reply.content == "Done. Done.\n\nDone."


def reply_and_alternative(store, host, text: str):
    """A user's reply to ``text`` and a regenerated (sampled) alternative to it."""
    session = ChatSession(store, host)
    user, conv = new_user(store)
    first = run(session.send(user, conv, text, SETTINGS))[-1]
    torch.manual_seed(0)  # the sampled alternative is fixed, and differs from the greedy reply
    second = run(session.regenerate(user, first.message_id, SETTINGS))[-1]
    return user, first, second


def test_regenerate_keeps_alternatives_and_pick_writes_pair(store, alma_host):
    feedback = Feedback(store)
    user, first, second = reply_and_alternative(store, alma_host, "Das Wetter ist schön.")
    alts = store.alternatives(user, first.user_message_id)
    assert [a.id for a in alts] == [first.message_id, second.message_id]
    assert alts[1].params["do_sample"] is True  # an alternative must be able to differ
    a, b = alts
    assert a.content != b.content
    done = feedback.pick(user, a.id, b.id, "b", decision_seconds=2.5)
    assert "1 preference pair" in done.message and (done.kind, done.pairs) == ("pick", 1)
    pair = next(store.pairs(user))
    assert (pair.chosen, pair.rejected, pair.kind) == (b.content, a.content, "pick")
    assert pair.prompt == a.prompt and pair.source == "Das Wetter ist schön."
    assert pair.decision_seconds == 2.5
    assert "already" in feedback.pick(user, a.id, b.id, "b").message  # the same pick again: nothing new
    assert "replaced" in feedback.pick(user, a.id, b.id, "a").message  # a changed mind: never A>B and B>A
    assert [(p.chosen, p.rejected) for p in store.pairs(user, kind="pick")] == [(a.content, b.content)]
    assert "tie" in feedback.pick(user, a.id, b.id, "tie").message and not list(store.pairs(user, kind="pick"))


def test_edit_is_a_pair_and_an_alternative(store, alma_host):
    session, feedback = ChatSession(store, alma_host), Feedback(store)
    user, conv = new_user(store)
    reply = run(session.send(user, conv, "Ich habe Hunger.", SETTINGS))[-1]
    done = feedback.edit(user, reply.message_id, "I am hungry.")
    assert done.message_id and done.pairs == 1 and "1 preference pair" in done.message
    pair = next(store.pairs(user))
    assert pair.kind == "edit" and pair.chosen == "I am hungry."
    assert pair.rejected == store.get_message(user, reply.message_id).content
    assert pair.prompt == build_prompt("alma", "Ich habe Hunger.", "de", "en")
    assert len(store.alternatives(user, reply.user_message_id)) == 2
    again = feedback.edit(user, reply.message_id, "I am hungry.")  # the same again: stored already
    assert again.message_id is None and again.pairs == 0
    assert len(store.alternatives(user, reply.user_message_id)) == 2 and store.count_pairs(user) == 1


def test_rating_opposite_alternatives_makes_pair(store, alma_host):
    feedback = Feedback(store)
    user, first, second = reply_and_alternative(store, alma_host, "Wir gehen heute ins Kino.")
    feedback.rate(user, first.message_id, -1, ["fluency"], "awkward")
    note = feedback.rate(user, second.message_id, +1).message
    fb = store.feedback_for(user, first.message_id)
    assert fb.rating == -1 and fb.reasons == ["fluency"] and fb.comment == "awkward"
    assert first.text != second.text
    assert "1 preference pair" in note
    assert next(store.pairs(user, kind="rating")).chosen == second.text


def test_stop_cancels_generation(store, chat_host, monkeypatch):
    monkeypatch.setenv("HINTMT_RUNAWAY_GUARD", "off")  # the random model loops: let it run
    session = ChatSession(store, chat_host)  # chat style: no stop string ends it early
    user, conv = new_user(store)
    settings = TurnSettings(src="de", tgt="en", max_new_tokens=400)
    replies = session.send(user, conv, "Ein sehr langer Text.", settings)
    next(replies)
    other = store.create_conversation(user)  # Stop in another tab's conversation leaves this one
    assert not session.stop(user, other)
    threading.Timer(0.05, session.stop, args=(user, conv)).start()
    final = list(replies)[-1]
    reply = store.get_message(user, final.message_id)
    assert reply.status == "stopped" and final.status == "stopped"
    assert reply.completion_tokens < 400


def test_client_gone_mid_stream_marks_reply_stopped(store, alma_host):
    session = ChatSession(store, alma_host)
    user, conv = new_user(store)
    replies = session.send(user, conv, "Noch ein Satz.", SETTINGS)
    first = next(replies)
    replies.close()  # the browser went away
    assert store.get_message(user, first.message_id).status == "stopped"


def test_chat_mode_uses_history_and_template(store, chat_host):
    session = ChatSession(store, chat_host)
    user, conv = new_user(store)
    chat = TurnSettings(mode="chat", max_new_tokens=6)
    run(session.send(user, conv, "Translate 'cat' into German.", chat))
    run(session.send(user, conv, "And into French?", chat))
    last = store.messages(user, conv)[-1]
    assert "Translate 'cat' into German." in last.prompt and "And into French?" in last.prompt
    assert last.params["mode"] == "chat"


def test_sentence_over_the_model_context_is_refused_with_the_limit(store, alma_host):
    session = ChatSession(store, alma_host)
    user, conv = new_user(store)
    limit = alma_host.engine.context_limit()  # 512 positions in the tiny model
    long_sentence = " ".join(["Wort"] * (limit + 10)) + "."
    with pytest.raises(UserError, match=rf"Sentence 2 of 2 takes [\d,]+ tokens .* at most {limit}"):
        run(session.send(user, conv, "Kurzer Satz. " + long_sentence, SETTINGS))
    assert store.messages(user, conv) == []


def test_chat_history_is_trimmed_to_the_context(store, chat_host):
    session = ChatSession(store, chat_host)
    user, conv = new_user(store)
    chat = TurnSettings(mode="chat", max_new_tokens=4)
    words = " ".join(["Haus"] * 35)  # ~180 tokens each: three overflow 512 positions
    for n in range(3):
        run(session.send(user, conv, f"Turn {n}: {words}", chat))
    replies = run(session.send(user, conv, "Last question?", chat))
    last = store.messages(user, conv)[-1]
    assert "Last question?" in last.prompt and "Turn 0:" not in last.prompt
    assert chat_host.engine.count_tokens(last.prompt) <= chat_host.engine.context_limit()
    assert any("oldest messages were left out" in (r.note or "") for r in replies)
    with pytest.raises(UserError, match="Send a shorter message"):
        run(session.send(user, conv, " ".join(["Haus"] * 200), chat))


def test_other_users_cannot_touch_a_turn(store, alma_host):
    session, feedback = ChatSession(store, alma_host), Feedback(store)
    alice, conv = new_user(store, "a")
    bob, _ = new_user(store, "b")
    reply = run(session.send(alice, conv, "Geheim.", SETTINGS))[-1]
    with pytest.raises(NotFound):
        run(session.regenerate(bob, reply.message_id, SETTINGS))
    with pytest.raises(NotFound):
        run(session.send(bob, conv, "Hallo", SETTINGS))
    with pytest.raises(NotFound):
        feedback.rate(bob, reply.message_id, 1)
    with pytest.raises(NotFound):
        feedback.edit(bob, reply.message_id, "stolen")
    assert store.count_pairs(bob) == 0


def test_render_escapes_and_round_trips():
    payload = '<script>alert(1)</script> *bold* [x](javascript:alert(1)) C:\\path'
    shown = as_text(payload)
    assert "<script>" not in shown and "\\*bold\\*" in shown
    assert from_text(shown) == payload
    assert as_text("Very nice (really!) - 100% sure.") == "Very nice (really!) - 100% sure."  # edits read as typed
    assert as_text("- item\n1. first") == "\\- item\n1\\. first"  # a list only where it would start one
    assert strip_header(reply_markdown("German → English", payload)) == payload


def test_chat_view_shows_selected_alternative(store, alma_host):
    session = ChatSession(store, alma_host)
    user, conv = new_user(store)
    first = run(session.send(user, conv, "Guten Tag.", SETTINGS))[-1]
    run(session.regenerate(user, first.message_id, SETTINGS))
    turns = group_turns(store.messages(user, conv))
    shown, ids = chat_messages(turns, {str(first.user_message_id): first.message_id})
    assert ids == [first.user_message_id, first.message_id]
    assert "alternative 1/2" in shown[1]["content"]
    assert json.loads(json.dumps(shown)) == shown  # serialisable for the browser, unchanged
