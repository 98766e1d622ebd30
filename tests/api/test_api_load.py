"""Load on the HTTP APIs: 16 API clients (a key each) × 10 requests at once — LibreTranslate
translations and OpenAI completions — while a page user chats and another keeps calling the
page's small events. Nothing is lost (every request stored once, complete, in its key's own
conversation) and the page's small events do not queue behind the API's generations.

Bounded for CI on 2 cores: the tiny model, 8 new tokens for the completions, two
LibreTranslate calls per client (those use the model's full budget)."""
from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.fixtures_reliability import db_rows, send_args

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

CLIENTS, REQUESTS = 16, 10


def text_of(client: int, n: int) -> str:
    return f"Satz {n} von Programm {client}: der Hund schläft im Garten."


def one_client(url: str, key: str, client: int) -> list[float]:
    latencies = []
    with httpx.Client(base_url=url, timeout=600) as http:
        for n in range(REQUESTS):
            started = time.perf_counter()
            if n % 5 == 0:
                r = http.post("/translate", json={"q": text_of(client, n), "source": "de",
                                                  "target": "en", "api_key": key})
            else:
                r = http.post("/v1/chat/completions", headers={"Authorization": f"Bearer {key}"},
                              json={"model": "any", "max_tokens": 8, "target": "en",
                                    "messages": [{"role": "user", "content": text_of(client, n)}]})
            assert r.status_code == 200, (client, n, r.text)
            latencies.append(time.perf_counter() - started)
    return latencies


def page_user(url: str) -> tuple[str, list[str]]:
    from gradio_client import Client

    api = Client(url, verbose=False)
    key = api.predict(None, api_name="/on_load")[0]
    notices = [api.predict(*send_args(f"Seitennachricht {i}: es regnet."), api_name="/on_send")[1]
               for i in range(3)]
    return key, notices


def small_events(url: str, stop: threading.Event) -> list[float]:
    from gradio_client import Client

    api = Client(url, verbose=False)
    api.predict(None, api_name="/on_load")
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        api.predict("Hund", api_name="/on_search")
        latencies.append(time.perf_counter() - started)
        time.sleep(0.1)
    return latencies


def test_sixteen_api_clients_while_the_page_is_used(tiny_server):
    from storage import open_store
    from storage.api_keys import ApiKeys

    with open_store(tiny_server.db) as store:
        keys = [ApiKeys(store).create(f"load {c}", requests_per_minute=1000) for c in range(CLIENTS)]
    stop = threading.Event()
    with ThreadPoolExecutor(CLIENTS + 2) as pool:
        probe = pool.submit(small_events, tiny_server.url, stop)
        page = pool.submit(page_user, tiny_server.url)
        clients = [pool.submit(one_client, tiny_server.url, key, c) for c, (key, _) in enumerate(keys)]
        api_latencies = [t for c in clients for t in c.result(timeout=850)]
        page_key, notices = page.result(timeout=120)
        stop.set()
        small = probe.result(timeout=60)

    assert not [n for n in notices if n.startswith("⚠️")]
    page_rows = db_rows(tiny_server.db, "SELECT m.status FROM messages m JOIN conversations c ON "
                        "c.id = m.conversation_id JOIN users u ON u.id = c.user_id WHERE u.key = ? "
                        "AND m.role = 'assistant'", (page_key,))
    assert [r[0] for r in page_rows] == ["complete"] * 3
    for client, (_, info) in enumerate(keys):
        rows = db_rows(tiny_server.db, """SELECT c.title, u.content, a.status FROM messages u
            JOIN messages a ON a.parent_id = u.id JOIN conversations c ON c.id = u.conversation_id
            WHERE c.user_id = ? ORDER BY u.id""", (info.user_id,))
        assert sorted(r[1] for r in rows) == sorted(text_of(client, n) for n in range(REQUESTS))
        assert {r[2] for r in rows} == {"complete"} and len({r[0] for r in rows}) == 1
    figures = {"api_requests": len(api_latencies), "api_p50_s": round(statistics.median(api_latencies), 2),
               "small_requests": len(small), "small_p50_s": round(statistics.median(small), 3),
               "small_p95_s": round(sorted(small)[int(0.95 * (len(small) - 1))], 3)}
    print(f"\napi load figures: {figures}")
    assert figures["small_p95_s"] < figures["api_p50_s"], figures
