"""Input the APIs must survive (issue 25): HTML nodes of only numbers or punctuation, a refused
HTML request storing nothing, the target of a chat completion named in the user message (or
nowhere: 400), /detect on text with no language, PHP-style ``q[]`` fields, and text/plain
bodies. Real HTTP (starlette's TestClient) on the routes of api/app.py over a real SQLite file,
with the scripted fake engine (tests/fake_engine.py: the "translation" is the source upper-cased),
so every prompt the model got is known."""
from __future__ import annotations

import sqlite3

import pytest

from api.html_text import has_letters, node_texts
from api.targets import language_of, leading_instruction, target_from_system
from tests.fake_engine import FakeEngine

LANGS = ("en", "de", "fr", "zh", "pt")


class Api:
    """A TestClient on the API routes, the fake engine behind them, and the database file."""

    def __init__(self, tmp_path):
        from fastapi import FastAPI
        from fastapi.testclient import TestClient

        from api.app import build_routes
        from api.keys import Limits
        from chat.feedback import Feedback
        from chat.model_host import ModelHost
        from chat.session import ChatSession
        from storage import open_store

        self.db = tmp_path / "chat.db"
        self.store = open_store(self.db)
        self.fake = FakeEngine("alma", languages=LANGS)
        limits = Limits(keys="optional", requests_per_minute=0)
        app = FastAPI(routes=build_routes(ChatSession(self.store, ModelHost.serving(self.fake)),
                                          Feedback(self.store), limits))
        self.http = TestClient(app)

    def rows(self, sql: str = "SELECT count(*) FROM messages", args=()) -> list[tuple]:
        with sqlite3.connect(self.db) as db:
            return db.execute(sql, args).fetchall()

    def stored(self) -> int:
        return self.rows()[0][0]

    def last_asked(self) -> tuple:
        """(content, tgt, src) of the newest stored user message."""
        return self.rows("SELECT content, tgt, src FROM messages WHERE role = 'user' ORDER BY id DESC LIMIT 1")[0]


@pytest.fixture
def api(tmp_path):
    api = Api(tmp_path)
    yield api
    api.http.close()
    api.store.close()


# -- 1. HTML: untranslatable nodes pass through; a refused request stores nothing ----------------

def test_letters_decide_what_is_translatable():
    for text in ("42", "3,14 %", "!!!", " – ", "€ 5,00", "٣٤٥", "😀👍", "\u00a0", "(1) [2] {3}", "\u0301"):
        assert not has_letters(text), text
    for text in ("a", "ß", "日本", "Привет", "नमस्ते", "안녕", "5 km", "x²"):
        assert has_letters(text), text
    page = "<p>Hallo</p><p>42</p><p>&nbsp;&ndash;&nbsp;</p><td>3,5&nbsp;%</td><p>&Auml;pfel</p>"
    assert node_texts(page) == ["Hallo", "Äpfel"]  # entities are read decoded: &nbsp; is no word


def test_html_nodes_without_letters_are_kept_and_never_sent(api):
    page = "<ul><li>Guten Morgen</li><li>42</li><li>!!!</li><li>&nbsp;&ndash; 7 &ndash;</li></ul><b>Gute Nacht</b>"
    r = api.http.post("/translate", json={"q": page, "source": "auto", "target": "en", "format": "html"})
    assert r.status_code == 200, r.text
    assert r.json()["translatedText"] == ("<ul><li>GUTEN MORGEN</li><li>42</li><li>!!!</li>"
                                          "<li>&nbsp;&ndash; 7 &ndash;</li></ul><b>GUTE NACHT</b>")
    assert r.json()["detectedLanguage"]["language"] == "de"
    assert len(api.fake.prompts) == 2 and not any("42" in p or "!!!" in p for p in api.fake.prompts)
    assert api.stored() == 4  # two turns: question and reply each
    only = api.http.post("/translate", data={"q": "<p>12 345</p>", "source": "auto", "target": "en",
                                             "format": "html"})
    assert only.json() == {"translatedText": "<p>12 345</p>",
                           "detectedLanguage": {"confidence": 0.0, "language": "en"}}
    assert len(api.fake.prompts) == 2 and api.stored() == 4


def test_a_refused_html_request_stores_nothing(api):
    """The Korean node is in no language of the model: before, the first node was already
    stored (and translated) when the Korean one was refused; now every node is planned first."""
    page = "<p>Guten Morgen</p><p>안녕하세요</p>"
    for q in (page, ["<p>Gute Nacht</p>", page]):
        r = api.http.post("/translate", json={"q": q, "source": "auto", "target": "en", "format": "html"})
        assert r.status_code == 400 and "which language" in r.json()["error"], r.text
    assert api.stored() == 0 and api.fake.prompts == []
    assert api.rows("SELECT count(*) FROM conversations")[0][0] == 0  # the empty one was dropped


# -- 2. /v1/chat/completions: the target in the user message, or a 400 ----------------------------

@pytest.mark.parametrize("text, found", [
    ("Translate to French: Good night.", ("fr", None, "Good night.")),
    ("Please translate the following text into German:\nGood night.", ("de", None, "Good night.")),
    ("Translate from German to English. Gute Nacht.", ("en", "de", "Gute Nacht.")),
    ("to zh-Hans: Good night.", ("zh", None, "Good night.")),
    ("into Portuguese (Brazil): Good night.", ("pt", None, "Good night.")),
    ("Translate to pt-BR:\n\nGood night.\nSleep well.", ("pt", None, "Good night.\nSleep well.")),
    ("Translate to Chinese (Traditional): Good night.", ("zh", None, "Good night.")),
    ("Translate to Klingon: Good night.", None), ("To Paris: a letter.", None),
    ("To be: or not to be.", None), ("In French: bonjour", None), ("Good night.", None),
    ("Translate to Mr. Smith: hello", None), ("Translate to French", None),
])
def test_a_leading_instruction_of_the_user_message(text, found):
    lead = leading_instruction(text)
    assert (None if lead is None else (lead.tgt, lead.src, lead.text)) == found


@pytest.mark.parametrize("phrase, code", [
    ("German", "de"), ("zh-Hans", "zh"), ("zh_Hant", "zh"), ("pt-BR", "pt"), ("Simplified Chinese", "zh"),
    ("the French language", "fr"), ("Farsi", "fa"), ("\"de\"", "de"), ("Klingon", None), ("xx-YY", None),
])
def test_language_names_and_codes(phrase, code):
    assert language_of(phrase) == code


def test_system_messages_with_script_and_region_codes():
    assert target_from_system("Translate to zh-Hans.") == "zh"
    assert target_from_system("to zh-Hant") == "zh"  # a subtag makes it a code, no "translate" needed
    assert target_from_system("You translate into pt-BR") == "pt"
    assert target_from_system("Reply to en-US users kindly.") is None


def chat(api, messages, **extra):
    return api.http.post("/v1/chat/completions", json={"model": "any", "messages": messages, **extra})


def test_the_target_comes_from_the_user_message(api):
    r = chat(api, [{"role": "user", "content": "Translate to French: Good night."}])
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "GOOD NIGHT."
    assert api.last_asked()[:2] == ("Good night.", "fr")  # the instruction is not the text
    assert "French" in api.fake.prompts[-1] and "Translate to French" not in api.fake.prompts[-1]

    r = chat(api, [{"role": "system", "content": "You are a translator. Translate to zh-Hans."},
                   {"role": "user", "content": "Good night."}])
    assert r.status_code == 200 and api.last_asked()[:2] == ("Good night.", "zh")
    r = chat(api, [{"role": "user", "content": "Translate from German to French: Gute Nacht."}])
    assert r.status_code == 200 and api.last_asked() == ("Gute Nacht.", "fr", "de")
    # the user's instruction beats the system message; the request's field beats both
    system = {"role": "system", "content": "Translate into German."}
    chat(api, [system, {"role": "user", "content": "to pt-BR: Good night."}])
    assert api.last_asked()[:2] == ("Good night.", "pt")
    chat(api, [system, {"role": "user", "content": "Translate to French: Good night."}], target="zh")
    assert api.last_asked()[:2] == ("Good night.", "zh")


def test_no_target_anywhere_is_a_400_naming_the_ways_to_give_one(api):
    for messages in ([{"role": "user", "content": "Good night."}],
                     [{"role": "system", "content": "You are a helpful assistant."},
                      {"role": "user", "content": "Good night."}],
                     [{"role": "system", "content": "Translate into Klingon."},
                      {"role": "user", "content": "Good night."}]):
        r = chat(api, messages)
        assert r.status_code == 400, r.text
        error = r.json()["error"]
        assert error["type"] == "invalid_request_error" and error["code"] == "invalid_request_error"
        for way in ("'target'", "system message", "Translate into German", "Translate to German:"):
            assert way in error["message"]
    r = chat(api, [{"role": "user", "content": "Translate to French:"}])
    assert r.status_code == 400 and "no text to translate" in r.json()["error"]["message"]
    assert api.stored() == 0 and api.fake.prompts == []


def test_chat_mode_keeps_the_whole_message_and_english(api):
    text = "Translate to French: Good night."
    r = chat(api, [{"role": "user", "content": text}], mode="chat")
    assert r.status_code == 200, r.text
    assert api.last_asked()[:2] == (text, "en")


# -- 3. /detect: always one candidate ---------------------------------------------------------------

def test_detect_always_answers_a_best_guess(api):
    for text in ("12345", "!!!", "😀", "안녕하세요"):  # no letters, or a script no language of the model writes
        r = api.http.post("/detect", data={"q": text})
        assert r.status_code == 200 and r.json() == [{"confidence": 0.0, "language": "en"}], (text, r.text)
    found = api.http.post("/detect", json={"q": "Der Hund schläft heute im Garten unter dem Baum."}).json()
    assert found[0]["language"] == "de" and 0 < found[0]["confidence"] <= 100


# -- 4. q[] form fields -------------------------------------------------------------------------

def test_php_style_list_fields(api):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body = "q[]=Guten+Morgen&q%5B%5D=Gute%20Nacht&source=de&target=en".encode()
    r = api.http.post("/translate", content=body, headers=form)
    assert r.status_code == 200 and r.json()["translatedText"] == ["GUTEN MORGEN", "GUTE NACHT"], r.text
    one = api.http.post("/translate", content=b"q[]=Hallo&source=de&target=en", headers=form)
    assert one.json()["translatedText"] == ["HALLO"]  # always a list, as PHP reads it
    multipart = api.http.post("/translate", data={"q[]": ["Guten Tag", "Danke"], "source": "de", "target": "en"},
                              files={"unused": ("a.txt", b"x", "text/plain")})
    assert multipart.status_code == 200 and multipart.json()["translatedText"] == ["GUTEN TAG", "DANKE"]
    query = api.http.post("/translate?q[]=Hallo&q[]=Welt&source=de&target=en")
    assert query.json()["translatedText"] == ["HALLO", "WELT"]
    assert api.stored() == 2 * 7


# -- 5. text/plain bodies are not JSON -----------------------------------------------------------

def test_a_text_plain_body_gives_no_fields(api):
    body = b'{"q": "Hallo", "source": "de", "target": "en"}'
    for ctype in ("text/plain", "text/plain; charset=utf-8", "application/octet-stream"):
        r = api.http.post("/translate", content=body, headers={"Content-Type": ctype})
        assert r.status_code == 400 and r.json() == {"error": "Invalid request: missing q parameter"}, r.text
    r = api.http.post("/v1/chat/completions", headers={"Content-Type": "text/plain"},
                      content=b'{"messages": [{"role": "user", "content": "Hallo"}], "target": "en"}')
    assert r.status_code == 400 and "messages" in r.json()["error"]["message"]
    assert api.stored() == 0 and api.fake.prompts == []
    # the query string still counts; JSON types (and no type at all) are read as JSON
    r = api.http.post("/translate?q=Hallo&source=de&target=en", content=b"ignored", headers={"Content-Type": "text/plain"})
    assert r.json()["translatedText"] == "HALLO"
    for headers in ({"Content-Type": "application/json"}, {"Content-Type": "application/vnd.api+json"}, {}):
        r = api.http.post("/translate", content=body, headers=headers)
        assert r.status_code == 200 and r.json()["translatedText"] == "HALLO", (headers, r.text)


def test_plain_text_without_letters_comes_back_unchanged(api):
    """Not only HTML nodes: a text of numbers and punctuation needs no model and stores nothing."""
    for q in ("12345", "!!! ???", "3,14 %"):
        r = api.http.post("/translate", json={"q": q, "source": "auto", "target": "de"})
        assert r.status_code == 200 and r.json()["translatedText"] == q
    assert api.stored() == 0 and api.fake.prompts == []
