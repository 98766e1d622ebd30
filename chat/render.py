"""Stored conversations → the message list shown by the chat view. Knows no Gradio.

User and model text is shown as text: HTML and Markdown characters are escaped, so a
`<script>` or a `javascript:` link in input or output renders inert.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from prompts import language_name

# Escaped anywhere: what makes emphasis, code, links, tables and strike-through. Parentheses,
# "!", "#", "-" and "+" only mean something at a line's start (or after "["), so they are
# escaped there only: a correction opened for editing shows the text nearly as it is.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#+=-]|\d+(?=[.)]))", re.M)
_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+!|~>=.-])")
HEADER_SEP = "\n\n"
HEADER_MARK = "↳ "
MISSED_MARK = "⚑ term missed: "  # a line under a reply per glossary term it missed
_MISSED_TAIL = re.compile(r"(?:\n\n" + MISSED_MARK + r"[^\n]*)+\s*\Z")


def as_text(text: str) -> str:
    """Escape text so that Markdown and HTML show it literally."""
    inline = _MD_INLINE.sub(r"\\\1", html.escape(text or "", quote=False))
    return _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit()
                                                      else "\\" + m.group(2)), inline)


def from_text(shown: str) -> str:
    """Undo `as_text` (for text the user edited in the chat view)."""
    return html.unescape(_MD_ESCAPED.sub(r"\1", shown or ""))


name = language_name  # the page's headers name languages as messages do


def header_line(src, tgt, *, detected=None, confidence=None, mode="translate", hint=None,
                pivot=False, alt=None, status="complete") -> str:
    """E.g. 'German → English · detected 98% · 2/3'."""
    parts = ["Chat" if mode == "chat" else f"{name(src)} → {name(tgt)}"]
    if detected and mode != "chat":
        parts.append(f"detected {round(100 * (confidence or 0))}%" if detected == src
                     else f"source corrected (detected {name(detected)})")
    if pivot:
        parts.append("via English")
    if hint:
        parts.append(f"hint: {' '.join(hint.split())}")  # one line: the header is one line
    if alt:
        parts.append(f"alternative {alt[0]}/{alt[1]}")
    if status == "stopped":
        parts.append("stopped")
    elif status == "streaming":  # still being written (rows left over by a crash are "stopped")
        parts.append("translating…" if mode != "chat" else "writing…")
    return " · ".join(parts)


def reply_markdown(header: str, text: str, status: str = "complete", error: str | None = None) -> str:
    """A reply as shown: a small direction line, then the translation as plain text."""
    body = as_text(text)
    if status == "error":
        body = (body + "\n\n" if body else "") + f"⚠️ {as_text(error or 'the model failed')}"
    elif not text and status == "streaming":
        body = "…"
    return f"{HEADER_MARK}*{as_text(header)}*{HEADER_SEP}{body}"


def missed_lines(params: dict | None) -> str:
    """``⚑ term missed: **Dach** → **roof**``, one line per glossary term the reply missed (from
    its stored check, ``params["glossary"]["missed"]``), each after a blank line; "" for none."""
    record = (params or {}).get("glossary")
    missed = record.get("missed") if isinstance(record, dict) else None
    names = dict.fromkeys((m.get("source", ""), m.get("target", "")) for m in missed or [])
    return "".join(f"{HEADER_SEP}{MISSED_MARK}**{as_text(src)}** → **{as_text(tgt)}**" for src, tgt in names)


def strip_header(shown: str) -> str:
    """The translation text of a reply as shown (header and missed-term lines removed, escapes
    undone)."""
    if shown.startswith(HEADER_MARK) and HEADER_SEP in shown:
        shown = shown.split(HEADER_SEP, 1)[1]
    return from_text(_MISSED_TAIL.sub("", shown))


@dataclass
class Turn:
    """A user message and its alternatives (regenerations, corrections)."""

    user: object
    alternatives: list = field(default_factory=list)


def group_turns(messages) -> list[Turn]:
    """Messages in creation order → turns (alternatives share the user message)."""
    turns: dict[int, Turn] = {}
    order: list[Turn] = []
    for msg in messages:
        if msg.role == "user":
            turns[msg.id] = Turn(msg)
            order.append(turns[msg.id])
        elif msg.parent_id in turns:
            turns[msg.parent_id].alternatives.append(msg)
    return order


def selected_alternative(turn: Turn, selected: dict) -> object | None:
    """The alternative the user is looking at (the newest unless they browsed)."""
    if not turn.alternatives:
        return None
    wanted = selected.get(str(turn.user.id))
    for msg in turn.alternatives:
        if msg.id == wanted:
            return msg
    return turn.alternatives[-1]


def chat_messages(turns: list[Turn], selected: dict) -> tuple[list[dict], list[int]]:
    """Chat view messages and, index by index, the stored message id behind each."""
    shown, ids = [], []
    for turn in turns:
        shown.append({"role": "user", "content": as_text(turn.user.content)})
        ids.append(turn.user.id)
        reply = selected_alternative(turn, selected)
        if reply is None:
            continue
        params = reply.params or {}
        position = (turn.alternatives.index(reply) + 1, len(turn.alternatives))
        header = header_line(
            reply.src, reply.tgt, detected=turn.user.detected_lang,
            confidence=turn.user.detected_confidence, mode=params.get("mode", "translate"),
            hint=params.get("hint"), pivot=bool(params.get("pivot")),
            alt=position if position[1] > 1 else None, status=reply.status)
        if reply.model_id == "human":
            header += " · your correction"
        shown.append({"role": "assistant", "content": reply_markdown(header, reply.content, reply.status, reply.error)
                      + missed_lines(params)})
        ids.append(reply.id)
    return shown, ids
