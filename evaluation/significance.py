"""Several systems on one test set: sacreBLEU's paired significance tests against the
first system (paired bootstrap resampling, or approximate randomization), and the segments
where the systems differ most (by sentence chrF), as a table or a dict."""
from __future__ import annotations

from pathlib import Path

from chat.settings import UserError
from evaluation.columns import read_column
from evaluation.metrics import sentence_chrf
from evaluation.scoring import describe_target

ALPHA = 0.05


ALPHA = 0.05


def read_systems(specs: list[str]) -> list[tuple[str, object]]:
    """(name, Column) per ``[NAME=]SPEC``; names are made unique."""

    if len(specs) < 2:
        raise UserError("compare needs at least two systems (the first is the baseline)")
    systems, seen = [], set()
    for spec in specs:
        name = None
        if "=" in spec and not Path(spec).exists():
            name, _, spec = spec.partition("=")
        column = read_column(spec, "hypothesis", "hypotheses")
        name = name or column.field or column.path.stem
        base, n = name, 2
        while name in seen:
            name, n = f"{base}#{n}", n + 1
        seen.add(name)
        systems.append((name, column))
    return systems


def paired_test(systems, metric_set, test_type: str, samples: int) -> dict:
    """metric → (signature, [sacrebleu Result per system]); one PairedTest per metric, which
    gives the same resamples (and numbers) as one ``sacrebleu --paired-*`` run."""
    from sacrebleu.significance import PairedTest

    named = [(name, column.segments) for name, column in systems]
    results = {}
    for display, metric in metric_set.metrics.items():
        signatures, scores = PairedTest(named, {display: metric}, references=None,
                                        test_type=test_type, n_samples=samples)()
        key = next(k for k in scores if k != "System")
        results[display] = (signatures[key].format(), scores[key])
    return results


def differing_segments(systems, test, count: int) -> list[dict]:
    """The ``count`` segments whose sentence chrF varies most across systems."""

    if count <= 0:
        return []
    refs = test.reference_lists
    spread = []
    for i in range(len(refs[0])):
        scores = [sentence_chrf(column.segments[i], [r[i] for r in refs]) for _, column in systems]
        spread.append((max(scores) - min(scores), -i, scores))
    chosen = sorted(spread, reverse=True)[:count]
    examples = []
    for _, neg, scores in sorted(chosen, key=lambda item: -item[1]):
        i = -neg
        examples.append({
            "line": i + 1,
            "source": test.sources.segments[i] if test.sources else None,
            "references": [r[i] for r in refs],
            "outputs": {name: {"text": column.segments[i], "chrF": round(score, 2)}
                        for (name, column), score in zip(systems, scores)}})
    return examples


def _cell(result, baseline: bool, identical: bool) -> str:
    text = f"{result.score:.2f}"
    if result.mean is not None and result.ci is not None:
        text += f" (μ {result.mean:.2f} ± {result.ci:.2f})"
    if identical:
        text += " identical"
    elif not baseline and result.p_value is not None:
        text += f" p={result.p_value:.4f}" + ("*" if result.p_value < ALPHA else "")
    return text


def format_table(report: dict, results: dict, systems, test) -> str:
    """Systems as rows, metrics as columns; signatures and examples below."""

    test_name = {"bs": "paired bootstrap resampling", "ar": "paired approximate randomization"}
    lines = [f"{len(systems)} systems on {', '.join(r.label for r in test.references)}: "
             f"{len(test.references[0])} segments, {describe_target(test)}",
             f"{test_name[report['test']]}, baseline {systems[0][0]}", ""]
    names = [name + (" (baseline)" if i == 0 else "") for i, (name, _) in enumerate(systems)]
    same = [row["identical_to_baseline"] for row in report["systems"]]
    columns = [["system"] + names]
    for metric, (_, per_system) in results.items():
        columns.append([metric] + [_cell(r, i == 0, same[i]) for i, r in enumerate(per_system)])
    widths = [max(len(cell) for cell in column) for column in columns]
    for row in range(len(systems) + 1):
        lines.append("  ".join(col[row].ljust(w) for col, w in zip(columns, widths)).rstrip())
    lines += ["", f"* differs from the baseline with p < {ALPHA}"]
    if any(same):
        lines.append("identical: the same outputs as the baseline, so there is no difference to test")
    lines += [f"{metric}: {signature}" for metric, (signature, _) in results.items()]
    lines += [f"{u['metric']}: n/a, {u['reason']}" for u in report["unavailable"]]
    lines += [f"note: {n}" for n in report["notes"]]
    for example in report["examples"]:
        lines += ["", f"line {example['line']}"]
        if example["source"] is not None:
            lines.append(f"  {'source':<{max(widths[0], 9)}}  {example['source']}")
        for ref in example["references"]:
            lines.append(f"  {'reference':<{max(widths[0], 9)}}  {ref}")
        for name, output in example["outputs"].items():
            lines.append(f"  {name:<{max(widths[0], 9)}}  [chrF {output['chrF']:5.1f}] {output['text']}")
    return "\n".join(lines)
