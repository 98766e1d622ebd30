"""PowerPoint presentations (.pptx, python-pptx): every paragraph with a letter in it is a
segment — text frames of shapes (grouped shapes too), placeholders, table cells, and each
slide's speaker notes — slide by slide, in the order of the slide's shape tree.

The run policy is `documents.office` (one segment per paragraph, the translation in the run with
the dominant formatting, the other runs emptied). Line breaks (``a:br``) are ``\\n`` in the
segment and come back as line breaks in the dominant run's formatting; fields (``a:fld``: slide
numbers, dates) are never touched and split a paragraph around them. Paragraph properties
(level, bullets, alignment) and everything that is not text are kept. Charts, SmartArt and the
masters and layouts are not read."""
from __future__ import annotations

import copy
import io
from typing import Iterator

from lxml import etree

from documents.base import Document, Segment, has_letters, respace
from documents.office import dominant, formatting_key, open_package

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_SHAPES = (P + "sp", P + "graphicFrame", P + "cxnSp", P + "pic")


def _item_text(element) -> str:
    if element.tag == A + "br":
        return "\n"
    t = element.find(A + "t")
    return "" if t is None or t.text is None else t.text


def stretches(paragraph) -> Iterator[list]:
    """The paragraph's runs and line breaks between fields, one list per stretch."""
    stretch: list = []
    for child in paragraph:
        if child.tag in (A + "r", A + "br"):
            stretch.append(child)
        elif child.tag == A + "fld":
            if stretch:
                yield stretch
            stretch = []
    if stretch:
        yield stretch


def _set(run, text: str) -> None:
    t = run.find(A + "t")
    if t is None:
        t = etree.SubElement(run, A + "t")
    t.text = text


def write_stretch(paragraph, items: list, translation: str) -> None:
    """Put ``translation`` into the stretch's dominant run (its lines split by line breaks in
    that run's formatting) and empty the other runs."""
    runs = [item for item in items if item.tag == A + "r"]
    new = respace("".join(_item_text(item) for item in items), translation)
    target = dominant(runs, _item_text, lambda run: formatting_key(run.find(A + "rPr")))
    for item in items:
        if item.tag == A + "br":
            paragraph.remove(item)
        elif item is not target:
            _set(item, "")
    lines = new.split("\n")
    _set(target, lines[0])
    after = target
    for line in lines[1:]:
        brk = etree.Element(A + "br")
        if target.find(A + "rPr") is not None:
            brk.append(copy.deepcopy(target.find(A + "rPr")))
        run = copy.deepcopy(target)
        _set(run, line)
        after.addnext(brk)
        brk.addnext(run)
        after = run


def _shape_facts(paragraph) -> tuple[str, str]:
    """(shape name, placeholder type) of the shape holding ``paragraph``."""
    for ancestor in paragraph.iterancestors(*_SHAPES):
        name = next((c.get("name", "") for c in ancestor.iter(P + "cNvPr")), "")
        ph = next(ancestor.iter(P + "ph"), None)
        return name, (ph.get("type", "body") if ph is not None else "")
    return "", ""


def _kind(paragraph, place: str) -> tuple[str, str]:
    name, placeholder = _shape_facts(paragraph)
    if place.endswith("notes"):
        kind = "notes"
    elif any(True for _ in paragraph.iterancestors(A + "tc")):
        kind = "cell"
    elif placeholder in ("title", "ctrTitle"):
        kind = "title"
    elif placeholder == "subTitle":
        kind = "subtitle"
    else:
        kind = "paragraph"
    return kind, ", ".join(filter(None, [place, name]))


def _open(data: bytes):
    import pptx

    return open_package(data, "PowerPoint presentation", ".pptx", ".ppt", pptx.Presentation)


def _walk(presentation) -> Iterator[tuple[Segment, object, list]]:
    """(segment, paragraph, its items) for every segment, always in the same order."""
    count = 0
    for number, slide in enumerate(presentation.slides, 1):
        roots = [(slide.element, f"slide {number}")]
        if slide.has_notes_slide:
            roots.append((slide.notes_slide.element, f"slide {number} notes"))
        for root, place in roots:
            for paragraph in root.iter(A + "p"):
                for items in stretches(paragraph):
                    text = "".join(_item_text(item) for item in items).strip()
                    if has_letters(text):
                        count += 1
                        kind, context = _kind(paragraph, place)
                        yield Segment(str(count), text, kind, context), paragraph, items


class PowerPointDocument(Document):
    """A .pptx file, paragraph by paragraph."""

    description = "PowerPoint presentation"

    def _read(self, data: bytes) -> list[Segment]:
        presentation = _open(data)
        self.source_lang = presentation.core_properties.language or None
        return [segment for segment, _, _ in _walk(presentation)]

    def _write(self, chosen: dict[str, str], target_lang: str | None) -> bytes:
        presentation = _open(self._data)
        for segment, paragraph, items in list(_walk(presentation)):
            if segment.id in chosen:
                write_stretch(paragraph, items, chosen[segment.id])
        out = io.BytesIO()
        presentation.save(out)
        return out.getvalue()
