"""The leaderboard: Bradley–Terry strengths by maximum likelihood, win counts and rates.

Outcomes are (system A, system B, choice) with choice ``a``, ``b``, ``tie`` or ``both-bad``;
a tie or both-bad counts half a win for each side, as FastChat's ``compute_bt`` does. The
strengths come from ``choix.opt_pairwise`` (each decisive judgement entered twice, each tie
once in each direction, which is the half-win weighting) with a small ridge prior so that a
system that won every comparison still gets a finite rating; they are shown on the Elo-like
scale ``1000 + 400 · θ / ln 10``, with 95% intervals from bootstrap resampling of judgements.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np

SCALE, BASE, INIT = 400.0, 10.0, 1000.0
RIDGE = 0.01
BOOTSTRAP = 200
HALF = ("tie", "both-bad")


def _pairs(outcomes, index: dict[str, int]) -> list[tuple[int, int]]:
    data = []
    for a, b, choice in outcomes:
        i, j = index[a], index[b]
        if choice == "a":
            data += [(i, j), (i, j)]
        elif choice == "b":
            data += [(j, i), (j, i)]
        else:
            data += [(i, j), (j, i)]
    return data


def bt_ratings(outcomes, systems: list[str]) -> dict[str, float]:
    """Bradley–Terry ratings on the Elo-like scale (mean 1000)."""
    import choix

    index = {s: i for i, s in enumerate(systems)}
    data = _pairs(outcomes, index)
    if not data:
        return {s: INIT for s in systems}
    theta = np.asarray(choix.opt_pairwise(len(systems), data, alpha=RIDGE, method="BFGS"))
    theta = theta - theta.mean()
    return {s: float(INIT + SCALE * theta[index[s]] / math.log(BASE)) for s in systems}


def bootstrap_ci(outcomes, systems: list[str], rounds: int = BOOTSTRAP,
                 seed: int = 0) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of each rating over resamples of the judgements."""
    if not outcomes:
        return {s: (INIT, INIT) for s in systems}
    rng = np.random.default_rng(seed)
    draws = {s: [] for s in systems}
    for _ in range(rounds):
        sample = [outcomes[i] for i in rng.integers(0, len(outcomes), len(outcomes))]
        for s, r in bt_ratings(sample, systems).items():
            draws[s].append(r)
    return {s: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5)))
            for s, v in draws.items()}


def records(outcomes, systems: list[str]) -> dict[str, Counter]:
    """Per system: wins, losses, ties (tie and both-bad)."""
    out = {s: Counter(wins=0, losses=0, ties=0) for s in systems}
    for a, b, choice in outcomes:
        if choice in HALF:
            out[a]["ties"] += 1
            out[b]["ties"] += 1
        else:
            winner, loser = (a, b) if choice == "a" else (b, a)
            out[winner]["wins"] += 1
            out[loser]["losses"] += 1
    return out


def win_rate(record: Counter) -> float | None:
    total = record["wins"] + record["losses"] + record["ties"]
    return (record["wins"] + 0.5 * record["ties"]) / total if total else None


def leaderboard(outcomes, systems: list[str], rounds: int = BOOTSTRAP) -> list[dict]:
    """Rows best first: system, rating, ci, wins, losses, ties, win_rate."""
    ratings = bt_ratings(outcomes, systems)
    cis = bootstrap_ci(outcomes, systems, rounds)
    recs = records(outcomes, systems)
    rows = [{"system": s, "rating": round(ratings[s], 1),
             "ci": [round(cis[s][0], 1), round(cis[s][1], 1)],
             "wins": recs[s]["wins"], "losses": recs[s]["losses"], "ties": recs[s]["ties"],
             "win_rate": win_rate(recs[s])} for s in systems]
    return sorted(rows, key=lambda r: -r["rating"])


def pairwise(outcomes, systems: list[str]) -> list[dict]:
    """For every system pair (in the given order): a_wins, b_wins, ties."""
    rows = []
    for i, a in enumerate(systems):
        for b in systems[i + 1:]:
            row = {"a": a, "b": b, "a_wins": 0, "b_wins": 0, "ties": 0}
            for x, y, choice in outcomes:
                if {x, y} != {a, b}:
                    continue
                if choice in HALF:
                    row["ties"] += 1
                elif (choice == "a") == (x == a):
                    row["a_wins"] += 1
                else:
                    row["b_wins"] += 1
            rows.append(row)
    return rows
