"""Glossary terms in text: where a term occurs, the hint a free-text style gets, which target
terms a translation misses, and term accuracy (as the WMT terminology task scores it).

Matching is case-insensitive, on exact forms only (no lemmatisation: "Haus" does not match
"Häuser"); whitespace inside a multi-word term matches any run of whitespace. A term must not be
glued to a letter or digit of a script written with spaces ("Haus" is not found in "Rathaus");
where the term's first or last character is in a script written without spaces between words
(Chinese, Japanese, Hangul, Thai, Lao, Khmer, Burmese) that side needs no boundary, so "東京"
is found in "東京都" and "서울" in "서울에서". Longer terms win where matches overlap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

# Scripts written without spaces between words (Hangul too: Korean glues particles to words).
_NO_SPACE = ("\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f"
             "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
             "\uff66-\uff9f\U00020000-\U0003134f")
_NO_SPACE_CHAR = re.compile(f"[{_NO_SPACE}]")
_SPACED_WORD = f"[^\\W{_NO_SPACE}]"  # a letter, digit or _ of a script written with spaces
TERMS_PREFIX = "use: "
ARROW = " → "


@dataclass(frozen=True)
class Term:
    """One glossary entry: the source term, the target term the translation must use, a note."""

    source: str
    target: str
    note: str = ""


@dataclass(frozen=True)
class Glossary:
    """A named glossary for one language pair (``id``: where it is stored, if it is)."""

    name: str
    src: str
    tgt: str
    terms: tuple[Term, ...]
    id: int | None = None


@dataclass(frozen=True)
class TermMatch:
    """A term found in a text: the entry's source and target, and ``text[start:end]``."""

    source: str
    target: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "start": self.start, "end": self.end}

    @classmethod
    def of(cls, data: dict) -> "TermMatch":
        return cls(str(data["source"]), str(data["target"]), int(data["start"]), int(data["end"]))


def _edge(char: str) -> bool:
    """Whether a term edge needs a word boundary there: a word character of a spaced script."""
    return bool(re.match(r"\w", char)) and not _NO_SPACE_CHAR.match(char)


@lru_cache(maxsize=4096)
def term_pattern(phrase: str) -> re.Pattern | None:
    """The regular expression that finds ``phrase`` by the rule above; None for a blank one."""
    words = phrase.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    left = f"(?<!{_SPACED_WORD})" if _edge(words[0][0]) else ""
    right = f"(?!{_SPACED_WORD})" if _edge(words[-1][-1]) else ""
    return re.compile(left + body + right, re.IGNORECASE)


def count_term(text: str, phrase: str) -> int:
    """How often ``phrase`` occurs in ``text`` (non-overlapping)."""
    pattern = term_pattern(phrase)
    return len(pattern.findall(text)) if pattern else 0


def find_terms(text: str, terms: Iterable[Term], offset: int = 0) -> list[TermMatch]:
    """The terms' source sides in ``text``, in text order; where matches overlap the longest
    (then the earliest) wins. Offsets are ``offset`` + positions in ``text``."""
    found = []
    for term in terms:
        pattern = term_pattern(term.source)
        if pattern is not None and term.target.strip():
            found += [(m.start(), -(m.end() - m.start()), m.end(), term) for m in pattern.finditer(text)]
    kept: list[TermMatch] = []
    taken: list[tuple[int, int]] = []
    for start, _, end, term in sorted(found, key=lambda f: (f[1], f[0])):
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            kept.append(TermMatch(term.source, term.target, start + offset, end + offset))
    return sorted(kept, key=lambda m: m.start)


def match_segments(text: str, segments: Sequence[str], terms: Sequence[Term]) -> list[list[TermMatch]]:
    """Each segment's matches, with offsets into ``text`` (segments are substrings of ``text``
    in order, as ``split_segments`` gives them)."""
    out, position = [], 0
    for segment in segments:
        start = text.find(segment, position)
        if start < 0:  # not a substring after all: offsets relative to the segment
            start = 0
        else:
            position = start + len(segment)
        out.append(find_terms(segment, terms, offset=start))
    return out


def terms_hint(matches: Iterable[TermMatch]) -> str | None:
    """'use: A → B; C → D' for the matched terms (each once, in text order); None for none."""
    pairs = list(dict.fromkeys((m.source, m.target) for m in matches))
    return TERMS_PREFIX + "; ".join(s + ARROW + t for s, t in pairs) if pairs else None


def hint_with_terms(hint: str | None, matches: Iterable[TermMatch]) -> str | None:
    """The user's free-text hint and the terms' hint as one line ('formal; use: A → B')."""
    parts = [p for p in ((hint or "").strip(), terms_hint(matches)) if p]
    return "; ".join(parts) or None


def missed_terms(matches: Sequence[TermMatch], translation: str) -> list[TermMatch]:
    """The matches whose target term the translation lacks: a target needed n times (by n
    source occurrences) and found k times misses its last n - k occurrences."""
    by_target: dict[str, list[TermMatch]] = {}
    for match in matches:
        by_target.setdefault(match.target.casefold(), []).append(match)
    missed = []
    for group in by_target.values():
        missed += group[count_term(translation, group[0].target):]
    return sorted(missed, key=lambda m: m.start)


def term_hits(source: str, hypothesis: str, terms: Sequence[Term]) -> tuple[int, int]:
    """(source-side term occurrences whose target term the hypothesis has, all occurrences)."""
    matches = find_terms(source, terms)
    return len(matches) - len(missed_terms(matches, hypothesis)), len(matches)
