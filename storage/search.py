"""Search over one user's conversations: SQLite FTS5 when the index exists, LIKE otherwise.

User text is never passed to FTS5 as query syntax: it is cut into word tokens, each quoted
as a phrase and prefix-matched (``"tok"*``), all required. `"foo`, `AND`, `*`, `NEAR(` are
plain words. Text with no word characters (e.g. ``?!``), or no FTS hit, falls back to LIKE,
whose `%`, `_` and `\\` are escaped. Conversation titles match too (LIKE), with no snippet.
"""
from __future__ import annotations

import re

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from storage.info import ConversationInfo
from storage.schema import Conversation, Message

_WORD = re.compile(r"[^\W_]+")
_MAX_HITS = 5000  # message hits scanned per search (snippets come from the first per conversation)


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression for the words of `query`, or None when it has none."""
    words = _WORD.findall(query)
    return " ".join(f'"{w}"*' for w in words) if words else None


def like_pattern(query: str) -> str:
    """`%query%` with LIKE wildcards escaped (escape character: backslash)."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def make_snippet(content: str, query: str, width: int = 40) -> str:
    """About 2*width characters of `content` around the first case-insensitive match."""
    flat = " ".join(content.split())
    pos = flat.lower().find(query.lower())
    if pos < 0:
        words = _WORD.findall(query)
        pos = flat.lower().find(words[0].lower()) if words else -1
    pos = max(pos, 0)
    start, end = max(0, pos - width), min(len(flat), pos + len(query) + width)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def has_fts(conn: Connection) -> bool:
    """Whether the FTS5 index of migration step 3 exists in this database."""
    if conn.dialect.name != "sqlite":
        return False
    row = conn.execute(text(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='messages_fts'")).first()
    return row is not None


def _fts_hits(session: Session, user_id: int, match: str) -> dict[int, str | None]:
    rows = session.execute(text(
        "SELECT m.conversation_id, snippet(messages_fts, 0, '', '', '…', 12) "
        "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
        "JOIN conversations c ON c.id = m.conversation_id "
        "WHERE messages_fts MATCH :q AND c.user_id = :uid "
        "ORDER BY c.updated DESC, c.id DESC, m.id LIMIT :n"),
        {"q": match, "uid": user_id, "n": _MAX_HITS})
    hits: dict[int, str | None] = {}
    for conv_id, snip in rows:
        hits.setdefault(conv_id, " ".join(snip.split()))
    return hits


def _like_hits(session: Session, user_id: int, query: str) -> dict[int, str | None]:
    rows = session.execute(
        select(Message.conversation_id, Message.content)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.user_id == user_id,
               Message.content.ilike(like_pattern(query), escape="\\"))
        .order_by(Conversation.updated.desc(), Conversation.id.desc(), Message.id)
        .limit(_MAX_HITS))
    hits: dict[int, str | None] = {}
    for conv_id, content in rows:
        if conv_id not in hits:
            hits[conv_id] = make_snippet(content, query)
    return hits


def search_conversations(session: Session, user_id: int, query: str, limit: int,
                         use_fts: bool) -> list[ConversationInfo]:
    """The user's conversations whose messages or title match, newest (updated) first.

    With FTS, a query without word hits (e.g. the middle of a word, or CJK text inside a
    longer run) is retried with LIKE, so search finds substrings either way.
    """
    query = query.strip()
    match = fts_query(query) if use_fts else None
    snippets = _fts_hits(session, user_id, match) if match is not None else {}
    if not snippets:
        snippets = _like_hits(session, user_id, query)
    title_match = Conversation.title.ilike(like_pattern(query), escape="\\")
    title_hits = session.scalars(
        select(Conversation.id).where(Conversation.user_id == user_id, title_match))
    for conv_id in title_hits:
        snippets.setdefault(conv_id, None)
    if not snippets:
        return []
    convs = session.scalars(
        select(Conversation).where(Conversation.user_id == user_id,
                                   Conversation.id.in_(list(snippets)))
        .order_by(Conversation.updated.desc(), Conversation.id.desc()).limit(limit))
    return [ConversationInfo.of(c, snippets[c.id]) for c in convs]
