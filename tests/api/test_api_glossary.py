"""`POST /translate` with `glossary` (an extension; DeepL's `glossary_id` is the anchor): the
name of one of the key's glossaries, whose terms go into a chat model's hint and are checked in
the stored reply; an unknown name, another key's glossary or a non-text value is a 400 with
nothing stored. TestClient on the API routes, the scripted fake engine, a real SQLite file."""
from __future__ import annotations

import pytest

from chat.glossaries import import_glossary
from tests.chat.test_glossary_session import CSV, Tokenizer
from tests.fake_engine import FakeEngine


@pytest.fixture
def api(tmp_path):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from api.app import build_routes
    from api.keys import Limits
    from chat.feedback import Feedback
    from chat.model_host import ModelHost
    from chat.session import ChatSession
    from storage import open_store
    from storage.api_keys import ApiKeys

    store = open_store(tmp_path / "chat.db")
    fake = FakeEngine("chat", script=lambda p: ["The house ", "has a top."], languages=("de", "en"))
    fake.tokenizer = Tokenizer()
    app = FastAPI(routes=build_routes(ChatSession(store, ModelHost.serving(fake)), Feedback(store),
                                      Limits(keys="required", requests_per_minute=0)))
    keys = ApiKeys(store)
    (mine, info), (theirs, other) = keys.create("mine"), keys.create("theirs")
    import_glossary(store, info.user_id, "bau", "de", "en", data=CSV, filename="bau.csv")
    import_glossary(store, other.user_id, "other", "de", "en", data=CSV, filename="o.csv")
    with TestClient(app) as http:
        yield http, fake, store, mine, info.user_id
    store.close()


def post(http, key: str, **fields):
    return http.post("/translate", json={"q": "Das Haus hat ein Dach.", "source": "de", "target": "en",
                                         "api_key": key, **fields})


def test_the_glossary_regulates_and_checks_the_translation(api):
    http, fake, store, key, user = api
    answer = post(http, key, glossary="bau")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"translatedText": "The house has a top."}
    assert "Note: use: Haus → house; Dach → roof" in fake.prompts[-1]
    conv = store.list_conversations(user)[0].id
    reply = [m for m in store.messages(user, conv) if m.role == "assistant"][-1]
    assert reply.params["glossary"]["missed"] == [{"source": "Dach", "target": "roof", "start": 17, "end": 21}]
    lists = http.post("/translate", json={"q": ["Das Haus.", "Das Dach."], "source": "de", "target": "en",
                                          "api_key": key, "glossary": "bau"})
    assert lists.status_code == 200 and all("use: " in p for p in fake.prompts[-2:])
    assert post(http, key).status_code == 200 and "Note:" not in fake.prompts[-1]  # none asked


@pytest.mark.parametrize("value", ["nope", "other", 7])
def test_an_unknown_glossary_is_a_400_with_nothing_stored(api, value):
    http, fake, store, key, user = api
    answer = post(http, key, glossary=value)
    assert answer.status_code == 400
    assert "glossary" in answer.json()["error"]
    assert store.list_conversations(user) == [] and fake.prompts == []


def test_translate_file_takes_the_glossary_too(api):
    http, fake, store, key, user = api
    files = {"file": ("note.txt", "Das Haus hat ein Dach.\n".encode(), "text/plain")}
    answer = http.post("/translate_file", data={"source": "de", "target": "en", "api_key": key, "glossary": "bau"},
                       files=files)
    assert answer.status_code == 200, answer.text
    assert "Note: use: Haus → house; Dach → roof" in fake.prompts[-1]
    refused = http.post("/translate_file", data={"source": "de", "target": "en", "api_key": key,
                                                 "glossary": "other"}, files=files)
    assert refused.status_code == 400 and "glossary" in refused.json()["error"]
