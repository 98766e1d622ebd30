"""The page's document files on disk: an upload read with the page's size limit, the originals kept
per user for "Download again", and the translated files handed to Gradio to serve.

- Originals: ``<data folder>/documents/user-<id>/<sha256><ext>`` (the data folder is the SQLite
  file's, `Conversations.data_folder`), kept while one of the user's conversations names it:
  deleting the conversation on the page deletes it; one left behind otherwise (a conversation
  deleted elsewhere) is deleted at the user's next upload or deletion.
  Only the owner's folder is ever read, so another user's file cannot be reached.
- Downloads: each translated file is written to its own folder with a random name (16 bytes)
  under one temp folder of the process (removed at exit, each folder after `DOWNLOAD_LIFETIME_S`);
  Gradio serves its copy, named by a hash of the content and the server's secret seed.
"""
from __future__ import annotations

import atexit
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from chat.conversations import Conversations
from chat.settings import UserError
from documents import Document, open_document, safe_stem, supported_text
from documents.job import RECORD

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # the page's limit, as the API's /translate_file
DOWNLOAD_LIFETIME_S = 3600
SWEEP_GRACE_S = 600  # an original younger than this is kept (its job may be starting)
_downloads: Path | None = None


def read_upload(path: str | Path | None, what: str = "document", limit: int = MAX_DOCUMENT_BYTES) -> Path:
    """The uploaded file's path; `UserError` without one or over ``limit`` bytes."""
    if not path:
        raise UserError(f"Choose a {what} first ({supported_text()})." if what == "document"
                        else f"Choose a {what} first.")
    file = Path(path)
    size = file.stat().st_size
    if size > limit:
        raise UserError(f"{file.name} is {size / 2**20:.1f} MiB; the page takes {what}s up to "
                        f"{limit // 2**20} MiB.")
    return file


def open_upload(path: str | Path | None) -> Document:
    """The uploaded document read into segments (`DocumentError` for a bad one)."""
    file = read_upload(path)
    return open_document(file.read_bytes(), file.name)


def originals_folder(conversations: Conversations, user_id: int) -> Path:
    """Where the user's originals are kept (``documents/user-<id>`` in the data folder)."""
    return conversations.data_folder() / "documents" / f"user-{int(user_id)}"


def kept_original(conversations: Conversations, user_id: int, conv_id: int) -> str | None:
    """The name of the original kept for the user's conversation ``conv_id`` (None if none)."""
    record = (conversations.settings(user_id, conv_id) or {}).get(RECORD)
    return record.get("original") if isinstance(record, dict) else None


def sweep_originals(conversations: Conversations, user_id: int, now_gone: str | None = None) -> int:
    """Delete the user's originals that none of their conversations names (``now_gone`` at
    once: its conversation was just deleted; others once older than `SWEEP_GRACE_S`); how many."""
    folder = originals_folder(conversations, user_id)
    if not folder.is_dir():
        return 0
    named = {(c.settings.get(RECORD) or {}).get("original")
             for c in conversations.store.list_conversations(user_id, limit=1_000_000)
             if isinstance(c.settings.get(RECORD), dict)}
    gone = 0
    for file in folder.iterdir():
        if file.name not in named and (file.name == now_gone or _older(file, SWEEP_GRACE_S)):
            file.unlink(missing_ok=True)
            gone += 1
    return gone


def _older(path: Path, seconds: float) -> bool:
    """Whether ``path`` was last written over ``seconds`` ago (False once it is gone)."""
    try:
        return path.stat().st_mtime < time.time() - seconds
    except OSError:
        return False


def translated_name(filename: str, tgt: str | None) -> str:
    """``report.docx`` into English → ``report.en.docx`` (only safe characters)."""
    stem, ext = Path(filename).stem, Path(filename).suffix.lower()
    stem = safe_stem(stem)
    return f"{stem}.{tgt}{ext}" if tgt else f"{stem}{ext}"


def hand_out(filename: str, data: bytes) -> str:
    """Write ``data`` as ``filename`` in a new randomly named folder; its path (for gr.File)."""
    global _downloads
    if _downloads is None:
        _downloads = Path(tempfile.mkdtemp(prefix="hintmt-documents-"))
        atexit.register(shutil.rmtree, _downloads, True)
    for old in _downloads.iterdir():
        if _older(old, DOWNLOAD_LIFETIME_S):
            shutil.rmtree(old, ignore_errors=True)
    place = _downloads / secrets.token_urlsafe(16)
    place.mkdir()
    path = place / filename
    path.write_bytes(data)
    return str(path)
