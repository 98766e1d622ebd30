"""Markdown inside a line: the spans a translation must not change (code spans, link and image
targets, autolinks, bare URLs, inline HTML tags, footnote and reference labels), putting the
source's spans back into a translation, filling a paragraph without breaking those spans or
starting a line with block syntax, and splitting a table row into cells."""
from __future__ import annotations

import re
from collections import defaultdict, deque

from documents.base import has_letters

# Left to right, the first alternative that matches wins; every group is named for its kind.
PROTECTED = re.compile(
    r"(?P<code>(`+)[^`](?:.*?[^`])?\2(?!`))"
    r"|(?P<auto><(?:[a-z][a-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>)"
    r"|(?P<dest>\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\))"
    r"|(?P<ref>\]\[[^\]]*\])"
    r"|(?P<foot>\[\^[^\]\s]+\])"
    r"|(?P<tag></?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>)"
    r"|(?P<url>(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"])",
    re.I)
_KINDS = ("code", "auto", "dest", "ref", "foot", "tag", "url")
# A token for filling: a run of non-spaces, where a protected span counts as one piece.
_TOKEN = re.compile(r"(?:" + PROTECTED.pattern + r"|\S)+", re.I)
# What a wrapped line must not start with (it would become a list item, heading, quote, …).
_BLOCK_START = re.compile(r"(?:[-+*]|#{1,6}|\d{1,9}[.)]|>.*|=+|-+|\|.*|[`~]{3}.*)$")


def _kind(match: re.Match) -> str:
    return next(kind for kind in _KINDS if match.group(kind) is not None)


def translatable(text: str) -> bool:
    """Whether ``text`` has a letter outside its protected spans."""
    return has_letters(PROTECTED.sub(" ", text))


def restore(source: str, translation: str) -> str:
    """``translation`` with each protected span replaced by the source's span of the same kind
    and rank (the first code span by the first, …), whatever the translator made of it."""
    spans: dict[str, deque] = defaultdict(deque)
    for match in PROTECTED.finditer(source):
        spans[_kind(match)].append(match.group())
    if not spans:
        return translation

    def put_back(match: re.Match) -> str:
        queue = spans.get(_kind(match))
        return queue.popleft() if queue else match.group()
    return PROTECTED.sub(put_back, translation)


def fill(text: str, width: int, first: int, indent: str) -> str:
    """``text`` filled to ``width`` (``first`` for the first line) with ``indent`` before each
    further line; protected spans are never broken and no line starts with block syntax."""
    lines: list[list[str]] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        room = first if len(lines) == 1 else width
        if lines and (len(" ".join(lines[-1])) + 1 + len(token) <= room or _BLOCK_START.match(token)):
            lines[-1].append(token)
        else:
            lines.append([token])
    return ("\n" + indent).join(" ".join(line) for line in lines)


_MARKER = re.compile(r"(?:[-+*]|#{1,6}|[`~]{3,}|=+)(?=\s|$)|>")
_NUMBERED = re.compile(r"(\d{1,9})([.)])(?=\s|$)")


def escape_start(line: str) -> str:
    """``line`` with a backslash before what would make it a block of its own at the start of a
    line (``- ``, ``1. ``, ``# ``, ``>``, a fence): a translation starting "3. Oktober" stays text."""
    numbered = _NUMBERED.match(line)
    if numbered:
        return numbered.group(1) + "\\" + line[len(numbered.group(1)):]
    return "\\" + line if _MARKER.match(line) else line


def unescape_start(text: str) -> str:
    """The segment text of a block whose start was escaped by `escape_start`."""
    numbered = re.match(r"(\d{1,9})\\([.)])(?=\s|$)", text)
    if numbered:
        return numbered.group(1) + text[len(numbered.group(1)) + 1:]
    return text[1:] if text.startswith("\\") and _MARKER.match(text[1:]) else text


def one_line(text: str) -> str:
    """``text`` on one line: line breaks (and the space around them) become one space."""
    return re.sub(r"\s*\n\s*", " ", text)


def row_cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's content in a table row; ``\\|`` and pipes inside code spans
    do not split cells."""
    pipes: list[int] = []
    i, ticks = 0, 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            i += 2
            continue
        if char == "`":
            run = len(line[i:]) - len(line[i:].lstrip("`"))
            ticks = 0 if ticks == run else (run if not ticks else ticks)
            i += run
            continue
        if char == "|" and not ticks:
            pipes.append(i)
        i += 1
    text = line.rstrip()
    lead = len(line) - len(line.lstrip())
    bounds = ([] if pipes and pipes[0] == lead else [-1]) + pipes
    if not (pipes and pipes[-1] == len(text) - 1):
        bounds.append(len(line))
    return [(a + 1, b) for a, b in zip(bounds, bounds[1:])]
