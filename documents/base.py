"""What every format shares: `Segment`, the `Document` base class, `DocumentError`, and the small
text helpers (letters, whitespace kept around a translation, decoding a text file)."""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, ClassVar, Mapping


class DocumentError(ValueError):
    """A file that cannot be read or written; the message is meant for the user."""


@dataclass(frozen=True)
class Segment:
    """One piece a translator translates.

    ``text`` is what to send (whitespace trimmed, no markup of the file's own, except Markdown's
    inline syntax and XLIFF's inline codes, which are text there); ``kind`` says what it is
    (``paragraph``, ``heading``, ``list-item``, ``quote``, ``cell``, ``cue``, ``unit``, …);
    ``context`` where it sits (a style, a slide and shape, a PO ``msgctxt``, an XLIFF resname);
    ``note`` the file's notes for the translator; ``target`` an existing translation, and
    ``already_translated`` whether there is one (``write`` keeps it unless ``overwrite``)."""

    id: str
    text: str
    kind: str = "paragraph"
    context: str = ""
    note: str = ""
    target: str = ""
    already_translated: bool = False


class Document:
    """A file read into segments. Subclasses set ``description`` and implement ``_read`` (the
    segments, in document order) and ``_write`` (the file's bytes with the chosen translations);
    ``_write`` works from the original bytes, so ``write`` can be called any number of times."""

    description: ClassVar[str] = ""

    def __init__(self, data: bytes, filename: str):
        self.filename = filename
        self.source_lang: str | None = None
        self.target_lang: str | None = None
        self._data = bytes(data)
        self.segments: list[Segment] = list(self._read(self._data))
        self._by_id = {segment.id: segment for segment in self.segments}
        if len(self._by_id) != len(self.segments):
            raise AssertionError(f"{type(self).__name__} gave two segments one id")

    @property
    def pending(self) -> list[Segment]:
        """The segments still to translate (those without a translation of their own)."""
        return [segment for segment in self.segments if not segment.already_translated]

    def write(self, translations: Mapping[str, str] | None = None, *, overwrite: bool = False,
              target_lang: str | None = None) -> bytes:
        """The file in its own format with ``translations`` (segment id → text) put in.

        A missing id, or an empty translation, keeps what the file has there (the source, or an
        existing target); with nothing to put in, the file comes back byte for byte. Already translated segments keep their target unless ``overwrite``.
        ``target_lang`` is recorded where the format has a place for it and the file names none
        (XLIFF, PO)."""
        chosen = self._chosen(translations or {}, overwrite)
        if not chosen and not target_lang:
            return self._data
        try:
            return self._write(chosen, target_lang)
        except DocumentError:
            raise
        except Exception as error:  # a format library's own error, said for the user
            raise DocumentError(f"{self.filename} could not be written: {error}") from None

    def _chosen(self, translations: Mapping[str, str], overwrite: bool) -> dict[str, str]:
        if not isinstance(translations, Mapping):
            raise DocumentError("translations must map segment ids to texts")
        unknown = [key for key in translations if key not in self._by_id]
        if unknown:
            shown = ", ".join(repr(key) for key in unknown[:5])
            raise DocumentError(f"{self.filename} has no segment {shown}"
                                + (f" (and {len(unknown) - 5} more)" if len(unknown) > 5 else ""))
        chosen = {}
        for key, text in translations.items():
            if not isinstance(text, str):
                raise DocumentError(f"the translation of segment {key!r} is not text")
            if text.strip() and (overwrite or not self._by_id[key].already_translated):
                chosen[key] = text.strip()
        return chosen

    def _read(self, data: bytes) -> list[Segment]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _write(self, chosen: dict[str, str], target_lang: str | None) -> bytes:  # pragma: no cover
        raise NotImplementedError


def safe_stem(stem: str) -> str:
    """A file name's stem with only letters, digits, spaces, dots, dashes and underscores
    (others become ``_``), at most 100 characters, ``document`` when nothing is left."""
    return re.sub(r"[^\w .-]", "_", stem).strip(" .")[:100] or "document"


def has_letters(text: str) -> bool:
    """Whether ``text`` holds a letter of any script (Unicode category L*). Text without one
    (numbers, punctuation, symbols, whitespace) is never a segment."""
    return any(unicodedata.category(ch)[0] == "L" for ch in text)


def edges(text: str) -> tuple[str, str, str]:
    """``text`` as (leading whitespace, the trimmed text, trailing whitespace)."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = len(text) - len(text.lstrip())
    return text[:start], core, text[start + len(core):]


def respace(original: str, translation: str) -> str:
    """``translation`` with the leading and trailing whitespace of ``original``."""
    lead, _, trail = edges(original)
    return lead + translation.strip() + trail


@dataclass(frozen=True)
class TextFile:
    """A decoded text file and how to encode it back the same way."""

    text: str
    encoding: str
    bom: bytes
    newline: str

    def encode(self, text: str) -> bytes:
        """``text`` (with ``\\n`` line ends) in the file's encoding, BOM and line ends; text the
        old encoding cannot hold is written as UTF-8 with a BOM instead."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        try:
            return self.bom + text.encode(self.encoding)
        except UnicodeEncodeError:
            return codecs.BOM_UTF8 + text.encode("utf-8")


def decode_text(data: bytes, what: str) -> TextFile:
    """Decode a text file: UTF-8 or UTF-16 with a BOM, UTF-8, else Windows-1252. Binary data
    (NUL bytes) is a `DocumentError` naming ``what`` the file should have been."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise DocumentError(f"this is not readable {what}: it is not valid {encoding.upper()} "
                                    "text") from None
            break
    else:
        bom = b""
        if b"\x00" in data:
            raise DocumentError(f"this is not {what}: it holds binary data")
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise DocumentError(f"this is not readable {what}: save it as UTF-8 text") from None
    newline = "\r\n" if "\r\n" in text and text.count("\r\n") == text.count("\n") else "\n"
    return TextFile(text.replace("\r\n", "\n") if newline != "\n" else text, encoding, bom, newline)


@dataclass(frozen=True)
class Slot:
    """A segment's place in a text file: ``raw`` is the source span it covers, ``render`` turns
    a translation into the text that replaces that span."""

    segment: Segment
    raw: str
    render: Callable[[str], str]


def render_parts(parts: list, chosen: Mapping[str, str]) -> str:
    """Join literal strings and `Slot`s, each slot translated where ``chosen`` has its id."""
    return "".join(part if isinstance(part, str) else
                   part.render(chosen[part.segment.id]) if part.segment.id in chosen else part.raw
                   for part in parts)


class TextDocument(Document):
    """A text format: decoded (`decode_text`), parsed into literal strings and `Slot`s by
    ``_parse``, and written back in the file's own encoding and line ends."""

    def _read(self, data: bytes) -> list[Segment]:
        self._file = decode_text(data, self.description)
        self._parts = self._parse(self._file.text)
        return [part.segment for part in self._parts if isinstance(part, Slot)]

    def _parse(self, text: str) -> list:  # pragma: no cover - abstract
        raise NotImplementedError

    def _write(self, chosen: dict[str, str], target_lang: str | None) -> bytes:
        return self._file.encode(render_parts(self._parts, chosen))


def wrap(text: str, width: int, first: int | None = None) -> list[str]:
    """``text`` filled into lines of at most ``width`` characters (``first`` for the first line),
    breaking only at spaces; a word longer than a line gets a line of its own."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        room = (first if first is not None and not lines else width)
        if line and len(line) + 1 + len(word) > room:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line or not lines:
        lines.append(line)
    return lines
