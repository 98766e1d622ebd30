"""Export of an error-span campaign with a margin: best vs worst candidate per item when their
mean scores differ by at least M, both scores and every span in ``full`` rows, spans surviving
byte-exact (each one sliced out of the exported text), post-edits as pairs; and a contrastive
campaign's scores counted on the pairwise leaderboard."""
from __future__ import annotations

import json

import pytest

from cli.main import main
from tests.campaigns.esa_helpers import make_esa_campaign, span, write_jsonl

MARKED = ("👋🏽", "Ko\u0308ln", "🐈", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")  # astral characters, a combining mark


def text(position: int, k: int) -> str:
    return (f"Ein Grüß 👋🏽 from Ko\u0308ln ⟨{position}⟩ — ok", f"The cat 🐈 sat on mat {position}.",
            f"Weak 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 output {position}")[k]


def _at(system: str, item: int, marked: str, severity: str = "minor") -> dict:
    t = text(item, ("base", "cpo", "weak").index(system))
    start = t.index(marked)
    return span(start, start + len(marked), severity)


SCORES = [  # (annotator, item, system, score, spans)
    ("ann", 0, "base", 90, [_at("base", 0, "👋🏽"), _at("base", 0, "Ko\u0308ln", "major")]),
    ("bob", 0, "base", 80, [_at("base", 0, "Ko\u0308ln")]),
    ("ann", 0, "cpo", 70, []), ("bob", 0, "cpo", 70, [_at("cpo", 0, "🐈")]),
    ("ann", 0, "weak", 20, [_at("weak", 0, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "major")]), ("bob", 0, "weak", 30, []),
    ("ann", 1, "base", 60, []), ("bob", 1, "base", 62, []),               # 61 vs 56: a margin of 5
    ("ann", 1, "cpo", 55, [_at("cpo", 1, "🐈")]), ("bob", 1, "cpo", 57, []),
    ("ann", 1, "weak", 58, []),
    ("ann", 2, "base", 50, []), ("ann", 2, "cpo", 50, []), ("ann", 2, "weak", 50, []),  # a tie
    ("ann", 3, "cpo", 90, []), ("bob", 3, "weak", 40, [_at("weak", 3, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")]),
]


@pytest.fixture()
def campaign_db(tmp_path):
    db = tmp_path / "chat.db"
    store, _, _ = make_esa_campaign(db, "esa", n_items=4, systems=("base", "cpo", "weak"),
                                    assign=False, text=text)
    store.close()
    rows = [{"annotator": a, "item_id": i, "system": s, "score": sc, "spans": sp, "seconds": 4}
            for a, i, s, sc, sp in SCORES]
    rows.append({"annotator": "cy", "item_id": 2, "system": "base", "score": 50, "spans": [],
                 "post_edit": "A fixed sentence."})
    path = write_jsonl(tmp_path / "esa.jsonl", rows)
    assert main(["campaign", "import", "demo", "--judgements", str(path), "--db", str(db)]) == 0
    return db


def _export(db, out, *flags) -> list[dict]:
    assert main(["campaign", "export", "demo", "--out", str(out), "--db", str(db), *flags]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_full_rows_pair_best_and_worst_by_margin_with_scores_and_spans(campaign_db, tmp_path):
    rows = _export(campaign_db, tmp_path / "full.jsonl", "--format", "full")
    pairs = sorted((r["item_id"], r["kind"], r["chosen_system"], r["rejected_system"]) for r in rows)
    assert pairs == [("0", "judgement", "base", "weak"), ("2", "post-edit", "base", "base"),
                     ("3", "judgement", "cpo", "weak")]  # item 1 is 5 points apart, item 2 a tie
    first = next(r for r in rows if r["item_id"] == "0")
    assert (first["chosen_score"], first["rejected_score"], first["margin"]) == (85, 25, 60)
    assert first["scores"] == {"base": 85, "cpo": 70, "weak": 25}
    assert first["chosen"] == text(0, 0) and first["rejected"] == text(0, 2)
    assert first["annotators"] == ["ann", "bob"] and first["seconds"] == [4.0] * 4
    assert [(s["annotator"], s["severity"]) for s in first["chosen_spans"]] == [
        ("ann", "minor"), ("ann", "major"), ("bob", "minor")]
    edit = next(r for r in rows if r["kind"] == "post-edit")
    assert edit["chosen"] == "A fixed sentence." and edit["rejected"] == text(2, 0)
    # every span, sliced out of the text as exported, is the text that was marked
    sliced = [(r[side][s["start"]:s["end"]]) for r in rows for side in ("chosen", "rejected")
              for s in r[f"{side}_spans"]]
    assert sorted(sliced) == sorted(["👋🏽", "Ko\u0308ln", "Ko\u0308ln", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"])
    assert "👋🏽".encode() in (tmp_path / "full.jsonl").read_bytes()  # UTF-8, not \\u escapes


def test_the_margin_is_a_setting_and_trl_rows_are_plain(campaign_db, tmp_path):
    assert len(_export(campaign_db, tmp_path / "m5.jsonl", "--margin", "5")) == 4  # item 1 joins
    assert len(_export(campaign_db, tmp_path / "m0.jsonl", "--margin", "0")) == 4  # a tie never
    assert len(_export(campaign_db, tmp_path / "m70.jsonl", "--margin", "70")) == 1  # the post-edit
    trl = _export(campaign_db, tmp_path / "trl.jsonl")
    assert len(trl) == 3 and all(set(r) == {"prompt", "chosen", "rejected"} for r in trl)
    assert all(r["prompt"].startswith("Translate this from German to English:\nGerman: Quelle")
               for r in trl)
    alma = _export(campaign_db, tmp_path / "alma.jsonl", "--format", "alma-r")
    assert alma[0]["translation"]["language_pair"] == "de-en"


@pytest.mark.parametrize("flags,message", [
    (["--margin", "-1"], "--margin is a number of points"),
    (["--min-agreement", "0.6"], "--min-agreement is for pairwise campaigns"),
])
def test_flags_of_the_other_protocol_are_refused(campaign_db, tmp_path, capsys, flags, message):
    assert main(["campaign", "export", "demo", "--out", str(tmp_path / "x.jsonl"),
                 "--db", str(campaign_db), *flags]) == 2
    assert message in capsys.readouterr().err


def test_contrastive_scores_count_on_the_pairwise_leaderboard(tmp_path):
    db = tmp_path / "chat.db"
    store, _, _ = make_esa_campaign(db, "contrastive-esa", n_items=6, assign=False)
    store.close()
    # per item: (ann base, ann cpo, bob base, bob cpo)
    table = [(90, 70, 80, 60), (85, 60, 85, 85), (50, 70, 75, 70), (90, 80, 90, 70),
             (40, 40, 60, 50), (88, 70, 70, 88)]
    rows = [{"annotator": name, "item_id": i, "system": system, "score": score, "spans": []}
            for i, scores in enumerate(table)
            for (name, system), score in zip((("ann", "base"), ("ann", "cpo"), ("bob", "base"),
                                              ("bob", "cpo")), scores)]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    assert main(["campaign", "import", "demo", "--judgements", str(path), "--db", str(db)]) == 0
    out = tmp_path / "r.json"
    assert main(["campaign", "report", "demo", "--json", str(out), "--db", str(db)]) == 0
    report = json.loads(out.read_text())
    board = {r["system"]: r for r in report["leaderboard"]}
    wins = sum(a > b for a, b, _, _ in table) + sum(a > b for _, _, a, b in table)
    ties = sum(a == b for a, b, _, _ in table) + sum(a == b for _, _, a, b in table)
    base = board["base"]
    assert (base["wins"], base["ties"], base["losses"]) == (wins, ties, 12 - wins - ties)
    assert [r["system"] for r in report["leaderboard"]] == ["base", "cpo"]
    assert report["agreement"]["items_with_overlap"] == 6
    assert report["esa"]["systems"][0]["system"] == "base"
