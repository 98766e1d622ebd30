"""Turning a path or URL into a configured SQLAlchemy engine.

SQLite gets WAL journaling, foreign keys, a busy timeout and explicit transactions:
reads run in ``BEGIN`` (deferred), writes in ``BEGIN IMMEDIATE`` so concurrent writers
queue on the busy timeout instead of failing when a read lock can't be upgraded.

PostgreSQL gets the same one-writer-at-a-time semantics from a transaction-scoped advisory
lock taken when a write transaction begins (so check-then-insert code such as
`ensure_user`, `rate` and `migrate` can't race), and NUL characters, which its text
columns can't hold, are dropped from bound strings.
"""
from __future__ import annotations

import contextvars
import importlib.util
import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from storage.errors import StorageError

DEFAULT_PATH = Path("data") / "chat.db"
ENV_VAR = "CHAT_DB_URL"
PG_WRITE_LOCK = 0x6869_6E74_6D74  # advisory lock key of write transactions ("hintmt")

# True while a write transaction is being opened (read by the "begin" event).
WRITE_TX: contextvars.ContextVar[bool] = contextvars.ContextVar("storage_write_tx", default=False)


def resolve_url(url_or_path: str | os.PathLike | URL | None = None) -> URL:
    """A SQLAlchemy URL for a path, a URL string, or None (env CHAT_DB_URL, else data/chat.db)."""
    if url_or_path is None:
        url_or_path = os.environ.get(ENV_VAR) or DEFAULT_PATH
    if isinstance(url_or_path, URL):
        url = url_or_path
    elif isinstance(url_or_path, os.PathLike) or "://" not in str(url_or_path):
        path = str(url_or_path)
        if not path.strip():
            raise StorageError("No database file was given (the path is empty).")
        if path != ":memory:":
            path = str(Path(path).expanduser().absolute())
        url = URL.create("sqlite", database=path)
    else:
        try:
            url = make_url(str(url_or_path))
        except ArgumentError as exc:
            raise StorageError(f"Not a database URL or file path: {url_or_path!r}") from exc
    if url.drivername in ("postgresql", "postgres") and importlib.util.find_spec("psycopg"):
        url = url.set(drivername="postgresql+psycopg")
    elif url.drivername == "postgres":
        url = url.set(drivername="postgresql")
    return url


def sqlite_file(url: URL) -> Path | None:
    """The file behind a SQLite URL (plain or ``file:...?mode=ro&uri=true``); None for memory."""
    if url.get_backend_name() != "sqlite":
        return None
    db = url.database or ""
    if db.startswith("file:"):
        db = db[5:].split("?", 1)[0]
    if db in ("", ":memory:") or "mode=memory" in (url.database or ""):
        return None
    return Path(db)


def display_url(url: URL) -> str:
    """The URL for messages and logs: password hidden, SQLite shown as its file path."""
    path = sqlite_file(url)
    return str(path) if path is not None else url.render_as_string(hide_password=True)


def make_engine(url: URL, busy_timeout: float = 5.0) -> Engine:
    """Create the one engine of a Store; SQLite parent folders are created here."""
    if url.get_backend_name() == "postgresql":
        return _postgres_engine(url, busy_timeout)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_file(url)
    kwargs: dict = {"pool_size": 10, "max_overflow": 20}
    if path is None:  # one shared connection: a StaticPool takes no pool sizes
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the folder {path.parent} for the database: "
                f"{exc.strerror or exc}.") from exc
        if path.is_dir():
            raise StorageError(f"{path} is a folder, not a database file.")
    engine = create_engine(url, **kwargs)
    timeout_ms = int(busy_timeout * 1000)
    wal = path is not None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see "begin" below)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout={timeout_ms}")
            cur.execute("PRAGMA foreign_keys=ON")
            if wal:
                _set_wal(cur, busy_timeout)
                cur.execute("PRAGMA synchronous=NORMAL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        conn.exec_driver_sql("BEGIN IMMEDIATE" if WRITE_TX.get() else "BEGIN")

    return engine


def _set_wal(cur, busy_timeout: float) -> None:  # noqa: ANN001
    """Switch to WAL. SQLite answers "locked" without waiting on the busy timeout while
    another connection is switching a new file, so retry until the timeout is spent."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _no_nul(value):  # noqa: ANN001, ANN202
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _postgres_engine(url: URL, busy_timeout: float) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)
    timeout_ms = max(1, int(busy_timeout * 1000))

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        if WRITE_TX.get():  # released at commit/rollback; readers never wait for it
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {timeout_ms}")  # = busy timeout
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _strip_nul(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        if isinstance(params, dict):
            params = {k: _no_nul(v) for k, v in params.items()}
        elif isinstance(params, (list, tuple)) and executemany:
            params = [{k: _no_nul(v) for k, v in p.items()} if isinstance(p, dict)
                      else type(p)(_no_nul(v) for v in p) for p in params]
        elif isinstance(params, (list, tuple)):
            params = type(params)(_no_nul(v) for v in params)
        return statement, params

    return engine
