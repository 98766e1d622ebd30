"""The report's charts as matplotlib figures (PNG files for `campaign report --plots`, and the
same figures on the owner's dashboard): leaderboard with 95% CI bars, win-rate heat map,
judgements over time per annotator, per-annotator quality control."""
from __future__ import annotations

from pathlib import Path

PLOTS = ("leaderboard", "win_rates", "timeline", "qc")


def _figure(width: float = 6.0, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def leaderboard_figure(results: dict):
    fig, ax = _figure()
    rows = list(reversed(results["leaderboard"]))
    ys = range(len(rows))
    ratings = [r["rating"] for r in rows]
    low = [r["rating"] - r["ci"][0] for r in rows]
    high = [r["ci"][1] - r["rating"] for r in rows]
    ax.errorbar(ratings, list(ys), xerr=[low, high], fmt="o", capsize=4)
    ax.set_yticks(list(ys), [r["system"] for r in rows])
    ax.set_xlabel("rating (Bradley–Terry, Elo scale) with 95% CI")
    ax.set_title("Leaderboard")
    return fig


def win_rate_figure(results: dict):
    import numpy as np

    fig, ax = _figure(5.0, 4.0)
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
    ax.set_title("Win rate (ties count half)")
    return fig


def timeline_figure(judgements):
    fig, ax = _figure()
    people: dict = {}
    for j in judgements:
        people.setdefault(j.annotator, []).append(j.created)
    for name, times in sorted(people.items()):
        times = sorted(times)
        ax.step(times, range(1, len(times) + 1), where="post", label=name)
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylabel("judgements")
    ax.set_title("Judgements over time (UTC)")
    if people:
        ax.legend(fontsize="small")
    return fig


def qc_figure(results: dict):
    fig, ax = _figure()
    rows = results["annotators"]
    rates = [r["qc_pass_rate"] or 0 for r in rows]
    colors = ["tab:red" if r["flagged"] else "tab:green" for r in rows]
    ax.bar([r["annotator"] for r in rows], rates, color=colors)
    ax.axhline(0.7, color="grey", linestyle="--", linewidth=1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("QC pass rate (red: flagged)")
    ax.set_title("Quality control per annotator")
    return fig


def figures(results: dict, judgements) -> dict:
    """name → Figure, for every chart."""
    return {"leaderboard": leaderboard_figure(results), "win_rates": win_rate_figure(results),
            "timeline": timeline_figure(judgements), "qc": qc_figure(results)}


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
