"""Quality control of error-span campaigns: planted errors (Anthea's approach) and who found them.

A planted item is a real output with one injected error, kept where it is as character offsets
into the planted text: a phrase swapped for a same-length phrase of another segment (as the
pairwise QC, but everything outside the phrase kept byte for byte; offsets of the new phrase),
or a deleted content word (a word with four letters or more; ``start == end`` at the gap).

An annotator finds the error when a span of theirs touches it: overlaps the swapped phrase, or
touches a word next to the gap of a deleted word, where any missing-content marker counts too.
In contrastive mode an item also passes when the planted copy scores lower than its clean twin.
Per annotator: pass rate, a one-sided binomial p against a coin flip, and the pairwise report's
flag rule (`campaigns.agreement`); flagged annotators are left out of the statistics.
"""
from __future__ import annotations

import random
import re
import statistics
from collections import defaultdict

from campaigns.agreement import MAX_P, MIN_PASS, qc_verdict
from campaigns.qc import Planted, swap_phrase

_WORD = re.compile(r"\S+")


def delete_word(text: str, rng: random.Random) -> Planted | None:
    """``text`` without one content word (and the space before it); None without one."""
    words = list(_WORD.finditer(text))
    content = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w.group()) >= 4]
    if len(words) < 2 or not content:
        return None
    i = rng.choice(content)
    if i > 0:
        gap = words[i - 1].end()
        planted = text[:gap] + text[words[i].end():]
    else:
        gap = words[0].start()
        planted = text[:gap] + text[words[1].start():]
    return Planted(planted, gap, gap, "delete")


def plant_error(text: str, others: list[str], rng: random.Random) -> Planted | None:
    """A swapped phrase or a deleted content word (either first at random, else the other)."""
    makers = [lambda: swap_phrase(text, others, rng), lambda: delete_word(text, rng)]
    if rng.random() < 0.5:
        makers.reverse()
    for make in makers:
        planted = make()
        if planted is not None and planted.text != text:
            return planted
    return None


def error_region(text: str, start: int, end: int) -> tuple[int, int]:
    """The characters a span must touch to find the error: the phrase, or for a deleted word
    the words on both sides of the gap."""
    if start < end:
        return start, end
    left = start
    while left > 0 and text[left - 1].isspace():
        left -= 1
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    right = start
    while right < len(text) and text[right].isspace():
        right += 1
    while right < len(text) and not text[right].isspace():
        right += 1
    return left, right


def found(spans: list[dict], text: str, start: int, end: int) -> bool:
    """Whether ``spans`` touch the planted error ``start``–``end`` of ``text``."""
    left, right = error_region(text, start, end)
    for span in spans:
        if span["start"] == span["end"]:
            if start == end:
                return True  # missing content marked, for a deleted word
        elif span["start"] < right and span["end"] > left:
            return True
    return False


def qc_outcomes(marks) -> list[tuple[str, bool, int]]:
    """(annotator, passed, assignment id) per judged QC assignment (``marks``: `EsaInfo`s)."""
    by_assignment = defaultdict(list)
    for m in marks:
        if m.kind == "qc" and m.assignment_id is not None:
            by_assignment[m.assignment_id].append(m)
    out = []
    for assignment_id, group in by_assignment.items():
        planted = next((m for m in group if m.planted), None)
        if planted is None:
            continue  # the clean twin stored, the planted copy not yet
        clean = next((m for m in group if not m.planted), None)
        passed = found(planted.spans, planted.text, planted.qc_start, planted.qc_end) or (
            clean is not None and planted.score < clean.score)
        out.append((planted.annotator, passed, assignment_id))
    return out


def annotator_rows(marks, names: list[str], max_p: float = MAX_P,
                   min_pass: float = MIN_PASS) -> list[dict]:
    """Per annotator, as the pairwise report's rows: judgements (candidates scored), qc_items,
    qc_pass_rate, qc_p_value, median_seconds, flagged."""
    outcomes = defaultdict(list)
    for name, passed, _ in qc_outcomes(marks):
        outcomes[name].append(passed)
    mine = defaultdict(list)
    for m in marks:
        mine[m.annotator].append(m)
    rows = []
    for name in names:
        qc = outcomes.get(name, [])
        rate, p, flagged = qc_verdict(sum(qc), len(qc), max_p, min_pass)
        seconds = [m.seconds for m in mine.get(name, []) if m.seconds is not None]
        rows.append({"annotator": name, "judgements": len(mine.get(name, [])),
                     "qc_items": len(qc), "qc_pass_rate": rate, "qc_p_value": p,
                     "median_seconds": statistics.median(seconds) if seconds else None,
                     "flagged": flagged})
    return rows
