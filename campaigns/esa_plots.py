"""The error-span report's charts (matplotlib; `campaigns.plots.figures` adds them for an ESA
campaign, so `campaign report --plots` writes them and the owner's dashboard shows them).

``esa_scores``: each system's mean score with its 95 % interval and significance cluster, and
``esa_errors``: its minor and major span counts and MQM, both read from the report's ``esa``
key. ``esa_positions``: where the spans of the judgements the report counts lie in their
translation (a span's midpoint over the text's length, a missing-content marker at its place;
0 = start, 1 = end), per severity; the bars add up to the report's span counts.
``esa_calibration``: each annotator's score distribution (first judgements, QC left out;
flagged annotators too, marked so), to see who scores high or low.
"""
from __future__ import annotations

from campaigns.plots import _empty, _figure

BINS = 10
COLORS = {"minor": "#e0b32c", "major": "#d9534f"}


def _first(marks) -> list:
    """The first judgement of each (annotator, item, system), QC left out (as the report)."""
    seen, out = set(), []
    for m in marks:
        key = (m.annotator, m.item_id, m.system_id)
        if m.kind != "qc" and key not in seen:
            seen.add(key)
            out.append(m)
    return out


def counted(results: dict, judgements) -> list:
    """The judgements behind the report's ``esa`` figures: flagged annotators left out, unless
    the report kept them (``--include-flagged``: its counts say which)."""
    flagged = {r["annotator"] for r in results["annotators"] if r["flagged"]}
    total = sum(r["n"] for r in results["esa"]["systems"])
    kept = _first([m for m in judgements if m.annotator not in flagged])
    if len(kept) != total and flagged:
        everyone = _first(judgements)
        if len(everyone) == total:
            return everyone
    return kept


def scores_figure(esa: dict):
    fig, ax = _figure()
    ax.set_title("Mean score per system (ESA)")
    rows = [r for r in esa["systems"] if r["mean_score"] is not None]
    if not rows:
        _empty(ax, "No scores yet")
        return fig
    rows = list(reversed(rows))
    ys = list(range(len(rows)))
    low = [r["mean_score"] - r["ci"][0] for r in rows]
    high = [r["ci"][1] - r["mean_score"] for r in rows]
    ax.errorbar([r["mean_score"] for r in rows], ys, xerr=[low, high], fmt="o", capsize=4)
    for y, r in zip(ys, rows):
        ax.annotate(f"{r['mean_score']:.1f} (n={r['n']})", (r["mean_score"], y), xytext=(0, 7),
                    textcoords="offset points", ha="center", fontsize="small")
    ax.set_yticks(ys, [f"{r['system']} (cluster {r['cluster']})" for r in rows])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("mean score (0–100) with 95% CI; clusters by Wilcoxon, p < 0.05")
    return fig


def errors_figure(esa: dict):
    import numpy as np

    fig, ax = _figure()
    ax.set_title("Error spans per severity")
    rows = [r for r in esa["systems"] if r["n"]]
    if not rows:
        _empty(ax, "No judgements yet")
        return fig
    xs = np.arange(len(rows))
    for shift, severity in ((-0.2, "minor"), (0.2, "major")):
        bars = ax.bar(xs + shift, [r[severity] for r in rows], 0.4, label=severity,
                      color=COLORS[severity])
        ax.bar_label(bars, padding=2)
    ax.set_xticks(xs, [f"{r['system']}\nMQM {r['mqm']:.2f}" for r in rows])
    ax.set_ylabel("error spans")
    ax.set_xlabel("system (MQM: 1 × minor + 5 × major, mean per judgement)")
    ax.margins(y=0.15)
    ax.legend(fontsize="small")
    return fig


def positions(rows) -> dict[str, list[float]]:
    """severity → the relative place (0–1) of each span of ``rows`` in its text."""
    out: dict[str, list[float]] = {"minor": [], "major": []}
    for m in rows:
        size = max(len(m.text), 1)
        for s in m.spans:
            out[s["severity"]].append(min(max((s["start"] + s["end"]) / 2 / size, 0.0), 1.0))
    return out


def positions_figure(rows):
    fig, ax = _figure()
    ax.set_title("Where the errors are")
    found = positions(rows)
    if not any(found.values()):
        _empty(ax, "No error spans yet")
        return fig
    ax.hist([found["minor"], found["major"]], bins=BINS, range=(0, 1), stacked=True,
            label=["minor", "major"], color=[COLORS["minor"], COLORS["major"]])
    ax.set_xlim(0, 1)
    ax.set_xlabel("place in the translation (0 = start, 1 = end; span midpoints)")
    ax.set_ylabel("error spans")
    ax.legend(fontsize="small")
    return fig


def calibration_figure(results: dict, judgements):
    fig, ax = _figure()
    ax.set_title("Scores per annotator")
    scores: dict[str, list[float]] = {}
    for m in _first(judgements):
        scores.setdefault(m.annotator, []).append(m.score)
    if not scores:
        _empty(ax, "No scores yet")
        return fig
    flagged = {r["annotator"] for r in results["annotators"] if r["flagged"]}
    names = sorted(scores)
    ax.boxplot([scores[n] for n in names], showmeans=True)
    for anchor in (33, 66):
        ax.axhline(anchor, color="grey", linestyle=":", linewidth=1)
    ax.set_xticks(range(1, len(names) + 1),
                  [f"{n}{' (flagged)' if n in flagged else ''}\nn={len(scores[n])}" for n in names])
    for label, name in zip(ax.get_xticklabels(), names):
        if name in flagged:
            label.set_color("tab:red")
    ax.set_ylim(0, 100)
    ax.set_ylabel("score (triangle: mean)")
    return fig


def esa_figures(results: dict, judgements) -> dict:
    """name → Figure, for each ESA chart."""
    rows = counted(results, judgements)
    return {"esa_scores": scores_figure(results["esa"]), "esa_errors": errors_figure(results["esa"]),
            "esa_positions": positions_figure(rows),
            "esa_calibration": calibration_figure(results, judgements)}
