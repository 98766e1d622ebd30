"""An error-span campaign end to end from the terminal, with the tiny model: `campaign create
--protocol contrastive-esa` (generation, assignment with planted errors), JSONL import (bad rows
refused by line), status, report, `export --margin`, and `train-cpo` on the exported pairs."""
from __future__ import annotations

import json
import sqlite3

import pytest

from cli.main import main
from tests.campaigns.esa_helpers import write_jsonl

SOURCES = ["Die Katze schläft.", "Der Hund bellt laut.", "Wir gehen heute ins Kino.",
           "Das Wetter ist schön.", "Ich lese ein Buch.", "Sie trinkt Kaffee am Morgen."]


def test_a_contrastive_esa_campaign_from_create_to_train_cpo(tmp_path, capsys, tiny_model_dir,
                                                             tiny_adapter_dirs, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    test_set = tmp_path / "de-en.jsonl"
    test_set.write_text("".join(json.dumps({"id": f"s{i}", "source": s, "src_lang": "de",
                                            "tgt_lang": "en"}) + "\n"
                                for i, s in enumerate(SOURCES)), encoding="utf-8")
    db = tmp_path / "chat.db"
    create = ["campaign", "create", "demo", "--test-set", str(test_set), "--protocol",
              "contrastive-esa", "--system", f"base={tiny_model_dir},style=alma,max_new_tokens=12",
              "--system", f"lora={tiny_model_dir},adapter={tiny_adapter_dirs[0]},style=alma,"
              "max_new_tokens=12", "--annotators", "ann,bob", "--qc", "0.2", "--db", str(db)]
    assert main(create) == 0
    links = capsys.readouterr().out
    assert "ann: " in links and "campaign?token=" in links
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT protocol FROM campaigns").fetchone() == ("contrastive-esa",)
        outputs = {(k, label): t for k, label, t in conn.execute(
            "SELECT i.item_key, s.label, o.text FROM campaign_outputs o JOIN campaign_items i "
            "ON i.id = o.item_id JOIN campaign_systems s ON s.id = o.system_id")}
        assert conn.execute("SELECT COUNT(*) FROM campaign_assignments WHERE kind = 'qc' AND "
                            "qc_start IS NOT NULL").fetchone()[0] >= 2
    assert main([*create[:6], "esa", *create[7:]]) == 2  # the same name, another protocol
    assert "already exists with other settings (protocol)" in capsys.readouterr().err

    rows = []
    for i in range(len(SOURCES)):
        for name, (good, bad) in (("ann", (80, 40)), ("bob", (75, 45))):
            for system, score in (("base", good), ("lora", bad)):
                t = outputs[(f"s{i}", system)]
                spans = [{"start": 0, "end": min(3, len(t)), "severity": "major"}] if t else []
                rows.append({"annotator": name, "item_id": f"s{i}", "system": system,
                             "score": score, "spans": spans})
    bad = write_jsonl(tmp_path / "bad.jsonl", rows[:2] + [dict(rows[2], system="gpt")])
    assert main(["campaign", "import", "demo", "--judgements", str(bad), "--db", str(db)]) == 2
    assert f"{bad}, line 3: system 'gpt' is not a system" in capsys.readouterr().err
    good = write_jsonl(tmp_path / "esa.jsonl", rows)
    assert main(["campaign", "import", "demo", "--judgements", str(good), "--db", str(db)]) == 0
    assert f"imported {len(rows)} judgements" in capsys.readouterr().err
    assert main(["campaign", "status", "demo", "--db", str(db)]) == 0
    assert "base vs lora" in capsys.readouterr().out

    report = tmp_path / "report.json"
    assert main(["campaign", "report", "demo", "--json", str(report), "--db", str(db)]) == 0
    results = json.loads(report.read_text())
    assert [r["system"] for r in results["esa"]["systems"]] == ["base", "lora"]
    assert results["esa"]["systems"][0]["mean_score"] == pytest.approx(77.5)
    assert results["leaderboard"][0]["system"] == "base" and results["leaderboard"][0]["wins"] == 12

    pairs = tmp_path / "pairs.jsonl"
    assert main(["campaign", "export", "demo", "--margin", "30", "--out", str(pairs),
                 "--db", str(db)]) == 0
    exported = [json.loads(line) for line in pairs.read_text().splitlines()]
    assert len(exported) == len(SOURCES)
    assert all(r["prompt"].startswith("Translate this from German to English:\nGerman: ")
               for r in exported)
    assert main(["campaign", "export", "demo", "--margin", "40", "--out", str(tmp_path / "none.jsonl"),
                 "--db", str(db)]) == 0  # 77.5 vs 42.5: 35 points apart
    assert (tmp_path / "none.jsonl").read_text() == ""
    rc = main(["train-cpo", "--model", str(tiny_model_dir), "--style", "alma", "--pairs", str(pairs),
               "--out", str(tmp_path / "adapter"), "--max-steps", "2", "--batch-size", "2",
               "--logging-steps", "1"])
    assert rc == 0 and (tmp_path / "adapter" / "adapter_config.json").exists()
