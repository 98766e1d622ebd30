"""The Store: users, conversations and messages, every call scoped by the owning user.

One engine per store, one session per call; each write is one transaction (on SQLite
``BEGIN IMMEDIATE``, so Gradio workers writing at once queue on the busy timeout).
"""
from __future__ import annotations

import json
import math
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

from sqlalchemy import URL, Engine, delete, select, update
from sqlalchemy.exc import NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.access import as_id, conversation_of, message_of, user_of
from storage.errors import NotFound, StorageError, friendly_error
from storage.info import ConversationInfo, MessageInfo, UserInfo
from storage.migrations import migrate
from storage.pairs import FeedbackAndPairs
from storage.schema import DEFAULT_TITLE, ROLES, STATUSES, Conversation, Message, User
from storage.search import has_fts, search_conversations
from storage.connection import WRITE_TX, display_url, make_engine, resolve_url, sqlite_file

TITLE_CHARS = 60
# Message columns callers may set; `revision` is accepted as another name of model_revision.
MESSAGE_FIELDS = frozenset({
    "content", "status", "error", "draft", "detected_lang", "detected_confidence", "src", "tgt",
    "prompt", "model_id", "model_revision", "adapter", "params", "prompt_tokens",
    "completion_tokens", "ttft_s", "duration_s"})
ALIASES = {"revision": "model_revision"}


def title_from(text: str) -> str:
    """First non-empty line of `text`, whitespace collapsed, at most ~60 characters."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    return line if len(line) <= TITLE_CHARS else line[:TITLE_CHARS - 1].rstrip() + "…"


def _message_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out = {ALIASES.get(k, k): v for k, v in fields.items()}
    unknown = sorted(set(out) - MESSAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown message field(s): {', '.join(unknown)}")
    if "status" in out and out["status"] not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {out['status']!r}")
    if "content" in out and out["content"] is None:
        out["content"] = ""
    if out.get("params") is not None:
        out["params"] = _json_dict(out["params"], "params")
    return out


def _json_dict(value: Any, name: str) -> dict:
    """A JSON-safe copy of a dict; values JSON can't hold are stored as their str()
    (NaN and ±inf too: "nan", "inf", which PostgreSQL's json type accepts)."""
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a dict, got {type(value).__name__}")
    try:
        return _finite(json.loads(json.dumps(value, default=str)))
    except (TypeError, ValueError) as exc:  # e.g. non-string keys that clash
        raise ValueError(f"{name} can't be stored as JSON: {exc}") from None


def _finite(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Store(FeedbackAndPairs):
    """Persistent chat history and preferences. Create with `open_store`."""

    def __init__(self, engine: Engine, url: str, where: str | None = None):
        self.engine = engine
        self.url = url  # the SQLAlchemy URL, password hidden
        self.where = where or url  # what error messages name: the file path for SQLite
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        with self._read() as s:
            self.fts_enabled = has_fts(s.connection())  # tests may set False to force LIKE

    # -- transactions --------------------------------------------------------------
    @contextmanager
    def _tx(self, write: bool) -> Iterator[Session]:
        token = WRITE_TX.set(write)
        try:
            with self._sessions.begin() as s:
                yield s
        except SQLAlchemyError as exc:
            raise friendly_error(exc, self.where) from exc
        finally:
            WRITE_TX.reset(token)

    def _write(self):
        return self._tx(True)

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as s:
                yield s
        except SQLAlchemyError as exc:
            raise friendly_error(exc, self.where) from exc

    def writing(self):
        """A session in one write transaction, for the storage package's own modules (campaigns,
        API keys): committed at the end, rolled back on error, errors as ``StorageError``."""
        return self._write()

    def reading(self):
        """A session for reads, for the storage package's own modules."""
        return self._read()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # -- users ---------------------------------------------------------------------
    def ensure_user(self, key: str, name: str | None = None) -> int:
        """The id of the user with `key` (browser id or "hf:username"), created if new."""
        if not isinstance(key, str) or not key.strip():
            raise ValueError("user key must be non-empty text")
        key = key.strip()
        with self._write() as s:
            user = s.scalars(select(User).where(User.key == key)).first()
            if user is None:
                user = User(key=key, name=name)
                s.add(user)
                s.flush()
            elif name and user.name != name:
                user.name = name
            return user.id

    def get_user(self, user_id: int) -> UserInfo:
        with self._read() as s:
            u = user_of(s, user_id)
            return UserInfo(u.id, u.key, u.name, u.created)

    # -- conversations -------------------------------------------------------------
    def create_conversation(self, user_id: int, title: str = DEFAULT_TITLE,
                            settings: dict | None = None) -> int:
        settings = _json_dict(settings, "settings") if settings is not None else {}
        with self._write() as s:
            user = user_of(s, user_id)
            now = _now()
            conv = Conversation(user_id=user.id, title=(title or "").strip() or DEFAULT_TITLE,
                                settings=settings, created=now, updated=now)
            s.add(conv)
            s.flush()
            return conv.id

    def list_conversations(self, user_id: int, query: str | None = None,
                           limit: int = 200) -> list[ConversationInfo]:
        """The user's conversations, newest (updated) first; `query` searches their messages."""
        uid = as_id(user_id, "User")
        with self._read() as s:
            if query and query.strip():
                return search_conversations(s, uid, query, limit, self.fts_enabled)
            rows = s.scalars(select(Conversation).where(Conversation.user_id == uid)
                             .order_by(Conversation.updated.desc(), Conversation.id.desc())
                             .limit(limit))
            return [ConversationInfo.of(c) for c in rows]

    def get_conversation(self, user_id: int, conv_id: int) -> ConversationInfo:
        with self._read() as s:
            return ConversationInfo.of(conversation_of(s, user_id, conv_id))

    def rename_conversation(self, user_id: int, conv_id: int, title: str) -> None:
        title = " ".join((title or "").split())
        if not title:
            raise ValueError("the title must not be empty")
        with self._write() as s:
            conversation_of(s, user_id, conv_id).title = title[:200]

    def update_settings(self, user_id: int, conv_id: int, settings: dict) -> None:
        settings = _json_dict(settings, "settings")
        with self._write() as s:
            conversation_of(s, user_id, conv_id).settings = settings

    def merge_settings(self, user_id: int, conv_id: int, settings: dict) -> None:
        """Set these keys of the conversation's settings, keeping its others (one write)."""
        settings = _json_dict(settings, "settings")
        with self._write() as s:
            conv = conversation_of(s, user_id, conv_id)
            conv.settings = {**(conv.settings or {}), **settings}

    def conversation_settings(self, user_id: int, conv_id: int) -> dict:
        with self._read() as s:
            return dict(conversation_of(s, user_id, conv_id).settings or {})

    def delete_conversation(self, user_id: int, conv_id: int) -> None:
        """Delete with its messages and feedback; pairs keep their text, lose the ids."""
        with self._write() as s:
            conv = conversation_of(s, user_id, conv_id)
            s.execute(delete(Conversation).where(Conversation.id == conv.id))

    # -- messages ------------------------------------------------------------------
    def add_message(self, user_id: int, conv_id: int, role: str, content: str,
                    parent_id: int | None = None, **fields: Any) -> int:
        """Append a message; the first user message titles a conversation still untitled."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        values = _message_fields(fields)
        content = content or ""
        values.setdefault("status", "complete")
        with self._write() as s:
            conv = conversation_of(s, user_id, conv_id)
            if parent_id is not None:
                parent = message_of(s, user_id, parent_id)
                if parent.conversation_id != conv.id:
                    raise NotFound(f"Message {parent_id} not found")
            now = _now()
            msg = Message(conversation_id=conv.id, role=role, content=content,
                          parent_id=parent_id, created=now, **values)
            s.add(msg)
            conv.updated = now
            if role == "user" and conv.title == DEFAULT_TITLE and title_from(content):
                conv.title = title_from(content)
            s.flush()
            return msg.id

    def update_message(self, user_id: int, msg_id: int, **fields: Any) -> None:
        """Change a message's columns (e.g. content, status, tokens, timings when a stream ends)."""
        values = _message_fields(fields)
        with self._write() as s:
            msg = message_of(s, user_id, msg_id)
            for key, value in values.items():
                setattr(msg, key, value)
            s.execute(update(Conversation).where(Conversation.id == msg.conversation_id)
                      .values(updated=_now()))

    def get_message(self, user_id: int, msg_id: int) -> MessageInfo:
        with self._read() as s:
            return MessageInfo.of(message_of(s, user_id, msg_id))

    def messages(self, user_id: int, conv_id: int) -> list[MessageInfo]:
        """All messages of a conversation (alternatives included) in creation order."""
        with self._read() as s:
            conv = conversation_of(s, user_id, conv_id)
            rows = s.scalars(select(Message).where(Message.conversation_id == conv.id)
                             .order_by(Message.id))
            return [MessageInfo.of(m) for m in rows]

    def alternatives(self, user_id: int, parent_id: int) -> list[MessageInfo]:
        """Assistant replies to the same user message, in creation order."""
        with self._read() as s:
            parent = message_of(s, user_id, parent_id)
            rows = s.scalars(select(Message).where(Message.parent_id == parent.id,
                                                   Message.role == "assistant")
                             .order_by(Message.id))
            return [MessageInfo.of(m) for m in rows]

    def recover_interrupted(self) -> int:
        """Mark messages left "streaming" by a crash as "stopped"; returns how many."""
        with self._write() as s:
            res = s.execute(update(Message).where(Message.status == "streaming")
                            .values(status="stopped"))
            return res.rowcount or 0


def open_store(url_or_path: str | os.PathLike | URL | None = None, *,
               busy_timeout: float = 5.0, must_exist: bool = False) -> Store:
    """Open (create, migrate, recover) the store at a path or SQLAlchemy URL.

    None means env CHAT_DB_URL, else ``data/chat.db`` under the working directory.
    ``must_exist``: a SQLite file that isn't there is an error, not a new empty database (for
    commands that only read or change what is stored). Raises StorageError with a message for
    the user when the database can't be used.
    """
    url = resolve_url(url_or_path)
    where = display_url(url)
    path = sqlite_file(url)
    if must_exist and path is not None and not path.exists():
        raise StorageError(f"There is no database at {where}: give the one the app uses with --db "
                           "(or CHAT_DB_URL).")
    try:
        engine = make_engine(url, busy_timeout)
    except (ImportError, NoSuchModuleError) as exc:
        raise StorageError(f"No driver for {where}: {exc}. For PostgreSQL install "
                           "'psycopg[binary]'.") from exc
    try:
        migrate(engine)
        store = Store(engine, url.render_as_string(hide_password=True), where)
        store.recover_interrupted()
        return store
    except SQLAlchemyError as exc:
        engine.dispose()
        raise friendly_error(exc, where) from exc
    except BaseException:
        engine.dispose()
        raise
