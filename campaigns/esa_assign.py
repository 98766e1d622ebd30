"""The assignment of an error-span campaign: who scores which candidates, in which order.

``esa``: a unit is one (item, system) candidate, every system of every non-blank item;
``contrastive-esa``: a unit is one (item, system pair), the pairs rotating as in the pairwise
campaign (`campaigns.assign.units`), both candidates shown side by side in random order. Each
unit goes to ``redundancy`` annotators (the least loaded first); each queue is shuffled,
``repeat`` of it shown again at its end, and ``qc`` of it added as planted-error items
(`campaigns.esa_qc.plant_error`), each placed apart from its own item as in the pairwise
campaign; in contrastive mode the planted copy stands on a random side next to its clean twin.
Everything follows from ``seed``.
"""
from __future__ import annotations

import random

from campaigns.assign import queues, units
from campaigns.esa_qc import plant_error


def esa_units(items, systems, protocol: str) -> list[tuple[int, int, int]]:
    """(item id, system a id, system b id) per unit; a candidate of ``esa`` has a == b."""
    if protocol == "contrastive-esa":
        return units(items, systems)
    return [(item.id, s.id, s.id) for item in items if item.source.strip() for s in systems]


def build_esa_assignment(items, systems, annotators, outputs: dict, protocol: str,
                         redundancy: int, repeat: float, qc: float, seed: int = 0) -> list[dict]:
    """Rows for `CampaignStore.set_assignments` (with the planted error's offsets)."""
    rng = random.Random(seed)
    rows = []
    contrastive = protocol == "contrastive-esa"
    pick = (lambda rng: rng.choice("ab")) if contrastive else (lambda rng: "a")
    for annotator, shown in queues(esa_units(items, systems, protocol), annotators, outputs, redundancy,
                                   repeat, qc, rng, corrupt=plant_error, pick_side=pick):
        for position, ((item_id, sys_a, sys_b), kind, side, planted) in enumerate(shown):
            rows.append({"annotator_id": annotator, "position": position, "item_id": item_id,
                         "system_a_id": sys_a, "system_b_id": sys_b,
                         "a_on_left": not contrastive or rng.random() < 0.5,
                         "kind": kind, "qc_side": side,
                         "qc_text": planted.text if planted else None,
                         "qc_start": planted.start if planted else None,
                         "qc_end": planted.end if planted else None})
    return rows
