"""Crash: kill -9 the server in the middle of a streamed reply, restart it on the same
database. The file opens, finished messages are intact, the cut reply is marked stopped
(and shown so) and keeps the text streamed up to the last flush (a prefix of what the client
showed), and the same user carries on in the same conversation."""
from __future__ import annotations

import os
import signal
import time

import pytest

from tests.fixtures_reliability import db_rows, send_args, start_server

pytestmark = pytest.mark.integration

MESSAGES_SQL = "SELECT id, role, content, status, parent_id FROM messages ORDER BY id"


def wait_for(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError(what)


def rows_after(db, count: int) -> list | None:
    rows = db_rows(db, MESSAGES_SQL)
    return rows if len(rows) > count else None


def seen_texts(job) -> list[str]:
    """The reply's text in each streamed update the client received (header removed)."""
    from chat.render import strip_header

    texts = []
    for out in job.outputs():
        view = out[2] if len(out) > 2 else None
        if not view or view[-1].get("role") != "assistant":
            continue
        content = view[-1]["content"]
        if isinstance(content, list):
            content = "".join(c.get("text", "") for c in content if isinstance(c, dict))
        texts.append(strip_header(content or ""))
    return texts


def flushed_and_seen(db, reply_id: int, job) -> bool:
    stored = db_rows(db, "SELECT content FROM messages WHERE id = ?", (reply_id,))[0][0]
    return bool(stored.strip()) and any(t.startswith(stored) for t in seen_texts(job))


def test_kill_during_stream_then_restart(tmp_path, tiny_model_dir, monkeypatch):
    from gradio_client import Client

    # The random model loops and its reply outgrows the source: without the runaway guard it
    # streams for long enough to be killed mid-reply (the server inherits this environment).
    monkeypatch.setenv("HINTMT_RUNAWAY_GUARD", "off")

    server = start_server(tmp_path, str(tiny_model_dir))
    try:
        api = Client(server.url, verbose=False)
        key = api.predict(None, api_name="/on_load")[0]
        for text in ("Erster Satz über die Katze.", "Zweiter Satz über die Matte."):
            assert not api.predict(*send_args(text), api_name="/on_send")[1].startswith("⚠️")
        finished = db_rows(server.db, MESSAGES_SQL)
        assert [m[3] for m in finished] == ["complete"] * 4

        job = api.submit(*send_args("Ein sehr langer dritter Satz.", max_new=1024), api_name="/on_send")
        reply_id = wait_for(lambda: rows_after(server.db, 5), 60, "the reply never started")[5][0]
        wait_for(lambda: len(job.outputs()) >= 3, 60, "no streamed update reached the client")
        # Kill once the store holds part of the reply that the client has already shown.
        wait_for(lambda: flushed_and_seen(server.db, reply_id, job), 60,
                 "the streamed text was never written while streaming")
        assert db_rows(server.db, "SELECT status FROM messages WHERE id = ?", (reply_id,)) \
            == [("streaming",)], "the reply finished before the kill: raise max_new"
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(10)
        seen = seen_texts(job)
    finally:
        server.stop()

    restarted = start_server(tmp_path, str(tiny_model_dir))
    try:
        rows = db_rows(restarted.db, MESSAGES_SQL)
        assert db_rows(restarted.db, "PRAGMA integrity_check") == [("ok",)]
        assert rows[:4] == finished, "finished messages changed"
        assert [r[1] for r in rows[4:]] == ["user", "assistant"]
        assert rows[4][2] == "Ein sehr langer dritter Satz."
        kept = rows[5][2]
        assert kept.strip(), "the cut reply lost the text streamed before the crash"
        assert seen[-1].startswith(kept), (kept, seen[-1])  # what the client showed, up to a flush
        assert rows[5][3] == "stopped" and rows[5][4] == rows[4][0]

        api = Client(restarted.url, verbose=False)
        assert api.predict(key, api_name="/on_load")[0] == key  # the same browser identity
        shown = api.predict(api_name="/on_refresh")[0]
        assert [m["role"] for m in shown] == ["user", "assistant"] * 3
        assert "stopped" in shown[-1]["content"][0]["text"]
        assert not api.predict(*send_args("Vierter Satz nach dem Neustart."), api_name="/on_send")[1].startswith("⚠️")
        rows = db_rows(restarted.db, MESSAGES_SQL)
        assert [(r[1], r[3]) for r in rows[6:]] == [("user", "complete"), ("assistant", "complete")]
        assert len(db_rows(restarted.db, "SELECT DISTINCT conversation_id FROM messages")) == 1
    finally:
        restarted.stop()
