"""Conversation search: FTS5 hits and snippets, query escaping, the LIKE fallback."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.search import fts_query, like_pattern, make_snippet
from tests.storage.test_storage_common import db_url, sqlite_path, sqlite_store, store  # noqa: F401

WEIRD = ['"foo', "AND", "OR", "NOT", "*", "foo*", "NEAR(a b)", "a AND", "(", ")", "^x", "-",
         "col:val", "%", "_", "\\", "'", '""', "'; DROP TABLE messages; --", "🙂", "   ", "ß"]


@pytest.fixture
def corpus(store):
    u = store.ensure_user("anon:s")
    convs = {}
    for title, texts in [("weather", ["Das Wetter ist schön heute.", "The weather is nice."]),
                         ("office", ["Bitte senden Sie den Bericht bis Freitag.",
                                     "Please send the report by Friday."]),
                         ("percent", ["Rabatt: 50% auf alles_jetzt", "50% off everything"])]:
        c = store.create_conversation(u, title=title)
        for i, t in enumerate(texts):
            store.add_message(u, c, "user" if i == 0 else "assistant", t)
        convs[title] = c
    return store, u, convs


@pytest.mark.parametrize("fts", [True, False], ids=["fts", "like"])
def test_finds_words_and_orders_newest_first(corpus, fts):
    store, u, convs = corpus
    store.fts_enabled = store.fts_enabled and fts
    hits = store.list_conversations(u, "weather")
    assert [h.id for h in hits] == [convs["weather"]]
    assert "weather" in hits[0].snippet.lower()
    assert [h.id for h in store.list_conversations(u, "BERICHT")] == [convs["office"]]
    # a message in "weather" makes it the newest; both match "e"-words below
    store.add_message(u, convs["weather"], "user", "Friday report")
    assert [h.id for h in store.list_conversations(u, "report")] == [convs["weather"],
                                                                     convs["office"]]
    assert store.list_conversations(u, "nothinglikethis") == []
    assert [h.id for h in store.list_conversations(u, "office")] == [convs["office"]]  # title


def test_fts_prefix_diacritics_and_snippet(corpus):
    store, u, convs = corpus
    if not store.fts_enabled:
        pytest.skip("this database has no FTS5 index (LIKE search is tested elsewhere)")
    assert [h.id for h in store.list_conversations(u, "Wett")] == [convs["weather"]]  # prefix
    assert [h.id for h in store.list_conversations(u, "schon")] == [convs["weather"]]  # ö ~ o
    (hit,) = store.list_conversations(u, "Freitag")
    assert "Freitag" in hit.snippet


@pytest.mark.parametrize("fts", [True, False], ids=["fts", "like"])
def test_substrings_and_cjk(corpus, fts):
    store, u, convs = corpus
    store.fts_enabled = store.fts_enabled and fts
    c = store.create_conversation(u, title="zh")
    store.add_message(u, c, "user", "我爱机器翻译。")
    (hit,) = store.list_conversations(u, "机器")  # inside a CJK run: no FTS token, LIKE finds it
    assert hit.id == c and "机器" in hit.snippet
    assert [h.id for h in store.list_conversations(u, "richt")] == [convs["office"]]


@pytest.mark.parametrize("fts", [True, False], ids=["fts", "like"])
def test_weird_queries_never_raise(corpus, fts):
    store, u, convs = corpus
    store.fts_enabled = store.fts_enabled and fts
    for q in WEIRD:
        assert isinstance(store.list_conversations(u, q), list), q
    assert [h.id for h in store.list_conversations(u, "50%")] == [convs["percent"]]
    assert [h.id for h in store.list_conversations(u, "alles_j")] == [convs["percent"]]
    assert [h.id for h in store.list_conversations(u, "_")] == [convs["percent"]]


def test_like_escaping_is_literal(corpus):
    store, u, convs = corpus
    store.fts_enabled = False
    assert [h.id for h in store.list_conversations(u, "%")] == [convs["percent"]]
    assert store.list_conversations(u, "5_%") == []


def test_fts_index_follows_updates_and_deletes(sqlite_store):
    store = sqlite_store
    assert store.fts_enabled
    u = store.ensure_user("anon:x")
    c = store.create_conversation(u)
    m = store.add_message(u, c, "assistant", "", status="streaming")
    store.update_message(u, m, content="zebra crossing", status="complete")
    assert [h.id for h in store.list_conversations(u, "zebra")] == [c]
    store.update_message(u, m, content="giraffe")
    assert store.list_conversations(u, "zebra") == []
    store.delete_conversation(u, c)
    assert store.list_conversations(u, "giraffe") == []
    with store.engine.begin() as conn:  # the external-content index is still consistent
        conn.execute(text("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')"))
        assert conn.execute(text("SELECT count(*) FROM messages_fts WHERE messages_fts "
                                 "MATCH 'giraffe'")).scalar() == 0


def test_query_helpers():
    assert fts_query('"foo AND bar*') == '"foo"* "AND"* "bar"*'
    assert fts_query("?!") is None
    assert like_pattern("50%_\\") == "%50\\%\\_\\\\%"
    assert make_snippet("a " * 50 + "needle" + " b" * 50, "NEEDLE").strip("…").strip()
    assert "needle" in make_snippet("x " * 100 + "needle", "needle")
