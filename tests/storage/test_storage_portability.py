"""Behaviour that must not depend on the database: races that SQLite's one-writer locking
prevents (PostgreSQL gets an advisory write lock), non-finite floats in JSON, NUL characters.

Run against PostgreSQL with `TEST_DATABASE_URL=$(bash scripts/start-postgres.sh | tail -1)`.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

import pytest
from sqlalchemy import create_engine, text

from storage import StorageError, open_store
from storage.migrations import STEPS
from storage.connection import PG_WRITE_LOCK, resolve_url
from tests.storage.test_storage_common import db_url, store  # noqa: F401


def race(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0..n-1) in n threads released at once; fails on any exception."""
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def work(i: int) -> None:
        try:
            start.wait()
            results.append(fn(i))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_concurrent_ensure_user_of_new_keys(store):
    for r in range(4):
        ids = race(8, lambda i: (i % 2, store.ensure_user(f"anon:new{r}-{i % 2}", "New")))
        assert len(ids) == 8 and len(set(ids)) == 2  # one id per key


def test_concurrent_ratings_of_one_message(store):
    u = store.ensure_user("anon:rater")
    c = store.create_conversation(u)
    m = store.add_message(u, c, "assistant", "Good morning")
    ids = race(8, lambda i: store.rate(u, m, 1 if i % 2 else -1, [f"r{i}"]))
    assert len(set(ids)) == 1 and store.feedback_for(u, m).id == ids[0]


def test_concurrent_open_of_an_empty_database(db_url):
    stores = race(6, lambda i: open_store(db_url))
    try:
        with stores[0].engine.connect() as conn:
            names = [r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM schema_migrations ORDER BY id")]
        assert names == [s.name for s in STEPS]
        u = stores[1].ensure_user("anon:after")
        assert stores[2].get_user(u).key == "anon:after"
    finally:
        for s in stores:
            s.close()


def test_non_finite_floats_are_stored_as_text(store):
    u = store.ensure_user("anon:nan")
    c = store.create_conversation(u, settings={"x": float("nan"), "ok": 1.5})
    assert store.conversation_settings(u, c) == {"x": "nan", "ok": 1.5}
    m = store.add_message(u, c, "assistant", "x",
                          params={"t": float("inf"), "l": [float("-inf"), 2]})
    assert store.get_message(u, m).params == {"t": "inf", "l": ["-inf", 2]}


def test_nul_characters_never_fail_a_write(store):
    u = store.ensure_user("anon:nul\x00", "N\x00")
    c = store.create_conversation(u, title="T\x00itle")
    m = store.add_message(u, c, "user", "Gu\x00ten Morgen", prompt="p\x00")
    store.update_message(u, m, draft="d\x00", error="e\x00")
    store.rate(u, m, 1, ["r\x00"], comment="c\x00")
    store.add_pair(u, prompt="p\x00", chosen="a\x00", rejected="b", kind="pick", source="s\x00")
    got = store.get_message(u, m)
    # PostgreSQL text can't hold NUL: it is dropped there, kept by SQLite
    kept = store.engine.dialect.name == "sqlite"
    assert got.content == ("Gu\x00ten Morgen" if kept else "Guten Morgen")
    assert store.get_conversation(u, c).title == ("T\x00itle" if kept else "Title")
    assert [h.id for h in store.list_conversations(u, "ten\x00")] == [c]
    assert [h.id for h in store.list_conversations(u, "Morgen")] == [c]


def test_postgres_writer_waits_busy_timeout_then_busy(db_url):
    if "://" not in db_url or not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's advisory write lock (SQLite: test_locked_database)")
    store = open_store(db_url, busy_timeout=0.2)
    u = store.ensure_user("anon:1")
    holder = create_engine(resolve_url(db_url)).connect()
    holder.execute(text(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})"))  # another writer
    try:
        with pytest.raises(StorageError, match="busy"):
            store.ensure_user("anon:2")
        assert store.get_user(u).key == "anon:1"  # reads don't wait
    finally:
        holder.rollback()
        holder.close()
    assert store.ensure_user("anon:2")
    store.close()
