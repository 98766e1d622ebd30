"""`format=html`: the markup is kept byte for byte and each text node with a letter in it is
translated (text inside <script>, <style>, <code> and <pre>, HTML comments, and nodes of only
numbers, punctuation or symbols are left alone)."""
from __future__ import annotations

import html
import re
import unicodedata
from typing import Callable

_ATTRS = r"""(?:"[^"]*"|'[^']*'|[^'">])*"""
# Whole raw elements (kept as they are), comments, and tags (quoted attributes may hold '>').
_MARKUP = re.compile(r"<(script|style|code|pre|textarea)\b" + _ATTRS + r">.*?</\1\s*>"
                     r"|<!--.*?-->|<!?/?[A-Za-z]" + _ATTRS + ">", re.S | re.I)


def text_nodes(markup: str) -> list[tuple[bool, str]]:
    """(translatable, piece) in document order; joining the pieces gives `markup` back."""
    out: list[tuple[bool, str]] = []
    at = 0
    for match in _MARKUP.finditer(markup):
        if match.start() > at:
            text = markup[at:match.start()]
            out.append((has_letters(html.unescape(text)), text))
        out.append((False, match.group(0)))
        at = match.end()
    if at < len(markup):
        out.append((has_letters(html.unescape(markup[at:])), markup[at:]))
    return out


def has_letters(text: str) -> bool:
    """Whether `text` holds a letter of any script (a Unicode category L* character). Text
    without one (numbers, punctuation, symbols, emoji, whitespace) is not translatable: it is
    kept as it is and never sent to the model."""
    return any(unicodedata.category(ch)[0] == "L" for ch in text)


def translate_html(markup: str, translate: Callable[[str], str]) -> str:
    """`markup` with every translatable text node replaced by its translation (the node's
    leading and trailing whitespace kept; entities decoded for the model, escaped again)."""
    parts = []
    for translatable, piece in text_nodes(markup):
        if not translatable:
            parts.append(piece)
            continue
        lead = piece[:len(piece) - len(piece.lstrip())]
        trail = piece[len(piece.rstrip()):]
        done = translate(html.unescape(piece.strip()))
        parts.append(lead + html.escape(done, quote=False) + trail)
    return "".join(parts)


def node_texts(markup: str) -> list[str]:
    """The texts `translate_html` would translate (for the size limits)."""
    return [html.unescape(p.strip()) for t, p in text_nodes(markup) if t]
