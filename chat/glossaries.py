"""A user's glossaries as the page, the API and the session use them: list, import from a file
(an upload), export as CSV, delete, and load one for a turn. Storage errors for a name the user
does not have become a `UserError` that says so."""
from __future__ import annotations

from pathlib import Path

from prompts import normalize_code
from prompts.glossary import Glossary, Term
from storage import NotFound, StorageError
from storage.glossaries import GlossaryInfo, Glossaries

from chat.glossary_files import read_glossary_file, write_csv
from chat.settings import UserError


def list_glossaries(store, user_id: int) -> list[GlossaryInfo]:
    """The user's glossaries by name (for a selector: ``info.name``, ``info.src``, ``info.tgt``,
    ``info.terms``)."""
    return Glossaries(store).list(user_id=user_id)


def language_pair(src: str, tgt: str) -> tuple[str, str]:
    """Both codes as the app spells them; UserError for an unknown or identical pair."""
    try:
        pair = normalize_code(src), normalize_code(tgt)
    except ValueError as err:
        raise UserError(str(err)) from None
    if pair[0] == pair[1]:
        raise UserError("A glossary's source and target languages must differ.")
    return pair


def import_glossary(store, user_id: int, name: str, src: str, tgt: str, path: str | Path | None = None,
                    data: bytes | None = None, filename: str | None = None,
                    replace: bool = False) -> GlossaryInfo:
    """Read a CSV or TBX file (``path``, or an upload's ``data`` and ``filename``) and store it as
    the user's glossary ``name`` for ``src`` → ``tgt``; a bad file stores nothing."""
    src, tgt = language_pair(src, tgt)
    terms = read_glossary_file(path or filename or "", src, tgt, data=data, filename=filename)
    rows = [(t.source, t.target, t.note) for t in terms]
    try:
        return Glossaries(store).create(name, src, tgt, rows, user_id=user_id, replace=replace)
    except (ValueError, StorageError) as err:
        raise UserError(str(err)) from None


def export_glossary(store, user_id: int, name: str) -> str:
    """The user's glossary as CSV text (``source,target,note``)."""
    return write_csv(_terms(store, user_id, name)[1])


def delete_glossary(store, user_id: int, name: str) -> GlossaryInfo:
    """Delete the user's glossary ``name`` (or id)."""
    try:
        return Glossaries(store).delete(name, user_id=user_id)
    except NotFound:
        raise UserError(_unknown(name)) from None


def load_glossary(store, user_id: int, name: str | int) -> Glossary:
    """The user's glossary ``name`` (or id) with its terms, for a turn."""
    info, rows = _terms(store, user_id, name)
    return Glossary(info.name, info.src, info.tgt, tuple(Term(*row) for row in rows), info.id)


def _terms(store, user_id: int, name: str | int):
    try:
        return Glossaries(store).terms(name, user_id=user_id)
    except NotFound:
        raise UserError(_unknown(name)) from None


def _unknown(name) -> str:
    return f"You have no glossary {str(name)!r}; import it first."
