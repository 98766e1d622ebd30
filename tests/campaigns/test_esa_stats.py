"""Error-span statistics on hand-made judgements imported as JSONL through the command: mean
scores, span counts, MQM, span F1 and Krippendorff's alpha recomputed here by their formulas,
the bootstrap interval, the Wilcoxon clusters; bad rows refused by line; re-import adds nothing."""
from __future__ import annotations

import itertools
import json
import sqlite3
import statistics

import pytest
from scipy.stats import wilcoxon

from cli.main import main
from tests.campaigns.esa_helpers import make_esa_campaign, span, write_jsonl

SYSTEMS = ("base", "cpo", "weak")
SCORES = {  # system → (ann's scores, bob's scores) for items 0–7
    "base": ([90, 85, 88, 92, 80, 95, 87, 91], [88, 80, 90, 85, 82, 93, 84, 89]),
    "cpo": ([70, 72, 65, 75, 60, 78, 66, 71], [68, 75, 60, 70, 65, 74, 69, 73]),
    "weak": ([72, 60, 70, 68, 66, 70, 60, 75], [65, 70, 62, 72, 60, 77, 70, 68]),
}


def _spans(annotator: str, item: int, system: str) -> list[dict]:
    """ann marks 0..5+i, bob 2..6+i; on weak both add a major span (10–14 / 12–16); bob adds a
    missing-content marker on cpo's even items."""
    if annotator == "ann":
        spans = [span(0, 5 + item)] + ([span(10, 14, "major")] if system == "weak" else [])
    else:
        spans = [span(2, 6 + item)] + ([span(12, 16, "major")] if system == "weak" else [])
        spans += [span(3, 3, "major")] if system == "cpo" and item % 2 == 0 else []
    return spans


def _rows() -> list[dict]:
    rows = []
    for system, per_annotator in SCORES.items():
        for annotator, scores in zip(("ann", "bob"), per_annotator):
            for item, score in enumerate(scores):
                rows.append({"annotator": annotator, "item_id": item, "system": system,
                             "score": score, "spans": _spans(annotator, item, system),
                             "seconds": 10 + item})
    # ann scores item 0 of base again later: a repeat, which must not count twice
    rows.append({"annotator": "ann", "item_id": 0, "system": "base", "score": 5, "spans": []})
    return rows


@pytest.fixture()
def imported(tmp_path):
    db = tmp_path / "chat.db"
    store, _, _ = make_esa_campaign(db, "esa", systems=SYSTEMS, assign=False)
    store.close()
    path = write_jsonl(tmp_path / "esa.jsonl", _rows())
    assert main(["campaign", "import", "demo", "--judgements", str(path), "--db", str(db)]) == 0
    out = tmp_path / "report.json"
    assert main(["campaign", "report", "demo", "--json", str(out), "--plots", str(tmp_path / "plots"),
                 "--db", str(db)]) == 0
    return db, json.loads(out.read_text()), tmp_path


def _esa_count(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM campaign_esa_judgements").fetchone()[0]


def test_report_json_has_the_documented_esa_keys(imported, capsys):
    db, report, tmp = imported
    assert set(report) == {"leaderboard", "pairwise", "agreement", "annotators", "esa"}
    assert set(report["esa"]) == {"systems", "agreement", "test"}
    assert set(report["esa"]["systems"][0]) == {"system", "mean_score", "ci", "n", "minor", "major",
                                                "mqm", "cluster", "p_next"}
    assert set(report["esa"]["agreement"]) == {"span_f1", "score_alpha", "units_with_overlap"}
    assert "wilcoxon" in report["esa"]["test"]
    assert sorted(p.name for p in (tmp / "plots").iterdir()) == [  # no pairwise charts in esa
        "esa_calibration.png", "esa_errors.png", "esa_positions.png", "esa_scores.png", "qc.png",
        "timeline.png"]
    assert main(["campaign", "report", "demo", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "span F1" in text and "MQM" in text and "base" in text


def test_mean_scores_span_counts_and_mqm_match_the_formulas(imported):
    _, report, _ = imported
    rows = {r["system"]: r for r in report["esa"]["systems"]}
    for system in SYSTEMS:
        scores = SCORES[system][0] + SCORES[system][1]  # the repeat of ann's item 0 not counted
        row = rows[system]
        assert row["n"] == 16
        assert row["mean_score"] == pytest.approx(sum(scores) / 16)
        spans = [s for a in ("ann", "bob") for i in range(8) for s in _spans(a, i, system)]
        minor = sum(s["severity"] == "minor" for s in spans)
        major = sum(s["severity"] == "major" for s in spans)
        assert (row["minor"], row["major"]) == (minor, major)
        assert row["mqm"] == pytest.approx((1 * minor + 5 * major) / 16)
        assert min(scores) <= row["ci"][0] <= row["mean_score"] <= row["ci"][1] <= max(scores)
    assert (rows["weak"]["major"], rows["cpo"]["major"]) == (16, 4)


def test_span_f1_and_score_alpha_match_the_formulas(imported):
    _, report, _ = imported
    agreement = report["esa"]["agreement"]
    both = total = 0
    for system in SYSTEMS:
        for item in range(8):
            a = {c for s in _spans("ann", item, system) for c in range(s["start"], s["end"])}
            b = {c for s in _spans("bob", item, system) for c in range(s["start"], s["end"])}
            both += len(a & b)
            total += len(a) + len(b)
    assert agreement["span_f1"] == pytest.approx(2 * both / total)
    assert agreement["units_with_overlap"] == 24
    # Krippendorff's alpha, interval metric, two coders on every unit: 1 - D_o / D_e with
    # D_o = Σ_units 2·(a-b)² / n and D_e = Σ_{i≠j} (v_i - v_j)² / (n(n-1)) over all n values
    pairs = [(x, y) for s in SYSTEMS for x, y in zip(*SCORES[s])]
    values = [v for pair in pairs for v in pair]
    n = len(values)
    d_o = sum(2 * (x - y) ** 2 for x, y in pairs) / n
    d_e = sum((x - y) ** 2 for x, y in itertools.permutations(values, 2)) / (n * (n - 1))
    assert agreement["score_alpha"] == pytest.approx(1 - d_o / d_e)


def test_systems_are_ranked_with_wilcoxon_clusters(imported):
    _, report, _ = imported
    ranked = report["esa"]["systems"]
    assert [r["system"] for r in ranked] == ["base", "cpo", "weak"]
    item_means = {s: [statistics.fmean(pair) for pair in zip(*SCORES[s])] for s in SYSTEMS}
    p_top = wilcoxon(item_means["base"], item_means["cpo"]).pvalue
    p_low = wilcoxon(item_means["cpo"], item_means["weak"]).pvalue
    assert p_top < 0.05 <= p_low  # base is better than cpo; cpo and weak are not told apart
    assert [r["p_next"] for r in ranked] == [pytest.approx(p_top), pytest.approx(p_low), None]
    assert [r["cluster"] for r in ranked] == [1, 2, 2]


def test_plain_esa_has_no_pairwise_judgements_but_every_annotator_row(imported):
    _, report, _ = imported
    assert all(r["wins"] + r["losses"] + r["ties"] == 0 for r in report["leaderboard"])
    people = {r["annotator"]: r for r in report["annotators"]}
    assert people["ann"]["judgements"] == 25 and people["bob"]["judgements"] == 24
    assert people["ann"]["median_seconds"] == 13.5 and not people["ann"]["flagged"]


def test_importing_the_same_file_again_adds_nothing_and_says_so(imported, capsys):
    db, report, tmp = imported
    before = _esa_count(db)
    capsys.readouterr()
    assert main(["campaign", "import", "demo", "--judgements", str(tmp / "esa.jsonl"),
                 "--db", str(db)]) == 0
    message = capsys.readouterr().err
    assert "imported 0 judgements" in message and f"skipped {len(_rows())} row(s)" in message
    assert _esa_count(db) == before
    extra = write_jsonl(tmp / "one-more.jsonl", _rows()[:3] + [
        {"annotator": "cy", "item_id": "1", "system": "cpo", "score": 50.5, "spans": []}])
    assert main(["campaign", "import", "demo", "--judgements", str(extra), "--db", str(db)]) == 0
    assert "imported 1 judgements" in capsys.readouterr().err and _esa_count(db) == before + 1
    assert main(["campaign", "status", "demo", "--db", str(db)]) == 0
    status = capsys.readouterr().out
    assert any(line.startswith("cy ") and line.split()[-1] == "1" for line in status.splitlines())


GOOD = {"annotator": "p", "item_id": 0, "system": "base", "score": 72,
        "spans": [{"start": 0, "end": 5, "severity": "major"}]}
BAD = [
    ({"item_id": 99}, "item_id 99 is not an item"),
    ({"system": "gpt"}, "system 'gpt' is not a system"),
    ({"spans": [{"start": 0, "end": 999, "severity": "minor"}]}, "outside the text"),
    ({"spans": [{"start": -1, "end": 2, "severity": "minor"}]}, "outside the text"),
    ({"score": 101}, "score must be a number from 0 to 100"),
    ({"score": -0.5}, "score must be a number from 0 to 100"),
    ({"score": "high"}, "score must be a number from 0 to 100"),
    ({"spans": [{"start": 6, "end": 2, "severity": "minor"}]}, "start 6 is after end 2"),
    ({"spans": [{"start": 0, "end": 2, "severity": "critical"}]}, "severity must be minor or major"),
    ({"spans": [{"start": 0.5, "end": 2, "severity": "minor"}]}, "start must be a whole number"),
]


@pytest.mark.parametrize("change,message", BAD, ids=[m for _, m in BAD])
def test_a_bad_row_is_named_by_its_line_and_nothing_is_stored(tmp_path, capsys, change, message):
    db = tmp_path / "chat.db"
    store, _, _ = make_esa_campaign(db, "esa", assign=False)
    store.close()
    path = write_jsonl(tmp_path / "bad.jsonl", [GOOD, GOOD | {"annotator": "q"}, GOOD | change])
    assert main(["campaign", "import", "demo", "--judgements", str(path), "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {path}, line 3: ") and message in err and "\n" not in err
    assert _esa_count(db) == 0
    (tmp_path / "broken.jsonl").write_text(json.dumps(GOOD) + "\n{not json\n")
    assert main(["campaign", "import", "demo", "--judgements", str(tmp_path / "broken.jsonl"),
                 "--db", str(db)]) == 2
    assert "line 2: not JSON" in capsys.readouterr().err and _esa_count(db) == 0
