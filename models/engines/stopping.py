"""Stop strings in text: where the first one starts, and how much of a text's end could still
begin one (held back while streaming). Pure Python, shared by every engine."""
from __future__ import annotations


def find_stop(text: str, stops) -> int:
    """Index of the earliest stop string in ``text``, or -1."""
    hits = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(hits) if hits else -1


def cut_at_stop(text: str, stops) -> str:
    """``text`` up to (not including) the first stop string."""
    i = find_stop(text, stops)
    return text if i < 0 else text[:i]


def held_back(text: str, stops) -> int:
    """How many trailing characters of ``text`` could begin a stop string (or an unfinished
    multi-byte character): those wait for the next token before being shown."""
    n = 0
    for s in stops:
        for k in range(min(len(s) - 1, len(text)), n, -1):
            if text.endswith(s[:k]):
                n = k
                break
    tail = len(text) - len(text.rstrip("\ufffd"))
    return max(n, tail)
