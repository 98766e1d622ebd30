"""`score --glossary` and `compare --glossary`: term accuracy beside BLEU/chrF, checked against
values computed by hand on a small fixture (CSV and TBX glossaries)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import cli.main as cli

pytest.importorskip("sacrebleu")

SOURCES = ["Das Haus hat ein Dach.",                              # Haus, Dach
           "Erneuerbare Energie für das Haus und das Haus.",      # erneuerbare Energie, Haus ×2
           "Nichts hier.",                                        # none
           "Die Energie ist teuer."]                              # Energie
REFS = ["The house has a roof.", "Renewable energy for the house and the house.", "Nothing here.",
        "Energy is expensive."]
# By hand: A has house, roof | renewable energy, house (one of two) | — | no energy → 4 of 6.
HYP_A = ["The house has a roof.", "Renewable energy for the house and the building.", "Nothing here.",
         "The power is expensive."]
# B has house (no roof) | renewable energy, house, house | — | energy → 5 of 6.
HYP_B = ["The house has a top.", "Renewable energy for the house and the house.", "Nothing here.",
         "The energy is expensive."]
CSV = "Haus,house\nDach,roof\nerneuerbare Energie,renewable energy\nEnergie,energy\n"
TBX = """<?xml version="1.0"?><martif type="TBX"><text><body>
<termEntry><langSet xml:lang="de"><tig><term>Haus</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>house</term></tig></langSet></termEntry>
<termEntry><langSet xml:lang="de"><tig><term>Dach</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>roof</term></tig></langSet></termEntry>
<termEntry><langSet xml:lang="de"><tig><term>erneuerbare Energie</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>renewable energy</term></tig></langSet></termEntry>
<termEntry><langSet xml:lang="de"><tig><term>Energie</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>energy</term></tig></langSet></termEntry>
</body></text></martif>"""


def write(path: Path, lines: list[str] | str) -> str:
    path.write_text(lines if isinstance(lines, str) else "".join(line + "\n" for line in lines),
                    encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    return {"src": write(tmp_path / "de-en.de", SOURCES), "ref": write(tmp_path / "ref.en", REFS),
            "a": write(tmp_path / "a.en", HYP_A), "b": write(tmp_path / "b.en", HYP_B),
            "csv": write(tmp_path / "terms.csv", CSV), "tbx": write(tmp_path / "terms.tbx", TBX)}


def scores(capsys, files, hyp: str, glossary: str, *extra: str) -> dict:
    assert cli.main(["score", "--json", "--hyp", files[hyp], "--ref", files["ref"], "--lang", "en",
                     "--metrics", "bleu", "chrf", "--glossary", files[glossary], *extra]) == 0
    report = json.loads(capsys.readouterr().out)
    return {s["metric"]: s for s in report["scores"]} | {u["metric"]: u for u in report["unavailable"]}


@pytest.mark.parametrize("glossary", ["csv", "tbx"])
def test_score_reports_term_accuracy_beside_bleu_and_chrf(capsys, files, glossary):
    got = scores(capsys, files, "a", glossary, "--src", files["src"])
    assert {"BLEU", "chrF2", "TermAcc"} <= set(got)
    assert got["TermAcc"]["score"] == pytest.approx(100 * 4 / 6, abs=1e-4)
    assert got["TermAcc"]["detail"] == "4/6"
    assert "terms:4|occurrences:6" in got["TermAcc"]["signature"]
    assert scores(capsys, files, "b", glossary, "--src", files["src"])["TermAcc"]["score"] == \
        pytest.approx(100 * 5 / 6, abs=1e-4)


def test_score_table_and_missing_sources(capsys, files):
    assert cli.main(["score", "--hyp", files["a"], "--ref", files["ref"], "--lang", "en", "--metrics", "chrf",
                     "--src", files["src"], "--glossary", files["csv"]]) == 0
    assert any(line.split()[:2] == ["TermAcc", "66.67"] for line in capsys.readouterr().out.splitlines())
    assert scores(capsys, files, "a", "csv")["TermAcc"]["reason"] == "needs the sources: give --src"


def test_compare_shows_term_accuracy_per_system(capsys, files):
    assert cli.main(["compare", "--json", f"a={files['a']}", f"b={files['b']}", "--ref", files["ref"],
                     "--src", files["src"], "--lang", "en", "--samples", "50", "--examples", "0",
                     "--glossary", files["csv"]]) == 0
    report = json.loads(capsys.readouterr().out)
    terms = [system["scores"]["TermAcc"] for system in report["systems"]]
    assert [(t["hits"], t["total"]) for t in terms] == [(4, 6), (5, 6)]
    assert [round(t["score"], 2) for t in terms] == [66.67, 83.33]
    assert cli.main(["compare", f"a={files['a']}", f"b={files['b']}", "--ref", files["ref"], "--src",
                     files["src"], "--lang", "en", "--samples", "50", "--examples", "0",
                     "--glossary", files["csv"]]) == 0
    table = capsys.readouterr().out
    assert "TermAcc" in table and "66.67" in table and "83.33" in table
