"""Shared by the documents tests: a stand-in translator and the round-trip check."""
from __future__ import annotations

import re

from documents import Document, open_document


def shout(document: Document) -> dict[str, str]:
    """Every pending segment "translated" by upper-casing it (markup tags left as they are)."""
    return {s.id: re.sub(r"(^|>)([^<]*)", lambda m: m.group(1) + m.group(2).upper(), s.text)
            for s in document.pending}


def facts(document: Document) -> list[tuple]:
    return [(s.id, s.text, s.kind, s.context, s.note) for s in document.segments]


def reread(document: Document, data: bytes) -> Document:
    return open_document(data, document.filename)


def assert_round_trip(document: Document) -> None:
    """Writing nothing gives the same file, and writing the source text itself re-reads the same."""
    assert document.write() == document._data
    same = document.write({s.id: s.text for s in document.pending}, overwrite=False)
    assert facts(reread(document, same)) == facts(document)
