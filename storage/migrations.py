"""Versioned schema: an ordered list of named steps, each recorded in `schema_migrations`.

A step is a function of a Connection, run inside the one write transaction of `migrate`
(SQLite DDL is transactional: a failed upgrade leaves the file as it was). Steps are never
edited once released; a change to the schema is a new step appended to STEPS.

1. ``0001_core_tables``      users, conversations, messages, feedback, preference_pairs
2. ``0002_draft_and_source`` messages.draft (greedy draft of a beam result) and
                             preference_pairs.source (the user's text, back-filled)
3. ``0003_message_search``   SQLite FTS5 index on messages.content kept by triggers
                             (nothing on other databases or without FTS5: LIKE search)
4. ``0004_text_model_ids``   model ids, adapters, user keys/names TEXT, not VARCHAR(255)
                             (storage/text_ids.py; PostgreSQL refused longer ones)
5. ``0005_api_keys``        hashed API keys of the HTTP APIs (storage/api_keys.py)
6. ``0006_campaigns``       preference campaigns (storage/campaign_migration.py)
7. ``0007_esa``             error-span campaigns: campaigns.protocol, planted-error offsets,
                            campaign_esa_judgements (storage/campaign_migration.py)
8. ``0008_glossary``        glossaries and their terms, per user or campaign (storage/glossaries.py)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import (JSON, Column, Connection, DateTime, Engine, Float, ForeignKey, Index,
                        Integer, MetaData, String, Table, Text, UniqueConstraint, insert,
                        select, text)

from storage.api_keys import create_api_keys_table
from storage.campaign_migration import add_esa, create_campaign_tables
from storage.errors import StorageError
from storage.glossaries import create_glossary_tables
from storage.schema import utcnow
from storage.text_ids import text_model_ids
from storage.connection import WRITE_TX

_registry = MetaData()
SCHEMA_MIGRATIONS = Table(
    "schema_migrations", _registry,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), unique=True, nullable=False),
    Column("applied", DateTime, nullable=False),
)


@dataclass(frozen=True)
class Step:
    name: str
    apply: Callable[[Connection], None]


def _v1_tables() -> MetaData:
    """The schema as released with step 1 (a frozen snapshot, independent of schema.py)."""
    md = MetaData()
    Table("users", md,
          Column("id", Integer, primary_key=True),
          Column("key", String(255), unique=True, nullable=False),
          Column("name", String(255)),
          Column("created", DateTime, nullable=False))
    Table("conversations", md,
          Column("id", Integer, primary_key=True),
          Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
          Column("title", Text, nullable=False),
          Column("created", DateTime, nullable=False),
          Column("updated", DateTime, nullable=False),
          Column("settings", JSON),
          Index("ix_conversations_user_updated", "user_id", "updated"))
    Table("messages", md,
          Column("id", Integer, primary_key=True),
          Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"),
                 nullable=False),
          Column("role", String(16), nullable=False),
          Column("content", Text, nullable=False),
          Column("parent_id", ForeignKey("messages.id", ondelete="CASCADE")),
          Column("detected_lang", String(16)),
          Column("detected_confidence", Float),
          Column("src", String(16)), Column("tgt", String(16)),
          Column("prompt", Text),
          Column("model_id", String(255)), Column("model_revision", String(255)),
          Column("adapter", String(255)),
          Column("params", JSON),
          Column("prompt_tokens", Integer), Column("completion_tokens", Integer),
          Column("ttft_s", Float), Column("duration_s", Float),
          Column("status", String(16), nullable=False),
          Column("error", Text),
          Column("created", DateTime, nullable=False),
          Index("ix_messages_conversation", "conversation_id", "id"),
          Index("ix_messages_parent", "parent_id"),
          Index("ix_messages_status", "status"))
    Table("feedback", md,
          Column("id", Integer, primary_key=True),
          Column("message_id", ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
          Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
          Column("rating", Integer, nullable=False),
          Column("reasons", JSON),
          Column("comment", Text, nullable=False),
          Column("created", DateTime, nullable=False),
          UniqueConstraint("message_id", "user_id", name="uq_feedback_message_user"))
    Table("preference_pairs", md,
          Column("id", Integer, primary_key=True),
          Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
          Column("pair_hash", String(64), nullable=False),
          Column("prompt", Text, nullable=False),
          Column("chosen", Text, nullable=False),
          Column("rejected", Text, nullable=False),
          Column("src", String(16)), Column("tgt", String(16)),
          Column("style", String(64)), Column("hint", Text), Column("model", String(255)),
          Column("kind", String(32), nullable=False),
          Column("chosen_message_id", ForeignKey("messages.id", ondelete="SET NULL")),
          Column("rejected_message_id", ForeignKey("messages.id", ondelete="SET NULL")),
          Column("conversation_id", ForeignKey("conversations.id", ondelete="SET NULL")),
          Column("decision_seconds", Float),
          Column("created", DateTime, nullable=False),
          UniqueConstraint("user_id", "pair_hash", name="uq_pairs_user_hash"),
          Index("ix_pairs_created", "created"))
    return md


def _core_tables(conn: Connection) -> None:
    _v1_tables().create_all(conn)


def _draft_and_source(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE messages ADD COLUMN draft TEXT"))
    conn.execute(text("ALTER TABLE preference_pairs ADD COLUMN source TEXT NOT NULL DEFAULT ''"))
    # The source of an older pair is the user message its chosen/rejected reply answered.
    conn.execute(text(
        "UPDATE preference_pairs SET source = COALESCE((SELECT u.content FROM messages a "
        "JOIN messages u ON u.id = a.parent_id WHERE a.id = COALESCE("
        "preference_pairs.chosen_message_id, preference_pairs.rejected_message_id)), '')"))


FTS_TABLE = "messages_fts"
_FTS_SQL = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(content, content='messages', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content); END",
    f"CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);"
    " END",
    f"CREATE TRIGGER messages_fts_au AFTER UPDATE OF content ON messages BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);"
    f" INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]


def fts5_available(conn: Connection) -> bool:
    """Whether this SQLite build has FTS5 (probed with a throw-away temp table)."""
    if conn.dialect.name != "sqlite":
        return False
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE VIRTUAL TABLE temp._fts5_probe USING fts5(x)")
            conn.exec_driver_sql("DROP TABLE temp._fts5_probe")
        return True
    except Exception:  # noqa: BLE001 - any failure means "no FTS5"
        return False


def _message_search(conn: Connection) -> None:
    if fts5_available(conn):
        for sql in _FTS_SQL:
            conn.exec_driver_sql(sql)


STEPS: list[Step] = [
    Step("0001_core_tables", _core_tables),
    Step("0002_draft_and_source", _draft_and_source),
    Step("0003_message_search", _message_search),
    Step("0004_text_model_ids", text_model_ids),
    Step("0005_api_keys", create_api_keys_table),
    Step("0006_campaigns", create_campaign_tables),
    Step("0007_esa", add_esa),
    Step("0008_glossary", create_glossary_tables),
]


def applied_steps(conn: Connection) -> list[str]:
    """Names of the steps recorded in this database, in the order they were applied."""
    rows = conn.execute(select(SCHEMA_MIGRATIONS.c.name).order_by(SCHEMA_MIGRATIONS.c.id))
    return [r[0] for r in rows]


def migrate(engine: Engine, upto: int | None = None) -> list[str]:
    """Apply the missing steps (the first `upto` only, when given); returns the names applied.

    Runs in one write transaction, so two processes opening the same database don't race
    (SQLite: BEGIN IMMEDIATE; PostgreSQL: the advisory write lock, see storage.connection).
    A database with steps this code doesn't know (written by a newer app) is refused.
    """
    token = WRITE_TX.set(True)
    try:
        with engine.begin() as conn:
            _registry.create_all(conn)
            done = applied_steps(conn)
            known = {s.name for s in STEPS}
            unknown = [n for n in done if n not in known]
            if unknown:
                raise StorageError(
                    "The database was written by a newer version of the app (unknown schema "
                    f"steps: {', '.join(unknown)}). Update the app or use another database.")
            new = []
            for step in STEPS[:upto]:
                if step.name in done:
                    continue
                step.apply(conn)
                conn.execute(insert(SCHEMA_MIGRATIONS).values(
                    name=step.name, applied=utcnow().replace(tzinfo=None)))
                new.append(step.name)
            return new
    finally:
        WRITE_TX.reset(token)
