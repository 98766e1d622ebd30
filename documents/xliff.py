"""XLIFF 1.2 and 2.0 (.xlf, .xliff; read with translate-toolkit): each translatable unit (a
``trans-unit``, or a 2.0 ``segment``) is a segment with the file's id, notes and context; the
languages come from the file (``source-language``/``target-language``, ``srcLang``/``trgLang``).

Writing fills the targets: a new target is marked for review — XLIFF 1.2
``state="needs-review-translation" state-qualifier="mt-suggestion"``, XLIFF 2.0 ``state="initial"``
and a unit note saying it is machine translation. Units that already have a target are left as
they are unless ``overwrite``. Everything else (ids, notes, attributes, layout) is kept.

A source with inline codes (``<g>``, ``<x/>``, ``<ph>``, ``<pc>``…) is the one place a segment
holds markup: its text is the source's inner XML (``Hello <x id="1"/>, welcome``) so the codes
can be placed; a translation whose codes parse and match the source's is written with them, any
other is written as plain text with a note saying the codes need placing."""
from __future__ import annotations

import html
import re
from collections import Counter

from lxml import etree

from documents.base import Document, DocumentError, Segment, respace

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
_PARSER = dict(resolve_entities=False, no_network=True, load_dtd=False)
MT = "machine-translation"  # the category (2.0) or origin (1.2) of the notes written here
MT_NOTE = "Machine translation; needs review."
CODES_NOTE = "Machine translation; the inline codes of the source could not be placed."


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def inner_markup(element) -> str:
    """An element's content as XML without namespaces (``text <x id="1"/> more``)."""
    out = [html.escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str):
            attrs = "".join(f' {_local(k)}="{html.escape(v)}"' for k, v in child.attrib.items())
            name = _local(child.tag)
            body = inner_markup(child)
            out.append(f"<{name}{attrs}>{body}</{name}>" if body else f"<{name}{attrs}/>")
        out.append(html.escape(child.tail or "", quote=False))
    return "".join(out)


def _codes(element) -> Counter:
    return Counter((_local(e.tag), e.get("id")) for e in element.iterdescendants() if isinstance(e.tag, str))


def _fill(target, source, translation: str) -> bool:
    """Write ``translation`` into ``target``; False when inline codes had to be dropped."""
    for child in list(target):
        target.remove(child)
    if len(source):
        namespace = etree.QName(source).namespace
        translation = respace(inner_markup(source), translation)
        try:
            parsed = etree.fromstring(f'<t xmlns="{namespace}">{translation}</t>',
                                      etree.XMLParser(**_PARSER))
        except etree.XMLSyntaxError:
            parsed = None
        if parsed is not None and _codes(parsed) == _codes(source):
            target.text = parsed.text
            target.extend(list(parsed))
            return True
        target.text = html.unescape(re.sub(r"<[^>]*>", "", translation))
        return False
    target.text = respace(source.text or "", translation)
    return True


def place(parent, element, before=None) -> None:
    """Insert ``element`` into ``parent`` before ``before`` (else last), indented like the others."""
    blank = lambda space: space is not None and not space.strip()  # noqa: E731
    if before is not None:
        previous = before.getprevious()
        indent = previous.tail if previous is not None else parent.text
        before.addprevious(element)
        element.tail = indent if blank(indent) else None
        return
    last = parent[-1] if len(parent) else None
    if last is not None and blank(last.tail):
        previous = last.getprevious()
        indent = previous.tail if previous is not None else parent.text
        if blank(indent):
            last.tail, element.tail = indent, last.tail
    parent.append(element)


def _source_text(source) -> str:
    return (inner_markup(source) if len(source) else source.text or "").strip()


class XliffDocument(Document):
    """An XLIFF 1.2 or 2.0 file, unit by unit."""

    description = "XLIFF file"

    def _store(self, data: bytes):
        from translate.storage import xliff, xliff2

        try:
            root = etree.fromstring(data, etree.XMLParser(**_PARSER))
        except etree.XMLSyntaxError as error:
            raise DocumentError(f"this is not valid XML (line {error.lineno}: {error.msg})") from None
        if _local(root.tag) != "xliff":
            raise DocumentError(f"this is not an XLIFF file: its root element is <{_local(root.tag)}>")
        self._v2 = etree.QName(root).namespace == XLIFF2 or root.get("version", "").startswith("2")
        try:
            store = (xliff2.Xliff2File if self._v2 else xliff.xlifffile).parsestring(data)
        except Exception:
            raise DocumentError("this XLIFF file could not be read (XLIFF 1.2 or 2.0, with its "
                                "namespace, is expected)") from None
        self._ns = etree.QName(store.document.getroot()).namespace
        return store

    def _q(self, name: str) -> str:
        return f"{{{self._ns}}}{name}" if self._ns else name

    def _walk(self, store):
        """(segment, unit, source element) for every translatable unit, always in the same order."""
        seen: set[str] = set()
        for number, unit in enumerate(store.units, 1):
            if unit.isheader() or not unit.istranslatable():
                continue
            element = unit.xmlelement
            source = element.find(self._q("source"))
            if source is None:
                continue
            key = unit.getid() if self._v2 else element.get("id") or str(number)
            key = key.split("\x04")[-1]
            if key in seen:
                key = f"{number}:{key}"
            seen.add(key)
            target = element.find(self._q("target"))
            existing = "".join(target.itertext()).strip() if target is not None else ""
            owner = unit.getunitelement() if self._v2 else element
            holder = owner.find(self._q("notes")) if self._v2 else owner
            notes = [n.text or "" for n in (holder if holder is not None else [])
                     if n.tag == self._q("note") and MT not in (n.get("category"), n.get("from"))]
            context = [owner.get("name") or owner.get("resname") or ""]
            context += [] if self._v2 else unit.getlocations()
            yield Segment(key, _source_text(source), "unit", "; ".join(filter(None, context)),
                          "\n".join(filter(None, notes)), existing, bool(existing)), unit, source

    def _read(self, data: bytes) -> list[Segment]:
        store = self._store(data)
        self.source_lang = store.getsourcelanguage() or None
        self.target_lang = store.gettargetlanguage() or None
        return [segment for segment, _, _ in self._walk(store) if segment.text]

    def _write(self, chosen: dict[str, str], target_lang: str | None) -> bytes:
        store = self._store(self._data)
        if target_lang and not store.gettargetlanguage():
            self._set_language(store, target_lang)
        for segment, unit, source in list(self._walk(store)):
            if segment.id not in chosen:
                continue
            element = unit.xmlelement
            target = element.find(self._q("target"))
            if target is None:
                target = etree.Element(self._q("target"))
                place(element, target, source.getnext())
            placed = _fill(target, source, chosen[segment.id])
            if self._v2:
                element.set("state", "initial")
                element.attrib.pop("subState", None)
                self._note(unit.getunitelement(), MT_NOTE if placed else CODES_NOTE)
            else:
                target.set("state", "needs-review-translation")
                target.set("state-qualifier", "mt-suggestion")
                if element.get("approved") == "yes":
                    element.set("approved", "no")
                if not placed:
                    self._note(element, CODES_NOTE)
        return self._serialize(store)

    def _set_language(self, store, code: str) -> None:
        root = store.document.getroot()
        if self._v2:
            root.set("trgLang", code)
        for file in root.iter(self._q("file")):
            if not self._v2 and not file.get("target-language"):
                file.set("target-language", code)

    def _note(self, owner, text: str) -> None:
        """Add a note (once) where the version puts notes."""
        if any(n.text == text for n in owner.iter(self._q("note"))):
            return
        note = etree.Element(self._q("note"))
        note.text = text
        if self._v2:
            note.set("category", MT)
            notes = owner.find(self._q("notes"))
            if notes is None:
                notes = etree.Element(self._q("notes"))
                place(owner, notes, next((c for c in owner if _local(c.tag) in
                                          ("originalData", "segment", "ignorable")), None))
            place(notes, note)
        else:
            note.set("from", MT)
            place(owner, note, next((c for c in owner if _local(c.tag) == "alt-trans"), None))

    def _serialize(self, store) -> bytes:
        """The document as bytes, keeping the original XML declaration and layout."""
        head = re.match(rb"(?:\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>\s*)?", self._data).group()
        encoding = store.document.docinfo.encoding or "UTF-8"
        body = etree.tostring(store.document, encoding=encoding, xml_declaration=False)
        tail = self._data[len(self._data.rstrip()):]
        return head + body.strip() + tail

