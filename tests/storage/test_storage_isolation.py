"""Owner scoping: user B, holding user A's ids, can't see or touch anything of A's."""
from __future__ import annotations

import json

import pytest

from storage import NotFound, export_pairs
from tests.storage.test_storage_common import PROMPT, db_url, seed, store  # noqa: F401


@pytest.fixture
def two(store):
    a = seed(store, "anon:alice", "Guten Morgen")
    b = seed(store, "hf:bob", "Gute Nacht")
    return store, a, b


def _forged_calls(store, a, b):
    """Every call B could make with A's ids, named for the failure message."""
    u = b.user
    return {
        "get_conversation": lambda: store.get_conversation(u, a.conv),
        "rename_conversation": lambda: store.rename_conversation(u, a.conv, "mine now"),
        "update_settings": lambda: store.update_settings(u, a.conv, {"x": 1}),
        "conversation_settings": lambda: store.conversation_settings(u, a.conv),
        "delete_conversation": lambda: store.delete_conversation(u, a.conv),
        "messages": lambda: store.messages(u, a.conv),
        "add_message": lambda: store.add_message(u, a.conv, "user", "injected"),
        "add_message_parent": lambda: store.add_message(u, b.conv, "assistant", "x",
                                                        parent_id=a.question),
        "update_message": lambda: store.update_message(u, a.reply, content="hacked"),
        "get_message": lambda: store.get_message(u, a.reply),
        "alternatives": lambda: store.alternatives(u, a.question),
        "rate": lambda: store.rate(u, a.reply, -1),
        "feedback_for": lambda: store.feedback_for(u, a.alt),
        "add_pair_chosen": lambda: store.add_pair(u, prompt=PROMPT, chosen="x", rejected="y",
                                                  kind="pick", chosen_message_id=a.reply),
        "add_pair_rejected": lambda: store.add_pair(u, prompt=PROMPT, chosen="x", rejected="y",
                                                    kind="pick", rejected_message_id=a.alt),
        "add_pair_conversation": lambda: store.add_pair(u, prompt=PROMPT, chosen="x",
                                                        rejected="y", kind="pick",
                                                        conversation_id=a.conv),
    }


def test_forged_ids_raise_not_found(two):
    store, a, b = two
    for name, call in _forged_calls(store, a, b).items():
        with pytest.raises(NotFound):
            call()
        # ...with the same message as an id that never existed
    with pytest.raises(NotFound) as forged:
        store.get_conversation(b.user, a.conv)
    with pytest.raises(NotFound) as missing:
        store.get_conversation(b.user, 999_999)
    assert str(forged.value).replace(str(a.conv), "N") == str(missing.value).replace("999999", "N")


def test_nothing_of_a_changed(two):
    store, a, b = two
    before_msgs = store.messages(a.user, a.conv)
    before_conv = store.get_conversation(a.user, a.conv)
    before_fb = store.feedback_for(a.user, a.alt)
    for call in _forged_calls(store, a, b).values():
        with pytest.raises(NotFound):
            call()
    assert store.messages(a.user, a.conv) == before_msgs
    assert store.get_conversation(a.user, a.conv) == before_conv
    assert store.feedback_for(a.user, a.alt) == before_fb
    assert store.count_pairs(a.user) == 1 and store.count_pairs(b.user) == 1


def test_listing_and_search_are_per_user(two):
    store, a, b = two
    assert [c.id for c in store.list_conversations(b.user)] == [b.conv]
    assert [c.id for c in store.list_conversations(a.user)] == [a.conv]
    assert store.list_conversations(b.user, "Morgen") == []
    assert [c.id for c in store.list_conversations(a.user, "Morgen")] == [a.conv]
    store.fts_enabled = False
    assert store.list_conversations(b.user, "Morgen") == []


def test_pairs_and_export_filtered_by_user(two, tmp_path):
    store, a, b = two
    assert [p.user_id for p in store.pairs(b.user)] == [b.user]
    out = tmp_path / "b.jsonl"
    assert export_pairs(store, out, "full", user_id=b.user) == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["user_id"] for r in rows] == [b.user]
    assert "Guten Morgen" not in out.read_text()
    assert export_pairs(store, tmp_path / "x.jsonl", user_id=999_999) == 0


def test_bad_ids_are_not_found(two):
    store, a, b = two
    for bad in (None, "abc", True, 3.7j, -1):
        with pytest.raises(NotFound):
            store.get_conversation(a.user, bad)
        with pytest.raises(NotFound):
            store.get_message(a.user, bad)
    with pytest.raises(NotFound):
        store.create_conversation(999_999)
    with pytest.raises(NotFound):
        store.add_pair(999_999, prompt="p", chosen="x", rejected="y", kind="pick")
    assert store.list_conversations(999_999) == []
    assert issubclass(NotFound, LookupError)
