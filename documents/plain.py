"""Plain text (.txt): each paragraph (lines between blank lines) is one segment.

A hard-wrapped paragraph (prose broken at a fixed width, every break where the next word would
not have fitted) is sent as one line and its translation wrapped again to the paragraph's width
and indentation; any other paragraph (an address, a verse, a list) keeps its line breaks in the
segment text, and its translation's lines are written with the paragraph's indentation. Blank
lines, indentation and the file's encoding and line ends are kept."""
from __future__ import annotations

import re
from itertools import groupby

from documents.base import Segment, Slot, TextDocument, edges, has_letters, wrap

_LIST_START = re.compile(r"\s*(?:[-*•+]|\d{1,3}[.)]|[a-zA-Z][.)])\s")
MIN_WRAP_WIDTH = 40  # narrower paragraphs are never taken for wrapped prose


def hard_wrapped(lines: list[str]) -> bool:
    """Whether ``lines`` (two or more) look like prose wrapped at a fixed width."""
    if len(lines) < 2:
        return False
    width = max(len(line.rstrip()) for line in lines)
    if width < MIN_WRAP_WIDTH:
        return False
    for line, following in zip(lines, lines[1:]):
        words = following.split()
        if not words or _LIST_START.match(following):
            return False
        if len(line.rstrip()) + 1 + len(words[0]) <= width:
            return False
    return True


def paragraph_slot(key: str, lines: list[str], kind: str = "paragraph") -> tuple[str, Slot, str]:
    """(text before, the slot, text after) for one paragraph of non-blank ``lines``."""
    raw = "\n".join(lines)
    lead, core, trail = edges(raw)
    cont = lines[1][:len(lines[1]) - len(lines[1].lstrip())] if len(lines) > 1 else lead
    if hard_wrapped(lines):
        width = max(len(line.rstrip()) for line in lines)
        text = " ".join(line.strip() for line in lines)

        def render(translation: str) -> str:
            out = wrap(translation, width - len(cont), first=width - len(lead))
            return ("\n" + cont).join(out)
    else:
        text = "\n".join(line.strip() for line in lines)

        def render(translation: str) -> str:
            parts = [line.strip() for line in translation.split("\n") if line.strip()]
            return ("\n" + cont).join(parts)
    return lead, Slot(Segment(key, text, kind), core, render), trail


class PlainText(TextDocument):
    """A .txt file, paragraph by paragraph."""

    description = "plain text"

    def _parse(self, text: str) -> list:
        parts: list = []
        count = 0
        for filled, group in groupby(text.split("\n"), key=lambda line: bool(line.strip())):
            lines = list(group)
            if filled and has_letters("".join(lines)):
                count += 1
                parts.extend(paragraph_slot(str(count), lines))
            else:
                parts.append("\n".join(lines))
            parts.append("\n")
        parts.pop()
        return parts
