"""The report's charts as matplotlib figures (PNG files for `campaign report --plots`, and the
same figures on the owner's dashboard): leaderboard with 95% CI bars, win-rate heat map,
judgements over time per annotator (UTC, its unit on the axis), per-annotator quality control
with the number of QC items behind each pass rate; an error-span campaign's own charts from
`campaigns.esa_plots` (and, in contrastive mode, the leaderboard and win rates of its screens).
A chart without data yet says so."""
from __future__ import annotations

from pathlib import Path

PLOTS = ("leaderboard", "win_rates", "timeline", "qc")


def _figure(width: float = 6.0, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def _empty(ax, message: str) -> None:
    """No data yet: a message instead of axes (no 1970 date axis, no made-up scale)."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")


def _nothing_counted(results: dict) -> str | None:
    """Why the leaderboard is empty (None when it is not)."""
    if any(r["wins"] + r["losses"] + r["ties"] for r in results["leaderboard"]):
        return None
    if any(r["judgements"] for r in results["annotators"]):
        return "No judgement counted yet\n(QC items and flagged annotators are left out)"
    return "No judgements yet"


def leaderboard_figure(results: dict):
    fig, ax = _figure()
    ax.set_title("Leaderboard")
    if why := _nothing_counted(results):
        _empty(ax, why)
        return fig
    rows = list(reversed(results["leaderboard"]))
    ys = range(len(rows))
    ratings = [r["rating"] for r in rows]
    low = [r["rating"] - r["ci"][0] for r in rows]
    high = [r["ci"][1] - r["rating"] for r in rows]
    ax.errorbar(ratings, list(ys), xerr=[low, high], fmt="o", capsize=4)
    ax.set_yticks(list(ys), [r["system"] for r in rows])
    ax.set_xlabel("rating (Bradley–Terry, Elo scale) with 95% CI")
    return fig


def win_rate_figure(results: dict):
    import numpy as np

    fig, ax = _figure(5.0, 4.0)
    ax.set_title("Win rate (ties count half)")
    if why := _nothing_counted(results):
        _empty(ax, why)
        return fig
    names = [r["system"] for r in results["leaderboard"]]
    grid = np.full((len(names), len(names)), np.nan)
    for p in results["pairwise"]:
        total = p["a_wins"] + p["b_wins"] + p["ties"]
        if total:
            i, j = names.index(p["a"]), names.index(p["b"])
            grid[i, j] = (p["a_wins"] + 0.5 * p["ties"]) / total
            grid[j, i] = 1 - grid[i, j]
    image = ax.imshow(grid, vmin=0, vmax=1, cmap="RdYlGn")
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    for (i, j), value in np.ndenumerate(grid):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center")
    fig.colorbar(image, ax=ax, label="row beats column")
    return fig


def _time_axis(times) -> tuple[str, str]:
    """(strftime format, axis label with its unit) for judgement times spanning ``times``."""
    span = (max(times) - min(times)).total_seconds()
    if span <= 600:
        return "%H:%M:%S", "time (UTC, hh:mm:ss)"
    if min(times).date() == max(times).date():
        return "%H:%M", f"time on {min(times):%Y-%m-%d} (UTC, hh:mm)"
    return "%m-%d %H:%M", "date and time (UTC, MM-DD hh:mm)"


def timeline_figure(judgements):
    fig, ax = _figure()
    ax.set_title("Judgements over time")
    people: dict = {}
    for j in judgements:
        people.setdefault(j.annotator, []).append(j.created)
    if not people:
        _empty(ax, "No judgements yet")
        return fig
    for name, times in sorted(people.items()):
        times = sorted(times)
        ax.step(times, range(1, len(times) + 1), where="post", label=name)
    from matplotlib.dates import AutoDateLocator, DateFormatter

    fmt, label = _time_axis([t for times in people.values() for t in times])
    ax.xaxis.set_major_locator(AutoDateLocator(maxticks=6))
    ax.xaxis.set_major_formatter(DateFormatter(fmt))
    ax.set_xlabel(label)
    ax.set_ylabel("judgements (cumulative)")
    ax.legend(fontsize="small")
    return fig


def qc_figure(results: dict):
    fig, ax = _figure()
    ax.set_title("Quality control per annotator")
    rows = results["annotators"]
    if not any(r["qc_items"] for r in rows):
        _empty(ax, "No quality-control item judged yet")
        return fig
    rates = [r["qc_pass_rate"] or 0 for r in rows]
    colors = ["tab:red" if r["flagged"] else "tab:green" for r in rows]
    bars = ax.bar([r["annotator"] for r in rows], rates, color=colors)
    ax.bar_label(bars, [f"{round((r['qc_pass_rate'] or 0) * r['qc_items'])} / {r['qc_items']}"
                        for r in rows], padding=2)
    ax.axhline(0.7, color="grey", linestyle="--", linewidth=1)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("QC pass rate (red: flagged)")
    ax.set_xlabel("annotator (label: QC items passed / judged)")
    return fig


def figures(results: dict, judgements, protocol: str | None = None) -> dict:
    """name → Figure, for every chart of the campaign (``protocol`` None: read from
    ``results``; an ``esa`` campaign's report has no pairwise judgements to chart)."""
    pairwise = "esa" not in results or protocol == "contrastive-esa" or (
        protocol is None and _nothing_counted(results) is None)
    charts = {"leaderboard": leaderboard_figure(results), "win_rates": win_rate_figure(results)} \
        if pairwise else {}
    if "esa" in results:
        from campaigns.esa_plots import esa_figures

        charts.update(esa_figures(results, judgements))
    return {**charts, "timeline": timeline_figure(judgements), "qc": qc_figure(results)}


def save_plots(results: dict, judgements, folder: str | Path) -> list[Path]:
    """Write each chart as ``<folder>/<name>.png``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures(results, judgements).items():
        path = folder / f"{name}.png"
        fig.savefig(path)
        paths.append(path)
    return paths
