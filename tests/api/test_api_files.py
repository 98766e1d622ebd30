"""LibreTranslate's `/translate_file` and `/download_file`, `/spec` and the files settings:
in-process through the server's own middleware (api/guard.py) over the fake engine and a real
SQLite file for the fixture documents, downloads (same caller only, expiry) and every bad
input (nothing stored); then the real server on loopback (tiny model) with `requests`."""
from __future__ import annotations

import io
import sqlite3
import time
from argparse import Namespace
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import build_routes
from api.keys import Limits
from chat.feedback import Feedback
from chat.model_host import ModelHost
from chat.session import ChatSession
from cli.api_options import api_middleware
from documents import SUPPORTED, open_document
from storage import open_store
from storage.api_keys import ApiKeys
from tests.documents.samples import (BAD, SAMPLES, assert_translated, blank_docx, docx_bytes,
                                     xxe_xliff, zip_bomb)
from tests.fake_engine import FakeEngine
from tests.fixtures_reliability import db_rows, run_cli, start_server

HERE, THERE = ("127.0.0.1", 5000), ("203.0.113.9", 5000)
FORM = {"source": "de", "target": "en"}


@pytest.fixture
def server(tmp_path):
    """make(client=…, keys=…, chars=…) -> TestClient over the API with its guard; .store, .db."""
    store = open_store(tmp_path / "chat.db")
    session = ChatSession(store, ModelHost.serving(FakeEngine(languages=("en", "de", "es"))))

    def make(client=HERE, keys="auto", chars=5000):
        routes = build_routes(session, Feedback(store), Limits(keys=keys, chars_per_request=chars))
        app = FastAPI(routes=routes, middleware=api_middleware(
            Namespace(api_cors_origins="", forwarded_allow_ips=""), routes))
        return TestClient(app, client=client, raise_server_exceptions=False)
    make.store, make.db = store, tmp_path / "chat.db"
    yield make
    store.close()


def counts(db) -> tuple:
    with sqlite3.connect(db) as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("conversations", "messages"))


def upload(client, name: str, data: bytes, **fields):
    return client.post("/translate_file", data={**FORM, **fields}, files={"file": (name, data)})


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_fixture_round_trips(server, name):
    client = server()
    data = SAMPLES[name]()
    r = upload(client, name, data)
    assert r.status_code == 200, r.text
    url = r.json()["translatedFileUrl"]
    parts = urlsplit(url)
    assert set(r.json()) == {"translatedFileUrl"} and parts.scheme == "http"
    token, got_name = parts.path.split("/")[2:]
    assert parts.path.startswith("/download_file/") and got_name == name and len(token) == 32
    download = client.get(parts.path)
    assert download.status_code == 200
    assert f'filename="{name}"' in download.headers["content-disposition"]
    assert_translated(name, data, download.content)
    [(title,)] = db_rows(server.db, "SELECT title FROM conversations")
    assert title == name


def test_the_file_is_only_for_its_caller_and_only_for_an_hour(server, tmp_path):
    key, _ = ApiKeys(server.store).create("files")
    other, _ = ApiKeys(server.store).create("someone else")
    client = server()
    r = upload(client, "report.docx", docx_bytes(), api_key=key)
    path = urlsplit(r.json()["translatedFileUrl"]).path
    assert client.get(path, params={"api_key": key}).status_code == 200
    assert client.get(path, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    for params in ({"api_key": other}, {}):
        refused = client.get(path, params=params)
        assert refused.status_code == 404 and "expired" in refused.json()["error"]
    token = path.split("/")[2]
    assert client.get(path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")),
                      params={"api_key": key}).status_code == 404
    assert client.get(path.rsplit("/", 1)[0] + "/other.docx", params={"api_key": key}).status_code == 404
    assert client.get("/download_file/..%2F..%2Fchat.db/x", params={"api_key": key}).status_code == 404
    kept = tmp_path / "files" / token
    assert (kept / "report.docx").exists()
    real = time.time
    with pytest.MonkeyPatch.context() as later:
        later.setattr(time, "time", lambda: real() + 3601)  # an hour later
        assert client.get(path, params={"api_key": key}).status_code == 404
    assert not kept.exists()  # deleted by the sweep


def test_settings_and_spec(server):
    client = server()
    settings = client.get("/frontend/settings").json()
    assert settings["filesTranslation"] is True and settings["supportedFilesFormat"] == list(SUPPORTED)
    spec = client.get("/spec")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert spec.json()["openapi"].startswith("3.") and "/spec" not in paths
    assert {"/translate", "/detect", "/languages", "/suggest", "/frontend/settings", "/translate_file",
            "/download_file/{token}/{name}"} <= set(paths)
    assert "post" in paths["/translate_file"] and "get" in paths["/download_file/{token}/{name}"]


def test_bad_input_is_one_line_in_the_api_shape_and_stores_nothing(server, tmp_path):
    client = server()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    before = counts(server.db)
    cases = {name: (data if data is not None else blank_docx(), word) for name, (data, word) in BAD.items()}
    cases["bomb.docx"] = (zip_bomb(), "unpacks to 513 MiB")
    cases["notes"] = (b"Hallo", "not supported")
    for name, (data, word) in cases.items():
        r = upload(client, name, data)
        assert r.status_code == 400 and list(r.json()) == ["error"], (name, r.text)
        assert word in r.json()["error"] and "\n" not in r.json()["error"], (name, r.json())
    assert upload(client, "a.srt", b"").json() == {"error": "Invalid request: empty file"}
    missing = client.post("/translate_file", data=FORM)
    assert missing.status_code == 400 and missing.json()["error"] == "Invalid request: missing file parameter"
    assert upload(client, "film.srt", SAMPLES["film.srt"](), target="").json()["error"] == \
        "Invalid request: missing target parameter"
    assert "cannot translate into French" in upload(client, "film.srt", SAMPLES["film.srt"](), target="fr").text
    over = upload(server(chars=20), "report.docx", docx_bytes())
    assert over.status_code == 400 and "exceeds the text limit (20 characters)" in over.json()["error"]
    assert counts(server.db) == before
    big = upload(client, "big.docx", b"0" * (16 * 1024 * 1024 + 1))  # over the files' body limit
    assert big.status_code == 413 and "limit" in big.json()["error"]
    assert server(client=THERE).post("/translate_file", data=FORM).status_code == 403  # key required
    assert counts(server.db) == before

    evil = upload(client, "evil.xlf", xxe_xliff(secret))  # XXE: entities are never resolved
    assert evil.status_code == 200
    out = client.get(urlsplit(evil.json()["translatedFileUrl"]).path).content
    assert b"TOPSECRET" not in out and not db_rows(server.db, "SELECT id FROM messages WHERE content LIKE '%TOPSECRET%'")


def test_text_already_in_the_target_and_auto_source(server):
    client = server()
    english = b"The weather is very nice today in the whole country.\n"
    r = upload(client, "en.md", english, source="auto")
    assert r.status_code == 400 and "already English" in r.json()["error"]
    r = upload(client, "de.md", "Das Wetter ist heute im ganzen Land sehr schön.\n".encode(), source="auto")
    assert r.status_code == 200
    out = client.get(urlsplit(r.json()["translatedFileUrl"]).path).content
    assert open_document(out, "de.md").segments[0].text == "DAS WETTER IST HEUTE IM GANZEN LAND SEHR SCHÖN."


# -- the real server -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live(tmp_path_factory, tiny_model_dir):
    server = start_server(tmp_path_factory.mktemp("files-api"), str(tiny_model_dir), ("--style", "parrot"))
    yield server
    server.stop()


@pytest.mark.timeout(600)
def test_real_server_with_requests(live):
    import requests

    done = run_cli("api-key", "create", "uploader", "--db", str(live.db), cwd=live.db.parent)
    key = done.stdout.strip()
    data = docx_bytes()
    r = requests.post(live.url + "translate_file", files={"file": ("report.docx", io.BytesIO(data))},
                      data={**FORM, "api_key": key}, timeout=300)
    assert r.status_code == 200, r.text
    url = r.json()["translatedFileUrl"]
    assert url.startswith(live.url + "download_file/")
    assert requests.get(url, timeout=30).status_code == 404  # not without its key
    got = requests.get(url, params={"api_key": key}, timeout=30)
    assert got.status_code == 200
    before, after = open_document(data, "report.docx"), open_document(got.content, "report.docx")
    assert [(s.id, s.kind) for s in after.segments] == [(s.id, s.kind) for s in before.segments]
    rows = db_rows(live.db, """SELECT u.params, a.status, a.prompt FROM messages u
        JOIN messages a ON a.parent_id = u.id JOIN conversations c ON c.id = u.conversation_id
        WHERE c.title = 'report.docx' AND u.role = 'user'""")
    assert len(rows) == len(before.pending) and all(status == "complete" for _, status, _ in rows)
    assert all(prompt.startswith("Below is an instruction") for _, _, prompt in rows)  # ParroT's own
    bad = requests.post(live.url + "translate_file", files={"file": ("x.pdf", b"%PDF")}, data=FORM, timeout=30)
    assert bad.status_code == 400 and "not supported" in bad.json()["error"]
    spec = requests.get(live.url + "spec", timeout=30).json()
    assert "/translate_file" in spec["paths"]
