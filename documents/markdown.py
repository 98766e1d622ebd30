"""Markdown (.md): headings, paragraphs, list items, blockquotes, table cells and footnotes
are segments, their markers (``#``, ``- [ ]``, ``1.``, ``>``, ``|``) kept; front matter, fenced
and indented code blocks, HTML blocks, link reference definitions and thematic breaks are kept
byte for byte.

A segment keeps its inline Markdown (``**bold**``, ``[text](…)``, code spans) because that is
the text; the writer puts back the source's code spans, link and image targets, autolinks, bare
URLs and inline HTML tags, in order, whatever the translation did to them. A paragraph's soft
line breaks are spaces in the segment; a paragraph that spanned several lines is filled again
to its longest line's width (with its indentation and ``>`` prefixes), one that was one line
stays one line; hard breaks (two trailing spaces or ``\\``) stay line breaks."""
from __future__ import annotations

import re

from documents.base import Segment, Slot, TextDocument, edges
from documents.markdown_inline import (escape_start, fill, one_line, restore, row_cells, translatable,
                                       unescape_start)

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^( {0,3}#{1,6}[ \t]+)(.*?)((?:[ \t]+#+)?[ \t]*)$")
_THEMATIC = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_ITEM = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)(?=\S)")
_FOOTNOTE = re.compile(r"^( {0,3}\[\^[^\]]+\]:[ \t]*)(?=\S)")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]^][^\]]*\]:\s*\S")
_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_HTML = re.compile(r"^ {0,3}<(?:!--|/?(?:address|article|aside|blockquote|center|details|dialog|div|"
                   r"dl|dt|dd|fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|iframe|li|"
                   r"main|nav|ol|p|picture|pre|script|section|style|summary|table|tbody|td|tfoot|"
                   r"th|thead|tr|ul|video|audio)(?=[\s/>]|$))", re.I)
_HARD_BREAK = re.compile(r"( {2,}|\\)$")


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _interrupts(content: str) -> bool:
    """Whether a line ends the paragraph before it (it starts a block of its own)."""
    return bool(_ATX.match(content) or _FENCE.match(content) and _indent(content) < 4
                or _QUOTE.match(content) or _ITEM.match(content) or _THEMATIC.match(content)
                or _HTML.match(content) or _FOOTNOTE.match(content))


class _Builder:
    """Literal lines and slots in order; ``parts`` joins back to the text."""

    def __init__(self):
        self.parts: list = []
        self.count = 0

    def line(self, prefix: str, content: str) -> None:
        self.parts += [prefix + content, "\n"]

    def slot(self, lines: list[tuple[str, str]], lead_len: int, kind: str, tail_len: int = 0,
             one: bool = False) -> None:
        """A segment over ``lines`` (prefix, content): its text starts ``lead_len`` characters into
        the first content and ends ``tail_len`` before the last one's end; ``one``: always written
        on one line (headings)."""
        first_prefix, first = lines[0]
        lead = first_prefix + first[:lead_len]
        raw = first[lead_len:] + "".join("\n" + p + c for p, c in lines[1:])
        raw, tail = raw[:len(raw) - tail_len], raw[len(raw) - tail_len:]
        pad, core, trail = edges(raw)
        contents = [first[lead_len:]] + [c for _, c in lines[1:]]
        contents[-1] = contents[-1][:len(contents[-1]) - tail_len]
        breaks = [m.group(1) for c in contents[:-1] if (m := _HARD_BREAK.search(c))]
        text = "".join(c.strip() + ("\n" if _HARD_BREAK.search(c) else " ")
                       for c in contents[:-1]) + contents[-1].strip()
        text = re.sub(r"\\\n", "\n", text).strip()
        text = text if one else "\n".join(unescape_start(piece) for piece in text.split("\n"))
        if not translatable(text):
            self.parts += [lead + raw + tail, "\n"]
            return
        self.count += 1
        width = max(len(p + c.rstrip()) for p, c in lines)
        cont = lines[1][0] + lines[1][1][:len(lines[1][1]) - len(lines[1][1].lstrip())] \
            if len(lines) > 1 else ""
        marker = breaks[0] if breaks else "  "
        first_room = width - len(lead + pad)

        def render(translation: str) -> str:
            translation = restore(core, translation)
            if one:
                return one_line(translation)
            if len(lines) == 1:
                return escape_start(one_line(translation))
            pieces = translation.split("\n") if breaks else [one_line(translation)]
            filled = [fill(escape_start(one_line(piece)), width - len(cont), first_room if i == 0 else
                           width - len(cont), cont) for i, piece in enumerate(pieces) if piece.strip()]
            return (marker + "\n" + cont).join(filled)
        self.parts += [lead + pad, Slot(Segment(str(self.count), text, kind), core, render),
                       trail + tail, "\n"]

    def table_row(self, prefix: str, line: str) -> None:
        at = 0
        for start, end in row_cells(line):
            pad, core, trail = edges(line[start:end])
            self.parts.append(prefix + line[at:start] + pad if at == 0 else line[at:start] + pad)
            if translatable(core):
                self.count += 1
                self.parts.append(Slot(Segment(str(self.count), core, "cell"), core,
                                       lambda t, core=core: restore(core, re.sub(
                                           r"(?<!\\)\|", r"\\|", one_line(t)))))
            else:
                self.parts.append(core)
            self.parts.append(trail)
            at = end
        self.parts += [line[at:], "\n"]


def _blocks(out: _Builder, items: list[tuple[str, str]]) -> None:
    """Parse ``items`` (container prefix, content) into ``out``."""
    i, after_blank, list_indent = 0, True, None
    while i < len(items):
        prefix, content = items[i]
        indent = _indent(content)
        if not content.strip():
            out.line(prefix, content)
            i, after_blank = i + 1, True
            continue
        if list_indent is not None and after_blank and indent < list_indent and not _ITEM.match(content):
            list_indent = None
        base = list_indent if list_indent is not None and indent >= list_indent else 0
        start = i
        fence = _FENCE.match(content)
        if fence and (indent - base < 4) and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            mark = fence.group(2)
            i += 1
            while i < len(items) and not re.match(
                    rf"^\s*{re.escape(mark[0])}{{{len(mark)},}}\s*$", items[i][1]):
                i += 1
            i = min(i + 1, len(items))
        elif after_blank and indent - base >= 4:
            while i < len(items) and (not items[i][1].strip() or _indent(items[i][1]) - base >= 4):
                i += 1
            while i > start + 1 and not items[i - 1][1].strip():
                i -= 1
        elif _HTML.match(content):
            raw_tag = re.match(r"^ {0,3}<(pre|script|style|textarea)\b", content, re.I)
            end = "-->" if content.lstrip().startswith("<!--") else (
                f"</{raw_tag.group(1).lower()}" if raw_tag else None)
            if end:
                while i < len(items) and end not in items[i][1].lower():
                    i += 1
                i = min(i + 1, len(items))
            else:
                while i < len(items) and items[i][1].strip():
                    i += 1
        elif _THEMATIC.match(content) or _LINK_DEF.match(content):
            i += 1
        elif (heading := _ATX.match(content)) is not None:
            out.slot([items[i]], len(heading.group(1)), "heading", len(heading.group(3)), one=True)
            i, after_blank = i + 1, False
            continue
        elif _QUOTE.match(content):
            while i < len(items) and _QUOTE.match(items[i][1]):
                i += 1
            inner = []
            for p, c in items[start:i]:
                mark = _QUOTE.match(c).group()
                inner.append((p + mark, c[len(mark):]))
            _blocks(out, inner)
            after_blank = False
            continue
        elif ("|" in content and i + 1 < len(items) and "|" in items[i + 1][1]
              and _DELIMITER.match(items[i + 1][1])):
            out.table_row(prefix, content)
            out.line(*items[i + 1])
            i += 2
            while i < len(items) and "|" in items[i][1] and items[i][1].strip():
                out.table_row(*items[i])
                i += 1
            after_blank = False
            continue
        else:
            item = _ITEM.match(content) or _FOOTNOTE.match(content)
            is_item = bool(_ITEM.match(content))
            if is_item:
                list_indent = len(item.group(1).expandtabs(4))
            i += 1
            while (i < len(items) and items[i][1].strip() and not _interrupts(items[i][1])
                   and not (not item and _SETEXT.match(items[i][1]))):
                i += 1
            setext = not item and i < len(items) and bool(_SETEXT.match(items[i][1]))
            kind = ("list-item" if is_item else "footnote" if item else "heading" if setext
                    else "quote" if prefix else "paragraph")
            out.slot(items[start:i], len(item.group(1)) if item else 0, kind)
            if setext:
                out.line(*items[i])
                i += 1
            after_blank = False
            continue
        for prefix, content in items[start:i]:
            out.line(prefix, content)
        after_blank = False


class MarkdownDocument(TextDocument):
    """A Markdown file, block by block."""

    description = "Markdown"

    def _parse(self, text: str) -> list:
        lines = text.split("\n")
        out = _Builder()
        start = 0
        if lines[0].rstrip() in ("---", "+++"):
            close = ("---", "...") if lines[0].rstrip() == "---" else ("+++",)
            end = next((n for n in range(1, len(lines)) if lines[n].rstrip() in close), None)
            if end is not None:
                for line in lines[:end + 1]:
                    out.line("", line)
                start = end + 1
        _blocks(out, [("", line) for line in lines[start:]])
        out.parts.pop()
        return out.parts
