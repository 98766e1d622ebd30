"""Translators' files in and out with their structure kept: a file is read into segments
(`open_document(...).segments`), the caller translates them (in batches, with any model), and
`Document.write({segment_id: translation})` gives the same file back in its own format with the
translations put in. No model, no UI, no storage here; one format per module (plain text,
Markdown, HTML, DOCX, PPTX, SRT/WebVTT, XLIFF, PO), each format library imported only when a
file of its kind is opened."""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from documents.base import Document, DocumentError, Segment, has_letters, safe_stem

# "extensions: module.Class: what it is"; the order is the one users see.
_TABLE = """
.txt: plain.PlainText: plain text
.md .markdown: markdown.MarkdownDocument: Markdown
.html .htm: html.HtmlDocument: HTML page
.docx: docx.WordDocument: Word document
.pptx: pptx.PowerPointDocument: PowerPoint presentation
.srt: subtitles.SrtDocument: SubRip subtitles
.vtt: subtitles.VttDocument: WebVTT subtitles
.xlf .xliff: xliff.XliffDocument: XLIFF 1.2 or 2.0
.po: po.PoDocument: gettext PO catalogue
"""
_FORMATS = {ext: (*where.strip().split("."), what.strip())
            for exts, where, what in (line.split(":") for line in _TABLE.strip().splitlines())
            for ext in exts.split()}

SUPPORTED: dict[str, str] = {ext: what for ext, (_, _, what) in _FORMATS.items()}

__all__ = ["SUPPORTED", "Document", "DocumentError", "Segment", "has_letters", "open_document", "safe_stem",
           "supported_text"]


def supported_text() -> str:
    """The supported extensions, for a message: ``.txt, .md, …``."""
    return ", ".join(SUPPORTED)


def open_document(source: bytes | str | os.PathLike, filename: str | None = None) -> Document:
    """Read ``source`` (a path, or the file's bytes with its ``filename``) into a `Document`; its
    extension picks the format. Anything unreadable is a `DocumentError` saying why."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if not filename:
            raise DocumentError("a file's name is needed to know its format")
        data = bytes(source)
    else:
        path = Path(source)
        filename = filename or path.name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DocumentError(f"{path} does not exist") from None
        except OSError as error:
            raise DocumentError(f"{path} could not be read: {error.strerror or error}") from None
    name = Path(filename).name
    ext = Path(name).suffix.lower()
    if ext not in _FORMATS:
        kind = f"'{ext}' files are" if ext else "files without an extension are"
        raise DocumentError(f"{name}: {kind} not supported; supported: {supported_text()}")
    module, cls, what = _FORMATS[ext]
    if not data.strip():
        raise DocumentError(f"{name} is empty")
    document_class = getattr(importlib.import_module(f"documents.{module}"), cls)
    try:
        return document_class(data, name)
    except DocumentError as error:
        raise DocumentError(f"{name}: {error}") from None
    except Exception as error:  # a format library's own error: say which file and format
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DocumentError(f"{name} could not be read as a {what}: {reason}") from None
