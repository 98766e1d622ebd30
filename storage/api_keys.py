"""API keys for the HTTP APIs: created, listed, revoked and looked up; only a SHA-256 hash of
each key is stored (a key is 192 random bits, so a plain hash cannot be brute-forced).

Each key owns a user of its own (``users.key`` = ``api:<key id>``), so everything a key's
requests store is scoped to that user like a browser's data: one key cannot see another's.
The table is created by migration step ``0005_api_keys`` (`create_api_keys_table`).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (Column, Connection, DateTime, ForeignKey, Integer, MetaData, String, Table,
                        insert, select, update)
from sqlalchemy.exc import SQLAlchemyError

from storage.connection import WRITE_TX
from storage.errors import NotFound, friendly_error
from storage.schema import User

KEY_PREFIX = "hmt_"
_md = MetaData()
API_KEYS = Table(
    "api_keys", _md,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("key_hash", String(64), unique=True, nullable=False),
    Column("shown", String(16), nullable=False),          # first characters, to recognise a key
    Column("requests_per_minute", Integer),                # None: the server's default
    Column("chars_per_request", Integer),                  # None: the server's default
    Column("created", DateTime, nullable=False),
    Column("revoked", DateTime),
)


def create_api_keys_table(conn: Connection) -> None:
    """Migration step 0005_api_keys (a frozen copy of the table above)."""
    md = MetaData()
    Table("users", md, Column("id", Integer, primary_key=True))
    Table("api_keys", md,
          Column("id", Integer, primary_key=True),
          Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
          Column("name", String(255), nullable=False),
          Column("key_hash", String(64), unique=True, nullable=False),
          Column("shown", String(16), nullable=False),
          Column("requests_per_minute", Integer),
          Column("chars_per_request", Integer),
          Column("created", DateTime, nullable=False),
          Column("revoked", DateTime))
    md.tables["api_keys"].create(conn)


@dataclass(frozen=True)
class ApiKeyInfo:
    """A key as listed (never the key itself)."""

    id: int
    user_id: int
    name: str
    shown: str
    requests_per_minute: int | None
    chars_per_request: int | None
    created: datetime
    revoked: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked is None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _info(row) -> ApiKeyInfo:
    return ApiKeyInfo(row.id, row.user_id, row.name, row.shown, row.requests_per_minute,
                      row.chars_per_request, row.created, row.revoked)


class ApiKeys:
    """The api_keys table of one store (uses the store's engine and write locking)."""

    def __init__(self, store):
        self.engine = store.engine
        self.where = getattr(store, "where", store.url)

    def _tx(self, write: bool):
        token = WRITE_TX.set(write)
        try:
            return _Tx(self.engine.begin(), token, self.where)
        except BaseException:
            WRITE_TX.reset(token)
            raise

    def create(self, name: str, requests_per_minute: int | None = None,
               chars_per_request: int | None = None) -> tuple[str, ApiKeyInfo]:
        """A new key: (the key, shown once; its record)."""
        name = " ".join((name or "").split())
        if not name:
            raise ValueError("give the key a name (who or what uses it)")
        for limit in (requests_per_minute, chars_per_request):
            if limit is not None and limit < 1:
                raise ValueError("limits must be positive numbers")
        key = KEY_PREFIX + secrets.token_urlsafe(24)
        with self._tx(True) as conn:
            now = _now()
            user_id = conn.execute(insert(User.__table__).values(
                key=f"api-pending:{hash_key(key)}", name=f"API key {name}", created=now)
            ).inserted_primary_key[0]
            key_id = conn.execute(insert(API_KEYS).values(
                user_id=user_id, name=name[:255], key_hash=hash_key(key), shown=key[:10],
                requests_per_minute=requests_per_minute, chars_per_request=chars_per_request,
                created=now)).inserted_primary_key[0]
            conn.execute(update(User.__table__).where(User.__table__.c.id == user_id)
                         .values(key=f"api:{key_id}"))
            row = conn.execute(select(API_KEYS).where(API_KEYS.c.id == key_id)).one()
        return key, _info(row)

    def list(self) -> list[ApiKeyInfo]:
        with self._tx(False) as conn:
            return [_info(r) for r in conn.execute(select(API_KEYS).order_by(API_KEYS.c.id))]

    def revoke(self, ident: str | int) -> ApiKeyInfo:
        """Revoke by id, or by the key itself; its stored data stays."""
        with self._tx(True) as conn:
            row = self._find(conn, ident)
            if row.revoked is None:
                conn.execute(update(API_KEYS).where(API_KEYS.c.id == row.id)
                             .values(revoked=_now()))
            return _info(conn.execute(select(API_KEYS).where(API_KEYS.c.id == row.id)).one())

    def lookup(self, key: str) -> ApiKeyInfo | None:
        """The active key with this value, else None (unknown or revoked)."""
        if not key:
            return None
        with self._tx(False) as conn:
            row = conn.execute(select(API_KEYS).where(API_KEYS.c.key_hash == hash_key(key))).first()
        return _info(row) if row is not None and row.revoked is None else None

    @staticmethod
    def _find(conn, ident):
        text = str(ident).strip()
        if text.isdigit():
            row = conn.execute(select(API_KEYS).where(API_KEYS.c.id == int(text))).first()
        else:
            row = conn.execute(select(API_KEYS).where(API_KEYS.c.key_hash == hash_key(text))).first()
        if row is None:
            raise NotFound(f"No API key {text!r} (give its id from `api-key list`, or the key)")
        return row


class _Tx:
    """engine.begin() with the write flag reset and database errors made friendly."""

    def __init__(self, ctx, token, where):
        self.ctx, self.token, self.where = ctx, token, where

    def __enter__(self):
        return self.ctx.__enter__()

    def __exit__(self, *exc):
        try:
            return self.ctx.__exit__(*exc)
        except SQLAlchemyError as err:
            raise friendly_error(err, self.where) from err
        finally:
            WRITE_TX.reset(self.token)
