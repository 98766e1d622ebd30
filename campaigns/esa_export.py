"""Preference pairs of an error-span campaign, with a margin (as ALMA-R builds its data from
scored triplets and drops the middle one).

Per item, each system's mean score over the kept judgements (the first of each annotator;
QC items never; flagged annotators left out unless ``include_flagged``); the highest and the
lowest scored candidates make a pair when their means differ by at least ``margin`` points
(default 10): chosen = the higher. The prompt is the one the chosen system was sent. Each
post-edit that changes its candidate is its own pair (post-edit chosen, that output rejected).

``full`` rows add both scores (``chosen_score``, ``rejected_score``, ``scores`` per system),
the ``margin``, and every span of both candidates (``chosen_spans``, ``rejected_spans``:
``start``/``end`` offsets into ``chosen``/``rejected`` exactly as exported, ``severity``,
``annotator``), so ``row["chosen"][start:end]`` is the marked text.
"""
from __future__ import annotations

import statistics
from collections import defaultdict

from campaigns import agreement as agree
from campaigns import esa_qc
from chat.settings import UserError

DEFAULT_MARGIN = 10.0


def esa_pairs(campaigns, campaign, margin: float | None = None, include_flagged: bool = False,
              max_p: float = agree.MAX_P, min_pass: float = agree.MIN_PASS) -> list[dict]:
    """Pairs with provenance (the ``full`` rows)."""
    margin = DEFAULT_MARGIN if margin is None else margin
    if not margin >= 0:
        raise UserError(f"--margin is a number of points from 0 to 100, got {margin}")
    systems = {s.id: s for s in campaigns.systems(campaign.id)}
    items = {i.id: i for i in campaigns.items(campaign.id)}
    outputs = campaigns.outputs(campaign.id)
    marks = campaigns.esa_judgements(campaign.id)
    names = [a.name for a in campaigns.annotators(campaign.id)]
    flagged = set() if include_flagged else {
        r["annotator"] for r in esa_qc.annotator_rows(marks, names, max_p, min_pass) if r["flagged"]}
    kept, seen = [], set()
    for m in marks:
        key = (m.annotator, m.item_id, m.system_id)
        if m.kind != "qc" and m.annotator not in flagged and key not in seen:
            seen.add(key)
            kept.append(m)
    by_item: dict = defaultdict(lambda: defaultdict(list))
    for m in kept:
        by_item[m.item_id][m.system_id].append(m)
    rows = []
    for item_id, scored in by_item.items():
        means = {sid: statistics.fmean(m.score for m in ms) for sid, ms in scored.items()}
        if len(means) < 2:
            continue
        ranked = sorted(means, key=lambda sid: (-means[sid], sid))
        best, worst = ranked[0], ranked[-1]
        gap = means[best] - means[worst]
        if gap <= 0 or gap < margin:
            continue
        row = _row(campaign, items[item_id], systems[best], systems[worst], outputs, scored)
        row.update(chosen_score=means[best], rejected_score=means[worst], margin=gap,
                   scores={systems[sid].label: means[sid] for sid in ranked})
        rows.append(row)
    for m in kept:
        edited = (m.post_edit or "").strip()
        mt = outputs[(m.item_id, m.system_id)][1]
        if edited and edited != mt.strip():
            system = systems[m.system_id]
            row = _row(campaign, items[m.item_id], system, system, outputs, {m.system_id: [m]})
            row.update(chosen=edited, rejected=mt, kind="post-edit", chosen_spans=[],
                       chosen_score=None, rejected_score=m.score, margin=None,
                       scores={system.label: m.score})
            rows.append(row)
    return rows


def _spans(marks) -> list[dict]:
    return [{**span, "annotator": m.annotator} for m in marks for span in m.spans]


def _row(campaign, item, winner, loser, outputs, scored: dict) -> dict:
    mine = scored.get(winner.id, []) + (scored.get(loser.id, []) if loser.id != winner.id else [])
    return {"prompt": outputs[(item.id, winner.id)][0],
            "chosen": outputs[(item.id, winner.id)][1],
            "rejected": outputs[(item.id, loser.id)][1],
            "kind": "judgement", "campaign": campaign.name, "item_id": item.key,
            "source": item.source, "src": campaign.src, "tgt": campaign.tgt,
            "chosen_system": winner.label, "rejected_system": loser.label,
            "prompts": {winner.label: outputs[(item.id, winner.id)][0],
                        loser.label: outputs[(item.id, loser.id)][0]},
            "chosen_spans": _spans(scored.get(winner.id, [])),
            "rejected_spans": _spans(scored.get(loser.id, [])),
            "annotators": sorted({m.annotator for m in mine}), "judgements": len(mine),
            "seconds": [m.seconds for m in mine if m.seconds is not None]}
