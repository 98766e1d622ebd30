"""A list `q` is one model batch: `ChatSession.send_batch` (chat/batch_send.py) on the session
layer with the tiny random Llama, and `POST /translate` with a list on the real server. Each
string stays its own stored turn with its own prompt; the stored reply's params carry the size
of the `generate_batch` call it came from (`"batch"`), which a string-by-string path lacks."""
from __future__ import annotations

import json

import httpx
import pytest

from chat.session import ChatSession
from chat.settings import TurnSettings, UserError
from prompts import build_prompt
from tests.fixtures_reliability import db_rows, start_server

pytestmark = pytest.mark.timeout(600)
SETTINGS = TurnSettings(src="de", tgt="en", max_new_tokens=8, mode="translate", unsure="guess")
TEXTS = ["Die Katze schläft auf dem Sofa.", "Wir fahren morgen nach Berlin.",
         "Der Zug kommt um acht Uhr an."]


def test_send_batch_stores_each_turn_and_batches_the_single_prompts(store, alma_host):
    session = ChatSession(store, alma_host)
    user = store.ensure_user("anon:" + "b" * 32)
    conv = store.create_conversation(user)
    several = "Das ist der erste Satz. Und das ist der zweite Satz."
    texts = [TEXTS[0], several, TEXTS[1], TEXTS[2]]
    replies = session.send_batch(user, conv, texts, SETTINGS)
    assert [r.done for r in replies] == [True] * 4
    msgs = store.messages(user, conv)
    asked = [m for m in msgs if m.role == "user"]
    assert [m.content for m in asked] == texts  # one user message per string, in order
    by_parent = {m.parent_id: m for m in msgs if m.role == "assistant"}
    assert len(by_parent) == 4
    for text, ask, reply in zip(texts, asked, replies):
        stored = by_parent[ask.id]
        assert reply.user_message_id == ask.id and reply.message_id == stored.id
        assert stored.status == "complete" and stored.content == reply.text
        assert stored.prompt_tokens > 0 and stored.completion_tokens > 0 and stored.duration_s > 0
        assert stored.model_id and stored.params["style"] == "alma" and stored.params["max_new_tokens"] == 8
        if text != several:
            assert stored.prompt == build_prompt("alma", text, "de", "en")
    # the three one-sentence strings went through one generate_batch call; the two-sentence
    # string ran as `send` runs it (its own segments), so it has no "batch"
    assert [by_parent[a.id].params.get("batch") for a in asked] == [3, None, 3, 3]
    assert len(by_parent[asked[1].id].params["segments"]) == 2


def test_send_batch_refuses_the_whole_list_and_stores_nothing(store, alma_host):
    session = ChatSession(store, alma_host)
    user = store.ensure_user("anon:" + "c" * 32)
    conv = store.create_conversation(user)
    with pytest.raises(UserError, match="both German"):
        session.send_batch(user, conv, TEXTS, TurnSettings(src="de", tgt="de", max_new_tokens=8))
    with pytest.raises(UserError, match="Type some text"):
        session.send_batch(user, conv, [TEXTS[0], "   "], SETTINGS)
    assert store.messages(user, conv) == []


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_model_dir):
    server = start_server(tmp_path_factory.mktemp("lt-batch"), str(tiny_model_dir),
                          ("--style", "parrot", "--api-batch-limit", "20"))
    yield server
    server.stop()


def replies_to(server, text: str) -> list[tuple]:
    return db_rows(server.db, """
        SELECT u.id, u.detected_lang, a.content, a.prompt, a.status, a.completion_tokens, a.params
        FROM messages u JOIN messages a ON a.parent_id = u.id
        WHERE u.content = ? AND a.role = 'assistant' ORDER BY a.id""", (text,))


def test_translate_list_is_one_batch_of_stored_turns_and_suggest_works(server):
    with httpx.Client(base_url=server.url, timeout=300) as http:
        body = http.post("/translate", json={"q": TEXTS, "source": "auto", "target": "en"}).json()
        out = body["translatedText"]
        assert isinstance(out, list) and len(out) == 3
        assert [d["language"] for d in body["detectedLanguage"]] == ["de", "de", "de"]
        asked = []
        for text, translated in zip(TEXTS, out):  # in order: each answer is its own string's reply
            [(user_msg, detected, content, prompt, status, tokens, params)] = replies_to(server, text)
            assert content == translated and status == "complete" and tokens > 0 and detected == "de"
            assert prompt.startswith("Below is an instruction") and text in prompt
            assert not any(other in prompt for other in TEXTS if other != text)
            assert json.loads(params)["batch"] == 3  # one generate_batch call for all three
            asked.append(user_msg)
        assert len(set(asked)) == 3

        better = "The train arrives at eight o'clock."
        answer = http.post("/suggest", json={"q": TEXTS[2], "s": better, "source": "de", "target": "en"})
        assert answer.status_code == 200 and answer.json()["success"] is True
        pairs = db_rows(server.db, "SELECT prompt, chosen, rejected FROM preference_pairs")
        assert (replies_to(server, TEXTS[2])[0][3], better, out[2]) in pairs

        before = db_rows(server.db, "SELECT count(*) FROM messages")
        refused = http.post("/translate", json={"q": ["Hallo Welt", 42], "source": "de", "target": "en"})
        assert refused.status_code == 400 and list(refused.json()) == ["error"]
        assert db_rows(server.db, "SELECT count(*) FROM messages") == before
