"""Pearmut interchange: an ESA campaign out as Pearmut's campaign JSON and Pearmut's annotation
log back in. The log lines here are written in the shapes Pearmut 1.1.6 documents and its code
writes (UTF-16 inclusive ``start_i``/``end_i``, ``[missing]`` past the end, resets, a later line
replacing an earlier one, the dashboard's download); with ``pearmut`` importable, the last test
loads the exported campaign with Pearmut's own code and annotates it through its server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from campaigns.pearmut import read_pearmut
from campaigns.results import compute
from cli.main import main
from storage import CampaignStore, open_store
from tests.campaigns.esa_helpers import make_esa_campaign

EMOJI = "🐈‍⬛"  # a ZWJ sequence of astral characters: 3 code points, 5 UTF-16 units


def text(position: int, k: int) -> str:
    return f"{EMOJI} Katze {position} sitzt auf der Matte." if k == 0 else \
        f"The black cat {EMOJI} {position} sits on the mat."


def u16(s: str, i: int) -> int:
    """The UTF-16 index of code point ``i`` of ``s`` (what Pearmut's browser code counts)."""
    return len(s[:i].encode("utf-16-le")) // 2


def pearmut_span(s: str, start: int, end: int, severity: str = "minor") -> dict:
    """Our [start, end) as Pearmut writes it: UTF-16 indices, both ends inclusive."""
    return {"start_i": u16(s, start), "end_i": u16(s, end) - 1, "severity": severity,
            "category": None}


@pytest.fixture()
def exported(tmp_path):
    db = tmp_path / "chat.db"
    store, _, _ = make_esa_campaign(db, "contrastive-esa", n_items=10, qc=0.2, text=text)
    store.close()
    out = tmp_path / "pearmut.json"
    assert main(["campaign", "export", "demo", "--format", "pearmut", "--out", str(out),
                 "--db", str(db)]) == 0
    return db, json.loads(out.read_text(encoding="utf-8")), tmp_path


def _answer(item: dict) -> dict:
    """A score per candidate, a span on the emoji (where a planted swap left it), and
    [missing] on the planted copy."""
    out = {}
    for model, tgt in item["tgt"].items():
        start = tgt.find(EMOJI)
        spans = [pearmut_span(tgt, start, start + len(EMOJI), "major")] if start >= 0 else []
        if model == "#planted":
            spans.append({"start_i": u16(tgt, len(tgt)), "end_i": u16(tgt, len(tgt)),
                          "severity": "minor", "category": None})
        out[model] = {"score": 30 if model == "#planted" else 70, "error_spans": spans}
    return out


def _log(doc: dict) -> list[dict]:
    lines = []
    for user, task in zip(doc["info"]["users"], doc["data"]):
        for item_i, document in enumerate(task):
            lines.append({"annotation": [_answer(item) for item in document],
                          "actions": [{"time": 100.0}, {"time": 104.5}], "item": document,
                          "user_id": user, "item_i": item_i})
    return lines


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def test_the_campaign_json_mirrors_each_annotators_queue(exported):
    db, doc, _ = exported
    assert doc["campaign_id"] == "demo" and doc["info"]["protocol"] == "cESA"
    assert doc["info"]["assignment"] == "task-based" and doc["info"]["shuffle"] is False
    store = open_store(db)
    try:
        campaigns = CampaignStore(store)
        info = campaigns.get("demo")
        people = {a.name: a.id for a in campaigns.annotators(info.id)}
        assert doc["info"]["users"] == ["ann", "bob"]
        outputs = campaigns.outputs(info.id)
        for user, task in zip(doc["info"]["users"], doc["data"]):
            queue = campaigns.assignments(info.id, people[user])
            assert [d[0]["hintmt"]["assignment"] for d in task] == [a.id for a in queue]
            for (item,), a in zip(task, queue):
                first, second = item["tgt"].values()
                left = a.system_a if a.a_on_left else a.system_b
                if a.kind == "qc":
                    assert "#planted" in item["tgt"] and a.qc_text in (first, second)
                else:
                    assert first == outputs[(a.item_id, left)][1] and second != first
    finally:
        store.close()


def test_the_log_comes_back_with_spans_converted_and_twice_adds_nothing(exported, capsys):
    db, doc, tmp = exported
    lines = _log(doc)
    ann_first = next(x for x in lines if x["user_id"] == "ann")
    stale = json.loads(json.dumps(ann_first))
    stale["annotation"][0] = {m: {**r, "score": 1} for m, r in stale["annotation"][0].items()}
    bob_early = {**next(x for x in lines if x["user_id"] == "bob"), "item_i": 0}
    log = [stale, bob_early, {"user_id": "bob", "annotation": "__RESET__"}] + lines + [
        {"annotation": ["en"], "item": [{"text": "Native language?", "form": "string"}],
         "user_id": "ann", "item_i": "welcome_0"}]
    path = _write(tmp / "annotations.jsonl", log)
    capsys.readouterr()
    assert main(["campaign", "import", "demo", "--pearmut", str(path), "--db", str(db)]) == 0
    assert "skipped 0 row(s)" in capsys.readouterr().err
    store = open_store(db)
    try:
        campaigns = CampaignStore(store)
        info = campaigns.get("demo")
        assert all(a.judged for a in campaigns.assignments(info.id))
        marks = campaigns.esa_judgements(info.id)
        assert len(marks) == 2 * len(lines) and all(m.assignment_id for m in marks)
        for m in marks:
            major = [s for s in m.spans if s["severity"] == "major"]
            assert [m.text[s["start"]:s["end"]] for s in major] == [EMOJI] * (EMOJI in m.text)
            assert m.score == (30 if m.planted else 70) and m.seconds == 4.5  # the stale line lost
            if m.planted:
                assert {"start": len(m.text), "end": len(m.text), "severity": "minor"} in m.spans
        rows = {r["annotator"]: r for r in compute(campaigns, info, rounds=10)["annotators"]}
        assert rows["ann"]["qc_items"] >= 1 and rows["ann"]["qc_pass_rate"] == 1.0
    finally:
        store.close()
    download = tmp / "annotations.json"  # the dashboard's download: {campaign_id: [lines]}
    download.write_text(json.dumps({"demo": log}, ensure_ascii=False), encoding="utf-8")
    assert main(["campaign", "import", "demo", "--pearmut", str(download), "--db", str(db)]) == 0
    assert f"imported 0 judgements into demo; skipped {2 * len(lines)}" in capsys.readouterr().err


@pytest.mark.parametrize("change,message", [
    (lambda x: x["annotation"][0][next(iter(x["annotation"][0]))]["error_spans"].append(
        {"start_i": 0, "end_i": 1, "severity": "neutral"}), "severity must be minor or major"),
    (lambda x: x.update(user_id="zed"), "user 'zed' annotated ann's item"),
    (lambda x: x["annotation"][0][next(iter(x["annotation"][0]))].update(score=None),
     "score must be a number"),
    (lambda x: x["annotation"][0][next(iter(x["annotation"][0]))]["error_spans"].append(
        {"start_i": 3, "end_i": 2, "severity": "minor"}), "span 3–2 is outside the text"),
])
def test_a_bad_line_is_named_and_nothing_is_imported(exported, capsys, change, message):
    db, doc, tmp = exported
    lines = _log(doc)
    change(lines[1])
    path = _write(tmp / "bad.jsonl", lines)
    assert main(["campaign", "import", "demo", "--pearmut", str(path), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 2: " in err and message in err
    store = open_store(db)
    try:
        assert CampaignStore(store).esa_judgements(1) == []
    finally:
        store.close()


def test_items_without_our_link_are_matched_by_item_id_and_model(tmp_path):
    db = tmp_path / "chat.db"
    store, campaigns, info = make_esa_campaign(db, "esa", n_items=3, assign=False, text=text)
    try:
        own = text(1, 1)
        line = {"user_id": "external-1", "item_i": 0, "item": [
            {"src": "x", "tgt": {"cpo": own}, "item_id": "1"}],
            "annotation": [{"cpo": {"score": 64, "error_spans": [pearmut_span(own, 14, 19)],
                                    "textfield": "A post-edit."}}]}
        path = _write(tmp_path / "log.jsonl", [line])
        (row,) = read_pearmut(path, campaigns, info)
        assert row["spans"] == [{"start": 14, "end": 19, "severity": "minor"}]
        assert campaigns.import_esa(info.id, [row]) == (1, 0)
        (mark,) = campaigns.esa_judgements(info.id)
        assert (mark.annotator, mark.text[14:19], mark.post_edit) == ("external-1", own[14:19],
                                                                     "A post-edit.")
    finally:
        store.close()


ROUND_TRIP = r"""
import json, sys
from fastapi.testclient import TestClient
doc, answers = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
from pearmut import cli
cli._add_single_campaign(doc, False, None)
from pearmut import app as server
client = TestClient(server.app)
for user in doc["info"]["users"]:
    while (r := client.post("/get-next-item", json={"campaign_id": doc["campaign_id"],
                                                     "user_id": user}).json())["status"] == "ok":
        payload = r["payload"]
        annotation = [answers[str(item["hintmt"]["assignment"])] for item in payload]
        client.post("/log-response", json={
            "campaign_id": doc["campaign_id"], "user_id": user, "item_i": r["info"]["item_i"],
            "payload": {"annotation": annotation, "item": payload,
                        "actions": [{"time": 10.0}, {"time": 12.0}]}}).raise_for_status()
"""


def test_round_trip_through_pearmuts_own_code(exported, capsys):
    pytest.importorskip("pearmut", reason="pearmut is not installed (it needs Python 3.12)")
    db, doc, tmp = exported
    answers = {str(d[0]["hintmt"]["assignment"]): _answer(d[0]) for task in doc["data"] for d in task}
    (tmp / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
    root = tmp / "pearmut-root"
    root.mkdir()
    run = subprocess.run([sys.executable, "-c", ROUND_TRIP, str(tmp / "pearmut.json"),
                          str(tmp / "answers.json")], cwd=root, capture_output=True, text=True,
                         env={**os.environ, "PEARMUT_ROOT": str(root)}, timeout=300)
    assert run.returncode == 0, run.stderr
    log = root / "data" / "annotations" / "demo.jsonl"
    assert main(["campaign", "import", "demo", "--pearmut", str(log), "--db", str(db)]) == 0
    store = open_store(db)
    try:
        campaigns = CampaignStore(store)
        info = campaigns.get("demo")
        assert all(a.judged for a in campaigns.assignments(info.id))
        marks = campaigns.esa_judgements(info.id)
        assert all([m.text[s["start"]:s["end"]] for s in m.spans if s["severity"] == "major"]
                   == [EMOJI] * (EMOJI in m.text) for m in marks)
        assert {m.seconds for m in marks} == {2.0}
    finally:
        store.close()
