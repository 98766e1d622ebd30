"""`campaign report` as text: the leaderboard, the pairwise counts, agreement and annotators
(an error-span campaign: its ESA table first)."""
from __future__ import annotations


def _num(value, fmt: str = "{:.3f}") -> str:
    return "—" if value is None else fmt.format(value)


def report_text(name: str, results: dict) -> str:
    """The report as a fixed-width table for the terminal."""
    return "\n".join([f"campaign {name}", *_esa_lines(results.get("esa")), *_pairwise_lines(results)])


def _esa_lines(esa: dict | None) -> list[str]:
    if esa is None:
        return []
    lines = ["", f"{'cl':>2}  {'system':<24} {'score':>6}  {'95% CI':<13} {'n':>5} {'minor':>6} "
                 f"{'major':>6} {'MQM':>6} {'p next':>7}"]
    for r in esa["systems"]:
        ci = f"{r['ci'][0]:.1f}–{r['ci'][1]:.1f}" if r["ci"] else "—"
        lines.append(f"{_num(r['cluster'], '{}'):>2}  {r['system'][:24]:<24} "
                     f"{_num(r['mean_score'], '{:.1f}'):>6}  {ci:<13} {r['n']:>5} {r['minor']:>6} "
                     f"{r['major']:>6} {_num(r['mqm'], '{:.2f}'):>6} {_num(r['p_next']):>7}")
    a = esa["agreement"]
    return lines + [f"clusters: {esa['test']}",
                    f"ESA agreement: span F1 {_num(a['span_f1'])}, Krippendorff's alpha (scores) "
                    f"{_num(a['score_alpha'])} ({a['units_with_overlap']} candidates scored by two "
                    "or more)"]


def _pairwise_lines(results: dict) -> list[str]:
    lines = ["", f"{'#':>2}  {'system':<24} {'rating':>7}  {'95% CI':<15} "
             f"{'wins':>5} {'losses':>6} {'ties':>5} {'win rate':>8}"]
    for rank, r in enumerate(results["leaderboard"], 1):
        ci = f"{r['ci'][0]:.0f}–{r['ci'][1]:.0f}"
        lines.append(f"{rank:>2}  {r['system'][:24]:<24} {r['rating']:>7.0f}  {ci:<15} {r['wins']:>5} "
                     f"{r['losses']:>6} {r['ties']:>5} {_num(r['win_rate'], '{:.1%}'):>8}")
    lines += ["", "pairwise (A vs B: A wins / B wins / ties)"]
    lines += [f"  {p['a']} vs {p['b']}: {p['a_wins']} / {p['b_wins']} / {p['ties']}"
              for p in results["pairwise"]]
    a = results["agreement"]
    lines += ["", f"agreement: Cohen's kappa {_num(a['cohen_kappa'])}, intra-annotator kappa "
                  f"{_num(a['intra_kappa'])}, Krippendorff's alpha {_num(a['krippendorff_alpha'])} "
                  f"({a['items_with_overlap']} items judged by two or more)", "",
              f"{'annotator':<20} {'judged':>6} {'QC pass':>8} {'QC items':>8} {'QC p':>7} "
              f"{'median s':>9}  flagged"]
    for r in results["annotators"]:
        lines.append(f"{r['annotator'][:20]:<20} {r['judgements']:>6} "
                     f"{_num(r['qc_pass_rate'], '{:.0%}'):>8} {r['qc_items']:>8} "
                     f"{_num(r['qc_p_value']):>7} "
                     f"{_num(r['median_seconds'], '{:.1f}'):>9}  {'yes' if r['flagged'] else 'no'}")
    return lines
