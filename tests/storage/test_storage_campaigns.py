"""Campaign storage on every backend (SQLite, and PostgreSQL with TEST_DATABASE_URL): the
tables come from migration steps 0006_campaigns and 0007_esa; systems, items, outputs,
assignments, judgements (page and imported; pairwise and error-span) are written and the report
and the export are read back."""
from __future__ import annotations

import json
from datetime import timezone

from sqlalchemy import create_engine, inspect, text

from campaigns import annotate, esa_annotate
from campaigns.export import export_campaign
from campaigns.results import compute, progress
from storage import CampaignStore, NotFound, open_store
from storage.connection import resolve_url
from storage.migrations import STEPS, applied_steps, migrate
from tests.campaign_helpers import make_campaign
from tests.campaigns.esa_helpers import make_esa_campaign
from tests.storage.test_storage_common import db_url  # noqa: F401

TABLES = {"campaigns", "campaign_systems", "campaign_items", "campaign_outputs",
          "campaign_annotators", "campaign_assignments", "campaign_judgements",
          "campaign_esa_judgements"}


def test_a_campaign_round_trips_through_the_migrated_tables(db_url, tmp_path):  # noqa: F811
    store, campaigns, info = make_campaign(db_url, n_items=6, annotators=("ann", "bob"),
                                           redundancy=2, repeat=0.2, qc=0.2)
    try:
        with store.engine.connect() as conn:
            assert {"0006_campaigns", "0007_esa"} <= set(applied_steps(conn))
            assert TABLES <= set(inspect(conn).get_table_names())
        assert [s.label for s in campaigns.systems(info.id)] == ["base", "cpo"]
        assert [i.key for i in campaigns.items(info.id)] == [str(i) for i in range(6)]
        assert len(campaigns.outputs(info.id)) == 12
        annotators = {a.name: a for a in campaigns.annotators(info.id)}
        queue = campaigns.assignments(info.id, annotators["ann"].id)
        assert queue and not any(a.judged for a in queue)

        # "ann" judges everything (left always wins, with a post-edit and reasons on the first
        # item); "bob" judges two items; then a CSV-style import adds an external annotator.
        token = annotators["ann"].token
        first = annotate.current_item(campaigns, token)
        assert annotate.judge(campaigns, token, first.assignment_id, "left", 3.5,
                              "A corrected sentence.", ["Mistranslation"])
        assert not annotate.judge(campaigns, token, first.assignment_id, "right")  # already judged
        while not (view := annotate.current_item(campaigns, token)).finished:
            annotate.judge(campaigns, token, view.assignment_id, "left", 1.25)
        bob = annotators["bob"].token
        for _ in range(2):
            annotate.judge(campaigns, bob, annotate.current_item(campaigns, bob).assignment_id,
                           "tie", 2.0)
        items = campaigns.items(info.id)
        systems = campaigns.systems(info.id)
        row = {"annotator": "ext", "item_id": items[0].id, "system_a": systems[0].id,
               "system_b": systems[1].id, "choice": "a", "seconds": 4.0}
        assert campaigns.import_judgements(info.id, [row]) == (1, 0)
        assert campaigns.import_judgements(info.id, [row]) == (0, 1)  # already imported
        assert campaigns.judgement_of(first.assignment_id).choice in ("a", "b")
        try:
            annotate.judge(campaigns, bob, queue[0].id, "left")  # ann's item, not bob's
            raise AssertionError("a judgement of another annotator's item was stored")
        except Exception as err:  # noqa: BLE001 - UserError or NotFound, both refusals
            assert "not assigned" in str(err)

        judgements = campaigns.judgements(info.id)
        assert len(judgements) == len(queue) + 2 + 1
        edited = next(j for j in judgements if j.assignment_id == first.assignment_id)
        assert (edited.post_edit, edited.reasons, edited.seconds) == (
            "A corrected sentence.", ["Mistranslation"], 3.5)
        assert all(j.created.tzinfo is not None and j.created.utcoffset() == timezone.utc
                   .utcoffset(None) for j in judgements)
        assert {j.annotator for j in judgements} == {"ann", "bob", "ext"}
        assert campaigns.annotators(info.id)[-1].external
        try:
            campaigns.annotator(campaigns.annotators(info.id)[-1].token)
            raise AssertionError("an external annotator's token opened the page")
        except NotFound:
            pass

        done = progress(campaigns, info)["annotators"]
        assert done["ann"] == {"done": len(queue), "total": len(queue), "imported": 0} and done["bob"]["done"] == 2
        report = compute(campaigns, info, include_flagged=True, rounds=20)
        assert {r["system"] for r in report["leaderboard"]} == {"base", "cpo"}
        total = sum(r["wins"] + r["losses"] + r["ties"] for r in report["leaderboard"])
        assert total == 2 * sum(p["a_wins"] + p["b_wins"] + p["ties"] for p in report["pairwise"])
        assert report["agreement"]["items_with_overlap"] >= 1

        out = tmp_path / "pairs.jsonl"
        n = export_campaign(campaigns, info, "full", out, include_flagged=True)
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert n == len(rows) >= 1
        assert all(r["prompt"].startswith("Translate this from German to English:") for r in rows)
        assert any(r["chosen"] == "A corrected sentence." for r in rows)
    finally:
        store.close()


def _esa_text(position: int, k: int) -> str:
    return f"Grüße 👋🏽 {position}: the cat sat on the warm mat today." + " x" * k


def test_an_esa_campaign_round_trips_with_spans_and_planted_errors(db_url, tmp_path):  # noqa: F811
    store, campaigns, info = make_esa_campaign(db_url, "contrastive-esa", n_items=8, qc=0.25,
                                               text=_esa_text)
    try:
        assert campaigns.get("demo").protocol == "contrastive-esa"
        qc = [a for a in campaigns.assignments(info.id) if a.kind == "qc"]
        assert qc and all(a.qc_start <= a.qc_end <= len(a.qc_text) for a in qc)
        token = campaigns.annotators(info.id)[0].token
        while not (view := esa_annotate.current_esa_item(campaigns, token)).finished:
            for c in view.candidates:
                emoji = c.text.index("👋🏽")
                spans = [{"start": emoji, "end": emoji + 2, "severity": "major"},
                         {"start": len(c.text), "end": len(c.text), "severity": "minor"}]
                assert esa_annotate.save_esa(campaigns, token, view.assignment_id, c.name,
                                             72.5, spans, seconds=1.5)
        marks = campaigns.esa_judgements(info.id)
        assert marks and all(m.text[m.spans[0]["start"]:m.spans[0]["end"]] == "👋🏽" for m in marks)
        assert all(m.created.utcoffset() == timezone.utc.utcoffset(None) for m in marks)
        row = {"annotator": "ext", "item_id": marks[0].item_id, "system_id": marks[0].system_id,
               "score": 10, "spans": [{"start": 0, "end": 5, "severity": "minor"}]}
        assert campaigns.import_esa(info.id, [row]) == (1, 0)
        assert campaigns.import_esa(info.id, [row]) == (0, 1)
        report = compute(campaigns, info, include_flagged=True, rounds=10)
        assert sum(r["n"] for r in report["esa"]["systems"]) >= 1 and report["esa"]["systems"][0]["major"]
        out = tmp_path / "esa.jsonl"
        export_campaign(campaigns, info, "full", out, include_flagged=True, margin=0)
        assert progress(campaigns, info)["annotators"]["ext"]["imported"] == 1
    finally:
        store.close()


def test_step_0007_turns_earlier_campaigns_into_pairwise_ones(db_url):  # noqa: F811
    engine = create_engine(resolve_url(db_url))
    assert migrate(engine, upto=6)[-1] == "0006_campaigns"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO campaigns (name, owner_token, test_set, src, tgt, settings, "
                          "status, created) VALUES ('old', 'tok', 't.jsonl', 'de', 'en', '{}', "
                          "'ready', '2025-01-01 00:00:00')"))
    engine.dispose()
    store = open_store(db_url)
    try:
        with store.engine.connect() as conn:
            assert applied_steps(conn) == [s.name for s in STEPS]
        assert CampaignStore(store).get("old").protocol == "pairwise"
    finally:
        store.close()
