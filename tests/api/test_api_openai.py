"""The OpenAI-compatible API of the real server with the official `openai` SDK: the embedded
SmolLM2 on a server that listens on all addresses with keys required (`--api-keys required`;
under the default `auto` a caller on this machine needs none, tests/api/test_api_clients.py). Streamed and non-streamed completions, chat mode with the client's history, and a
client that goes away mid-stream: the engine stops and the reply is stored as stopped."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import httpx
import pytest

from tests.fixtures_reliability import db_rows, run_cli, start_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def server(tmp_path_factory, smollm2_dir):
    server = start_server(tmp_path_factory.mktemp("openai-api"), "smollm2",
                          ("--host", "0.0.0.0", "--api-keys", "required"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def key(server) -> str:
    done = run_cli("api-key", "create", "sdk", "--db", str(server.db), cwd=server.db.parent)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def client(server, key):
    from openai import OpenAI

    with OpenAI(base_url=server.url + "v1", api_key=key, max_retries=0, timeout=600) as c:
        yield c


def reply_row(server, message_id: int) -> dict:
    cols = ["content", "status", "prompt", "tgt", "completion_tokens", "prompt_tokens", "params",
            "model_id", "title", "conversation_id", "user_key"]
    row = db_rows(server.db, """SELECT a.content, a.status, a.prompt, a.tgt, a.completion_tokens,
        a.prompt_tokens, a.params, a.model_id, c.title, c.id, u.key FROM messages a
        JOIN conversations c ON c.id = a.conversation_id JOIN users u ON u.id = c.user_id
        WHERE a.id = ?""", (message_id,))[0]
    return dict(zip(cols, row))


def message_id(completion_id: str) -> int:
    assert completion_id.startswith("chatcmpl-")
    return int(completion_id.removeprefix("chatcmpl-"))


def test_keys_are_required(server):
    import openai

    r = httpx.post(server.url + "translate", json={"q": "Hallo", "source": "de", "target": "en"})
    assert r.status_code == 403 and "An API key is required" in r.json()["error"]
    assert httpx.get(server.url + "frontend/settings").json()["keyRequired"] is True
    with openai.OpenAI(base_url=server.url + "v1", api_key="hmt_wrong", max_retries=0) as bad:
        with pytest.raises(openai.AuthenticationError, match="Invalid API key"):
            bad.models.list()


def test_models_and_a_non_streamed_translation(server, client):
    [model] = client.models.list().data
    assert "SmolLM2" in model.id or "smollm2" in model.id.lower()
    done = client.chat.completions.create(
        model=model.id, max_tokens=48, temperature=0,
        messages=[{"role": "system", "content": "Translate into German."},
                  {"role": "user", "content": "The weather is nice today."}])
    text = done.choices[0].message.content
    assert isinstance(text, str) and text and done.choices[0].finish_reason in ("stop", "length")
    row = reply_row(server, message_id(done.id))
    assert row["content"] == text and row["status"] == "complete" and row["tgt"] == "de"
    assert "German" in row["prompt"] and "The weather is nice today." in row["prompt"]
    assert row["title"] == "API " + datetime.now(timezone.utc).strftime("%Y-%m-%d")
    assert row["user_key"].startswith("api:") and row["completion_tokens"] == done.usage.completion_tokens > 0
    assert json.loads(row["params"])["max_new_tokens"] == 48


def test_a_streamed_translation_with_the_target_field(server, client):
    stream = client.chat.completions.create(
        model="any", max_tokens=48, stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "Good evening, my friends."}], extra_body={"target": "fr"})
    chunks = list(stream)
    ids = {c.id for c in chunks}
    assert len(ids) == 1 and chunks[-1].usage.completion_tokens > 0
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes in (["stop"], ["length"])
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    row = reply_row(server, message_id(ids.pop()))
    assert row["status"] == "complete" and row["tgt"] == "fr" and "French" in row["prompt"]
    assert text.strip() and row["content"]


def test_text_already_in_the_target_language_comes_back_unchanged(server, client, key):
    """As LibreTranslate's /translate: nothing generated, nothing stored; streamed or not. A
    chat answer can't be corrected through /suggest, and the SDK's models.retrieve works."""
    import openai

    before = db_rows(server.db, "SELECT count(*) FROM messages")
    english = "The weather is really nice today, isn't it?"
    for content, target in ((english, {"target": "en"}), ("Translate to English: " + english, {})):
        done = client.chat.completions.create(model="any", messages=[{"role": "user", "content": content}],
                                              extra_body=target)
        assert done.choices[0].message.content == english and done.usage.completion_tokens == 0
    with pytest.raises(openai.BadRequestError, match="target"):  # no target given anywhere
        client.chat.completions.create(model="any", messages=[{"role": "user", "content": english}])
    chunks = list(client.chat.completions.create(model="any", stream=True, extra_body={"target": "en"},
                                                 messages=[{"role": "user", "content": english}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == english
    assert db_rows(server.db, "SELECT count(*) FROM messages") == before

    [model] = client.models.list().data
    assert client.models.retrieve(model.id).id == model.id
    with pytest.raises(openai.NotFoundError, match="does not exist here"):
        client.models.retrieve("gpt-nothing")

    question = "Wie heißt die Hauptstadt von Frankreich?"
    client.chat.completions.create(model="any", max_tokens=8, messages=[{"role": "user", "content": question}],
                                   extra_body={"mode": "chat", "target": "en"})
    r = httpx.post(server.url + "suggest", json={"q": question, "s": "Paris.", "source": "de", "target": "en",
                                                 "api_key": key})
    assert r.status_code == 400 and "chat answer" in r.json()["error"]


def test_chat_mode_answers_with_the_clients_history(server, client):
    done = client.chat.completions.create(
        model="any", max_tokens=24, temperature=0, extra_body={"mode": "chat"},
        messages=[{"role": "user", "content": "My cat is called Minka."},
                  {"role": "assistant", "content": "Minka is a lovely name."},
                  {"role": "user", "content": "What is my cat called?"}])
    row = reply_row(server, message_id(done.id))
    assert row["title"].startswith("API chat ") and row["status"] == "complete"
    assert "My cat is called Minka." in row["prompt"] and "Minka is a lovely name." in row["prompt"]
    stored = db_rows(server.db, "SELECT role, content FROM messages WHERE conversation_id = ? ORDER BY id",
                     (row["conversation_id"],))
    assert [r[1] for r in stored][:3] == ["My cat is called Minka.", "Minka is a lovely name.",
                                          "What is my cat called?"]


def test_bad_requests_get_openai_errors(server, client):
    import openai

    hi = [{"role": "user", "content": "Hi"}]
    for body, message in (({"messages": []}, "messages"),
                          ({"messages": hi, "n": 3}, "n must be 1"),
                          ({"messages": hi, "extra_body": {"target": "xx"}}, "'xx'"),
                          ({"messages": hi, "extra_body": {"mode": "poem"}}, "mode"),
                          ({"messages": hi, "temperature": 5}, "temperature"),
                          ({"messages": hi, "extra_body": {"hint": 5}}, "hint must be text"),
                          ({"messages": hi, "max_tokens": True}, "whole number"),
                          ({"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]},
                           "string in 'text'"),
                          ({"messages": hi, "stream": True, "extra_body": {"stream_options": "yes"}},
                           "stream_options"),
                          ({"messages": hi, "extra_body": {"stream": "maybe"}}, "stream must be"),
                          ({"messages": [{"role": "system", "content": "Translate into German"}]},
                           "no user message")):
        body = {**body, "extra_body": {"target": "de", **body.get("extra_body", {})}}  # a target: not that error
        before = db_rows(server.db, "SELECT count(*) FROM messages")
        with pytest.raises(openai.BadRequestError, match=message):
            client.chat.completions.create(model="any", **body)
        assert db_rows(server.db, "SELECT count(*) FROM messages") == before


def test_a_client_that_goes_away_stops_the_engine(server, client):
    """Read a few pieces of a long streamed answer, close the connection: the engine stops
    long before its 600-token budget and the reply is stored as stopped, with its text."""
    stream = client.chat.completions.create(
        model="any", max_tokens=600, temperature=0, stream=True, extra_body={"mode": "chat"},
        messages=[{"role": "user", "content": "Write the numbers from 1 to 1000, separated by commas."}])
    pieces = 0
    for chunk in stream:
        pieces += bool(chunk.choices and chunk.choices[0].delta.content)
        if pieces >= 5:
            break
    completion = chunk.id
    stream.close()
    deadline = time.time() + 120
    while (row := reply_row(server, message_id(completion)))["status"] == "streaming":
        assert time.time() < deadline, "the reply never ended"
        time.sleep(0.2)
    assert row["status"] == "stopped" and row["content"]
    assert 5 <= row["completion_tokens"] < 600, row
