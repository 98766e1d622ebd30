"""`python app.py campaign …`: the assignment, export with agreement-aware merging, the page's
service calls, the one-line errors for bad input (nothing stored changes), and creation with
the tiny model resumed after kill -9."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from campaigns import annotate
from campaigns.assign import build_assignment, qc_gap
from cli.main import main
from storage import CampaignStore, NotFound, open_store
from tests.campaign_helpers import make_campaign

ROOT = Path(__file__).resolve().parents[2]


def _counts(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in
                ("campaigns", "campaign_items", "campaign_outputs", "campaign_annotators",
                 "campaign_assignments", "campaign_judgements")}


def test_assignment_redundancy_repeats_qc_and_tokens(tmp_path):
    store, campaigns, info = make_campaign(tmp_path / "chat.db", n_items=20,
                                           annotators=("ann", "bob", "cy"), repeat=0.2, qc=0.2)
    try:
        rows = campaigns.assignments(info.id)
        outputs = campaigns.outputs(info.id)
        normal = Counter((a.item_id, a.system_a, a.system_b) for a in rows if a.kind == "normal")
        assert len(normal) == 20 and set(normal.values()) == {2}  # each item: two annotators
        for annotator in campaigns.annotators(info.id):
            mine = [a for a in rows if a.annotator_id == annotator.id]
            assert [a.position for a in mine] == list(range(len(mine)))
            first = {}
            for a in mine:
                unit = (a.item_id, a.system_a, a.system_b)
                if a.kind == "normal":
                    first[unit] = a.position
                elif a.kind == "repeat":  # shown again far apart: at least half the queue later
                    assert a.position - first[unit] >= len(mine) // 2
            qc = [a for a in mine if a.kind == "qc"]
            assert qc and all(a.system_a == a.system_b and a.qc_side in "ab" for a in qc)
            for a in qc:
                real = outputs[(a.item_id, a.system_a)][1]
                assert a.qc_text != real and len(a.qc_text.split()) == len(real.split())
        tokens = [a.token for a in campaigns.annotators(info.id)] + [info.owner_token]
        assert len(set(tokens)) == len(tokens) and all(len(t) >= 32 for t in tokens)
    finally:
        store.close()


def test_a_qc_item_is_kept_apart_from_its_source_item(tmp_path):
    """Over seeds and sizes, a planted copy is at least `qc_gap` screens (a quarter of the
    queue, at least 3) from each showing of its own item, repeats included."""
    store, campaigns, info = make_campaign(tmp_path / "chat.db", n_items=60,
                                           annotators=("ann", "bob", "cy"), assign=False)
    try:
        items, systems = campaigns.items(info.id), campaigns.systems(info.id)
        annotators, outputs = campaigns.annotators(info.id), campaigns.outputs(info.id)
        checked = 0
        for n_items, repeat, qc in ((12, 0.0, 0.3), (24, 0.2, 0.2), (60, 0.5, 0.5), (60, 0.9, 0.9)):
            for seed in range(6):
                rows = build_assignment(items[:n_items], systems, annotators, outputs, 2, repeat,
                                        qc, seed)
                for annotator in annotators:
                    mine = [r for r in rows if r["annotator_id"] == annotator.id]
                    gap = qc_gap(sum(r["kind"] == "normal" for r in mine))
                    for planted in (r for r in mine if r["kind"] == "qc"):
                        own = [r["position"] for r in mine
                               if r["item_id"] == planted["item_id"] and r is not planted]
                        assert own and min(abs(planted["position"] - p) for p in own) >= gap >= 3
                        checked += 1
        assert checked > 300
    finally:
        store.close()


def test_page_calls_resume_at_the_first_unjudged_item_and_refuse_foreign_items(tmp_path, capsys):
    store, campaigns, info = make_campaign(tmp_path / "chat.db", n_items=6)
    try:
        ann, bob = campaigns.annotators(info.id)
        view = annotate.current_item(campaigns, ann.token)
        assert (view.done, view.total) == (0, 6) and view.source and view.left and view.right
        outputs = {text for _, text in campaigns.outputs(info.id).values()}
        assert {view.left, view.right} <= outputs
        assert annotate.judge(campaigns, ann.token, view.assignment_id, "left", seconds=3.5)
        assert not annotate.judge(campaigns, ann.token, view.assignment_id, "right")  # kept once
        assert annotate.verdict(campaigns, ann.token, view.assignment_id) == (1, "left")
        again = annotate.current_item(campaigns, ann.token)
        assert again.done == 1 and again.assignment_id != view.assignment_id
        stored = campaigns.judgements(info.id)
        assert len(stored) == 1 and stored[0].seconds == 3.5
        with pytest.raises(NotFound):
            annotate.current_item(campaigns, "not-a-token")
        with pytest.raises(ValueError, match="not assigned"):
            annotate.judge(campaigns, bob.token, again.assignment_id, "left")
        assert len(campaigns.judgements(info.id)) == 1
    finally:
        store.close()
    assert main(["campaign", "status", "demo", "--db", str(tmp_path / "chat.db")]) == 0
    out = capsys.readouterr().out
    assert "ann" in out and "1 / 6" in out and "0 / 6" in out and "base vs cpo" in out and "1 / 12" in out


def test_two_annotators_judging_at_once_lose_nothing(tmp_path):
    db = tmp_path / "chat.db"
    store, campaigns, info = make_campaign(db, n_items=12)
    tokens = [a.token for a in campaigns.annotators(info.id)]
    store.close()

    def judge_all(token: str) -> None:
        own = CampaignStore(open_store(db))  # its own engine, as another server worker would be
        try:
            while not (view := annotate.current_item(own, token)).finished:
                annotate.judge(own, token, view.assignment_id, "left", seconds=0.1)
        finally:
            own.store.close()

    threads = [threading.Thread(target=judge_all, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert _counts(db)["campaign_judgements"] == 24


def test_export_merges_by_majority_and_drops_ties_and_splits(tmp_path, capsys):
    db = tmp_path / "chat.db"
    store, campaigns, info = make_campaign(db, n_items=6, annotators=("ann", "bob", "cy"), assign=False)
    store.close()
    csv = tmp_path / "j.csv"
    csv.write_text("annotator,item_id,system_a,system_b,choice,seconds,post_edit\n"
                   "ann,0,base,cpo,a,3,\nbob,0,cpo,base,b,4,\ncy,0,base,cpo,b,5,\n"   # base 2:1
                   "ann,1,base,cpo,a,3,\nbob,1,base,cpo,b,3,\n"                        # split
                   "ann,2,base,cpo,tie,3,\nbob,2,base,cpo,tie,3,\n"                    # tie
                   "ann,3,base,cpo,b,3,The cat sits on the mat.\n")                 # cpo + post-edit
    assert main(["campaign", "import", "demo", "--judgements", str(csv), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["campaign", "status", "demo", "--db", str(db)]) == 0
    status = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in status if line.startswith(("ann ", "bob ", "cy "))] == ["4", "3", "1"]
    assert any(line.startswith("base vs cpo") and line.split()[-1] == "8" for line in status)
    out = tmp_path / "full.jsonl"
    assert main(["campaign", "export", "demo", "--format", "full", "--out", str(out), "--db", str(db)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    kinds = sorted((r["item_id"], r["kind"], r["chosen_system"]) for r in rows)
    assert kinds == [("0", "judgement", "base"), ("3", "judgement", "cpo"), ("3", "post-edit", "cpo")]
    first = next(r for r in rows if r["item_id"] == "0")
    assert first["annotators"] == ["ann", "bob", "cy"] and first["agreement"] == pytest.approx(2 / 3)
    assert first["prompt"].startswith("Translate this from German to English:\nGerman: Quelle 0")
    assert first["seconds"] == [3.0, 4.0, 5.0] and first["campaign"] == "demo"
    edit = next(r for r in rows if r["kind"] == "post-edit")
    assert edit["chosen"] == "The cat sits on the mat." and edit["rejected"] != edit["chosen"]
    strict = tmp_path / "strict.jsonl"
    assert main(["campaign", "export", "demo", "--out", str(strict), "--min-agreement", "0.9",
                 "--db", str(db)]) == 0
    assert len(strict.read_text().splitlines()) == 2  # item 0 (2/3 agree) is left out
    trl = [json.loads(x) for x in strict.read_text().splitlines()]
    assert all(set(r) == {"prompt", "chosen", "rejected"} for r in trl)
    alma = tmp_path / "alma.jsonl"
    assert main(["campaign", "export", "demo", "--format", "alma-r", "--out", str(alma), "--db", str(db)]) == 0
    assert json.loads(alma.read_text().splitlines()[0])["translation"]["language_pair"] == "de-en"


BAD = [
    (["create", "x", "--test-set", "{six}", "--system", "a=smollm2", "--annotators", "ann,bob"],
     "at least two systems"),
    (["create", "x", "--test-set", "{six}", "--system", "a=no-such-model-xyz", "--system", "b=smollm2",
      "--annotators", "ann,bob"], "system a:"),
    (["create", "x", "--test-set", "{broken}", "--system", "a=smollm2", "--system", "b=smollm2",
      "--annotators", "ann,bob"], "line 2: not JSON"),
    (["create", "x", "--test-set", "{six}", "--system", "a=smollm2", "--system", "b=smollm2",
      "--annotators", "ann,bob", "--redundancy", "3"], "--redundancy"),
    (["create", "x", "--test-set", "{six}", "--system", "a=smollm2,beams=0", "--system", "b=smollm2",
      "--annotators", "ann,bob"], "beams must be at least 1"),
    (["import", "demo", "--judgements", "{badcsv}"], "line 3: choice must be one of"),
    (["import", "demo", "--judgements", "{unknown_item}"], "line 2: item_id '99'"),
    (["import", "nope", "--judgements", "{badcsv}"], "no campaign named 'nope'"),
    (["export", "demo", "--out", "{out}", "--min-agreement", "2"], "--min-agreement"),
    (["report", "nope"], "no campaign named"),
]


@pytest.mark.parametrize("argv,message", BAD, ids=[m for _, m in BAD])
def test_bad_input_is_one_line_and_changes_nothing(tmp_path, capsys, argv, message):
    db = tmp_path / "chat.db"
    store, _, _ = make_campaign(db, n_items=6)
    store.close()
    files = {"six": tmp_path / "six.jsonl", "broken": tmp_path / "broken.jsonl",
             "badcsv": tmp_path / "bad.csv", "unknown_item": tmp_path / "unknown.csv",
             "out": tmp_path / "out.jsonl"}
    files["six"].write_text('{"id": 1, "source": "Hallo Welt.", "src_lang": "de", "tgt_lang": "en"}\n')
    files["broken"].write_text('{"id": 1, "source": "Hallo."}\n{not json\n')
    files["badcsv"].write_text("annotator,item_id,system_a,system_b,choice\nann,0,base,cpo,a\n"
                               "ann,1,base,cpo,maybe\n")
    files["unknown_item"].write_text("annotator,item_id,system_a,system_b,choice\nann,99,base,cpo,a\n")
    before = _counts(db)
    argv = [a.format(**files) for a in argv] + ["--db", str(db)]
    assert main(["campaign", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err and "Traceback" not in err
    assert _counts(db) == before


def _create_cmd(db, tiny_model_dir, test_set, adapter) -> list[str]:
    return [sys.executable, str(ROOT / "app.py"), "campaign", "create", "resume", "--test-set",
            str(test_set), "--system", f"base={tiny_model_dir},style=alma,max_new_tokens=24",
            "--system", f"lora={tiny_model_dir},adapter={adapter},style=alma,max_new_tokens=24",
            "--annotators", "ann,bob", "--db", str(db)]


def test_create_resumes_after_kill_9_and_stores_exact_prompts(tmp_path, tiny_model_dir, tiny_adapter_dirs):
    source = Path("/work/shared/data/wmt22/de-en.jsonl")
    if not source.exists():
        pytest.skip("WMT'22 data is not in /work/shared")
    test_set = tmp_path / "de-en.jsonl"
    test_set.write_text("".join(source.read_text(encoding="utf-8").splitlines(True)[:20]), encoding="utf-8")
    db = tmp_path / "chat.db"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HINTMT_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    cmd = _create_cmd(db, tiny_model_dir, test_set, tiny_adapter_dirs[0])
    proc = subprocess.Popen([*cmd], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    first = []
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    first = conn.execute("SELECT id, item_id, system_id, prompt, text FROM campaign_outputs "
                                         "ORDER BY id").fetchall()
            except sqlite3.OperationalError:
                first = []
            if first:
                break
        time.sleep(0.2)
    assert first and proc.poll() is None, "no batch was stored before the run ended"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(first) < 40
    done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    links = [line for line in done.stdout.splitlines() if "campaign?" in line]
    assert len(links) == 3 and links[0].startswith("ann: ") and "owner=" in links[2]
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT id, item_id, system_id, prompt, text FROM campaign_outputs "
                             "ORDER BY id").fetchall()
        items = dict(conn.execute("SELECT id, source FROM campaign_items").fetchall())
    assert after[:len(first)] == first and len(after) == 40  # kept, and only the rest generated
    assert len({(r[1], r[2]) for r in after}) == 40
    for _, item_id, _, prompt, _ in after:
        assert prompt == f"Translate this from German to English:\nGerman: {items[item_id]}\nEnglish:"
    again = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and again.stdout == done.stdout  # same campaign, same links
    changed = subprocess.run([*cmd[:-4], "--annotators", "ann,cy", "--db", str(db)], env=env,
                             cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert changed.returncode == 2 and "already exists with other settings (annotators)" in changed.stderr
