"""Shared fixtures of the storage tests (imported by the test_storage_* modules).

`store` runs on a fresh SQLite file, and also on env TEST_DATABASE_URL when it is set
(e.g. postgresql://user:pw@localhost/chat_test; its tables are dropped before each test).
`sqlite_store` / `sqlite_path` are for the SQLite-only tests (files, PRAGMAs, FTS5).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from sqlalchemy import MetaData, create_engine

from storage import Store, open_store
from storage.connection import resolve_url
from tests.backend_counts import mark_backend

EXTERNAL_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["external"] if EXTERNAL_URL else [])
ALMA = "Translate this from German to English:\nGerman: {}\nEnglish:"
PROMPT = ALMA.format("Guten Morgen")


def wipe(url: str) -> None:
    """Drop every table of an external test database."""
    engine = create_engine(resolve_url(url))
    md = MetaData()
    md.reflect(engine)
    md.drop_all(engine)
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    mark_backend(request.node, request.param)
    if request.param == "sqlite":
        return str(tmp_path / "chat.db")
    wipe(EXTERNAL_URL)
    return EXTERNAL_URL


@pytest.fixture
def store(db_url):
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_path(tmp_path):
    return tmp_path / "chat.db"


@pytest.fixture
def sqlite_store(sqlite_path):
    s = open_store(sqlite_path)
    yield s
    s.close()


@dataclass
class Seed:
    """One user's conversation with a turn, two alternatives, a rating and a pair."""

    user: int
    conv: int
    question: int
    reply: int
    alt: int
    feedback: int
    pair: int


def seed(store: Store, key: str = "anon:alice", text: str = "Guten Morgen") -> Seed:
    user = store.ensure_user(key, key.split(":")[-1].title())
    prompt = ALMA.format(text)
    conv = store.create_conversation(user, settings={"src": "de", "tgt": "en", "style": "formal"})
    q = store.add_message(user, conv, "user", text, detected_lang="de", detected_confidence=0.97,
                          src="de", tgt="en")
    reply = store.add_message(user, conv, "assistant", "Good morning", parent_id=q, src="de",
                              tgt="en", prompt=prompt, model_id="haoranxu/ALMA-7B-R")
    alt = store.add_message(user, conv, "assistant", "Morning", parent_id=q, src="de", tgt="en",
                            prompt=prompt, model_id="haoranxu/ALMA-7B-R")
    fb = store.rate(user, alt, -1, ["too short"])
    pair = store.add_pair(user, prompt=prompt, chosen="Good morning", rejected="Morning",
                          kind="pick", source=text, src="de", tgt="en",
                          model="haoranxu/ALMA-7B-R", chosen_message_id=reply,
                          rejected_message_id=alt, conversation_id=conv, decision_seconds=3.2)
    return Seed(user, conv, q, reply, alt, fb, pair)
