"""`compare`: scores and paired significance equal to `sacrebleu --paired-bs/--paired-ar` on the
same files; a real difference is significant and no difference is not; outputs side by side."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cli.main as cli
from tests.evaluation.test_scoring import EN, perturb, write

pytest.importorskip("sacrebleu")


def compare_json(capsys, *args) -> dict:
    assert cli.main(["compare", "--json", *map(str, args)]) == 0
    return json.loads(capsys.readouterr().out)


def sacrebleu_paired(*args) -> list[dict]:
    """Rows of `sacrebleu --paired-*` (its text table: its JSON mode fails on numpy floats in
    sacreBLEU 2.6): per system, metric → the printed numbers (score, [mean, ci], [p])."""
    exe = shutil.which("sacrebleu", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "sacrebleu"]
    out = subprocess.run([*command, *map(str, args), "-f", "text", "-w", "4", "--no-color"],
                         capture_output=True, text=True, check=True).stdout
    rows, header = [], None
    for line in out.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if header is None:
            header = [c.split(" ")[0] for c in cells[1:]]
            continue
        if cells[0]:
            rows.append({m: [] for m in header})
        for metric, cell in zip(header, cells[1:]):
            rows[-1][metric] += re.findall(r"\d+\.\d+", cell)
    return rows


@pytest.mark.parametrize("paired,their_flags", [
    ("bs", ["--paired-bs"]),
    ("ar", ["--paired-ar", "--paired-ar-n", "300"]),
])
def test_paired_test_equals_the_sacrebleu_command_line(tmp_path, capsys, paired, their_flags):
    refs = EN * 3
    ref = write(tmp_path / "ref.txt", refs)
    systems = [write(tmp_path / f"sys{i}.txt", perturb(refs, seed=10 + i)) for i in range(3)]
    samples = ["--samples", "300"] if paired == "ar" else []
    ours = compare_json(capsys, *systems, "--ref", ref, "--lang", "en", "--paired", paired, *samples,
                        "--examples", "0")
    theirs = sacrebleu_paired(ref, "-i", *systems, "-m", "bleu", "chrf", *their_flags)
    assert [s["name"] for s in ours["systems"]] == ["sys0", "sys1", "sys2"] and len(theirs) == 3
    for i, (mine, row) in enumerate(zip(ours["systems"], theirs)):
        for metric in ("BLEU", "chrF2"):
            got = mine["scores"][metric]
            keys = ["score"] + (["mean", "ci"] if paired == "bs" else []) + (["p_value"] if i else [])
            assert [f"{got[k]:.4f}" for k in keys] == row[metric], (metric, i)
    assert ours["baseline"] == "sys0" and ours["systems"][0]["scores"]["BLEU"]["p_value"] is None
    assert all(ours["signatures"][m].startswith("nrefs:1|") for m in ("BLEU", "chrF2"))
    assert f"{paired}:" in ours["signatures"]["BLEU"] and "seed:12345" in ours["signatures"]["BLEU"]


def test_significance_tells_real_differences_from_chance(tmp_path, capsys):
    """One segment changed in 72 is not significant; a system that gets a quarter of the
    segments right where the baseline doesn't is; the baseline again is flagged identical."""
    refs = EN * 6
    base = perturb(refs, seed=21)
    nudged = list(base)
    nudged[7] = refs[7]
    better = [r if i % 4 == 0 else b for i, (r, b) in enumerate(zip(refs, base))]
    ref = write(tmp_path / "ref.txt", refs)
    report = compare_json(capsys, f"base={write(tmp_path / 'a.txt', base)}",
                          f"nudged={write(tmp_path / 'b.txt', nudged)}",
                          f"better={write(tmp_path / 'c.txt', better)}",
                          f"again={write(tmp_path / 'd.txt', base)}", "--ref", ref, "--lang", "en",
                          "--examples", "0")
    bleu = {s["name"]: s["scores"]["BLEU"] for s in report["systems"]}
    same = {s["name"]: s["identical_to_baseline"] for s in report["systems"]}
    assert bleu["nudged"]["p_value"] > 0.05
    assert bleu["better"]["p_value"] < 0.05 and bleu["better"]["score"] > bleu["base"]["score"] + 5
    assert same == {"base": False, "nudged": False, "better": False, "again": True}


def test_side_by_side_table_from_jsonl_fields(tmp_path, capsys):
    """Systems named by their JSONL field; the segment where they disagree most is shown with
    its source, reference and every output."""
    refs = EN
    sys_b = list(refs)
    sys_b[4] = "Completely unrelated words here."
    rows = [{"source": f"src {i}", "reference": r, "a": r, "b": b} for i, (r, b) in enumerate(zip(refs, sys_b))]
    data = tmp_path / "test.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert cli.main(["compare", f"{data}:a", f"{data}:b", "--ref", str(data), "--src", str(data),
                     "--lang", "en", "--examples", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 systems on test.jsonl:reference: 12 segments, target English (en)")
    assert "a (baseline)" in out and "paired bootstrap resampling, baseline a" in out
    example = out[out.index("line 5"):]
    assert "src 4" in example and refs[4] in example and "Completely unrelated words here." in example
    assert "[chrF 100.0]" in example


def test_compare_errors(tmp_path, capsys):
    ref = write(tmp_path / "ref.txt", EN)
    short = write(tmp_path / "short.txt", EN[:3])
    cases = [
        ([ref, "--ref", ref], "compare needs at least two systems"),
        ([ref, short, "--ref", ref], f"short.txt has 3 segments but ref.txt has {len(EN)}"),
        ([ref, ref, "--ref", ref, "--lang", "qq"], "unknown language code 'qq'"),
    ]
    for args, message in cases:
        assert cli.main(["compare", *map(str, args)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err, err
