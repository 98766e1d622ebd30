"""HTML (.html, .htm): every text node with a letter in it is a segment; the markup is kept byte
for byte (tags, attributes, comments, the doctype, entities outside translated text).

Left alone: the contents of ``<script>``, ``<style>``, ``<code>``, ``<pre>`` and ``<textarea>``,
elements marked ``translate="no"`` or ``class="notranslate"``, comments and CDATA, and nodes with
no letter (numbers, punctuation, symbols, whitespace). A node's text is sent with its entities
decoded and its whitespace runs made single spaces; its translation is escaped again and keeps
the node's leading and trailing whitespace. Inline elements split a sentence into several
segments (``Click <b>here</b> now`` is three), so no tag is ever moved or lost. The encoding is
read as a browser would (BOM, ``<meta charset>`` via `bs4`, else UTF-8) and written back the
same; characters it cannot hold become character references. ``<html lang>`` is the source
language."""
from __future__ import annotations

import codecs
import html
import re

from documents.base import Document, DocumentError, Segment, Slot, has_letters, render_parts

_ATTRS = r"""(?:"[^"]*"|'[^']*'|[^'">])*"""
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<![A-Za-z]" + _ATTRS + ">"
                     r"|<\?.*?>|<(/?)([A-Za-z][A-Za-z0-9:-]*)(" + _ATTRS + ")>", re.S)
RAW = frozenset({"script", "style", "code", "pre", "textarea"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
_NO_TRANSLATE = re.compile(r"""\btranslate\s*=\s*["']?no\b|\bclass\s*=\s*["'][^"']*\bnotranslate\b""",
                           re.I)
_SPACE = r"(?:\s|&nbsp;|&#0*160;|&#x0*a0;)*"
_LEAD, _TRAIL = re.compile("^" + _SPACE, re.I), re.compile(_SPACE + "$", re.I)
_KINDS = {"title": "title", "p": "paragraph", "li": "list-item", "td": "cell", "th": "cell", "caption": "caption",
          "blockquote": "quote", "q": "quote", "figcaption": "caption", "button": "label",
          "label": "label", "option": "label", "a": "link", "dt": "term"}
_KINDS.update({f"h{n}": "heading" for n in range(1, 7)})


def _element_end(markup: str, name: str, at: int, nested: bool) -> int:
    """Where the element ``name`` opened before ``at`` ends (after its end tag); the end of the
    text when it is never closed. ``nested``: count inner elements of the same name."""
    depth = 1
    pattern = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])" + _ATTRS + ">", re.I)
    for match in pattern.finditer(markup, at):
        if match.group(1):
            depth -= 1
        elif nested and not match.group().endswith("/>"):
            depth += 1
        if depth == 0:
            return match.end()
    return len(markup)


def _text_slot(piece: str, key: str, kind: str, context: str) -> list:
    """The literal lead, the slot and the literal trail of one translatable text node."""
    lead = _LEAD.match(piece).group()
    trail = _TRAIL.search(piece, len(lead)).group()
    core = piece[len(lead):len(piece) - len(trail)]
    text = " ".join(html.unescape(core).split())
    slot = Slot(Segment(key, text, kind, context), core, lambda t: html.escape(t.strip(), quote=False))
    return [lead, slot, trail]


def html_parts(markup: str) -> list:
    """``markup`` as literal strings and `Slot`s (one per translatable text node)."""
    parts: list = []
    stack: list[str] = []
    at = count = 0

    def text(end: int) -> None:
        nonlocal count
        piece = markup[at:end]
        if not piece:
            return
        if not has_letters(html.unescape(piece)):
            parts.append(piece)
            return
        count += 1
        name = stack[-1] if stack else ""
        parts.extend(_text_slot(piece, str(count), _KINDS.get(name, "text"), name))

    while (match := _MARKUP.search(markup, at)) is not None:
        text(match.start())
        end = match.end()
        closing, name, attrs = match.group(1), (match.group(2) or "").lower(), match.group(3) or ""
        if name and not closing and not attrs.rstrip().endswith("/") and name not in VOID:
            if name in RAW or _NO_TRANSLATE.search(attrs):
                end = _element_end(markup, name, end, nested=name not in RAW)
            else:
                stack.append(name)
        elif name and closing and name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name):]
        parts.append(markup[match.start():end])
        at = end
    text(len(markup))
    return parts


def _decode(data: bytes) -> tuple[str, str, bytes]:
    """(markup, encoding, BOM) of an HTML file: a BOM, else the ``<meta charset>`` the page
    declares (`bs4`'s reading of it; Latin-1 and ASCII read as Windows-1252, as browsers do),
    else UTF-8, else Windows-1252."""
    from bs4.dammit import EncodingDetector

    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding, bom
            except UnicodeDecodeError:
                raise DocumentError(f"this is not valid {encoding.upper()} text") from None
    if b"\x00" in data:
        raise DocumentError("this is not an HTML page: it holds binary data")
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    try:
        declared = codecs.lookup(declared).name if declared else None
    except LookupError:
        declared = None
    if declared in ("latin-1", "iso8859-1", "ascii"):
        declared = "cp1252"
    for encoding in filter(None, (declared, "utf-8", "cp1252")):
        try:
            return data.decode(encoding), encoding, b""
        except UnicodeDecodeError:
            continue
    raise DocumentError("its text encoding could not be recognised; save it as UTF-8")


class HtmlDocument(Document):
    """An HTML page or fragment, text node by text node."""

    description = "HTML page"

    def _read(self, data: bytes) -> list[Segment]:
        self._markup, self._encoding, self._bom = _decode(data)
        if not re.search(r"<[A-Za-z!/]", self._markup):
            raise DocumentError("no HTML markup was found in it")
        lang = re.search(r"<html\b" + _ATTRS + r"""\blang\s*=\s*["']?([A-Za-z-]+)""", self._markup, re.I)
        self.source_lang = lang.group(1) if lang else None
        self._parts = html_parts(self._markup)
        return [part.segment for part in self._parts if isinstance(part, Slot)]

    def _write(self, chosen: dict[str, str], target_lang: str | None) -> bytes:
        text = render_parts(self._parts, chosen)
        return self._bom + text.encode(self._encoding, errors="xmlcharrefreplace")
