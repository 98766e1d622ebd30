"""A campaign's results as one JSON-ready dict: leaderboard, pairwise, agreement, annotators
(and ``esa`` for an error-span campaign, see `campaigns.esa_report`).

Flagged annotators' judgements are left out of the leaderboard and the pairwise counts
(``include_flagged`` keeps them); quality-control items never count there.
"""
from __future__ import annotations

from campaigns import agreement as agree
from campaigns import stats
from campaigns.esa_report import compute_esa


def outcomes(judgements, labels: dict[int, str], leave_out: set[str] = frozenset()) -> list:
    """(system A label, system B label, choice) of the judgements that rank systems."""
    return [(labels[j.system_a], labels[j.system_b], j.choice) for j in judgements
            if j.kind != "qc" and j.annotator not in leave_out]


def flagged_names(rows: list[dict]) -> set[str]:
    return {r["annotator"] for r in rows if r["flagged"]}


def compute(campaigns, campaign, include_flagged: bool = False, max_p: float = agree.MAX_P,
            min_pass: float = agree.MIN_PASS, rounds: int = stats.BOOTSTRAP) -> dict:
    """The report of ``campaign`` (a CampaignInfo) from the stored judgements."""
    if campaign.protocol != "pairwise":
        return compute_esa(campaigns, campaign, include_flagged, max_p, min_pass, rounds)
    systems = campaigns.systems(campaign.id)
    labels = {s.id: s.label for s in systems}
    judgements = campaigns.judgements(campaign.id)
    names = [a.name for a in campaigns.annotators(campaign.id)]
    annotators = agree.annotator_rows(judgements, names, max_p, min_pass)
    leave_out = set() if include_flagged else flagged_names(annotators)
    kept = outcomes(judgements, labels, leave_out)
    order = [s.label for s in systems]
    board = stats.leaderboard(kept, order, rounds)
    return {"leaderboard": board,
            "pairwise": stats.pairwise(kept, [r["system"] for r in board]),
            "agreement": agree.agreement([j for j in judgements if j.annotator not in leave_out]),
            "annotators": annotators}


def progress(campaigns, campaign) -> dict:
    """Judged / assigned per annotator and per system pair (per system for an ``esa``
    campaign; quality control counted apart), and the judgements imported from elsewhere
    (``campaign import``; they belong to no assignment here) as ``imported`` (an imported ESA
    row counts under its system)."""
    labels = {s.id: s.label for s in campaigns.systems(campaign.id)}
    names = {a.id: a.name for a in campaigns.annotators(campaign.id)}
    people: dict = {}
    pairs: dict = {}

    def row(table: dict, key: str) -> dict:
        return table.setdefault(key, {"done": 0, "total": 0, "imported": 0})

    def pair_of(a: int, b: int) -> dict:  # one system alone: an ESA candidate
        return row(pairs, " vs ".join(sorted({labels[a], labels[b]})))

    for a in campaigns.assignments(campaign.id):
        person = row(people, names[a.annotator_id])
        person["total"] += 1
        person["done"] += a.judged
        if a.kind != "qc":
            pair = pair_of(a.system_a, a.system_b)
            pair["total"] += 1
            pair["done"] += a.judged
    for j in campaigns.judgements(campaign.id):
        if j.assignment_id is None:
            row(people, j.annotator)["imported"] += 1
            pair_of(j.system_a, j.system_b)["imported"] += 1
    for m in campaigns.esa_judgements(campaign.id):
        if m.assignment_id is None:
            row(people, m.annotator)["imported"] += 1
            pair_of(m.system_id, m.system_id)["imported"] += 1
    return {"annotators": people, "pairs": pairs}
