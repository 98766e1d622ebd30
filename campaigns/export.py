"""`campaign export`: the campaign's preference pairs, merged with agreement in mind.

All judgements of one (item, system pair) are pooled (repeats and several annotators alike):
the majority label wins; ties, both-bad and disputed units (no single majority, or a
majority share below ``min_agreement``; by default a strict majority is
needed) give no pair. Flagged annotators are left out unless
``include_flagged``. Each post-edit that changes the text it was pre-filled with is its own
pair: the post-edit chosen, the machine translation rejected.

The pair's ``prompt`` is the exact prompt the chosen side's system was sent (the ``full``
format carries both systems' prompts). An error-span campaign's pairs come from its scores
with a margin instead (`campaigns.esa_export`); the formats are the same.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from types import SimpleNamespace

from campaigns import agreement as agree
from campaigns.esa_export import esa_pairs
from campaigns.results import flagged_names
from chat.settings import UserError
from storage.export import alma_r_row

FORMATS = ("trl", "alma-r", "full")


def merged_pairs(campaigns, campaign, min_agreement: float | None = None,
                 include_flagged: bool = False, max_p: float = agree.MAX_P,
                 min_pass: float = agree.MIN_PASS) -> list[dict]:
    """Pairs with provenance (the ``full`` rows)."""
    if min_agreement is not None and not 0 <= min_agreement <= 1:
        raise UserError(f"--min-agreement is a share from 0 to 1, got {min_agreement}")
    systems = {s.id: s for s in campaigns.systems(campaign.id)}
    items = {i.id: i for i in campaigns.items(campaign.id)}
    outputs = campaigns.outputs(campaign.id)
    judgements = campaigns.judgements(campaign.id)
    names = [a.name for a in campaigns.annotators(campaign.id)]
    flagged = set() if include_flagged else flagged_names(
        agree.annotator_rows(judgements, names, max_p, min_pass))
    kept = [j for j in judgements if j.kind != "qc" and j.annotator not in flagged]
    units = defaultdict(list)
    for j in kept:
        unit, label = agree.canonical(j)
        units[unit].append((label, j))
    rows = []
    for (item_id, lo, hi), votes in units.items():
        counts = Counter(label for label, _ in votes).most_common()
        top, n = counts[0]
        share = n / len(votes)
        split = len(counts) > 1 and counts[1][1] == n
        weak = share < min_agreement if min_agreement is not None else share <= 0.5
        if top == "tie" or split or weak:
            continue
        win, lose = (lo, hi) if top == "a" else (hi, lo)
        rows.append(_row(campaign, items[item_id], systems[win], systems[lose], outputs,
                         [j for _, j in votes], share, "judgement"))
    for j in kept:
        if j.post_edit:
            preferred = j.system_b if j.choice == "b" else j.system_a
            mt = outputs[(j.item_id, preferred)][1]
            if j.post_edit.strip() and j.post_edit.strip() != mt.strip():
                row = _row(campaign, items[j.item_id], systems[preferred], systems[preferred],
                           outputs, [j], 1.0, "post-edit")
                row.update(chosen=j.post_edit.strip(), rejected=mt)
                rows.append(row)
    return rows


def _row(campaign, item, winner, loser, outputs, votes, share: float, kind: str) -> dict:
    return {"prompt": outputs[(item.id, winner.id)][0],
            "chosen": outputs[(item.id, winner.id)][1],
            "rejected": outputs[(item.id, loser.id)][1],
            "kind": kind, "campaign": campaign.name, "item_id": item.key, "source": item.source,
            "src": campaign.src, "tgt": campaign.tgt,
            "chosen_system": winner.label, "rejected_system": loser.label,
            "prompts": {winner.label: outputs[(item.id, winner.id)][0],
                        loser.label: outputs[(item.id, loser.id)][0]},
            "annotators": sorted({j.annotator for j in votes}), "judgements": len(votes),
            "agreement": share,
            "seconds": [j.seconds for j in votes if j.seconds is not None]}


def export_campaign(campaigns, campaign, fmt: str, out: str | Path,
                    min_agreement: float | None = None, include_flagged: bool = False,
                    max_p: float = agree.MAX_P, min_pass: float = agree.MIN_PASS,
                    margin: float | None = None) -> int:
    """Write the pairs as JSON Lines; returns the number of rows written. ``margin`` is for
    error-span campaigns, ``min_agreement`` for pairwise ones."""
    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if campaign.protocol == "pairwise":
        if margin is not None:
            raise UserError(f"--margin is for error-span campaigns; {campaign.name!r} is pairwise "
                            "(use --min-agreement)")
        rows = merged_pairs(campaigns, campaign, min_agreement, include_flagged, max_p, min_pass)
    else:
        if min_agreement is not None:
            raise UserError(f"--min-agreement is for pairwise campaigns; {campaign.name!r} is "
                            f"{campaign.protocol} (use --margin)")
        rows = esa_pairs(campaigns, campaign, margin, include_flagged, max_p, min_pass)
    return write_rows(rows, fmt, out)


def write_rows(rows: list[dict], fmt: str, out: str | Path) -> int:
    """Write ``full`` rows as ``fmt`` JSON Lines to ``out``; returns the number written."""
    lines = []
    for row in rows:
        if fmt == "trl":
            line = {k: row[k] for k in ("prompt", "chosen", "rejected")}
        elif fmt == "alma-r":
            line = alma_r_row(SimpleNamespace(**{k: row[k] for k in
                                                 ("src", "tgt", "source", "chosen", "rejected")}))
        else:
            line = row
        if line is not None:
            lines.append(json.dumps(line, ensure_ascii=False))
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot write {path}: {err.strerror or err}") from None
    return len(lines)
