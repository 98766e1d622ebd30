"""The runaway guard: where a completion starts repeating a span it already emitted, or grows
past its length limit relative to the source (``GenParams.max_chars``).

Small models (and big ones on odd input) fall into loops: "ein Blick, ein Blick, ein Blick, …"
until the token limit, or talk about the text instead of translating it. ``repeat_start`` finds
the point where a loop begins, so an engine can end generation there and keep the text before
it; ``runaway`` says whether a growing completion should end, ``mark_cut`` cuts the final text
and records why. Pure Python, shared by the streaming and batched paths of every engine.

Text is read as units: words (letters/digits), and each Han, kana or Thai character on its
own, since those scripts do not separate words with spaces. Punctuation and case are ignored.
A loop is either

* a span of ``u`` units repeated back to back: ``u = 1`` eight times in a row, ``u`` of 2–4
  three times, ``u >= 5`` twice ("very, very, very good" and "nein, nein, nein" stay); or
* a span of ``LONG_SPAN`` units or more that already appeared earlier (a sentence said again).
"""
from __future__ import annotations

import re

from models.params import GenParams, Generation

CUT_NOTE = "cut: the output started repeating"
LENGTH_NOTE = "cut: the output grew much longer than the source"
NOTES = {"repeating": CUT_NOTE, "too long": LENGTH_NOTE}
_WIDE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
LONG_SPAN = 16     # units: a span this long said twice is a loop, even with text between
MAX_UNIT = 40      # longest back-to-back unit looked for

_UNIT = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")


def _min_repeats(unit: int) -> int:
    return 8 if unit == 1 else 3 if unit < 5 else 2


def repeat_start(text: str, final: bool = True) -> int:
    """Index in ``text`` where repetition of an already emitted span begins, or -1.

    The text before that index keeps the first occurrence. ``final=False`` (text still
    growing) leaves out a last word that may be unfinished.
    """
    matches = list(_UNIT.finditer(text))
    if not final and matches and matches[-1].end() == len(text) and len(matches[-1].group()) > 1:
        matches.pop()
    words = [m.group().casefold() for m in matches]
    n = len(words)
    best = -1
    for unit in range(1, min(MAX_UNIT, n // 2) + 1):
        reps = _min_repeats(unit)
        if unit * reps > n:
            continue
        tail = words[n - unit:]
        count = 1
        while count * unit + unit <= n and words[n - (count + 1) * unit: n - count * unit] == tail:
            count += 1
        if count >= reps:
            cut = n - (count - 1) * unit  # keep the first occurrence of the repeated unit
            best = cut if best < 0 else min(best, cut)
    if n >= 2 * LONG_SPAN:
        tail = words[n - LONG_SPAN:]
        for i in range(0, n - 2 * LONG_SPAN + 1):
            if words[i:i + LONG_SPAN] == tail:
                cut = n - LONG_SPAN
                best = cut if best < 0 else min(best, cut)
                break
    if best < 0:
        return -1
    return _cut_index(text, matches, best)


def _cut_index(text: str, matches, first_repeat: int) -> int:
    """Character index to cut at: the end of the unit before the repetition (spaces and the
    punctuation that closed it kept, e.g. "ein Blick," of "ein Blick, ein Blick, …")."""
    if first_repeat <= 0:
        return 0
    end = matches[first_repeat - 1].end()
    start_next = matches[first_repeat].start()
    between = text[end:start_next]
    return end + len(between.rstrip())


def cut_repeats(text: str) -> tuple[str, bool]:
    """(``text`` up to where a loop starts, whether it was cut)."""
    at = repeat_start(text)
    return (text, False) if at < 0 else (text[:at], True)


def text_size(text: str) -> int:
    """Length for the source-relative limit: characters, a Han/kana/Hangul one counting 3
    (about a word-piece each, so one factor fits zh→en and en→zh alike)."""
    return len(text.strip()) + 2 * len(_WIDE.findall(text))


def looping(text: str) -> bool:
    """Whether a growing completion has started a loop."""
    return repeat_start(text, final=False) >= 0


def runaway(text: str, params: GenParams) -> bool:
    """Whether a growing completion should end: past ``params.max_chars``, or (with
    ``repeat_guard``) a loop has started."""
    if params.max_chars is not None and text_size(text) > params.max_chars:
        return True
    return params.repeat_guard and looping(text)


def _cut_to_size(text: str, limit: int) -> str:
    """The longest prefix within ``limit`` (see ``text_size``), ended at a word boundary."""
    lo, hi = 0, len(text)
    while lo < hi:  # text_size grows with the prefix
        mid = (lo + hi + 1) // 2
        if text_size(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    head = text[:lo]
    words = head.lstrip()  # a space before the first word is no word boundary (CJK: none at all)
    if lo < len(text) and text[lo].isalnum() and " " in words:
        head = head[:len(head) - len(words) + words.rindex(" ")]
    return head.rstrip()


def mark_cut(gen: Generation, params: GenParams) -> Generation:
    """``gen`` with its text cut where a loop starts (``params.repeat_guard``) and to
    ``params.max_chars``; ``extra["cut"]`` ("repeating" or "too long") says why."""
    if gen.status == "error":
        return gen
    if params.repeat_guard:
        gen.text, cut = cut_repeats(gen.text)
        if cut:
            gen.extra["cut"] = "repeating"
    if params.max_chars is not None and text_size(gen.text) > params.max_chars:
        gen.text = _cut_to_size(gen.text, params.max_chars)
        gen.extra["cut"] = "too long"
    return gen
