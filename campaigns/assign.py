"""The assignment: who judges which (item, system A, system B), in which order.

Each item gets one system pair (rotating through all pairs, so pairs are balanced) and is
given to ``redundancy`` annotators, the least loaded first. Each annotator's queue is
shuffled; ``repeat`` of it is shown a second time at the end of the queue (a whole queue
apart from the first showing); ``qc`` of it is added as quality-control items (a real
output against a copy with one phrase swapped, see `campaigns.qc`) at random places, each
at least `qc_gap` screens from every showing of its own item (so the planted copy is not
seen next to the real one). Left/right is random per assignment. Everything follows from
``seed``.
"""
from __future__ import annotations

import itertools
import math
import random

from campaigns.qc import degrade


def share(fraction: float, n: int) -> int:
    """How many of ``n`` a fraction asks for: at least one when the fraction is positive."""
    return 0 if fraction <= 0 or n == 0 else max(1, min(n, math.floor(fraction * n + 0.5)))


MIN_APART = 3  # screens between a QC item and its source item, at the least


def qc_gap(n: int) -> int:
    """Screens wanted between a QC item and every showing of its source item, in a queue of
    ``n`` items (before repeats and QC): a quarter of the queue, at least `MIN_APART`."""
    return max(MIN_APART, n // 4)


def _qc_place(shown: list, item_id: int, gap: int, rng: random.Random) -> int:
    """Where to insert a QC item of ``item_id`` (1 … len(shown): never first): a random place
    ``gap`` screens or more from each showing of that item, else one of the farthest."""
    where = [i for i, ((item, _, _), *_) in enumerate(shown) if item == item_id]

    def apart(p: int) -> int:  # the distance once inserted at p (later screens move down one)
        return min(min((p - i if i < p else i + 1 - p) for i in where), gap) if where else gap

    places = {p: apart(p) for p in range(1, len(shown) + 1)}
    best = max(places.values())
    return rng.choice([p for p, d in places.items() if d == best])


def units(items, systems) -> list[tuple[int, int, int]]:
    """(item id, system a id, system b id): one system pair per non-blank item, rotating."""
    pairs = list(itertools.combinations([s.id for s in systems], 2))
    live = [item for item in items if item.source.strip()]
    return [(item.id, *pairs[i % len(pairs)]) for i, item in enumerate(live)]


def queues(all_units, annotators, outputs: dict, redundancy: int, repeat: float, qc: float, rng,
           corrupt=degrade, pick_side=lambda rng: rng.choice("ab")):
    """Per annotator, lazily (the caller's own random draws for that annotator come before the
    next one's): (annotator id, screens), a screen being (unit, kind, QC side, corrupted copy).
    ``corrupt(real, others, rng)`` makes a QC copy (None: none possible); ``pick_side(rng)``
    says which side it stands on. Shared by the pairwise and the error-span campaigns."""
    load = {a.id: [] for a in annotators}
    order = [a.id for a in annotators]
    for n, unit in enumerate(all_units):
        rotated = order[n % len(order):] + order[:n % len(order)]
        for annotator in sorted(rotated, key=lambda a: len(load[a]))[:redundancy]:
            load[annotator].append(unit)
    texts = [text for _, text in outputs.values()]
    for annotator, queue in load.items():
        rng.shuffle(queue)
        shown = [(unit, "normal", None, None) for unit in queue]
        shown += [(unit, "repeat", None, None) for unit in queue[:share(repeat, len(queue))]]
        for item_id, sys_a, sys_b in rng.sample(queue, share(qc, len(queue))):
            system = rng.choice((sys_a, sys_b))
            real = outputs[(item_id, system)][1]
            bad = corrupt(real, [t for t in texts if t != real], rng)
            if bad is not None:
                side = pick_side(rng)
                at = _qc_place(shown, item_id, qc_gap(len(queue)), rng)
                shown.insert(at, ((item_id, system, system), "qc", side, bad))
        yield annotator, shown


def build_assignment(items, systems, annotators, outputs: dict, redundancy: int, repeat: float,
                     qc: float, seed: int = 0) -> list[dict]:
    """Rows for `CampaignStore.set_assignments`."""
    rng = random.Random(seed)
    rows = []
    for annotator, shown in queues(units(items, systems), annotators, outputs, redundancy, repeat, qc, rng):
        for position, ((item_id, sys_a, sys_b), kind, side, bad) in enumerate(shown):
            rows.append({"annotator_id": annotator, "position": position, "item_id": item_id,
                         "system_a_id": sys_a, "system_b_id": sys_b,
                         "a_on_left": rng.random() < 0.5, "kind": kind, "qc_side": side,
                         "qc_text": bad})
    return rows
