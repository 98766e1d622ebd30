"""Language detection on the short everyday sentences its rules were tuned on
(tests/data/langid/tuning_sentences.jsonl: every X-ALMA language plus a few Flores extras).
The held-out measure is tests/prompts/test_detect_heldout.py.
"""

import json
from collections import defaultdict
from pathlib import Path

import pytest

from prompts import detect_language

DATA = Path(__file__).parents[1] / "data" / "langid"


def read_items(name: str) -> list[tuple[str, str]]:
    """(language, text) rows of one JSONL file under tests/data/langid."""
    with open(DATA / name, encoding="utf-8") as fh:
        return [(row["lang"], row["text"]) for row in map(json.loads, fh) if row]


# Sentences the detector's rules were built and tuned on (its "training" data): a check that
# the rules still do what they were made for, not a measure of accuracy.
ITEMS = read_items("tuning_sentences.jsonl")


def test_covers_at_least_thirty_languages():
    assert len({lang for lang, _ in ITEMS}) >= 30


def test_accuracy_on_short_sentences():
    misses = defaultdict(list)
    for lang, sentence in ITEMS:
        got = detect_language(sentence).lang
        if got != lang:
            misses[lang].append((sentence, got))
    n_miss = sum(len(v) for v in misses.values())
    accuracy = 1 - n_miss / len(ITEMS)
    assert accuracy >= 0.95, dict(misses)
    assert all(len(v) <= 2 for v in misses.values()), dict(misses)


@pytest.mark.parametrize("lang,sentence", [(l, s) for l, s in ITEMS if l in ("el", "ka", "he", "th", "gu", "ko", "hy", "ta")])
def test_script_unique_languages_are_certain(lang, sentence):
    result = detect_language(sentence)
    assert result.lang == lang
    assert result.confidence >= 0.9
