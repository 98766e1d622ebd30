"""Statistics of error-span judgements: per-system scores, span counts and MQM, agreement, and
significance clusters as the WMT findings report them.

A judgement is one annotator's score and spans for one (item, system); a repeat counts once
(the first), quality-control items never (the caller leaves out flagged annotators).

* ``mean_score``: the mean over the system's judgements; ``ci``: the 95 % percentile interval of
  that mean over bootstrap resamples of its judgements (``rounds``, seed 0); ``n``: judgements.
* ``minor`` / ``major``: spans of each severity (missing-content markers included); ``mqm``: the
  mean per judgement of 1 × minor + 5 × major (the MQM weights).
* ``span_f1``: character-level agreement on shared (item, system) judgements, micro-averaged
  over every pair of annotators: 2 Σ|A∩B| / Σ(|A|+|B|), A and B the sets of character offsets
  inside any of each one's spans (any severity); ``score_alpha``: Krippendorff's alpha of the
  scores (interval metric) on the (item, system) units scored by two or more.
* Clusters: systems ranked by mean score; each adjacent pair is compared by a two-sided
  Wilcoxon signed-rank test on the items both were scored on (per item the mean over its
  annotators); p < 0.05 starts a new cluster below. ``cluster`` 1 is the best; ``p_next`` is
  the p-value against the next system down.
"""
from __future__ import annotations

import itertools
import math
import statistics
from collections import defaultdict
from typing import NamedTuple

import numpy as np

TEST = "wilcoxon-signed-rank, two-sided, paired on shared items (item means), p < 0.05"
SIGNIFICANCE = 0.05
MQM_WEIGHTS = {"minor": 1, "major": 5}


class Judged(NamedTuple):
    annotator: str
    item_id: int
    system: str
    score: float
    spans: list


def first_judgements(marks, labels: dict[int, str]) -> list[Judged]:
    """The first judgement of each (annotator, item, system), QC items left out (``marks``:
    `EsaInfo`s, oldest first; ``labels``: system id → label)."""
    seen, out = set(), []
    for m in marks:
        key = (m.annotator, m.item_id, m.system_id)
        if m.kind == "qc" or key in seen:
            continue
        seen.add(key)
        out.append(Judged(m.annotator, m.item_id, labels[m.system_id], m.score, m.spans))
    return out


def bootstrap_ci(scores: list[float], rounds: int, seed: int = 0) -> list[float]:
    """95 % percentile interval of the mean over ``rounds`` resamples."""
    data = np.asarray(scores, dtype=float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), (max(rounds, 1), len(data)))].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def system_rows(rows: list[Judged], systems: list[str], rounds: int) -> list[dict]:
    """Per system (in the given order): system, mean_score, ci, n, minor, major, mqm."""
    out = []
    for system in systems:
        mine = [r for r in rows if r.system == system]
        counts = {k: sum(1 for r in mine for s in r.spans if s["severity"] == k)
                  for k in MQM_WEIGHTS}
        scores = [r.score for r in mine]
        out.append({"system": system,
                    "mean_score": statistics.fmean(scores) if scores else None,
                    "ci": bootstrap_ci(scores, rounds) if scores else None, "n": len(mine),
                    "minor": counts["minor"], "major": counts["major"],
                    "mqm": sum(MQM_WEIGHTS[k] * n for k, n in counts.items()) / len(mine)
                    if mine else None})
    return out


def offsets(spans: list[dict]) -> set[int]:
    """Character offsets inside any span (a missing-content marker covers none)."""
    return {i for s in spans for i in range(s["start"], s["end"])}


def _units(rows: list[Judged]) -> dict:
    """(item, system) → annotator → judgement."""
    units: dict = defaultdict(dict)
    for r in rows:
        units[(r.item_id, r.system)][r.annotator] = r
    return units


def span_f1(rows: list[Judged]) -> float | None:
    """Micro-averaged character-level F1 between annotators (None without shared spans)."""
    both = total = 0
    for raters in _units(rows).values():
        for x, y in itertools.combinations(sorted(raters), 2):
            a, b = offsets(raters[x].spans), offsets(raters[y].spans)
            both += len(a & b)
            total += len(a) + len(b)
    return 2 * both / total if total else None


def score_alpha(rows: list[Judged]) -> float | None:
    """Krippendorff's alpha (interval) of the scores; None where undefined."""
    import krippendorff

    units = [raters for raters in _units(rows).values() if len(raters) > 1]
    annotators = sorted({a for raters in units for a in raters})
    if not units:
        return None
    data = np.full((len(annotators), len(units)), np.nan)
    for col, raters in enumerate(units):
        for name, r in raters.items():
            data[annotators.index(name), col] = r.score
    if len(set(data[~np.isnan(data)].tolist())) < 2:
        return None
    value = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    return None if math.isnan(value) else float(value)


def paired_p(first: dict[int, float], second: dict[int, float]) -> float | None:
    """Two-sided Wilcoxon signed-rank p of two systems' item scores on their shared items."""
    from scipy.stats import wilcoxon

    shared = sorted(set(first) & set(second))
    if not shared:
        return None
    x, y = [first[i] for i in shared], [second[i] for i in shared]
    if all(a == b for a, b in zip(x, y)):
        return 1.0
    p = float(wilcoxon(x, y, alternative="two-sided").pvalue)
    return None if math.isnan(p) else p


def ranked(rows: list[Judged], table: list[dict]) -> list[dict]:
    """``table`` best mean first, each row with ``cluster`` and ``p_next`` (None for a system
    without judgements, which comes last)."""
    per_item: dict = defaultdict(lambda: defaultdict(list))
    for r in rows:
        per_item[r.system][r.item_id].append(r.score)
    means = {s: {i: statistics.fmean(v) for i, v in items.items()} for s, items in per_item.items()}
    order = sorted(table, key=lambda r: (r["mean_score"] is None, -(r["mean_score"] or 0)))
    cluster = 1
    for i, row in enumerate(order):
        scored = row["mean_score"] is not None
        row["cluster"] = cluster if scored else None
        below = order[i + 1] if i + 1 < len(order) else None
        row["p_next"] = paired_p(means[row["system"]], means[below["system"]]) \
            if scored and below is not None and below["mean_score"] is not None else None
        if row["p_next"] is not None and row["p_next"] < SIGNIFICANCE:
            cluster += 1
    return order


def esa_statistics(rows: list[Judged], systems: list[str], rounds: int) -> dict:
    """The report's ``esa`` key: systems (ranked), agreement, and the test used."""
    overlap = sum(1 for raters in _units(rows).values() if len(raters) > 1)
    return {"systems": ranked(rows, system_rows(rows, systems, rounds)),
            "agreement": {"span_f1": span_f1(rows), "score_alpha": score_alpha(rows),
                          "units_with_overlap": overlap},
            "test": TEST}
