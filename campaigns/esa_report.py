"""The report of an error-span campaign: the pairwise report's keys plus ``esa``.

``annotators``: quality control by planted errors (`campaigns.esa_qc`); flagged annotators are
left out of everything else unless ``include_flagged``. ``esa``: `campaigns.esa_stats`.
``leaderboard``, ``pairwise`` and ``agreement`` (Bradley–Terry, counts, kappa) keep working in a
``contrastive-esa`` campaign: each contrastive judgement (the two candidates of one screen; for
imported rows, two systems one annotator scored on the same item) counts as A better, B better
or a tie by its two scores. An ``esa`` campaign shows one candidate at a time, so it has no
such judgements: its systems are ranked by ``esa`` alone.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from types import SimpleNamespace

from campaigns import agreement as agree
from campaigns import esa_qc, stats
from campaigns.esa_stats import esa_statistics, first_judgements


def _choice(a, b) -> str:
    return "a" if a.score > b.score else "b" if a.score < b.score else "tie"


def contrastive_judgements(marks) -> list[SimpleNamespace]:
    """Pairwise judgements (as `CampaignStore.judgements` gives them) from contrastive scores;
    QC screens left out."""
    screens: dict = defaultdict(dict)
    imported: dict = defaultdict(dict)
    for m in marks:
        if m.kind == "qc":
            continue
        if m.assignment_id is not None:
            screens[m.assignment_id][m.side] = m
        else:
            imported[(m.annotator, m.item_id)].setdefault(m.system_id, m)
    pairs = [(g["a"], g["b"]) for g in screens.values() if "a" in g and "b" in g]
    for group in imported.values():
        pairs += itertools.combinations(sorted(group.values(), key=lambda m: m.system_id), 2)
    return [SimpleNamespace(
        id=max(a.id, b.id), annotator=a.annotator, assignment_id=a.assignment_id,
        item_id=a.item_id, system_a=a.system_id, system_b=b.system_id, kind=a.kind,
        choice=_choice(a, b), seconds=None, post_edit=None, reasons=None, qc_side=None,
        created=max(a.created, b.created)) for a, b in pairs]


def compute_esa(campaigns, campaign, include_flagged: bool = False, max_p: float = agree.MAX_P,
                min_pass: float = agree.MIN_PASS, rounds: int = stats.BOOTSTRAP) -> dict:
    """The report of an ``esa`` or ``contrastive-esa`` campaign from the stored judgements."""
    systems = campaigns.systems(campaign.id)
    labels = {s.id: s.label for s in systems}
    order = [s.label for s in systems]
    marks = campaigns.esa_judgements(campaign.id)
    names = [a.name for a in campaigns.annotators(campaign.id)]
    annotators = esa_qc.annotator_rows(marks, names, max_p, min_pass)
    leave_out = set() if include_flagged else {r["annotator"] for r in annotators if r["flagged"]}
    kept = [m for m in marks if m.annotator not in leave_out]
    judged = contrastive_judgements(kept) if campaign.protocol == "contrastive-esa" else []
    outcomes = [(labels[j.system_a], labels[j.system_b], j.choice) for j in judged]
    board = stats.leaderboard(outcomes, order, rounds)
    return {"leaderboard": board,
            "pairwise": stats.pairwise(outcomes, [r["system"] for r in board]),
            "agreement": agree.agreement(judged),
            "annotators": annotators,
            "esa": esa_statistics(first_judgements(kept, labels), order, rounds)}
