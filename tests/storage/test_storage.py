"""Store CRUD, persistence, migrations, SQLite settings, crash recovery and threads."""
from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from storage import DEFAULT_TITLE, NotFound, StorageError, open_store
from storage.migrations import STEPS, migrate
from storage.schema import Base
from tests.storage.test_storage_common import (PROMPT, db_url, seed, sqlite_path,  # noqa: F401
                                       sqlite_store, store)

FIXTURE_V1 = Path(__file__).parents[1] / "data" / "chat_v1.db"


# -- CRUD ---------------------------------------------------------------------------
def test_users_get_or_create(store):
    a = store.ensure_user("anon:abc")
    assert store.ensure_user("anon:abc") == a
    b = store.ensure_user("hf:bob", "Bob")
    assert b != a
    assert store.ensure_user("hf:bob", "Bobby") == b
    info = store.get_user(b)
    assert (info.key, info.name) == ("hf:bob", "Bobby")
    assert isinstance(info.created, datetime) and info.created.tzinfo is not None
    with pytest.raises(ValueError):
        store.ensure_user("  ")


def test_conversation_round_trip(store):
    u = store.ensure_user("anon:1")
    c = store.create_conversation(u, settings={"model": "alma-7b-r", "style": "formal"})
    info = store.get_conversation(u, c)
    assert info.title == DEFAULT_TITLE and info.snippet is None
    assert store.conversation_settings(u, c) == {"model": "alma-7b-r", "style": "formal"}
    store.update_settings(u, c, {"src": "de", "tgt": "en", "hint": "no errors",
                                 "mode": "translate"})
    assert store.conversation_settings(u, c)["hint"] == "no errors"
    store.rename_conversation(u, c, "  Business\nletters ")
    assert store.get_conversation(u, c).title == "Business letters"
    with pytest.raises(ValueError):
        store.rename_conversation(u, c, "   ")
    store.update_settings(u, c, {"dtype": Path("bf16"), "n": 1})  # non-JSON values -> str
    assert store.conversation_settings(u, c) == {"dtype": "bf16", "n": 1}
    with pytest.raises(ValueError):
        store.update_settings(u, c, ["not", "a", "dict"])
    c2 = store.create_conversation(u, title="Second")
    assert [x.id for x in store.list_conversations(u)] == [c2, c]
    store.add_message(u, c, "user", "hello")  # bumps c
    assert [x.id for x in store.list_conversations(u)] == [c, c2]
    assert len(store.list_conversations(u, limit=1)) == 1
    store.delete_conversation(u, c2)
    with pytest.raises(NotFound):
        store.get_conversation(u, c2)


def test_first_user_message_sets_title(store):
    u = store.ensure_user("anon:1")
    c = store.create_conversation(u)
    store.add_message(u, c, "user", "\n  " + "Ein sehr langer erster Satz " * 5 + "\nzweite Zeile")
    title = store.get_conversation(u, c).title
    assert title.startswith("Ein sehr langer erster Satz") and len(title) <= 60
    assert "\n" not in title and title.endswith("…")
    store.add_message(u, c, "user", "Another message")
    assert store.get_conversation(u, c).title == title
    c2 = store.create_conversation(u, title="Mine")
    store.add_message(u, c2, "user", "Hallo")
    assert store.get_conversation(u, c2).title == "Mine"


def test_message_round_trip(store):
    s = seed(store)
    m = store.get_message(s.user, s.question)
    assert (m.role, m.content, m.detected_lang, m.detected_confidence) == ("user", "Guten Morgen",
                                                                           "de", 0.97)
    a = store.add_message(s.user, s.conv, "assistant", "", parent_id=s.question,
                          status="streaming", prompt=PROMPT, model_id="m", adapter="lora-x",
                          params={"num_beams": 5, "max_new_tokens": 256})
    store.update_message(s.user, a, content="Good morning!", status="complete", revision="abc123",
                         prompt_tokens=21, completion_tokens=4, ttft_s=0.25, duration_s=1.5,
                         draft="Good morning")
    got = store.get_message(s.user, a)
    assert got.content == "Good morning!" and got.status == "complete"
    assert (got.model_revision, got.adapter) == ("abc123", "lora-x")
    assert got.params == {"num_beams": 5, "max_new_tokens": 256}
    assert (got.prompt_tokens, got.completion_tokens, got.ttft_s, got.duration_s, got.draft) == (
        21, 4, 0.25, 1.5, "Good morning")
    assert got.parent_id == s.question and got.prompt == PROMPT
    store.update_message(s.user, a, status="error", error="CUDA out of memory")
    assert store.get_message(s.user, a).error == "CUDA out of memory"
    assert [x.id for x in store.messages(s.user, s.conv)] == [s.question, s.reply, s.alt, a]
    assert [x.id for x in store.alternatives(s.user, s.question)] == [s.reply, s.alt, a]
    with pytest.raises(ValueError):
        store.add_message(s.user, s.conv, "system", "x")
    with pytest.raises(ValueError):
        store.update_message(s.user, a, status="done")
    with pytest.raises(TypeError):
        store.update_message(s.user, a, conversation_id=99)


def test_parent_in_other_conversation_is_not_found(store):
    s = seed(store)
    other = store.create_conversation(s.user)
    with pytest.raises(NotFound):
        store.add_message(s.user, other, "assistant", "x", parent_id=s.question)


def test_feedback_round_trip_and_replace(store):
    s = seed(store)
    fb = store.feedback_for(s.user, s.alt)
    assert (fb.id, fb.rating, fb.reasons, fb.user_id) == (s.feedback, -1, ["too short"], s.user)
    again = store.rate(s.user, s.alt, 1, [], "fine after all")
    assert again == s.feedback
    fb = store.feedback_for(s.user, s.alt)
    assert (fb.rating, fb.reasons, fb.comment) == (1, [], "fine after all")
    assert store.feedback_for(s.user, s.reply) is None
    for bad in (0, 2, True, "1"):
        with pytest.raises(ValueError):
            store.rate(s.user, s.reply, bad)


def test_pairs_round_trip_and_dedup(store):
    s = seed(store)
    (p,) = list(store.pairs(s.user))
    assert (p.id, p.kind, p.source, p.chosen, p.rejected) == (s.pair, "pick", "Guten Morgen",
                                                              "Good morning", "Morning")
    assert (p.chosen_message_id, p.rejected_message_id, p.conversation_id) == (s.reply, s.alt,
                                                                               s.conv)
    assert p.decision_seconds == 3.2 and p.created.tzinfo is not None
    dup = store.add_pair(s.user, prompt=PROMPT, chosen="Good morning", rejected="Morning",
                         kind="rating")
    assert dup == s.pair and store.count_pairs(s.user) == 1
    other = store.ensure_user("anon:other")
    assert store.add_pair(other, prompt=PROMPT, chosen="Good morning", rejected="Morning",
                          kind="pick") != s.pair
    edit = store.add_pair(s.user, prompt=PROMPT, chosen="Good morning!", rejected="Good morning",
                          kind="edit", rejected_message_id=s.reply)
    assert store.count_pairs() == 3 and store.count_pairs(s.user) == 2
    assert [x.id for x in store.pairs(s.user, kind="edit")] == [edit]
    with pytest.raises(ValueError):
        store.add_pair(s.user, prompt=PROMPT, chosen="a", rejected="a", kind="pick")
    with pytest.raises(ValueError):
        store.add_pair(s.user, prompt=PROMPT, chosen="a", rejected="b", kind="vote")
    with pytest.raises(ValueError):
        store.add_pair(s.user, prompt="", chosen="a", rejected="b", kind="pick")


def test_delete_cascades_and_pairs_keep_text(store):
    s = seed(store)
    store.delete_conversation(s.user, s.conv)
    for call in (lambda: store.get_message(s.user, s.reply),
                 lambda: store.feedback_for(s.user, s.alt),
                 lambda: store.messages(s.user, s.conv)):
        with pytest.raises(NotFound):
            call()
    (p,) = list(store.pairs(s.user))
    assert (p.chosen, p.rejected, p.source) == ("Good morning", "Morning", "Guten Morgen")
    assert (p.chosen_message_id, p.rejected_message_id, p.conversation_id) == (None, None, None)


def test_restart_persistence(db_url):
    first = open_store(db_url)
    s = seed(first)
    first.close()
    again = open_store(db_url)
    try:
        assert again.get_conversation(s.user, s.conv).title == "Guten Morgen"
        assert [m.content for m in again.messages(s.user, s.conv)] == ["Guten Morgen",
                                                                       "Good morning", "Morning"]
        assert again.feedback_for(s.user, s.alt).rating == -1
        assert again.count_pairs(s.user) == 1
        assert again.ensure_user("anon:alice") == s.user
    finally:
        again.close()


def test_recover_interrupted_marks_only_streaming(db_url):
    first = open_store(db_url)
    s = seed(first)
    live = first.add_message(s.user, s.conv, "assistant", "Good mor", parent_id=s.question,
                             status="streaming")
    stopped = first.add_message(s.user, s.conv, "assistant", "x", parent_id=s.question,
                                status="stopped")
    err = first.add_message(s.user, s.conv, "assistant", "", parent_id=s.question,
                            status="error", error="boom")
    first.close()  # a crash: the stream never finished
    again = open_store(db_url)
    try:
        status = {m.id: m.status for m in again.messages(s.user, s.conv)}
        assert status == {s.question: "complete", s.reply: "complete", s.alt: "complete",
                          live: "stopped", stopped: "stopped", err: "error"}
        assert again.get_message(s.user, live).content == "Good mor"
        assert again.recover_interrupted() == 0
    finally:
        again.close()


# -- migrations ---------------------------------------------------------------------
def test_schema_matches_orm_after_migrations(store):
    insp = inspect(store.engine)
    for table in Base.metadata.sorted_tables:
        reflected = {c["name"] for c in insp.get_columns(table.name)}
        assert reflected == {c.name for c in table.columns}, table.name
    assert insp.has_table("schema_migrations")


def test_upgrade_from_v1_fixture_keeps_rows(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE_V1, path)
    with sqlite3.connect(path) as raw:
        assert [r[0] for r in raw.execute("SELECT name FROM schema_migrations")] == [STEPS[0].name]
    store = open_store(path)
    try:
        with store.engine.connect() as conn:
            names = [r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM schema_migrations ORDER BY id")]
        assert names == [s.name for s in STEPS]
        alice = store.ensure_user("anon:alice")
        assert alice == 1 and store.get_user(1).name == "Alice"
        conv = store.get_conversation(1, 1)
        assert conv.title == "Guten Morgen" and conv.settings["style"] == "formal"
        msgs = store.messages(1, 1)
        assert [m.content for m in msgs] == ["Guten Morgen, Welt", "Good morning, world",
                                             "Morning world", "Good mor"]
        assert msgs[3].status == "stopped"  # was streaming in the fixture
        assert msgs[1].params == {"num_beams": 5} and msgs[1].draft is None
        assert store.feedback_for(1, 3).reasons == ["too literal"]
        (pair,) = list(store.pairs(1))
        assert pair.source == "Guten Morgen, Welt"  # back-filled by step 2
        assert [c.id for c in store.list_conversations(1, "welt")] == [1]  # FTS rebuilt
        with pytest.raises(NotFound):
            store.get_conversation(1, 2)  # Bob's
        new = store.add_message(1, 1, "assistant", "Hi", parent_id=1, draft="Hello")
        assert store.get_message(1, new).draft == "Hello"
    finally:
        store.close()
    assert FIXTURE_V1.stat().st_size <= 100_000


def test_fixture_script_reproduces_v1(tmp_path):
    spec = importlib.util.spec_from_file_location("make_chat_v1", FIXTURE_V1.with_name(
        "make_chat_v1.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.build(tmp_path / "v1.db")
    with sqlite3.connect(out) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        cols = {r[1] for r in raw.execute("PRAGMA table_info(messages)")}
    assert {"users", "conversations", "messages", "feedback", "preference_pairs"} <= tables
    assert "draft" not in cols and "messages_fts" not in tables


def test_migrate_is_idempotent_and_refuses_newer(sqlite_path):
    engine = create_engine(f"sqlite:///{sqlite_path}")
    assert migrate(engine, upto=2) == [s.name for s in STEPS[:2]]
    assert migrate(engine) == [s.name for s in STEPS[2:]]
    assert migrate(engine) == []
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO schema_migrations (name, applied) "
                             "VALUES ('9999_future', '2030-01-01 00:00:00')")
    engine.dispose()
    with pytest.raises(StorageError, match="newer version"):
        open_store(sqlite_path)


# -- SQLite settings ----------------------------------------------------------------
def test_sqlite_wal_foreign_keys_busy_timeout(sqlite_store, sqlite_path):
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    with sqlite3.connect(sqlite_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_location_and_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHAT_DB_URL", raising=False)
    with open_store() as s:
        assert s.url == f"sqlite:///{tmp_path}/data/chat.db"
        assert Path(s.where) == tmp_path / "data" / "chat.db"
    assert (tmp_path / "data" / "chat.db").exists()
    monkeypatch.setenv("CHAT_DB_URL", f"sqlite:///{tmp_path}/env/x.db")
    with open_store() as s:
        assert Path(s.where) == tmp_path / "env" / "x.db"
    with open_store(f"sqlite:///{tmp_path}/deep/er/y.db") as s:
        assert (tmp_path / "deep" / "er" / "y.db").exists()


# -- threads ------------------------------------------------------------------------
def test_concurrent_writers(store):
    users = [store.ensure_user(f"anon:{i}") for i in range(8)]
    convs = [store.create_conversation(u) for u in users]
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(i: int) -> None:
        try:
            start.wait()
            for j in range(50):
                store.add_message(users[i], convs[i], "user", f"t{i}-m{j}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i in range(8):
        got = [m.content for m in store.messages(users[i], convs[i])]
        assert got == [f"t{i}-m{j}" for j in range(50)]


def test_concurrent_duplicate_pairs_are_stored_once(store):
    u = store.ensure_user("anon:dup")
    ids: list[int] = []
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        ids.append(store.add_pair(u, prompt=PROMPT, chosen="A", rejected="B", kind="pick"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 8 and len(set(ids)) == 1 and store.count_pairs(u) == 1


def test_merge_settings_keeps_the_other_keys(store):
    u = store.ensure_user("anon:merge")
    c = store.create_conversation(u, settings={"document": {"name": "a.docx"}, "src": "de"})
    store.merge_settings(u, c, {"src": "fr", "tgt": "en"})
    assert store.conversation_settings(u, c) == {"document": {"name": "a.docx"}, "src": "fr", "tgt": "en"}
