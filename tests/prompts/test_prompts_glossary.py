"""Glossary matching (prompts/glossary.py): case-insensitive on word boundaries, multi-word
terms, exact forms only, the rule for scripts written without spaces, longest match first; the
hint text, missed terms and term hits."""
from __future__ import annotations

import pytest

from prompts.glossary import (Term, count_term, find_terms, hint_with_terms, match_segments, missed_terms,
                              term_hits, terms_hint)

TERMS = [Term("Haus", "house"), Term("erneuerbare Energie", "renewable energy"), Term("Energie", "energy"),
         Term("東京", "Tokyo"), Term("서울", "Seoul"), Term("Python", "Python"), Term("e-mail", "E-Mail")]


def found(text: str) -> list[str]:
    return [text[m.start:m.end] for m in find_terms(text, TERMS)]


@pytest.mark.parametrize("text, expected", [
    ("Das Haus, das HAUS und haus.", ["Haus", "HAUS", "haus"]),          # case-insensitive
    ("Rathaus, Hausaufgabe, Haus2, _Haus", []),                          # word boundaries
    ("Häuser und des Hauses", []),                                       # exact forms only
    ("Erneuerbare\n  Energie und Energie", ["Erneuerbare\n  Energie", "Energie"]),  # longest first
    ("(Haus)", ["Haus"]),
    ("東京都に住んでいます", ["東京"]),                                       # no spaces: no boundary
    ("서울에서 왔어요", ["서울"]),
    ("我用Python写代码", ["Python"]),                                      # Latin inside CJK
    ("Send an e-mail.", ["e-mail"]),
])
def test_matching_rule(text, expected):
    assert found(text) == expected


def test_offsets_and_segments():
    text = "Das Haus.  Erneuerbare Energie."
    matches = match_segments(text, ["Das Haus.", "Erneuerbare Energie."], TERMS)
    assert [[(m.source, text[m.start:m.end]) for m in seg] for seg in matches] == \
        [[("Haus", "Haus")], [("erneuerbare Energie", "Erneuerbare Energie")]]


def test_hint_text():
    matches = find_terms("Haus und Haus mit Energie", TERMS)
    assert terms_hint(matches) == "use: Haus → house; Energie → energy"
    assert hint_with_terms("  formal  ", matches) == "formal; use: Haus → house; Energie → energy"
    assert hint_with_terms("formal", []) == "formal" and hint_with_terms(None, []) is None


def test_missed_terms_count_occurrences():
    matches = find_terms("Haus, Haus und Energie", TERMS)
    assert missed_terms(matches, "a house, a home and energy") == [matches[1]]
    assert missed_terms(matches, "HOUSE house ENERGY") == []
    assert missed_terms(matches, "households") == matches  # the target needs its boundaries too
    assert count_term("renewable  energy, Renewable Energy", "renewable energy") == 2
    assert term_hits("Das Haus und das Haus", "the house and the building", TERMS) == (1, 2)
    assert term_hits("nichts", "nothing", TERMS) == (0, 0)
