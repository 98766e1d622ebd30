"""Auto detection under the confidence threshold is never stated as fact: the session falls back
to the conversation's previous source, or asks the user (UI notice; CLI error). Tiny random
Llama, real SQLite file."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat.session import ChatSession
from chat.settings import MIN_DETECTION_CONFIDENCE, SourceUnknown, TurnSettings, UserError
from prompts import detect_language

UNSURE = "Museum"          # German, Dutch, English, ...: one word no detector can place
SURE = "Der Hund schläft heute den ganzen Tag im Garten."
AUTO = TurnSettings(src="auto", tgt="en", max_new_tokens=4)


@pytest.fixture(scope="module")
def host(alma_host):
    return alma_host


def conversation(store):
    user = store.ensure_user("anon:" + "f" * 32)
    return user, store.create_conversation(user)


def test_the_unsure_text_is_under_the_threshold(host):
    """The precondition of the tests below, with the candidates the session passes."""
    detection = detect_language(UNSURE, host.engine.preset.languages)
    assert detection.lang is not None and detection.confidence < MIN_DETECTION_CONFIDENCE
    sure = detect_language(SURE, host.engine.preset.languages)
    assert sure.lang == "de" and sure.confidence >= MIN_DETECTION_CONFIDENCE


def test_unsure_first_message_asks_for_the_source_and_stores_nothing(store, host):
    session = ChatSession(store, host)
    user, conv = conversation(store)
    with pytest.raises(SourceUnknown, match=r"not sure which language this is \(perhaps .+ sure\)\. "
                                            r"Pick the source language above"):
        list(session.send(user, conv, UNSURE, AUTO))
    assert store.messages(user, conv) == []


def test_unsure_message_takes_the_previous_source_and_says_so(store, host):
    session = ChatSession(store, host)
    user, conv = conversation(store)
    list(session.send(user, conv, SURE, AUTO))
    replies = list(session.send(user, conv, UNSURE, AUTO))
    assert replies[-1].done and replies[-1].status == "complete"
    note = replies[-1].note or ""
    assert "not sure which language" in note and "translated from German like your previous message" in note
    assert "detected" not in replies[-1].header  # no guess stated as fact
    assert replies[-1].header.startswith("German → English")
    first, _, second, reply = store.messages(user, conv)
    assert (first.src, first.detected_lang) == ("de", "de")
    assert (second.content, second.src, second.detected_lang) == (UNSURE, "de", None)
    assert reply.prompt.startswith("Translate this from German to English:")


def test_previous_source_that_is_the_target_is_not_used(store, host):
    """Previous source German, target now German: asking beats a German→German 'translation'."""
    session = ChatSession(store, host)
    user, conv = conversation(store)
    list(session.send(user, conv, SURE, AUTO))
    with pytest.raises(UserError, match="Pick the source language"):
        list(session.send(user, conv, UNSURE, AUTO.with_(tgt="de")))
    assert len(store.messages(user, conv)) == 2


def test_a_chosen_source_is_never_second_guessed(store, host):
    session = ChatSession(store, host)
    user, conv = conversation(store)
    replies = list(session.send(user, conv, UNSURE, AUTO.with_(src="nl")))
    assert replies[-1].header.startswith("Dutch → English")


def test_cli_asks_for_from_when_unsure(tiny_model_dir):
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "app.py"), "translate", "--model", str(tiny_model_dir),
                          "--style", "alma", "--max-new-tokens", "4", UNSURE],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert out.returncode == 2, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: I am not sure which language this is (perhaps ")
    assert last.endswith("Give the source language with --from.")
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_api_turns_report_the_guess_with_its_confidence(store, host):
    """unsure="guess" (the HTTP APIs): no fallback to an unrelated earlier request of the same
    day's conversation, no refusal: the best guess with its (low) confidence, as LibreTranslate
    reports it in `detectedLanguage`."""
    user, conv = conversation(store)
    guessing = AUTO.with_(unsure="guess")
    list(ChatSession(store, host).send(user, conv, SURE, guessing))
    guess = detect_language(UNSURE, host.engine.preset.languages)
    list(ChatSession(store, host).send(user, conv, UNSURE, guessing))
    last = [m for m in store.messages(user, conv) if m.role == "user"][-1]
    assert (last.src, last.detected_lang) == (guess.lang, guess.lang)
    assert last.detected_confidence == pytest.approx(guess.confidence)
    assert last.detected_confidence < MIN_DETECTION_CONFIDENCE
