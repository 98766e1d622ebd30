"""Quality-control candidates, as Appraise builds its "bad references": a real output with one
phrase replaced by a phrase of the same length (in words) taken from another segment."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

_WORD = re.compile(r"\S+")


def phrase_length(words: int) -> int:
    """How many words to swap: about a third of the sentence, at least one, at most four."""
    return max(1, min(4, round(words / 3)))


@dataclass(frozen=True)
class Planted:
    text: str
    start: int   # the error: text[start:end] is the swapped phrase; start == end: a deleted word
    end: int
    kind: str    # "swap" or "delete"


def swap_phrase(text: str, others: list[str], rng: random.Random) -> Planted | None:
    """``text`` with one phrase swapped for a same-length phrase of another segment."""
    words = list(_WORD.finditer(text))
    if not words:
        return None
    n = phrase_length(len(words))
    donors = [o.split() for o in others if o and o.strip() != text.strip()]
    rng.shuffle(donors)
    for donor in donors:
        if len(donor) < n:
            continue
        at = rng.randrange(len(words) - n + 1)
        take = rng.randrange(len(donor) - n + 1)
        phrase = " ".join(donor[take:take + n])
        start, end = words[at].start(), words[at + n - 1].end()
        if phrase == " ".join(w.group() for w in words[at:at + n]):
            continue
        return Planted(text[:start] + phrase + text[end:], start, start + len(phrase), "swap")
    return None


def degrade(text: str, others: list[str], rng: random.Random) -> str | None:
    """``text`` with one phrase swapped for a same-length phrase of another segment; None when
    no other segment offers a different phrase of that length (the pairwise QC copy)."""
    planted = swap_phrase(text, others, rng)
    return planted.text if planted else None