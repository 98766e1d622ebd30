"""The error-span screen's handlers in-process (`web.esa_page` through `CampaignPage`): a link of an
ESA campaign opens its screen and tab title; submit stores each candidate (score, spans as code
points, post-edit, the screen's seconds with the earlier tabs'), refuses a screen without a score
or with a bad span (storing nothing), says when another tab stored it first, and ends with the
end box; the dashboard shows the ESA charts, whose numbers are the report's."""
from __future__ import annotations

import time

import gradio as gr
import pytest
from starlette.requests import Request

from campaigns import annotate, esa_annotate
from campaigns.esa_plots import counted, positions
from campaigns.plots import figures
from tests.campaigns.esa_helpers import make_esa_campaign, span
from web.campaign_page import CampaignPage, Opened
from web.esa_page import EsaShown, draft_key

TEXT = "😀 The cat 🐈 sat on the mat."


def _request(query: str) -> gr.Request:
    return gr.Request(request=Request({"type": "http", "method": "GET", "path": "/campaign",
                                       "query_string": query.encode(), "headers": []}))


@pytest.fixture
def esa(tmp_path):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", "esa", n_items=2,
                                               text=lambda pos, k: f"{TEXT} ({pos}, {k})")
    yield campaigns, info, CampaignPage(campaigns)
    store.close()


def _open(page: CampaignPage, token: str) -> Opened:
    return Opened(*page.on_load(_request(f"token={token}"), None))


def _answer(opened, **marks) -> dict:
    return {"assignment": opened.esa_assignment, "earlier": 0, "candidates": marks}


def test_an_esa_link_opens_the_error_span_screen(esa):
    campaigns, info, page = esa
    ann = campaigns.annotators(info.id)[0]
    opened = _open(page, ann.token)
    assert opened.notice == "" and opened.title == "Marking errors: demo (German → English)"
    assert opened.esa_box["visible"] and not opened.annotate_box["visible"]
    assert not opened.end_box["visible"] and "item 1 / 4" in opened.esa_progress
    value = opened.esa_screen
    assert value["assignment"] == opened.esa_assignment and value["lang"] == "en"
    assert value["key"] == draft_key(ann.token) and ann.token not in str(value)
    (only,) = value["candidates"]
    assert (only["name"], only["label"], only["stored"]) == ("left", "A", False)
    assert only["text"].startswith(TEXT)
    text = opened.esa_instructions
    assert "German → English" in text and "does not impede understanding" in text
    assert "changes the meaning or makes the text unusable" in text and "Ctrl+Enter" in text
    assert "0 no meaning preserved" in text and "Shift+← →" in text


def test_submit_stores_code_point_offsets_post_edit_and_seconds(esa):
    campaigns, info, page = esa
    ann = campaigns.annotators(info.id)[0]
    opened = _open(page, ann.token)
    text = opened.esa_screen["candidates"][0]["text"]
    at = text.index("sat")  # 12 in code points (str indices), 14 in UTF-16 units
    marks = [span(at, at + 3, "major"), span(len(text), len(text))]
    answer = _answer(opened, left={"score": 40, "spans": marks, "post_edit": "The cat sat."})
    answer["earlier"] = 5.0  # seconds spent in an earlier tab on this screen
    shown = EsaShown(*page.esa.on_submit(ann.token, opened.esa_assignment, time.time() - 2, answer))
    assert shown.notice == "" and "item 2 / 4" in shown.esa_progress
    assert shown.esa_screen["assignment"] == shown.esa_assignment != opened.esa_assignment
    stored = esa_annotate.stored_esa(campaigns, ann.token, opened.esa_assignment)["left"]
    assert stored["spans"] == marks and stored["score"] == 40.0
    assert stored["post_edit"] == "The cat sat." and 7 <= stored["seconds"] < 9
    assert text[stored["spans"][0]["start"]:stored["spans"][0]["end"]] == "sat"


@pytest.mark.parametrize("mark, message", [
    ({"spans": []}, "Give the translation a score (0–100) before submitting"),
    ({"score": 101, "spans": []}, "score must be a number from 0 to 100"),
    ({"score": 50, "spans": [span(0, 999)]}, "is outside the text"),
    ({"score": 50, "spans": [{"start": 0, "end": 2, "severity": "critical"}]}, "severity"),
])
def test_a_bad_screen_stores_nothing_and_says_why(esa, mark, message):
    campaigns, info, page = esa
    ann = campaigns.annotators(info.id)[0]
    opened = _open(page, ann.token)
    shown = EsaShown(*page.esa.on_submit(ann.token, opened.esa_assignment, time.time(),
                                         _answer(opened, left=mark)))
    assert message in shown.notice and "nothing was saved" in shown.notice
    assert shown.esa_screen == gr.update() and campaigns.esa_judgements(info.id) == []
    stale = dict(_answer(opened, left={"score": 50, "spans": []}), assignment=-1)
    shown = EsaShown(*page.esa.on_submit(ann.token, opened.esa_assignment, time.time(), stale))
    assert "out of step" in shown.notice and campaigns.esa_judgements(info.id) == []


def test_a_double_click_is_one_a_second_tab_is_told_the_first_kept_then_the_end(esa):
    campaigns, info, page = esa
    ann = campaigns.annotators(info.id)[0]
    first, second = _open(page, ann.token), _open(page, ann.token)
    for _ in range(2):  # a double click stores once and is not told anything
        shown = EsaShown(*page.esa.on_submit(ann.token, first.esa_assignment, time.time(),
                                             _answer(first, left={"score": 80, "spans": []})))
        assert shown.notice == "" and "item 2 / 4" in shown.esa_progress
    shown = EsaShown(*page.esa.on_submit(ann.token, second.esa_assignment, time.time(),
                                         _answer(second, left={"score": 10})))
    assert "already scored in another tab" in shown.notice and "item 2 / 4" in shown.esa_progress
    assert [m.score for m in campaigns.esa_judgements(info.id)] == [80.0]
    while shown.esa_assignment is not None:
        shown = EsaShown(*page.esa.on_submit(
            ann.token, shown.esa_assignment, time.time(),
            {"assignment": shown.esa_assignment, "candidates": {"left": {"score": 60}}}))
    assert shown.end_box["visible"] and not shown.esa_box["visible"]
    assert shown.esa_screen == {"assignment": None, "key": draft_key(ann.token)}
    assert _open(page, ann.token).end_box["visible"]


def test_a_contrastive_screen_needs_both_scores_and_maps_a_and_b_to_systems(tmp_path):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", "contrastive-esa", n_items=4)
    try:
        page = CampaignPage(campaigns)
        ann = campaigns.annotators(info.id)[0]
        opened = _open(page, ann.token)
        assert "each of the two English translations, A and B," in opened.esa_instructions
        left, right = opened.esa_screen["candidates"]
        assert (left["label"], right["label"]) == ("A", "B") and left["text"] != right["text"]
        shown = EsaShown(*page.esa.on_submit(ann.token, opened.esa_assignment, time.time(),
                                             _answer(opened, left={"score": 70})))
        assert "Give translation B a score" in shown.notice and not campaigns.esa_judgements(info.id)
        page.esa.on_submit(ann.token, opened.esa_assignment, time.time(),
                           _answer(opened, left={"score": 70}, right={"score": 20, "spans": [span(0, 3)]}))
        a = next(x for x in campaigns.assignments(info.id) if x.id == opened.esa_assignment)
        scores = {m.system_id: m.score for m in campaigns.esa_of(a.id)}
        outputs = campaigns.outputs(info.id)
        shown_left = a.system_a if a.a_on_left else a.system_b
        assert outputs[(a.item_id, shown_left)][1] == left["text"] and scores[shown_left] == 70.0
        assert sorted(scores.values()) == [20.0, 70.0]
        assert "item 2 / " in _open(page, ann.token).esa_progress
    finally:
        store.close()


def _judge_all(campaigns, info, score) -> None:
    for ann in campaigns.annotators(info.id):
        while not (view := esa_annotate.current_esa_item(campaigns, ann.token)).finished:
            for c in view.candidates:
                n = len(c.text)
                esa_annotate.save_esa(campaigns, ann.token, view.assignment_id, c.name,
                                      score(ann.name, c.text), [span(0, min(4, n), "major"), span(n, n)])


@pytest.mark.parametrize("protocol", ["esa", "contrastive-esa"])
def test_the_dashboard_shows_the_esa_charts_with_the_reports_numbers(tmp_path, protocol):
    store, campaigns, info = make_esa_campaign(tmp_path / "chat.db", protocol, n_items=4)
    try:
        _judge_all(campaigns, info, lambda name, text: 40 + len(text) % 50 + (10 if name == "ann" else 0))
        board = CampaignPage(campaigns).refresh_dashboard(info.owner_token)
        shown = {k for k, v in board._asdict().items() if k.startswith("plot_") and v["visible"]}
        pairwise = {"plot_leaderboard", "plot_win_rates"} if protocol == "contrastive-esa" else set()
        assert shown == pairwise | {"plot_esa_scores", "plot_esa_errors", "plot_esa_positions",
                                    "plot_esa_calibration", "plot_timeline", "plot_qc"}
        assert "MQM" in board.dash_md
        results, judgements = annotate.dashboard(campaigns, info.owner_token)[2:]
        esa = results["esa"]["systems"]
        charts = figures(results, judgements, protocol)
        line = charts["esa_scores"].axes[0].lines[0]  # the means, best at the top
        assert list(line.get_xdata()) == [r["mean_score"] for r in reversed(esa)]
        found = positions(counted(results, judgements))
        assert len(found["major"]) == sum(r["major"] for r in esa) == sum(r["n"] for r in esa)
        assert len(found["minor"]) == sum(r["minor"] for r in esa)
        assert all(x == 1.0 for x in found["minor"])  # the missing-content markers at the end
        heights = [p.get_height() for p in charts["esa_errors"].axes[0].patches]
        assert heights == [r["minor"] for r in esa] + [r["major"] for r in esa]
        labels = [t.get_text() for t in charts["esa_calibration"].axes[0].get_xticklabels()]
        assert labels == ["ann\nn=8", "bob\nn=8"] if protocol == "esa" else len(labels) == 2
    finally:
        store.close()
