"""Glossary tables (migration step 0008_glossary) on SQLite, and PostgreSQL with
TEST_DATABASE_URL: per-user and per-campaign glossaries, names unique per owner, found by name or
id only within the owner's, replaced, deleted with their terms, and the migrated tables match
the module's."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from storage import NotFound, StorageError
from storage.api_keys import ApiKeys
from storage.campaigns import CampaignStore
from storage.glossaries import GLOSSARIES, GLOSSARY_TERMS, Glossaries
from storage.migrations import STEPS
from tests.storage.test_storage_common import db_url, store  # noqa: F401

ROWS = [("Haus", "house", ""), ("erneuerbare Energie", "renewable energy", "EU policy")]


def test_migrated_tables_match_the_module(store):
    insp = inspect(store.engine)
    for table in (GLOSSARIES, GLOSSARY_TERMS):
        assert {c["name"] for c in insp.get_columns(table.name)} == {c.name for c in table.columns}
    assert STEPS[-1].name == "0008_glossary"


def test_a_users_glossaries(store):
    glossaries = Glossaries(store)
    alice, bob = store.ensure_user("hf:alice"), store.ensure_user("hf:bob")
    info = glossaries.create("  bau  terms ", "de", "en", ROWS, user_id=alice)
    assert (info.name, info.src, info.tgt, info.terms, info.user_id, info.campaign_id) == \
        ("bau terms", "de", "en", 2, alice, None)
    glossaries.create("bau terms", "de", "fr", [("Haus", "maison", "")], user_id=bob)  # same name, other owner
    assert glossaries.terms("bau terms", user_id=alice) == (info, ROWS)
    assert glossaries.get(str(info.id), user_id=alice) == info
    with pytest.raises(NotFound):
        glossaries.get(info.id, user_id=bob)  # bob's "bau terms" has another id; alice's is not his
    assert glossaries.get("bau terms", user_id=bob).tgt == "fr"
    with pytest.raises(StorageError, match="exists already"):
        glossaries.create("bau terms", "de", "en", ROWS, user_id=alice)
    again = glossaries.create("bau terms", "de", "en", ROWS[:1], user_id=alice, replace=True)
    assert again.terms == 1 and [g.id for g in glossaries.list(user_id=alice)] == [again.id]
    with pytest.raises(StorageError, match="several glossaries"):
        glossaries.get("bau terms", anyone=True)
    assert len(glossaries.list(anyone=True)) == 2
    assert glossaries.delete("bau terms", user_id=alice).id == again.id
    assert glossaries.list(user_id=alice) == []
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM glossary_terms")).scalar() == 1  # bob's


def test_bad_input_is_refused(store):
    glossaries = Glossaries(store)
    alice = store.ensure_user("hf:alice")
    for name, src, tgt, rows in (("", "de", "en", ROWS), ("x", "de", "de", ROWS), ("x", "de", "en", []),
                                 ("x", "de", "en", [("Haus", " ", "")])):
        with pytest.raises(ValueError):
            glossaries.create(name, src, tgt, rows, user_id=alice)
    with pytest.raises(ValueError, match="a user or to a campaign"):
        glossaries.list()
    assert glossaries.list(user_id=alice) == []


def test_api_keys_and_campaigns_own_glossaries(store):
    glossaries = Glossaries(store)
    _, key = ApiKeys(store).create("weblate")
    assert glossaries.user_id(f"api:{key.id}") == key.user_id
    with pytest.raises(NotFound):
        glossaries.user_id("api:999")
    glossaries.create("ui", "en", "de", [("Save", "Speichern", "")], user_id=key.user_id)
    campaign = CampaignStore(store).create("de-en", "t.jsonl", "de", "en", {}, systems=[("a", {}), ("b", {})],
                                           items=[("1", "Das Haus.", "", "")], annotators=["ann"])
    made = glossaries.create("ui", "de", "en", ROWS, campaign_id=campaign.id)
    assert glossaries.list(campaign_id=campaign.id) == [made] and made.user_id is None
    assert glossaries.get("ui", user_id=key.user_id).src == "en"
    assert glossaries.delete("ui", campaign_id=campaign.id) == made
    assert [g.src for g in glossaries.list(anyone=True)] == ["en"]
