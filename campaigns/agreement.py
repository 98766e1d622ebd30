"""Agreement between and within annotators, and each annotator's quality control.

Labels are taken relative to a canonical order of the two systems (the one stored first is
"a"), with both-bad counted as a tie: ``a``, ``b``, ``tie``. Quality-control items are left
out of agreement.
"""
from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter, defaultdict

LABELS = ("a", "b", "tie")
MAX_P, MIN_PASS = 0.10, 0.7


def canonical(j) -> tuple[tuple[int, int, int], str]:
    """(unit, label) of a judgement: the unit is (item, lower system id, higher system id)."""
    lo, hi = sorted((j.system_a, j.system_b))
    label = "tie" if j.choice in ("tie", "both-bad") else j.choice
    if j.system_a != lo and label != "tie":
        label = "b" if label == "a" else "a"
    return (j.item_id, lo, hi), label


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of a table of (first rater's label, second rater's label)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(x == y for x, y in pairs) / n
    first, second = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    expected = sum(first[k] * second[k] for k in set(first) | set(second)) / (n * n)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


def _by_unit(judgements) -> dict:
    """unit → annotator → labels in time order (QC items left out)."""
    table: dict = defaultdict(lambda: defaultdict(list))
    for j in judgements:
        if j.kind != "qc":
            unit, label = canonical(j)
            table[unit][j.annotator].append(label)
    return table


def agreement(judgements) -> dict:
    """cohen_kappa, intra_kappa, krippendorff_alpha, items_with_overlap (None where undefined)."""
    table = _by_unit(judgements)
    inter, intra = [], []
    for raters in table.values():
        for x, y in itertools.combinations(sorted(raters), 2):
            inter.append((raters[x][0], raters[y][0]))
        intra += [(labels[0], labels[1]) for labels in raters.values() if len(labels) > 1]
    overlap = sum(1 for raters in table.values() if len(raters) > 1)
    return {"cohen_kappa": cohen_kappa(inter), "intra_kappa": cohen_kappa(intra),
            "krippendorff_alpha": _alpha(table), "items_with_overlap": overlap}


def _alpha(table) -> float | None:
    import krippendorff
    import numpy as np

    annotators = sorted({a for raters in table.values() for a in raters})
    units = [u for u, raters in table.items() if len(raters) > 1]
    if not units:
        return None
    data = np.full((len(annotators), len(units)), np.nan)
    for col, unit in enumerate(units):
        for a, labels in table[unit].items():
            data[annotators.index(a), col] = LABELS.index(labels[0])
    if len(set(data[~np.isnan(data)].tolist())) < 2:
        return None  # every value the same: alpha is undefined
    value = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return None if math.isnan(value) else float(value)


def qc_passed(j) -> bool:
    """A QC judgement passes when the unmodified side is preferred."""
    return j.choice == ("b" if j.qc_side == "a" else "a")


def min_qc_items(max_p: float = MAX_P) -> int:
    """Fewest QC items with which a perfect annotator can reach p ≤ max_p (4 for 0.10)."""
    return max(1, math.ceil(math.log(max_p) / math.log(0.5)))


def qc_verdict(passes: int, n: int, max_p: float = MAX_P, min_pass: float = MIN_PASS):
    """(pass rate, one-sided binomial p, flagged) of ``passes`` in ``n`` QC items (None, None,
    False for none). Flagged: the pass rate below ``min_pass``, or p above ``max_p`` once there
    are enough QC items for the test to be able to pass (`min_qc_items`)."""
    if not n:
        return None, None, False
    from scipy.stats import binomtest

    rate, p = passes / n, float(binomtest(passes, n, 0.5, alternative="greater").pvalue)
    return rate, p, rate < min_pass or (n >= min_qc_items(max_p) and p > max_p)


def annotator_rows(judgements, names: list[str], max_p: float = MAX_P,
                   min_pass: float = MIN_PASS) -> list[dict]:
    """Per annotator: judgements, qc_items (QC judgements made), qc_pass_rate, qc_p_value
    (one-sided binomial: prefers the real output more often than chance), median_seconds,
    flagged (see `qc_verdict`)."""
    mine = defaultdict(list)
    for j in judgements:
        mine[j.annotator].append(j)
    rows = []
    for name in names:
        js = mine.get(name, [])
        qc = [j for j in js if j.kind == "qc"]
        rate, p, flagged = qc_verdict(sum(qc_passed(j) for j in qc), len(qc), max_p, min_pass)
        seconds = [j.seconds for j in js if j.seconds is not None]
        rows.append({"annotator": name, "judgements": len(js), "qc_items": len(qc),
                     "qc_pass_rate": rate,
                     "qc_p_value": p,
                     "median_seconds": statistics.median(seconds) if seconds else None,
                     "flagged": flagged})
    return rows
