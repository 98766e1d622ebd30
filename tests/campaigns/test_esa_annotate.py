"""The error-span page's service calls (`campaigns.esa_annotate`): one screen at a time, left and
right mapped back to the systems, a half-done screen resumed with what is stored, and every bad
call refused with nothing stored; the assignment of both protocols."""
from __future__ import annotations

from collections import Counter

import pytest

from campaigns import annotate, esa_annotate
from chat.settings import UserError
from storage import NotFound
from tests.campaigns.esa_helpers import make_esa_campaign, span


def test_esa_assignment_gives_every_candidate_to_redundancy_annotators(tmp_path):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", "esa", n_items=12,
                                               systems=("base", "cpo", "weak"),
                                               annotators=("ann", "bob", "cy"), repeat=0.1, qc=0.1)
    try:
        rows = campaigns.assignments(info.id)
        normal = Counter((a.item_id, a.system_a) for a in rows if a.kind == "normal")
        assert len(normal) == 36 and set(normal.values()) == {2}
        assert all(a.system_a == a.system_b and a.a_on_left for a in rows)
        qc = [a for a in rows if a.kind == "qc"]
        assert qc and all(a.qc_side == "a" and a.qc_start is not None for a in qc)
        assert info.protocol == "esa"
    finally:
        store.close()


def test_an_esa_screen_is_stored_once_and_the_next_one_follows(tmp_path):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", "esa", n_items=4)
    try:
        ann = campaigns.annotators(info.id)[0]
        view = esa_annotate.current_esa_item(campaigns, ann.token)
        assert (view.done, view.total, view.protocol) == (0, 8, "esa") and view.source
        assert view.src == "German" and view.tgt == "English"
        (only,) = view.candidates
        assert only.name == "left" and only.score is None and only.spans == []
        assert only.text in {text for _, text in campaigns.outputs(info.id).values()}
        spans = [span(4, 8, "major"), span(0, 3), span(len(only.text), len(only.text))]
        assert esa_annotate.save_esa(campaigns, ann.token, view.assignment_id, "left", 55, spans,
                                     post_edit=only.text + " ", seconds=7.5)
        assert not esa_annotate.save_esa(campaigns, ann.token, view.assignment_id, "left", 99, [])
        stored = esa_annotate.stored_esa(campaigns, ann.token, view.assignment_id)
        assert stored == {"left": {"score": 55.0, "spans": sorted(spans, key=lambda s: s["start"]),
                                   "post_edit": None, "seconds": 7.5}}  # the unchanged post-edit dropped
        again = esa_annotate.esa_item(campaigns, ann.token, view.assignment_id)
        assert again.candidates[0].score == 55.0 and again.candidates[0].spans[0] == span(0, 3)
        following = esa_annotate.current_esa_item(campaigns, ann.token)
        assert following.done == 1 and following.assignment_id != view.assignment_id
        (mark,) = campaigns.esa_judgements(info.id)
        a = next(x for x in campaigns.assignments(info.id) if x.id == view.assignment_id)
        assert mark.system_id == a.system_a and mark.text == only.text and mark.side == "a"
    finally:
        store.close()


def test_a_contrastive_screen_maps_left_and_right_and_resumes_half_done(tmp_path):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", "contrastive-esa", n_items=8)
    try:
        queue = campaigns.assignments(info.id)
        assert {a.a_on_left for a in queue} == {True, False}  # the order is random per screen
        ann = campaigns.annotators(info.id)[0]
        outputs = campaigns.outputs(info.id)
        view = esa_annotate.current_esa_item(campaigns, ann.token)
        a = next(x for x in queue if x.id == view.assignment_id)
        left, right = view.candidates
        assert (left.name, right.name) == ("left", "right")
        shown_left = a.system_a if a.a_on_left else a.system_b
        assert left.text == outputs[(a.item_id, shown_left)][1] != right.text
        assert esa_annotate.save_esa(campaigns, ann.token, a.id, "left", 80, [span(0, 2)], "Better.")
        resumed = esa_annotate.current_esa_item(campaigns, ann.token)  # closed tab, reopened
        assert resumed.assignment_id == a.id and resumed.done == 0
        assert resumed.candidates[0].score == 80 and resumed.candidates[0].post_edit == "Better."
        assert resumed.candidates[1].score is None
        assert esa_annotate.save_esa(campaigns, ann.token, a.id, "right", 60, [])
        assert esa_annotate.current_esa_item(campaigns, ann.token).done == 1
        marks = {m.system_id: m.score for m in campaigns.esa_of(a.id)}
        assert marks == {shown_left: 80.0, (a.system_b if a.a_on_left else a.system_a): 60.0}
    finally:
        store.close()


def test_bad_calls_are_refused_and_store_nothing(tmp_path):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", "esa", n_items=4)
    try:
        ann, bob = campaigns.annotators(info.id)
        view = esa_annotate.current_esa_item(campaigns, ann.token)
        n = len(view.candidates[0].text)
        bad = [("right", 50, [], "no candidate 'right'"),
               ("left", 101, [], "score must be a number from 0 to 100"),
               ("left", 50, [span(0, n + 1)], "outside the text"),
               ("left", 50, [span(3, 1)], "start 3 is after end 1"),
               ("left", 50, [{"start": 0, "end": 1, "severity": "critical"}], "severity"),
               ("left", 50, "0-3", "spans must be a list")]
        for candidate, score, spans, message in bad:
            with pytest.raises(UserError, match=message):
                esa_annotate.save_esa(campaigns, ann.token, view.assignment_id, candidate, score, spans)
        with pytest.raises(UserError, match="not assigned"):
            esa_annotate.save_esa(campaigns, bob.token, view.assignment_id, "left", 50, [])
        with pytest.raises(NotFound):
            esa_annotate.current_esa_item(campaigns, "made-up")
        with pytest.raises(ValueError, match="error-span"):  # the pairwise page's call
            annotate.judge(campaigns, ann.token, view.assignment_id, "left")
        assert campaigns.esa_judgements(info.id) == [] and campaigns.judgements(info.id) == []
    finally:
        store.close()
    store, campaigns, info = make_esa_campaign(tmp_path / "pair.db", "pairwise", name="pair",
                                               assign=False)
    try:
        with pytest.raises(UserError, match="pairwise campaign, not an error-span one"):
            esa_annotate.current_esa_item(campaigns, campaigns.annotators(info.id)[0].token)
    finally:
        store.close()
