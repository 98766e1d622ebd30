"""API keys and reply lookup in the store (SQLite, and PostgreSQL with TEST_DATABASE_URL):
only hashes are stored, each key owns a user of its own, revoked keys stop working, and
`latest_reply_to` finds only the caller's own model replies."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from storage import NotFound
from storage.api_keys import ApiKeys, hash_key
from storage.replies import latest_reply_to
from tests.storage.test_storage_common import PROMPT, db_url, store  # noqa: F401


def test_keys_are_hashed_owned_and_revocable(store):
    keys = ApiKeys(store)
    key, info = keys.create("  Weblate   on CI ", requests_per_minute=30)
    other, other_info = keys.create("bot", chars_per_request=100)
    assert info.name == "Weblate on CI" and key.startswith("hmt_") and len(key) > 30
    assert info.user_id != other_info.user_id
    assert store.get_user(info.user_id).key == f"api:{info.id}"
    with store.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(text("SELECT key_hash, shown FROM api_keys ORDER BY id"))]
    assert stored == [(hash_key(key), key[:10]), (hash_key(other), other[:10])]
    assert keys.lookup(key) == info and keys.lookup(other).chars_per_request == 100
    assert keys.lookup("hmt_guess") is None and keys.lookup("") is None
    assert keys.revoke(str(info.id)).revoked is not None
    assert keys.lookup(key) is None and keys.lookup(other) is not None
    assert keys.revoke(other).revoked is not None  # by the key itself
    assert [k.active for k in keys.list()] == [False, False]
    with pytest.raises(NotFound):
        keys.revoke("99")
    with pytest.raises(ValueError):
        keys.create("   ")
    with pytest.raises(ValueError):
        keys.create("zero", requests_per_minute=0)


def test_latest_reply_to_is_scoped_to_the_caller(store):
    alice = store.ensure_user("api:1")
    bob = store.ensure_user("api:2")
    conv = store.create_conversation(alice, title="API 2026-11-30")
    asked = store.add_message(alice, conv, "user", "Guten Morgen", src="de", tgt="en")
    first = store.add_message(alice, conv, "assistant", "Good morning", parent_id=asked,
                              src="de", tgt="en", prompt=PROMPT, model_id="m")
    second = store.add_message(alice, conv, "assistant", "Morning", parent_id=asked,
                               src="de", tgt="en", prompt=PROMPT, model_id="m")
    store.add_message(alice, conv, "assistant", "Good morning!", parent_id=asked, src="de",
                      tgt="en", prompt=PROMPT, model_id="human")
    store.add_message(alice, conv, "assistant", "Guten", parent_id=asked, src="de", tgt="en",
                      prompt=PROMPT, model_id="m", status="stopped")
    assert latest_reply_to(store, alice, "Guten Morgen", "de", "en") == second
    assert latest_reply_to(store, alice, "Guten Morgen", None, "en") == second
    assert latest_reply_to(store, alice, "Guten Morgen", "de", "fr") is None
    assert latest_reply_to(store, alice, "Guten Abend", "de", "en") is None
    assert latest_reply_to(store, bob, "Guten Morgen", "de", "en") is None
    assert first < second
