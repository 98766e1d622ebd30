"""Load: 16 gradio_client users, 10 messages each, at once, against the real server.

Every message and reply must be stored once, in order, in its own conversation, with no
error; meanwhile a 17th user keeps calling cheap events (search, refresh) and those must
not queue behind the generations. The figures are printed (run with -s) for the README."""
from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fixtures_reliability import db_rows, send_args

pytestmark = pytest.mark.integration

CLIENTS, MESSAGES = 16, 10
GENERATING = {"on_send", "on_retry", "on_resource", "on_contrast", "on_document"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def text_of(client: int, message: int) -> str:
    return f"Nachricht {message} von Nutzer {client}: die Katze sitzt auf der warmen Matte."


def one_user(api, client: int) -> dict:
    key = api.predict(None, api_name="/on_load")[0]
    latencies, notices = [], []
    for message in range(MESSAGES):
        started = time.perf_counter()
        box, notice, shown = api.predict(*send_args(text_of(client, message)), api_name="/on_send")
        latencies.append(time.perf_counter() - started)
        notices.append(notice)
        assert not notice.startswith("⚠️"), f"user {client} message {message} was not accepted: {notice}"
    return {"key": key, "latencies": latencies, "notices": notices}


def probe_small_events(api, stop: threading.Event) -> list[float]:
    """A user who searches and refreshes while everyone else is generating."""
    api.predict(None, api_name="/on_load")
    latencies = []
    while not stop.is_set():
        for call in (lambda: api.predict("Katze", api_name="/on_search"),
                     lambda: api.predict(api_name="/on_refresh")):
            started = time.perf_counter()
            call()
            latencies.append(time.perf_counter() - started)
        time.sleep(0.1)
    return latencies


@pytest.mark.timeout(900)  # 160 replies through one engine, one at a time, on 2 shared cores
def test_sixteen_users_ten_messages_each(tiny_server):
    from gradio_client import Client

    # One gradio_client per user (its own session), connected before the clock starts.
    apis = [Client(tiny_server.url, verbose=False) for _ in range(CLIENTS + 1)]
    stop = threading.Event()
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS + 1) as pool:
        probe = pool.submit(probe_small_events, apis[-1], stop)
        users = [pool.submit(one_user, apis[c], c) for c in range(CLIENTS)]
        try:
            results = [u.result(timeout=600) for u in users]
        finally:  # a failed user must not leave the probe running (the pool would wait forever)
            stop.set()
        small = probe.result(timeout=60)
    wall = time.perf_counter() - started

    warnings = [n for r in results for n in r["notices"] if n.startswith("⚠️")]
    assert warnings == []
    for client, result in enumerate(results):
        user = db_rows(tiny_server.db, "SELECT id FROM users WHERE key = ?", (result["key"],))
        assert len(user) == 1
        convs = db_rows(tiny_server.db, "SELECT id FROM conversations WHERE user_id = ?", user[0])
        assert len(convs) == 1, f"user {client}: {len(convs)} conversations"
        msgs = db_rows(tiny_server.db, "SELECT id, role, content, parent_id, status FROM messages "
                       "WHERE conversation_id = ? ORDER BY id", convs[0])
        assert [m[1] for m in msgs] == ["user", "assistant"] * MESSAGES
        assert [m[2] for m in msgs[::2]] == [text_of(client, i) for i in range(MESSAGES)]
        for question, reply in zip(msgs[::2], msgs[1::2]):
            assert reply[3] == question[0] and reply[4] == "complete"

    sends = [s for r in results for s in r["latencies"]]
    figures = {
        "requests": len(sends), "wall_s": round(wall, 1),
        "send_p50_s": round(statistics.median(sends), 2), "send_p95_s": round(percentile(sends, .95), 2),
        "small_requests": len(small), "small_p50_s": round(statistics.median(small), 3),
        "small_p95_s": round(percentile(small, .95), 3)}
    print(f"\nload figures: {figures}")
    # The cheap events have their own concurrency group: they never wait for a generation
    # slot, so even their slow tail stays well under a typical send.
    assert figures["small_p95_s"] < figures["send_p50_s"], figures


def test_generation_has_its_own_queue():
    """Only model work shares the "generation" slots; cheap events and stop never wait on it."""
    from chat.feedback import Feedback
    from chat.model_host import ModelHost
    from chat.session import ChatSession
    from web.ui import build_ui
    from storage import open_store

    store = open_store(":memory:")
    host = ModelHost("smollm2")  # never started: building the page needs no model
    demo = build_ui(ChatSession(store, host), Feedback(store), host, "secret")
    generating = [f for f in demo.fns.values() if getattr(f.fn, "__name__", "") in GENERATING]
    others = [f for f in demo.fns.values() if f not in generating]
    assert {f.fn.__name__ for f in generating} == GENERATING
    assert {f.concurrency_id for f in generating} == {"generation"}
    assert {f.concurrency_limit for f in generating} == {4}  # as the README's Load section says
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert '`concurrency_id="generation"`, limit 4' in readme
    assert all(f.concurrency_id != "generation" for f in others)
    stop = [f for f in others if getattr(f.fn, "__name__", "") == "on_stop"]
    assert stop and stop[0].queue is False
    store.close()
