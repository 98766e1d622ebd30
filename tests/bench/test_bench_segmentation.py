"""bench.segmentation: the boundary scoring on hand-made splits (no data files needed)."""
from __future__ import annotations

import json

import pytest

from bench.segmentation import boundaries, main, score


def test_perfect_split_scores_one_and_whitespace_does_not_matter():
    true = ["Hello there.", "How are you?", "Fine."]
    predicted = ["Hello there. ", "  How are you?", "Fine.\n"]
    assert boundaries(true) == {11, 21}  # offsets count non-whitespace characters
    result = score([(true, predicted)])
    assert (result["precision"], result["recall"], result["f1"], result["exact"]) == (1.0, 1.0, 1.0, 1.0)


def test_missed_and_extra_boundaries():
    true = ["One.", "Two.", "Three."]
    missed = score([(true, ["One. Two.", "Three."])])
    assert missed["precision"] == 1.0 and missed["recall"] == 0.5
    assert missed["f1"] == pytest.approx(2 / 3) and missed["exact"] == 0.0
    extra = score([(["Mr. Smith came."], ["Mr.", "Smith came."]), (true, true)])
    assert (extra["tp"], extra["fp"], extra["fn"]) == (2, 1, 0)
    assert extra["precision"] == pytest.approx(2 / 3) and extra["recall"] == 1.0 and extra["exact"] == 0.5


def test_runs_end_to_end_on_a_tiny_file(tmp_path, capsys):
    pytest.importorskip("pysbd")
    rows = [{"id": i, "src_lang": "en", "source": s}
            for i, s in enumerate(["It rained.", "We stayed in.", "Then it stopped.", "", "Good."])]
    (tmp_path / "en-de.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = tmp_path / "seg.json"
    assert main(["--data", str(tmp_path), "--json", str(out)]) == 0
    assert "| en | 1 | 3 |" in capsys.readouterr().out
    result = json.loads(out.read_text())
    for name in ("split_segments", "pysbd"):
        assert result["overall"][name]["f1"] == 1.0 and result["overall"][name]["groups"] == 1
