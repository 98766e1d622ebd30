"""The LibreTranslate-compatible API of the real server on loopback (tiny model, ParroT
prompts): the `libretranslatepy` client from PyPI, raw HTTP for what that client lacks
(lists, alternatives, html, hints, /suggest), keys and limits made with `api-key`, and the
error cases. Translations of the tiny random model are gibberish: the tests check
structure, storage and behaviour."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest

from tests.fixtures_reliability import db_rows, run_cli, start_server

pytestmark = pytest.mark.timeout(600)
SERVER_FLAGS = ("--style", "parrot", "--api-char-limit", "2000", "--api-batch-limit", "20")


@pytest.fixture(scope="module")
def lt_server(tmp_path_factory, tiny_model_dir):
    """The app on the tiny model with ParroT prompts; loopback, so no key is required."""
    server = start_server(tmp_path_factory.mktemp("lt-api"), str(tiny_model_dir), SERVER_FLAGS)
    yield server
    server.stop()


@pytest.fixture
def http(lt_server):
    with httpx.Client(base_url=lt_server.url, timeout=300) as client:
        yield client


def new_key(server, name: str, *flags: str) -> str:
    done = run_cli("api-key", "create", name, "--db", str(server.db), *flags, cwd=server.db.parent)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def user_of_key(server, key: str) -> int:
    """The user id a key's data is stored under (via `api-key list`)."""
    listed = run_cli("api-key", "list", "--db", str(server.db), cwd=server.db.parent).stdout
    key_id = next(line.split("\t")[0] for line in listed.splitlines() if key[:10] in line)
    return db_rows(server.db, "SELECT id FROM users WHERE key = ?", (f"api:{key_id}",))[0][0]


def turns_of(server, user_id: int, text: str) -> list[tuple]:
    """(conversation title, reply content, prompt, status, model, tokens, tgt) of the replies to `text`."""
    return db_rows(server.db, """
        SELECT c.title, a.content, a.prompt, a.status, a.model_id, a.completion_tokens, a.tgt, a.params
        FROM messages u JOIN messages a ON a.parent_id = u.id
        JOIN conversations c ON c.id = u.conversation_id
        WHERE c.user_id = ? AND u.content = ? AND a.role = 'assistant' ORDER BY a.id""",
                   (user_id, text))


def anonymous(server) -> int:
    return db_rows(server.db, "SELECT id FROM users WHERE key = 'api:anonymous'")[0][0]


def today_title() -> str:
    return "API " + datetime.now(timezone.utc).strftime("%Y-%m-%d")


# -- the maintained client ----------------------------------------------------------------

def test_libretranslatepy_translate_detect_languages(lt_server):
    from libretranslatepy import LibreTranslateAPI

    lt = LibreTranslateAPI(lt_server.url)
    languages = {lang["code"]: lang for lang in lt.languages()}
    assert languages["de"]["name"] == "German" and "en" in languages["de"]["targets"]
    assert "de" not in languages["de"]["targets"]
    detected = lt.detect("Der Hund schläft heute im Garten unter dem Baum.")
    assert detected[0]["language"] == "de" and 0 < detected[0]["confidence"] <= 100

    text = "Guten Morgen, liebe Nachbarn."
    out = lt.translate(text, "de", "en")
    assert isinstance(out, str) and out.strip()
    [(title, content, prompt, status, model, tokens, tgt, params)] = turns_of(lt_server, anonymous(lt_server), text)
    assert title == today_title() and content == out and status == "complete" and tgt == "en"
    assert prompt.startswith("Below is an instruction") and text in prompt  # ParroT's own prompt
    assert model and tokens > 0 and json.loads(params)["style"] == "parrot"


def test_auto_detect_batch_alternatives_html_and_hint(lt_server, http):
    batch = ["Die Katze schläft auf dem Sofa.", "Wir fahren morgen nach Berlin."]
    body = http.post("/translate", json={"q": batch, "source": "auto", "target": "en"}).json()
    assert len(body["translatedText"]) == 2 and all(isinstance(t, str) for t in body["translatedText"])
    assert [d["language"] for d in body["detectedLanguage"]] == ["de", "de"]
    user = anonymous(lt_server)
    assert all(len(turns_of(lt_server, user, text)) == 1 for text in batch)

    one = "Das Wetter ist heute sehr schön."
    body = http.post("/translate", json={"q": one, "source": "de", "target": "en", "alternatives": 2}).json()
    assert set(body) == {"translatedText", "alternatives"} and len(body["alternatives"]) == 2
    replies = turns_of(lt_server, user, one)
    assert [r[1] for r in replies] == [body["translatedText"], *body["alternatives"]]
    assert all(json.loads(r[7])["do_sample"] for r in replies[1:])  # alternatives are sampled

    page = '<p class="x">Hallo <b>Welt</b> &amp; mehr</p><script>var a = "Hallo";</script>'
    html = http.post("/translate", data={"q": page, "source": "de", "target": "en", "format": "html"}).json()
    out = html["translatedText"]
    assert out.startswith('<p class="x">') and "<b>" in out and out.endswith('</p><script>var a = "Hallo";</script>')
    assert turns_of(lt_server, user, "Welt") and turns_of(lt_server, user, "& mehr")

    hinted = "Ich habe den Zug verpasst."
    form = {"q": hinted, "source": "de", "target": "en", "hint": "no-errors"}
    assert http.post("/translate", data=form).status_code == 200
    [reply] = turns_of(lt_server, user, hinted)
    assert "### Hint: A translation with no errors could be" in reply[2]


def test_suggest_is_an_edit_pair_in_export(lt_server, http, tmp_path):
    key = new_key(lt_server, "suggester")
    text = "Der Zug kommt um acht Uhr an."
    made = http.post("/translate", json={"q": text, "source": "de", "target": "en", "api_key": key}).json()
    better = "The train arrives at eight o'clock."
    answer = http.post("/suggest", data={"q": text, "s": better, "source": "de", "target": "en",
                                         "api_key": key})
    assert answer.status_code == 200 and answer.json()["success"] is True
    [(_, content, prompt, *_rest)] = [r for r in turns_of(lt_server, user_of_key(lt_server, key), text)
                                      if r[4] != "human"]
    assert content == made["translatedText"]

    out = tmp_path / "pairs.jsonl"
    done = run_cli("export", "--db", str(lt_server.db), "--out", str(out), "--kind", "edit",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {"prompt": prompt, "chosen": better, "rejected": content} in rows
    before = counts(lt_server)
    again = http.post("/suggest", data={"q": text, "s": better, "source": "de", "target": "en", "api_key": key})
    assert again.json() == {"success": True, "pairs": 0} and counts(lt_server) == before  # stored already


def test_raw_utf8_forms_html_lists_and_unknown_failures(lt_server, http):
    """A form body with raw UTF-8 (curl -d) reads as UTF-8, as Flask reads it; one HTML string
    of more text nodes than the list limit is one string; other /v1 routes answer in OpenAI's shape."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = http.post("/translate", content="q=schön grüß dich&source=de&target=de".encode(), headers=form)
    assert r.status_code == 200 and r.json()["translatedText"] == "schön grüß dich"
    r = http.post("/translate", content=b"q=sch\xf6n&source=de&target=en", headers=form)
    assert r.status_code == 400 and "not UTF-8" in r.json()["error"]
    page = "<ul>" + "".join(f"<li>Punkt {i}</li>" for i in range(25)) + "</ul>"  # 25 nodes, limit 20
    r = http.post("/translate", json={"q": page, "source": "de", "target": "en", "format": "html"})
    assert r.status_code == 200 and r.json()["translatedText"].count("<li>") == 25
    r = http.post("/v1/completions", json={"prompt": "x"})
    assert r.status_code == 404 and r.json()["error"]["type"] == "not_found_error"
    assert "POST /v1/chat/completions" in r.json()["error"]["message"]


def test_keys_limits_and_isolation(lt_server, http):
    slow = new_key(lt_server, "slow", "--rpm", "3")
    small = new_key(lt_server, "small", "--char-limit", "30")
    for _ in range(3):
        assert http.post("/detect", data={"q": "Guten Tag", "api_key": slow}).status_code == 200
    limited = http.post("/detect", data={"q": "Guten Tag", "api_key": slow})
    assert limited.status_code == 429 and "3 requests per minute" in limited.json()["error"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert http.post("/detect", data={"q": "Guten Tag", "api_key": small}).status_code == 200  # own budget

    long_q = {"q": "x" * 31, "source": "de", "target": "en", "api_key": small}
    over = http.post("/translate", json=long_q)
    assert over.status_code == 400 and "30 characters" in over.json()["error"]

    # no key is needed on loopback, so a key the server does not know counts as none (dummy keys
    # work); where keys are required it is a 403 (tests/api/test_api_guard.py)
    wrong = http.post("/translate", json={"q": "Hallo", "source": "de", "target": "en", "api_key": "hmt_nope"})
    assert wrong.status_code == 200
    revoked = new_key(lt_server, "revoked")
    assert run_cli("api-key", "revoke", revoked, "--db", str(lt_server.db), cwd=lt_server.db.parent).returncode == 0
    assert http.post("/detect", data={"q": "Hallo", "api_key": revoked}).status_code == 200
    files = [lt_server.db, lt_server.db.with_name(lt_server.db.name + "-wal")]
    assert not any(revoked.encode() in f.read_bytes() for f in files if f.exists())  # hashed only

    secret = "Das Passwort steht auf dem Zettel."
    assert http.post("/translate", json={"q": secret, "source": "de", "target": "en", "api_key": small}).status_code == 400
    alice, bob = new_key(lt_server, "alice"), new_key(lt_server, "bob")
    assert http.post("/translate", json={"q": secret, "source": "de", "target": "en", "api_key": alice}).status_code == 200
    stolen = http.post("/suggest", json={"q": secret, "s": "x", "source": "de", "target": "en", "api_key": bob})
    assert stolen.status_code == 404 and set(stolen.json()) == {"error"}
    assert turns_of(lt_server, user_of_key(lt_server, alice), secret)
    assert not turns_of(lt_server, user_of_key(lt_server, bob), secret)
    assert not turns_of(lt_server, anonymous(lt_server), secret)


def counts(server) -> tuple:
    return db_rows(server.db, "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM "
                              "preference_pairs), (SELECT count(*) FROM conversations)")[0]


BAD = [
    ("missing q", {"source": "de", "target": "en"}, 400, "missing q"),
    ("unknown language", {"q": "Hallo", "source": "de", "target": "xx"}, 400, "'xx' is not supported"),
    ("unknown source", {"q": "Hallo", "source": "klingon", "target": "en"}, 400, "'klingon' is not supported"),
    ("10,000 strings", {"q": ["Hallo"] * 10_000, "source": "de", "target": "en"}, 400, "the limit is 20"),
    ("q over the limit", {"q": "Wort " * 500, "source": "de", "target": "en"}, 400, "2,000 characters"),
    ("q not text", {"q": 42, "source": "de", "target": "en"}, 400, "q must be a string"),
    ("bad format", {"q": "Hallo", "source": "de", "target": "en", "format": "pdf"}, 400, "format"),
    ("too many alternatives", {"q": "Hallo", "source": "de", "target": "en", "alternatives": 99}, 400, "alternatives"),
    ("unknown hint", {"q": "Hallo", "source": "de", "target": "en", "hint": "be nice"}, 400, "ParroT hint"),
    ("hint not text", {"q": "Hallo", "source": "de", "target": "en", "hint": 5}, 400, "hint must be text"),
    ("alternatives 1.7", {"q": "Hallo", "source": "de", "target": "en", "alternatives": 1.7}, 400, "whole number"),
    ("alternatives true", {"q": "Hallo", "source": "de", "target": "en", "alternatives": True}, 400, "whole number"),
    ("alternatives superscript", {"q": "Hallo", "source": "de", "target": "en", "alternatives": "²"}, 400, "whole number"),
    ("hint a list", {"q": "Hallo", "source": "de", "target": "en", "hint": ["a"]}, 400, "hint must be text"),
]


@pytest.mark.parametrize("case, body, status, message", BAD, ids=[c[0] for c in BAD])
def test_bad_input_is_a_clear_4xx_and_changes_nothing(lt_server, http, case, body, status, message):
    before = counts(lt_server)
    r = http.post("/translate", json=body)
    assert r.status_code == status and list(r.json()) == ["error"], r.text
    assert message in r.json()["error"] and "Traceback" not in r.text
    assert counts(lt_server) == before


def test_malformed_json_wrong_suggestion_and_detect_list(lt_server, http):
    before = counts(lt_server)
    r = http.post("/translate", content=b'{"q": "Hallo", "target":', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"].startswith("Malformed JSON body")
    r = http.post("/translate", content=b'["Hallo"]', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "must be an object" in r.json()["error"]
    r = http.post("/suggest", json={"q": "Nie übersetzt.", "s": "Never translated.", "source": "de", "target": "en"})
    assert r.status_code == 404 and "translate it with /translate first" in r.json()["error"]
    r = http.post("/detect", json={"q": ["a", "b"]})
    assert r.status_code == 400 and set(r.json()) == {"error"}
    assert counts(lt_server) == before


def test_frontend_settings(http):
    s = http.get("/frontend/settings").json()
    assert s["charLimit"] == 2000 and s["keyRequired"] is False and s["suggestions"] is True
    assert s["language"]["source"]["code"] == "auto"


def test_a_target_the_model_cannot_produce(tiny_model_dir, tmp_path):
    """In-process: the same routes over a model whose preset knows English and German only."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from api.app import build_routes
    from api.keys import Limits
    from chat.feedback import Feedback
    from chat.model_host import ModelHost
    from chat.session import ChatSession
    from storage import open_store

    store = open_store(tmp_path / "chat.db")
    host = ModelHost(str(tiny_model_dir), style="alma")
    host.start()
    assert host.wait(120).ready
    host.engine.preset = host.engine.preset.replace(languages=("en", "de"))
    app = FastAPI(routes=build_routes(ChatSession(store, host), Feedback(store), Limits()))
    with TestClient(app, client=("127.0.0.1", 50000)) as client:  # on this machine: no key needed
        r = client.post("/translate", json={"q": "Good morning.", "source": "en", "target": "fr"})
        assert r.status_code == 400 and "cannot translate into French (fr)" in r.json()["error"]
        assert [lang["code"] for lang in client.get("/languages").json()] == ["en", "de"]
    store.close()


def test_no_api_serves_the_page_only(tmp_path, tiny_model_dir):
    server = start_server(tmp_path, str(tiny_model_dir), ("--no-api",))
    try:
        assert httpx.get(server.url).status_code == 200
        r = httpx.post(server.url + "translate", json={"q": "Hallo", "source": "de", "target": "en"})
        assert r.status_code in (404, 405)
        assert httpx.get(server.url + "v1/models").status_code == 404
    finally:
        server.stop()
