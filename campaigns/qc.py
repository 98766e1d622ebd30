"""Quality-control candidates, as Appraise builds its "bad references": a real output with one
phrase replaced by a phrase of the same length (in words) taken from another segment."""
from __future__ import annotations

import random


def phrase_length(words: int) -> int:
    """How many words to swap: about a third of the sentence, at least one, at most four."""
    return max(1, min(4, round(words / 3)))


def degrade(text: str, others: list[str], rng: random.Random) -> str | None:
    """``text`` with one phrase swapped for a same-length phrase of another segment; None when
    no other segment offers a different phrase of that length."""
    words = text.split()
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
        phrase = donor[take:take + n]
        if phrase == words[at:at + n]:
            continue
        return " ".join(words[:at] + phrase + words[at + n:])
    return None
