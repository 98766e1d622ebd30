"""Word documents (.docx, python-docx): every paragraph with a letter in it is a segment — body
paragraphs, table cells (nested tables too), text boxes, headers, footers, footnotes and
endnotes — in document order, then headers, footers and notes part by part.

The run policy is `documents.office`: one segment per paragraph; its translation goes into the
run with the paragraph's dominant formatting and the other text runs are emptied, so paragraph
styles and the formatting of uniformly formatted paragraphs are kept, while a bold word or a
hyperlink inside a sentence loses its formatting (its text is translated with the sentence).
Only text is rewritten (``w:t``, tabs, line breaks): pictures, page breaks, bookmarks, comments'
anchors and field codes stay where they are. Fields whose result has no letter (page numbers,
dates) are left alone and split the paragraph around them. Deleted text of tracked changes and
the legacy fallback copy of a text box (``mc:Fallback``) are not read."""
from __future__ import annotations

import io
import re
from typing import Iterator

from lxml import etree

from documents.base import Document, Segment, has_letters, respace
from documents.office import dominant, formatting_key, open_package

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIP = {W + "del", W + "moveFrom", _FALLBACK}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_HEADER, _FOOTER = ("application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml")
_NOTES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml": "footnote",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml": "endnote"}


def _text_child(child) -> str | None:
    """The text a run's child stands for, or None when it is not text (a picture, a page break)."""
    tag = child.tag
    if tag == W + "t":
        return child.text or ""
    if tag == W + "tab":
        return "\t"
    if tag == W + "br" and child.get(W + "type") in (None, "textWrapping"):
        return "\n"
    if tag == W + "cr":
        return "\n"
    if tag == W + "noBreakHyphen":
        return "-"
    return None


def run_text(run) -> str:
    """A ``w:r``'s text."""
    return "".join(t for child in run if (t := _text_child(child)) is not None)


def set_run_text(run, text: str) -> None:
    """Replace a ``w:r``'s text (``\\t`` a tab, ``\\n`` a line break), keeping its other children."""
    texts = [child for child in run if _text_child(child) is not None]
    at = run.index(texts[0]) if texts else len(run)
    for child in texts:
        run.remove(child)
    for piece in reversed([p for p in re.split(r"(\t|\n)", text) if p]):
        if piece == "\t":
            element = etree.Element(W + "tab")
        elif piece == "\n":
            element = etree.Element(W + "br")
        else:
            element = etree.Element(W + "t")
            element.text = piece
            element.set(_XML_SPACE, "preserve")
        run.insert(at, element)


def _properties(run) -> bytes:
    return formatting_key(run.find(W + "rPr"))


def _owner(element):
    """The paragraph ``element`` belongs to, or None inside deleted text or a fallback copy."""
    node = element.getparent()
    while node is not None and node.tag != W + "p":
        if node.tag in _SKIP:
            return None
        node = node.getparent()
    return node


def _anchors(root) -> set:
    """Runs of fields whose result has no letter (page numbers, dates), and field codes."""
    fixed, stack = set(), []
    for run in root.iter(W + "r"):
        chars = [c.get(W + "fldCharType") for c in run.iter(W + "fldChar")]
        if "begin" in chars:
            stack.append({"result": False, "runs": [run]})
            continue
        if stack:
            stack[-1]["runs"].append(run)
        if "separate" in chars and stack:
            stack[-1]["result"] = True
        if "end" in chars and stack:
            field = stack.pop()
            if not has_letters("".join(run_text(r) for r in field["runs"])):
                fixed.update(field["runs"])
            elif stack:
                stack[-1]["runs"].extend(field["runs"])
    for simple in root.iter(W + "fldSimple"):
        runs = list(simple.iter(W + "r"))
        if not has_letters("".join(run_text(r) for r in runs)):
            fixed.update(runs)
    return fixed


def stretches(root) -> Iterator[tuple[object, list]]:
    """(paragraph, runs) for each stretch of text runs between fixed fields, in order."""
    fixed = _anchors(root)
    for paragraph in root.iter(W + "p"):
        if any(ancestor.tag in _SKIP for ancestor in paragraph.iterancestors()):
            continue
        stretch: list = []
        for run in paragraph.iter(W + "r"):
            if _owner(run) is not paragraph:
                continue
            if run in fixed:
                if stretch:
                    yield paragraph, stretch
                stretch = []
            else:
                stretch.append(run)
        if stretch:
            yield paragraph, stretch


def write_stretch(runs: list, translation: str) -> None:
    """Put ``translation`` into the stretch's dominant run and empty the others."""
    texts = {id(run): run_text(run) for run in runs}
    target = dominant(runs, lambda run: texts[id(run)], _properties)
    new = respace("".join(texts.values()), translation)
    for run in runs:
        if run is target:
            set_run_text(run, new)
        elif texts[id(run)]:
            set_run_text(run, "")


def _kind(paragraph, styles: dict, where: str) -> tuple[str, str]:
    style_id = paragraph.find(f"{W}pPr/{W}pStyle")
    name = styles.get(style_id.get(W + "val"), "") if style_id is not None else ""
    lowered = name.lower()
    if where != "body":
        kind = where
    elif lowered.startswith("heading") or lowered in ("title", "subtitle"):
        kind = "heading"
    elif any(a.tag == W + "tc" for a in paragraph.iterancestors()):
        kind = "cell"
    elif paragraph.find(f"{W}pPr/{W}numPr") is not None or lowered.startswith("list"):
        kind = "list-item"
    else:
        kind = "paragraph"
    return kind, ", ".join(filter(None, [where if where != "body" else "", name]))


def _open(data: bytes):
    import docx
    from docx.opc.part import PartFactory, XmlPart

    for content_type in _NOTES:  # footnotes and endnotes as XML parts, so they can be edited
        PartFactory.part_type_for.setdefault(content_type, XmlPart)
    return open_package(data, "Word document", ".docx", ".doc", docx.Document)


def _walk(document) -> Iterator[tuple[Segment, list]]:
    """(segment, its runs) for every segment of an opened document, always in the same order."""
    styles = {style.style_id: style.name for style in document.styles}
    parts = [(document.element.body, "body")]
    for part in document.part.package.iter_parts():
        where = ("header" if part.content_type == _HEADER else "footer" if part.content_type == _FOOTER
                 else _NOTES.get(part.content_type))
        if where and hasattr(part, "element"):
            parts.append((part.element, where))
    count = 0
    for root, where in parts:
        for paragraph, runs in stretches(root):
            text = "".join(run_text(run) for run in runs).strip()
            if has_letters(text):
                count += 1
                kind, context = _kind(paragraph, styles, where)
                yield Segment(str(count), text, kind, context), runs


class WordDocument(Document):
    """A .docx file, paragraph by paragraph."""

    description = "Word document"

    def _read(self, data: bytes) -> list[Segment]:
        document = _open(data)
        language = document.core_properties.language
        self.source_lang = language or None
        return [segment for segment, _ in _walk(document)]

    def _write(self, chosen: dict[str, str], target_lang: str | None) -> bytes:
        document = _open(self._data)
        for segment, runs in list(_walk(document)):
            if segment.id in chosen:
                write_stretch(runs, chosen[segment.id])
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
