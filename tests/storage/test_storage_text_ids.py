"""Step 0004_text_model_ids: model ids, adapters and user keys longer than 255 characters are
stored on every backend, also in a database upgraded from step 3 with rows in it. Runs on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL (which refused them as VARCHAR(255))."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect

from storage import open_store
from storage.connection import make_engine, resolve_url
from storage.migrations import STEPS, applied_steps, migrate
from storage.text_ids import TEXT_COLUMNS
from tests.storage.test_storage_common import ALMA, db_url  # noqa: F401  (fixture)

LONG_MODEL = "org/" + "m" * 300
LONG_ADAPTER = "/adapters/" + "a" * 300 + "/cpo"
LONG_KEY = "hf:" + "u" * 300


def _upto_step_3(url: str):
    engine = make_engine(resolve_url(url))
    names = [s.name for s in STEPS]
    assert migrate(engine, upto=names.index("0004_text_model_ids")) == names[:3]
    return engine


def test_long_ids_stored_after_upgrade_from_step_3(db_url):  # noqa: F811
    engine = _upto_step_3(db_url)
    with engine.begin() as conn:  # a row written by the older schema
        conn.exec_driver_sql("INSERT INTO users (key, name, created) VALUES ('anon:old', 'Old', "
                             "'2026-11-01 10:00:00')")
    engine.dispose()

    store = open_store(db_url)  # applies 0004 (and any later step)
    try:
        with store.engine.connect() as conn:
            assert "0004_text_model_ids" in applied_steps(conn)
        old = store.ensure_user("anon:old")
        user = store.ensure_user(LONG_KEY, "n" * 300)
        assert user != old
        conv = store.create_conversation(user)
        q = store.add_message(user, conv, "user", "Guten Morgen", src="de", tgt="en")
        reply = store.add_message(user, conv, "assistant", "Good morning", parent_id=q,
                                  prompt=ALMA.format("Guten Morgen"), model_id=LONG_MODEL,
                                  model_revision="r" * 300, adapter=LONG_ADAPTER)
        got = store.get_message(user, reply)
        assert (got.model_id, got.adapter, got.model_revision) == (LONG_MODEL, LONG_ADAPTER, "r" * 300)
        pair = store.add_pair(user, prompt=ALMA.format("Guten Morgen"), chosen="Good morning",
                              rejected="Morning", kind="pick", model=LONG_MODEL)
        assert pair
        assert store.ensure_user(LONG_KEY) == user
        if store.engine.dialect.name != "sqlite":  # SQLite keeps VARCHAR(255), never enforced
            insp = inspect(store.engine)
            for table, columns in TEXT_COLUMNS.items():
                types = {c["name"]: c["type"] for c in insp.get_columns(table)}
                assert all(getattr(types[c], "length", None) is None for c in columns), (table, types)
    finally:
        store.close()

