"""Language detection measured on held-out data (tests/data/langid/README.md): everyday
sentences and one- to five-word inputs in X-ALMA's 50 languages, written once, blind, on
2026-11-30 by someone who never saw the detector or its word lists.

The rules were never changed because of these files. The floors are the FIRST measurement,
taken after the rules were tuned on tuning_sentences.jsonl and tuning_short.jsonl:

    heldout_sentences.jsonl   284/300 (94.7%)   with X-ALMA's candidates 288/300 (96.0%)
    heldout_short.jsonl       265/300 (88.3%)   with X-ALMA's candidates 269/300 (89.7%)

Never lower a floor, never edit the files, never tune a rule on what fails here; a change that
drops under a floor is a regression. `python -m bench.langid_accuracy --set heldout-short`
(or heldout-sentences) prints the per-language table and the confusions.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from prompts import XALMA_LANGUAGES, detect_language

DATA = Path(__file__).parents[1] / "data" / "langid"

# name -> (sha256 of the file as written, floor without candidates, floor with X-ALMA's)
HELDOUT = {
    "heldout_sentences.jsonl": ("fe262f19f208a8cd34752500842c856e944c0ecd9134e3e85b2273ce86d613bb", 284, 288),
    "heldout_short.jsonl": ("d8ffcf923a63a50faec222377da57fe0e169ac63bc145cac63f013dcf5828a73", 265, 269),
}


def rows(name: str) -> list[tuple[str, str]]:
    with open(DATA / name, encoding="utf-8") as fh:
        return [(row["lang"], row["text"]) for row in map(json.loads, filter(str.strip, fh))]


@pytest.mark.parametrize("name", sorted(HELDOUT))
def test_heldout_file_is_unchanged(name):
    """Written once: an edit (say, after a failure) shows here."""
    assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == HELDOUT[name][0]


@pytest.mark.parametrize("name", sorted(HELDOUT))
def test_heldout_covers_xalma_evenly(name):
    counts = Counter(lang for lang, _ in rows(name))
    assert set(counts) == set(XALMA_LANGUAGES) and len(counts) == 50
    assert set(counts.values()) == {6}


@pytest.mark.parametrize("name", sorted(HELDOUT))
def test_heldout_accuracy_floor(name):
    _, floor, _ = HELDOUT[name]
    items = rows(name)
    detected = [(lang, detect_language(text).lang) for lang, text in items]
    misses = Counter((lang, got) for lang, got in detected if got != lang)
    right = len(items) - sum(misses.values())
    assert right >= floor, f"{right}/{len(items)} under the first measurement {floor}: {dict(misses)}"


@pytest.mark.parametrize("name", sorted(HELDOUT))
def test_heldout_accuracy_floor_with_xalma_candidates(name):
    _, _, floor = HELDOUT[name]
    items = rows(name)
    right = sum(detect_language(text, XALMA_LANGUAGES).lang == lang for lang, text in items)
    assert right >= floor, f"{right}/{len(items)} under the first measurement {floor}"
