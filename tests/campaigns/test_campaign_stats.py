"""Campaign statistics on known data: judgements imported from a CSV file through the command,
the report's leaderboard, win rates, Cohen's kappa and Krippendorff's alpha checked against
figures computed here by their formulas; QC flags a random clicker and not a careful annotator."""
from __future__ import annotations

import json
import math
import random
import sqlite3

import pytest

from campaigns import annotate
from campaigns.agreement import qc_passed
from campaigns.export import merged_pairs
from campaigns.plots import figures
from campaigns.results import compute
from cli.main import main
from storage import CampaignStore, open_store
from tests.campaign_helpers import make_campaign
from web.campaign_page import CampaignPage

# The hand-made table: ten items judged by ann and bob (label: which of base/cpo is better).
ANN = ["a", "a", "a", "b", "b", "tie", "a", "b", "a", "a"]
BOB = ["a", "a", "b", "b", "b", "tie", "a", "a", "a", "tie"]
FLIP = {"a": "b", "b": "a", "tie": "tie"}


def _csv_rows() -> list[str]:
    rows = ["annotator,item_id,system_a,system_b,choice,seconds"]
    for i, (x, y) in enumerate(zip(ANN, BOB)):
        rows.append(f"ann,{i},base,cpo,{x},{3 + i}")
        # bob's rows name the systems the other way round: the labels must be flipped back
        rows.append(f"bob,{i},cpo,base,{FLIP[y]},{5 + i}")
    # carol compares the weak system: it wins once against each of the others
    for i in range(5):
        rows.append(f"carol,{i},weak,base,{'a' if i == 0 else 'b'},4")
        rows.append(f"carol,{5 + i},cpo,weak,{'b' if i == 0 else 'a'},4")
    return rows


@pytest.fixture()
def imported(tmp_path):
    db = tmp_path / "chat.db"
    store, campaigns, info = make_campaign(db, systems=("base", "cpo", "weak"), assign=False)
    store.close()
    csv = tmp_path / "judgements.csv"
    csv.write_text("\n".join(_csv_rows()) + "\n")
    assert main(["campaign", "import", "demo", "--judgements", str(csv), "--db", str(db)]) == 0
    out = tmp_path / "report.json"
    assert main(["campaign", "report", "demo", "--json", str(out), "--plots", str(tmp_path / "plots"),
                 "--db", str(db)]) == 0
    return db, json.loads(out.read_text()), tmp_path


def _import(db, csv, capsys) -> str:
    capsys.readouterr()
    assert main(["campaign", "import", "demo", "--judgements", str(csv), "--db", str(db)]) == 0
    return capsys.readouterr().err


def _report(db, out) -> dict:
    assert main(["campaign", "report", "demo", "--json", str(out), "--db", str(db)]) == 0
    return json.loads(out.read_text())


def test_importing_the_same_file_again_adds_nothing_and_says_so(imported, capsys):
    db, report, tmp = imported
    rows = _csv_rows()
    before = _stored(db)
    message = _import(db, tmp / "judgements.csv", capsys)
    assert "imported 0 judgements" in message and f"skipped {len(rows) - 1} row(s)" in message
    assert _stored(db) == before
    assert _report(db, tmp / "again.json") == report  # every figure unchanged
    # the same rows with the systems named the other way round, plus one new row: only it is added
    flipped = tmp / "flipped.csv"
    flipped.write_text("\n".join([rows[0]] + [
        f"{n},{i},{b},{a},{FLIP[c]},{s}" for n, i, a, b, c, s in (r.split(",") for r in rows[1:])]
        + ["dan,0,base,cpo,a,6"]) + "\n")
    message = _import(db, flipped, capsys)
    assert "imported 1 judgements" in message and f"skipped {len(rows) - 1} row(s)" in message
    assert len(_stored(db)) == len(before) + 1


def _stored(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, annotator_id, item_id, system_a_id, system_b_id, choice, "
                            "seconds FROM campaign_judgements ORDER BY id").fetchall()


def test_the_dashboard_shows_the_reports_figures(imported):
    db, report, _ = imported
    store = open_store(db)
    try:
        campaigns = CampaignStore(store)
        owner = campaigns.get("demo").owner_token
        cache: dict = {}
        _, _, results, _ = annotate.dashboard(campaigns, owner, cache)
        assert json.loads(json.dumps(results)) == report  # same bootstrap rounds and seed
        assert annotate.dashboard(campaigns, owner, cache)[2] is results  # nothing new: not redone
        text = CampaignPage(campaigns).refresh_dashboard(owner).dash_md
        for row in report["leaderboard"]:
            assert f"{row['ci'][0]:.0f}–{row['ci'][1]:.0f}" in text
        assert "QC pass QC items" in text
    finally:
        store.close()


def _kappa_by_formula(x: list[str], y: list[str]) -> float:
    n = len(x)
    observed = sum(a == b for a, b in zip(x, y)) / n
    expected = sum(x.count(k) * y.count(k) for k in ("a", "b", "tie")) / n ** 2
    return (observed - expected) / (1 - expected)


def test_report_json_has_exactly_the_documented_keys(imported):
    _, report, tmp = imported
    assert set(report) == {"leaderboard", "pairwise", "agreement", "annotators"}
    assert set(report["leaderboard"][0]) == {"system", "rating", "ci", "wins", "losses", "ties", "win_rate"}
    assert set(report["pairwise"][0]) == {"a", "b", "a_wins", "b_wins", "ties"}
    assert set(report["agreement"]) == {"cohen_kappa", "intra_kappa", "krippendorff_alpha",
                                        "items_with_overlap"}
    assert set(report["annotators"][0]) == {"annotator", "judgements", "qc_items", "qc_pass_rate",
                                            "qc_p_value", "median_seconds", "flagged"}
    assert sorted(p.name for p in (tmp / "plots").iterdir()) == [
        "leaderboard.png", "qc.png", "timeline.png", "win_rates.png"]


def test_leaderboard_order_and_win_rates_match_the_counts(imported):
    _, report, _ = imported
    board = {r["system"]: r for r in report["leaderboard"]}
    # base: 11 wins over cpo + 4 over weak; cpo: 6 over base + 4 over weak; weak: 1 + 1
    assert (board["base"]["wins"], board["base"]["losses"], board["base"]["ties"]) == (15, 7, 3)
    assert (board["cpo"]["wins"], board["cpo"]["losses"], board["cpo"]["ties"]) == (10, 12, 3)
    assert (board["weak"]["wins"], board["weak"]["losses"], board["weak"]["ties"]) == (2, 8, 0)
    assert board["base"]["win_rate"] == pytest.approx((15 + 1.5) / 25)
    assert board["weak"]["win_rate"] == pytest.approx(2 / 10)
    assert [r["system"] for r in report["leaderboard"]] == ["base", "cpo", "weak"]
    for r in report["leaderboard"]:
        assert r["ci"][0] <= r["rating"] <= r["ci"][1]
    pair = next(p for p in report["pairwise"] if {p["a"], p["b"]} == {"base", "cpo"})
    base_wins = pair["a_wins"] if pair["a"] == "base" else pair["b_wins"]
    assert (base_wins, pair["ties"]) == (11, 3)


def test_bradley_terry_ratings_are_the_maximum_likelihood_ones(imported):
    """At the MLE each system's expected score equals its observed score (ties half)."""
    _, report, _ = imported
    theta = {r["system"]: r["rating"] * math.log(10) / 400 for r in report["leaderboard"]}
    games = {("base", "cpo"): (11 + 1.5, 20), ("base", "weak"): (4, 5), ("cpo", "weak"): (4, 5)}
    for system in theta:
        observed = expected = 0.0
        for (x, y), (x_score, n) in games.items():
            if system in (x, y):
                p_x = 1 / (1 + math.exp(theta[y] - theta[x]))
                observed += x_score if system == x else n - x_score
                expected += n * (p_x if system == x else 1 - p_x)
        assert expected == pytest.approx(observed, abs=0.15), system  # 0.15: the small ridge prior


def test_agreement_matches_the_formulas(imported):
    db, report, tmp = imported
    agreement = report["agreement"]
    assert agreement["items_with_overlap"] == 10
    assert agreement["cohen_kappa"] == pytest.approx(_kappa_by_formula(ANN, BOB))
    assert agreement["cohen_kappa"] == pytest.approx((0.7 - 0.41) / 0.59)  # worked by hand
    # Krippendorff's alpha (nominal, two coders, no gaps): 1 - D_o / D_e over 20 values
    labels = ANN + BOB
    n = len(labels)
    d_o = 2 * sum(a != b for a, b in zip(ANN, BOB)) / n
    d_e = (n * n - sum(labels.count(k) ** 2 for k in set(labels))) / (n * (n - 1))
    assert agreement["krippendorff_alpha"] == pytest.approx(1 - d_o / d_e)
    assert agreement["intra_kappa"] is None  # nobody judged an item twice yet
    repeats = tmp / "repeats.csv"
    repeats.write_text("annotator,item_id,system_a,system_b,choice\n"
                       "ann,0,base,cpo,a\nann,1,base,cpo,a\nann,2,base,cpo,b\nann,3,base,cpo,b\n")
    assert main(["campaign", "import", "demo", "--judgements", str(repeats), "--db", str(db)]) == 0
    out = tmp / "again.json"
    assert main(["campaign", "report", "demo", "--json", str(out), "--db", str(db)]) == 0
    again = json.loads(out.read_text())["agreement"]
    assert again["intra_kappa"] == pytest.approx(_kappa_by_formula(["a", "a", "a", "b"], ["a", "a", "b", "b"]))
    assert again["cohen_kappa"] == pytest.approx(agreement["cohen_kappa"])  # first judgements count


def _careful(view) -> str:
    """Prefers the unmodified output on QC items (knows the real texts), else system order."""
    return "left" if view.left in REAL[view.assignment_id] else "right"


REAL: dict = {}


def test_quality_control_flags_a_random_clicker_not_a_careful_annotator(tmp_path):
    store, campaigns, info = make_campaign(tmp_path / "chat.db", n_items=40, qc=0.2, repeat=0.1)
    try:
        outputs = campaigns.outputs(info.id)
        annotators = {a.name: a for a in campaigns.annotators(info.id)}
        for a in campaigns.assignments(info.id):
            REAL[a.id] = {outputs[(a.item_id, a.system_a)][1], outputs[(a.item_id, a.system_b)][1]}
        rng = random.Random(7)
        for name, policy in (("ann", _careful), ("bob", lambda view: rng.choice(annotate.BUTTONS))):
            token = annotators[name].token
            while not (view := annotate.current_item(campaigns, token)).finished:
                annotate.judge(campaigns, token, view.assignment_id, policy(view), seconds=2.0)
        rows = {r["annotator"]: r for r in compute(campaigns, info, rounds=20)["annotators"]}
        qc = [j for j in campaigns.judgements(info.id) if j.kind == "qc"]
        assert len([j for j in qc if j.annotator == "ann"]) >= 4
        assert all(qc_passed(j) for j in qc if j.annotator == "ann")
        assert rows["ann"]["qc_pass_rate"] == 1.0 and rows["ann"]["qc_p_value"] <= 0.10
        assert not rows["ann"]["flagged"]
        assert rows["bob"]["flagged"] and rows["bob"]["qc_pass_rate"] < 0.7
        assert rows["ann"]["median_seconds"] == 2.0
        lenient = {r["annotator"]: r for r in compute(campaigns, info, rounds=20, max_p=1.0,
                                                      min_pass=0.0)["annotators"]}
        assert not lenient["bob"]["flagged"]  # the thresholds are settings
        # the flagged clicker is left out of the leaderboard unless asked
        board = compute(campaigns, info, rounds=20)["leaderboard"]
        assert sum(r["wins"] + r["losses"] + r["ties"] for r in board) == 2 * len(
            [j for j in campaigns.judgements(info.id) if j.annotator == "ann" and j.kind != "qc"])
        # and out of the exported pairs unless --include-flagged
        assert {name for row in merged_pairs(campaigns, info) for name in row["annotators"]} == {"ann"}
        assert "bob" in {name for row in merged_pairs(campaigns, info, include_flagged=True)
                         for name in row["annotators"]}
    finally:
        store.close()


def _labels(fig) -> list[str]:
    fig.canvas.draw()
    ax = fig.axes[0]
    return [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels() + ax.texts]


def test_the_charts_say_when_there_is_nothing_yet_and_give_units_and_qc_counts(tmp_path):
    store, campaigns, info = make_campaign(tmp_path / "chat.db", n_items=16, qc=0.25)
    try:
        charts = figures(*annotate.dashboard(campaigns, info.owner_token)[2:])
        for name, fig in charts.items():  # before the first judgement: a message, no 1970 axis
            assert not fig.axes[0].axison, name
            assert not any("1970" in label for label in _labels(fig)), name
        assert "No judgements yet" in _labels(charts["timeline"])
        ann = campaigns.annotators(info.id)[0]
        while not (view := annotate.current_item(campaigns, ann.token)).finished:
            annotate.judge(campaigns, ann.token, view.assignment_id, "left", seconds=1.0)
        results, judgements = annotate.dashboard(campaigns, info.owner_token)[2:]
        charts = figures(results, judgements)
        timeline = charts["timeline"].axes[0]
        assert timeline.get_xlabel() == "time (UTC, hh:mm:ss)"  # all made within ten minutes
        assert timeline.get_ylabel() == "judgements (cumulative)"
        assert not any("1970" in label for label in _labels(charts["timeline"]))
        row = next(r for r in results["annotators"] if r["annotator"] == ann.name)
        assert row["qc_items"] == sum(j.kind == "qc" for j in judgements) >= 1
        passed = round(row["qc_pass_rate"] * row["qc_items"])
        assert f"{passed} / {row['qc_items']}" in _labels(charts["qc"])
    finally:
        store.close()
