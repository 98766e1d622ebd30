"""Glossary files in and out: CSV (``source,target[,note]``, header optional, UTF-8) and TBX
(TBX 2 ``martif``, read by translate-toolkit with external entities, DTDs and the network off).

A bad row is an error naming its line, and nothing of the file is taken; a CSV header is a first
row reading ``source,target[,note]`` or the glossary's two language codes.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from prompts.glossary import Term

from chat.settings import UserError

FORMATS = ("csv", "tbx")
HEADER_WORDS = ("source", "target", "note")
MAX_BYTES = 20_000_000
_XML = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class GlossaryFileError(UserError):
    """A glossary file that cannot be read; the message names the line where there is one."""


def file_format(filename: str) -> str:
    """'csv' or 'tbx' from a file name (.csv, .txt and .tsv-less text are CSV)."""
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("tbx", "xml"):
        return "tbx"
    raise GlossaryFileError(f"{filename}: a glossary is a .csv or a .tbx file")


def read_glossary_file(path: str | Path, src: str, tgt: str, data: bytes | None = None,
                       filename: str | None = None) -> list[Term]:
    """The terms of a CSV or TBX file (``data`` instead of reading ``path``, e.g. an upload)."""
    name = filename or str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise GlossaryFileError(f"{name}: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:
        raise GlossaryFileError(f"{name}: larger than {MAX_BYTES // 1_000_000} MB")
    reader = read_csv if file_format(name) == "csv" else read_tbx
    terms = reader(data, src, tgt)
    if not terms:
        raise GlossaryFileError(f"{name}: no terms for {src} → {tgt} in this file")
    return terms


def _checked(terms: list[Term], seen: dict, term: Term, where: str, strict: bool = True) -> None:
    """Add ``term`` unless its source is there already: with another target that is an error
    (``strict``) or skipped (a TBX homonym: the first concept's target is kept)."""
    key = " ".join(term.source.split()).casefold()
    if key in seen:
        earlier, first_where = seen[key]
        if strict and earlier.target.casefold() != term.target.casefold():
            raise GlossaryFileError(f"{where}: {term.source!r} has another target on {first_where} "
                                    f"({earlier.target!r}); a term has one target")
        return
    seen[key] = (term, where)
    terms.append(term)


def read_csv(data: bytes, src: str = "", tgt: str = "") -> list[Term]:
    """Terms of a CSV file: two or three columns per row, blank lines skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise GlossaryFileError(f"line {line}: not UTF-8 text") from None
    terms: list[Term] = []
    seen: dict = {}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    first = True
    try:
        for row in reader:
            line = reader.line_num
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if first and _is_header(cells, src, tgt):
                first = False
                continue
            first = False
            while len(cells) > 2 and not cells[-1]:
                cells.pop()
            if len(cells) not in (2, 3):
                raise GlossaryFileError(f"line {line}: expected source,target[,note], got "
                                        f"{len(cells)} column{'s' if len(cells) != 1 else ''}")
            if not cells[0] or not cells[1]:
                raise GlossaryFileError(f"line {line}: the {'source' if not cells[0] else 'target'} "
                                        "term is empty")
            _checked(terms, seen, Term(cells[0], cells[1], cells[2] if len(cells) == 3 else ""),
                     f"line {line}")
    except csv.Error as err:
        raise GlossaryFileError(f"line {reader.line_num}: {err}") from None
    return terms


def _is_header(cells: list[str], src: str, tgt: str) -> bool:
    lowered = [c.lower() for c in cells]
    return (tuple(lowered) in (HEADER_WORDS[:2], HEADER_WORDS)
            or (bool(src) and lowered[:2] == [src.lower(), tgt.lower()]))


def read_tbx(data: bytes, src: str, tgt: str) -> list[Term]:
    """Terms of a TBX file: per concept, each source-language term with the first target-language
    term (notes: the concept's definition); concepts without both languages are skipped, and a
    source term that is in several concepts (a homonym) keeps its first concept's target."""
    from lxml import etree
    from translate.storage import tbx

    try:
        root = etree.fromstring(data, etree.XMLParser(**_XML))
    except etree.XMLSyntaxError as err:
        raise GlossaryFileError(f"line {err.lineno}: not valid XML ({err.msg})") from None
    if etree.QName(root).localname != "martif":
        raise GlossaryFileError(f"not a TBX file: its root element is <{etree.QName(root).localname}>"
                                " (TBX 2, <martif>, is read)")
    try:
        store = tbx.tbxfile(io.BytesIO(data), sourcelanguage=src, targetlanguage=tgt)
    except Exception as err:  # noqa: BLE001 - translate-toolkit's own errors vary
        raise GlossaryFileError(f"this TBX file could not be read: {err}") from None
    terms: list[Term] = []
    seen: dict = {}
    for unit in store.units:
        targets = [t.text.strip() for t in unit.get_target_terms() if t.text and t.text.strip()]
        if not targets:
            continue
        note = "; ".join(n.text.strip() for n in unit.get_common_notes(source=True) if n.text.strip())
        line = unit.xmlelement.sourceline
        for source in unit.get_source_terms():
            if source.text and source.text.strip():
                _checked(terms, seen, Term(" ".join(source.text.split()), " ".join(targets[0].split()),
                                           note), f"line {line}", strict=False)
    return terms


def write_csv(terms: list[Term] | list[tuple[str, str, str]]) -> str:
    """The terms as CSV with a ``source,target,note`` header (what `read_csv` reads back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER_WORDS)
    for term in terms:
        source, target, note = (term.source, term.target, term.note) if isinstance(term, Term) else term
        writer.writerow([source, target, note or ""])
    return out.getvalue()
