"""StorageError for databases that can't be used (SQLite files), with readable messages."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage import StorageError, open_store
from storage.connection import resolve_url
from tests.unprivileged import as_user, open_dir

ROOT = Path(__file__).resolve().parents[2]


def test_corrupt_file(tmp_path):
    path = tmp_path / "chat.db"
    path.write_bytes(b"this is not a database, just some bytes\x00\xff" * 200)
    with pytest.raises(StorageError, match="not a valid chat database") as err:
        open_store(path)
    assert str(path) in str(err.value)


def test_path_under_a_file(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="Cannot create the folder"):
        open_store(blocker / "sub" / "chat.db")


def test_path_is_a_folder(tmp_path):
    with pytest.raises(StorageError, match="is a folder"):
        open_store(tmp_path)


def _seeded(tmp_path):
    path = tmp_path / "chat.db"
    with open_store(path) as s:
        u = s.ensure_user("anon:1")
        s.create_conversation(u)
    return path


def test_read_only_uri(tmp_path):
    path = _seeded(tmp_path)
    with pytest.raises(StorageError, match="read-only"):
        open_store(f"sqlite:///file:{path}?mode=ro&uri=true")


_OPEN = """
import sys
from storage import StorageError, open_store
try:
    open_store(sys.argv[1]).close()
except StorageError as err:
    print(err)
    sys.exit(3)
"""


def test_read_only_permissions():
    """A database in a folder and file nobody may write, opened by an unprivileged user (a
    subprocess as `nobody` when the tests run as root, whom file modes don't stop)."""
    folder = open_dir()
    try:
        path = _seeded(folder)
        for f in folder.iterdir():
            f.chmod(0o444)
        folder.chmod(0o555)
        done = subprocess.run(as_user([sys.executable, "-c", _OPEN, str(path)]), capture_output=True,
                              text=True, cwd=ROOT, env={**os.environ, "HOME": str(folder)}, timeout=120)
        assert done.returncode == 3, done.stderr[-2000:]
        assert "is read-only" in done.stdout and str(path) in done.stdout, done.stdout
        assert "Traceback" not in done.stderr
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_locked_database(tmp_path):
    path = _seeded(tmp_path)
    store = open_store(path, busy_timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(StorageError, match="busy"):
            open_store(path, busy_timeout=0.2)
        with pytest.raises(StorageError, match="busy"):
            store.ensure_user("anon:2")
        assert store.list_conversations(1)  # reading still works under WAL
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.ensure_user("anon:2")
    store.close()


def test_bad_url_and_missing_driver():
    with pytest.raises(StorageError, match="Not a database URL"):
        open_store("not a scheme://x")
    with pytest.raises(StorageError):
        open_store("nosuchdb://user@host/db")


def test_url_resolution(tmp_path, monkeypatch):
    assert resolve_url(tmp_path / "a.db").database == str(tmp_path / "a.db")
    assert resolve_url("sqlite:///rel.db").database == "rel.db"
    pg = resolve_url("postgresql://u:pw@host/db")
    assert pg.drivername in ("postgresql", "postgresql+psycopg")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())
    assert resolve_url("postgresql://u:pw@host/db").drivername == "postgresql+psycopg"
    assert resolve_url("postgres://u:pw@host/db").drivername == "postgresql+psycopg"
    with pytest.raises(StorageError):
        resolve_url("")
