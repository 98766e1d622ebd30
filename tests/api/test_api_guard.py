"""The API's doorman, in-process through the server's own middleware (``cli/api_options.py``
``api_middleware``) over the real routes, a scripted engine and a real SQLite file: unknown keys
where none is required, cross-site writes refused with nothing stored (form, multipart,
text/plain), CORS for listed origins, the caller's address behind (trusted or not) proxies,
body limits, error shapes for routes and methods the API lacks, rate-limit headers, the log."""
from __future__ import annotations

import json
import logging
import sqlite3
from argparse import Namespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import build_routes
from api.guard import Peer, TrustedProxies, resolve_peer
from api.keys import Limits
from api.request_log import JsonLines
from chat.feedback import Feedback
from chat.model_host import ModelHost
from chat.session import ChatSession
from cli.api_options import api_middleware
from storage import open_store
from storage.api_keys import ApiKeys
from tests.fake_engine import FakeEngine

HERE, THERE = ("127.0.0.1", 5000), ("203.0.113.9", 5000)
EVIL = "https://evil.example"


@pytest.fixture
def server(tmp_path):
    """make(client=…, keys=…, origins=…, proxies=…, rpm=…) -> TestClient; .db: the file."""
    store = open_store(tmp_path / "chat.db")
    session = ChatSession(store, ModelHost.serving(FakeEngine(languages=("en", "de", "es"))))

    def make(client=HERE, keys="auto", origins="", proxies="", rpm=60):
        routes = build_routes(session, Feedback(store), Limits(keys=keys, requests_per_minute=rpm))
        args = Namespace(api_cors_origins=origins, forwarded_allow_ips=proxies)
        app = FastAPI(routes=routes, middleware=api_middleware(args, routes))
        return TestClient(app, client=client, raise_server_exceptions=False)
    make.db, make.store = tmp_path / "chat.db", store
    yield make
    store.close()


def rows(db, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


HELLO = {"q": "Hallo Welt", "source": "de", "target": "en"}


@pytest.mark.parametrize("dummy", ["anything", "DUMMY_KEY", "EMPTY", "sk-no-key"])
def test_an_unknown_key_counts_as_none_where_none_is_required(server, dummy):
    client = server()
    r = client.post("/translate", json={**HELLO, "api_key": dummy})
    assert r.status_code == 200 and r.json()["translatedText"]
    r = client.post("/v1/chat/completions", headers={"Authorization": f"Bearer {dummy}"},
                    json={"model": "x", "messages": [{"role": "user", "content": "Translate to English: Hallo"}]})
    assert r.status_code == 200, r.text


def test_where_a_key_is_required_an_unknown_one_is_refused(server):
    client = server(client=THERE)
    assert client.post("/translate", json=HELLO).status_code == 403
    r = client.post("/translate", json={**HELLO, "api_key": "anything"})
    assert r.status_code == 403 and "Invalid API key" in r.json()["error"]
    assert server(keys="required").post("/translate", json={**HELLO, "api_key": "EMPTY"}).status_code == 403


def test_a_known_key_keeps_its_own_limit_on_loopback(server):
    key, _ = ApiKeys(server.store).create("one a minute", requests_per_minute=1)
    client = server()
    assert client.post("/translate", json={**HELLO, "api_key": key}).status_code == 200
    assert client.post("/translate", json={**HELLO, "api_key": key}).status_code == 429
    assert client.post("/translate", json={**HELLO, "api_key": "unknown"}).status_code == 200  # no key: own budget


@pytest.mark.parametrize("body", ["json", "form", "multipart", "text/plain"])
@pytest.mark.parametrize("header", ["Origin", "Referer"])
def test_a_cross_site_write_is_refused_and_stores_nothing(server, body, header):
    client = server()
    value = EVIL if header == "Origin" else EVIL + "/page.html"
    fields = {"q": "Hello!", "s": "EVIL", "source": "en", "target": "es"}
    sent = {"json": {"json": fields}, "form": {"data": fields},
            "multipart": {"data": fields, "files": {"unused": ("a.txt", b"x")}},
            "text/plain": {"content": json.dumps(fields), "headers": {"Content-Type": "text/plain"}}}[body]
    headers = {header: value, **sent.pop("headers", {})}
    for route in ("/suggest", "/translate", "/v1/chat/completions"):
        r = client.post(route, headers=headers, **sent)
        assert r.status_code == 403 and "Cross-site request refused" in json.dumps(r.json()), route
    assert rows(server.db, "messages") == 0 and rows(server.db, "preference_pairs") == 0


def test_the_servers_own_page_and_listed_origins_may_write(server):
    own = server().post("/translate", headers={"Origin": "http://testserver"}, json=HELLO)
    assert own.status_code == 200
    listed = server(origins="https://tools.example")
    r = listed.post("/translate", headers={"Origin": "https://tools.example"}, json=HELLO)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://tools.example"
    assert "X-RateLimit-Remaining" in r.headers["access-control-expose-headers"]
    pre = listed.options("/translate", headers={"Origin": "https://tools.example",
                                                "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://tools.example"
    assert listed.post("/translate", headers={"Origin": EVIL}, json=HELLO).status_code == 403
    assert listed.get("/languages", headers={"Origin": EVIL}).status_code == 200  # reads are not writes


def test_a_null_origin_is_refused(server):
    assert server().post("/translate", headers={"Origin": "null"}, json=HELLO).status_code == 403


def test_forwarded_headers_from_an_untrusted_peer_are_not_believed(server):
    client = server(rpm=2)
    r = client.post("/translate", headers={"X-Forwarded-For": "127.0.0.1"}, json=HELLO)
    assert r.status_code == 403 and "API key is required" in r.json()["error"]  # says it was forwarded
    spoofing = server(keys="optional", rpm=2)
    codes = [spoofing.post("/translate", headers={"X-Forwarded-For": f"198.51.100.{i}"}, json=HELLO).status_code
             for i in range(3)]
    assert codes == [200, 200, 429]  # one budget: the real peer's, whatever the header says


def test_a_trusted_proxys_client_is_the_caller(server):
    proxy = server(proxies="127.0.0.1", rpm=1, keys="optional")
    for i in range(2):  # each forwarded client has its own budget
        r = proxy.post("/translate", headers={"X-Forwarded-For": f"198.51.100.{i}"}, json=HELLO)
        assert r.status_code == 200
    auto = server(proxies="127.0.0.1")
    assert auto.post("/translate", headers={"X-Forwarded-For": "198.51.100.7"}, json=HELLO).status_code == 403
    assert auto.post("/translate", headers={"X-Forwarded-For": "127.0.0.1"}, json=HELLO).status_code == 200


def test_resolve_peer_takes_the_nearest_untrusted_hop():
    trusted = TrustedProxies("10.0.0.0/8, 127.0.0.1")
    headers = [(b"x-forwarded-for", b"198.51.100.1, 203.0.113.5, 10.1.2.3")]
    assert resolve_peer("127.0.0.1", headers, trusted) == Peer("203.0.113.5", False, proxied=True)
    assert resolve_peer("192.0.2.1", headers, trusted) == Peer("192.0.2.1", False)
    assert resolve_peer("127.0.0.1", [], TrustedProxies("")) == Peer("127.0.0.1", True)
    with pytest.raises(ValueError, match="not an address"):
        TrustedProxies("proxy.local")


def test_a_body_over_the_limit_is_refused_before_it_is_read(server):
    client = server()
    big = b'{"q": "' + b"a" * (5 * 2**20) + b'"}'
    r = client.post("/translate", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "limit is 4,194,304" in r.json()["error"]

    def chunks():  # no Content-Length: read up to the limit only
        for _ in range(80):
            yield b"a" * 65536
    r = client.post("/v1/chat/completions", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "over 4,194,304 bytes" in r.json()["error"]["message"]


def test_routes_and_methods_the_api_lacks_answer_in_its_shape(server):
    client = server()
    r = client.get("/translate")
    assert r.status_code == 405 and r.json() == {"error": "Method not allowed on this route."}
    assert r.headers["allow"] == "POST"
    assert client.delete("/languages").json() == {"error": "Method not allowed on this route."}
    r = client.get("/v1/embeddings")
    assert r.status_code == 404 and r.json()["error"]["type"] == "not_found_error"
    assert client.get("/v1/models/fake-alma").json()["id"] == "fake-alma"  # the preset's name works
    assert client.get("/v1/models/fake/model").status_code == 200
    assert client.get("/v1/models/gpt-4").status_code == 404


def test_rate_limit_headers_where_a_limit_applies(server):
    client = server(rpm=3)
    first, second = (client.post("/translate", json=HELLO) for _ in range(2))
    assert (first.headers["x-ratelimit-limit"], first.headers["x-ratelimit-remaining"]) == ("3", "2")
    assert second.headers["x-ratelimit-remaining"] == "1" and 1 <= int(second.headers["x-ratelimit-reset"]) <= 60
    client.post("/translate", json=HELLO)
    refused = client.post("/translate", json=HELLO)
    assert refused.status_code == 429 and refused.headers["x-ratelimit-remaining"] == "0"
    assert "x-ratelimit-limit" not in server(rpm=0).post("/translate", json=HELLO).headers


def test_one_log_line_per_request_without_text_or_key(server, caplog):
    key, info = ApiKeys(server.store).create("logged")
    client = server()
    with caplog.at_level(logging.INFO, logger="hintmt.api"):
        client.post("/translate", json={**HELLO, "api_key": key})
        client.post("/translate", json={"source": "de", "target": "en"})
        client.get("/languages")
    lines = [r for r in caplog.records if r.name == "hintmt.api"]
    assert [r.fields["route"] for r in lines] == ["/translate", "/translate", "/languages"]
    ok, refused, _ = (r.fields for r in lines)
    assert (ok["status"], ok["who"], ok["chars"]) == (200, f"key:{info.id}", len("Hallo Welt"))
    assert ok["tokens"] > 0 and ok["ms"] >= 0
    assert refused["status"] == 400 and "missing q" in refused["reason"] and refused["who"] == "loopback"
    text = "\n".join(r.getMessage() for r in lines)
    assert "Hallo" not in text and key not in text
    record = json.loads(JsonLines().format(lines[0]))
    assert record["status"] == 200 and record["logger"] == "hintmt.api" and "time" in record


def test_streamed_chunks_carry_usage_null_until_the_usage_chunk(server):
    body = {"model": "x", "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": "Translate to English: Hallo Welt"}]}
    with server().stream("POST", "/v1/chat/completions", json=body) as r:
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all("usage" in c and c["usage"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0
    plain = {**body, "stream_options": None}
    with server().stream("POST", "/v1/chat/completions", json={k: v for k, v in plain.items() if v}) as r:
        assert all("usage" not in json.loads(line[6:]) for line in r.iter_lines()
                   if line.startswith("data: {"))
