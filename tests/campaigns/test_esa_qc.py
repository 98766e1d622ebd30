"""Planted-error quality control of error-span campaigns: the planted text and the stored offsets
of its error, what counts as finding it, and a careless annotator flagged (and left out) where a
careful one passes, in both ESA protocols, through the page's service calls."""
from __future__ import annotations

import random

import pytest

from campaigns import esa_annotate
from campaigns.esa_export import esa_pairs
from campaigns.esa_qc import delete_word, error_region, found, plant_error, swap_phrase
from campaigns.results import compute
from tests.campaign_helpers import sentence
from tests.campaigns.esa_helpers import make_esa_campaign, span

TEXTS = ["The cat sat on the warm mat.", "  Grüße,  wir   übersetzen 👋🏽 heute\tviele Sätze! ",
         "Ein Wort.", sentence(3), sentence(8, 14)]


def test_a_swapped_phrase_keeps_everything_else_byte_for_byte():
    rng = random.Random(0)
    for seed in range(60):
        text = TEXTS[seed % len(TEXTS)]
        planted = swap_phrase(text, [t for t in TEXTS if t != text], rng)
        assert planted is not None and planted.kind == "swap" and planted.text != text
        tail = len(planted.text) - planted.end
        assert planted.text[:planted.start] == text[:planted.start]
        assert planted.text[planted.end:] == text[len(text) - tail:]
        phrase = planted.text[planted.start:planted.end]
        assert phrase == phrase.strip() and phrase not in ("", text)


def test_a_deleted_content_word_leaves_a_gap_at_the_stored_offset():
    rng = random.Random(1)
    for seed in range(60):
        text = TEXTS[seed % len(TEXTS)]
        planted = delete_word(text, rng)
        assert planted is not None and planted.start == planted.end and planted.kind == "delete"
        gone = len(text) - len(planted.text)
        removed = text[planted.start:planted.start + gone]
        assert planted.text == text[:planted.start] + text[planted.start + gone:]
        assert sum(c.isalpha() for c in removed) >= 4 and removed.strip() == removed.split()[0]
    assert delete_word("Hi.", rng) is None and delete_word("a be cd", rng) is None
    kinds = {plant_error(t, TEXTS, random.Random(s)).kind for s in range(20) for t in TEXTS[:2]}
    assert kinds == {"swap", "delete"}


def test_what_counts_as_finding_the_error():
    text = "The big cat sat on the mat."
    assert error_region(text, 4, 7) == (4, 7)  # a swapped phrase: itself
    assert found([span(5, 6)], text, 4, 7) and found([span(0, 5)], text, 4, 7)
    assert not found([span(0, 4), span(7, 20)], text, 4, 7)  # next to it is not on it
    assert not found([span(5, 5)], text, 4, 7)  # a missing-content marker is not a swap
    gap = "The cat sat on the mat."  # "big" deleted after "The": the gap is at offset 3
    assert error_region(gap, 3, 3) == (0, 7)  # the words on both sides: "The", "cat"
    assert found([span(0, 3)], gap, 3, 3) and found([span(4, 7, "major")], gap, 3, 3)
    assert found([span(20, 20)], gap, 3, 3)  # missing content marked (Pearmut puts it at the end)
    assert not found([span(8, 11)], gap, 3, 3) and not found([], gap, 3, 3)


def _careful(view, planted: dict) -> list:
    """Marks the planted error (a span on a swap, a missing-content marker for a deletion),
    scores the planted copy 40 and everything else 80."""
    out = []
    for c in view.candidates:
        where = planted.get((view.assignment_id, c.name))
        if where is None:
            out.append((c, 80, []))
        else:
            start, end = where
            out.append((c, 40, [span(start, end, "major")]))
    return out


def _careless(view, planted: dict) -> list:
    return [(c, 90, []) for c in view.candidates]


@pytest.mark.parametrize("protocol", ["esa", "contrastive-esa"])
def test_a_careless_annotator_is_flagged_and_left_out_a_careful_one_passes(tmp_path, protocol):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", protocol, n_items=24,
                                               qc=0.25, repeat=0.1)
    try:
        planted = {}
        for a in campaigns.assignments(info.id):
            if a.kind == "qc":
                assert a.qc_text[a.qc_start:a.qc_end] or a.qc_start == a.qc_end
                left = (a.qc_side == "a") == a.a_on_left or protocol == "esa"
                planted[(a.id, "left" if left else "right")] = (a.qc_start, a.qc_end)
        people = {a.name: a.token for a in campaigns.annotators(info.id)}
        for name, policy in (("ann", _careful), ("bob", _careless)):
            while not (view := esa_annotate.current_esa_item(campaigns, people[name])).finished:
                for candidate, score, spans in policy(view, planted):
                    assert esa_annotate.save_esa(campaigns, people[name], view.assignment_id,
                                                 candidate.name, score, spans, seconds=3.0)
        report = compute(campaigns, info, rounds=20)
        rows = {r["annotator"]: r for r in report["annotators"]}
        assert rows["ann"]["qc_items"] >= 4 and rows["ann"]["qc_pass_rate"] == 1.0
        assert rows["ann"]["qc_p_value"] <= 0.10 and not rows["ann"]["flagged"]
        assert rows["bob"]["qc_items"] >= 4 and rows["bob"]["qc_pass_rate"] == 0.0
        assert rows["bob"]["flagged"]
        ann_marks = [m for m in campaigns.esa_judgements(info.id)
                     if m.annotator == "ann" and m.kind == "normal"]
        assert sum(r["n"] for r in report["esa"]["systems"]) == len(ann_marks)  # bob left out
        kept = compute(campaigns, info, include_flagged=True, rounds=20)["esa"]["systems"]
        assert sum(r["n"] for r in kept) > len(ann_marks)
        if protocol == "contrastive-esa":  # each screen also counts as a pairwise judgement
            board = report["leaderboard"]  # (repeated screens count there too, as pairwise ones)
            screens = {m.assignment_id for m in campaigns.esa_judgements(info.id)
                       if m.annotator == "ann" and m.kind != "qc"}
            assert sum(r["wins"] + r["losses"] + r["ties"] for r in board) == 2 * len(screens)
            assert sum(r["ties"] for r in board) == 2 * len(screens)  # ann scores both 80
        assert all("bob" not in row["annotators"] for row in esa_pairs(campaigns, info, margin=0))
    finally:
        store.close()


def test_a_clean_twin_scored_higher_passes_a_contrastive_check_without_spans(tmp_path):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", "contrastive-esa", n_items=16,
                                               qc=0.3, annotators=("ann",), redundancy=1)
    try:
        token = campaigns.annotators(info.id)[0].token
        qc = {a.id: a for a in campaigns.assignments(info.id) if a.kind == "qc"}
        while not (view := esa_annotate.current_esa_item(campaigns, token)).finished:
            a = qc.get(view.assignment_id)
            for c in view.candidates:
                planted = a is not None and c.text == a.qc_text
                esa_annotate.save_esa(campaigns, token, view.assignment_id, c.name,
                                      30 if planted else 70, [])
        row = compute(campaigns, info, rounds=10)["annotators"][0]
        assert row["qc_items"] == len(qc) >= 4 and row["qc_pass_rate"] == 1.0
    finally:
        store.close()
