"""`python app.py compare`: several systems on one test set, side by side.

Corpus scores with sacreBLEU's paired significance test against the first system (the
baseline): paired bootstrap resampling by default (1000 samples, seed 12345, as
``sacrebleu --paired-bs``), or approximate randomization. Then the segments where the
systems disagree most (by sentence chrF), each output next to the others. ``--glossary FILE``
adds term accuracy per system (no significance test).
"""
from __future__ import annotations

import json
import sys

from cli.score import eval_inputs
from evaluation.metrics import build_metrics, require_sacrebleu
from evaluation.scoring import language_notes, read_test_set
from evaluation.significance import differing_segments, format_table, paired_test, read_systems

HELP = "compare several systems on one test set, with significance"


def add_arguments(parser) -> None:
    """Arguments of the command."""

    parser.add_argument("systems", nargs="+", metavar="SYSTEM",
                        help="[NAME=]FILE or [NAME=]FILE.jsonl[:FIELD], one per system; the first is "
                             "the baseline (name default: the JSONL field, else the file name)")
    eval_inputs(parser)
    parser.add_argument("--metrics", nargs="+", choices=("bleu", "chrf", "spbleu"),
                        default=["bleu", "chrf"], help="sacreBLEU metrics (default: bleu chrf)")
    parser.add_argument("--paired", choices=("bs", "ar"), default="bs",
                        help="bs: paired bootstrap resampling (default); ar: approximate randomization")
    parser.add_argument("--samples", type=int, default=0,
                        help="resamples (bs, default 1000) or trials (ar, default 10000)")
    parser.add_argument("--examples", type=int, default=3,
                        help="show this many segments where the systems differ most (default: 3)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args) -> int:
    """Score every system, test each against the baseline, print a table (or JSON)."""

    require_sacrebleu()
    systems = read_systems(args.systems)
    test = read_test_set(args.ref, args.src, args.lang, [column for _, column in systems])
    metric_set = build_metrics(test.lang, tuple(args.metrics), references=test.reference_lists)
    if not metric_set.metrics:
        print("error: none of the requested metrics can run here: "
              + "; ".join(f"{u.metric}: {u.reason}" for u in metric_set.unavailable), file=sys.stderr)
        return 2
    results = paired_test(systems, metric_set, args.paired, max(0, args.samples))
    notes = list(metric_set.notes) + language_notes(test)
    unavailable = list(metric_set.unavailable)
    if args.glossary:
        from evaluation.terms import METRIC, term_results

        terms, missing = term_results(args.glossary, test, systems)
        if terms:
            results[METRIC] = terms
        unavailable += [missing] if missing else []
    report = {
        "test": args.paired, "baseline": systems[0][0], "segments": len(test.references[0]),
        "lang": test.lang, "lang_from": test.lang_from,
        "references": [r.label for r in test.references],
        "signatures": {metric: signature for metric, (signature, _) in results.items()},
        "systems": [{"name": name, "file": column.label,
                     "identical_to_baseline": i > 0 and column.segments == systems[0][1].segments,
                     "scores": {metric: dict(vars(per_system[i]))
                                for metric, (_, per_system) in results.items()}}
                    for i, (name, column) in enumerate(systems)],
        "unavailable": [u.as_dict() for u in unavailable], "notes": notes,
        "examples": differing_segments(systems, test, args.examples)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=float))
    else:
        print(format_table(report, results, systems, test))
    return 0
