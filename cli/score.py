"""`python app.py score`: corpus BLEU, chrF and spBLEU (sacreBLEU, with signatures), and
COMET / COMET-Kiwi where installed, for one system's hypotheses against references.

Columns are text files or JSONL fields (``--hyp de-en.jsonl:gpt4``); the target language
(for the BLEU tokenizer) is given, read from the data, or detected. ``--json`` for scripts.
``--glossary FILE`` (CSV or TBX, with ``--src``) adds term accuracy (evaluation/terms.py).
"""
from __future__ import annotations

import json
import sys

from evaluation.columns import read_column
from evaluation.metrics import METRICS, require_sacrebleu
from evaluation.scoring import format_report, read_test_set, score_system

HELP = "score hypotheses against references (sacreBLEU BLEU/chrF, COMET)"
DEFAULT_METRICS = ("bleu", "chrf", "spbleu", "comet", "cometkiwi")


def add_arguments(parser) -> None:
    """Arguments of the command."""

    parser.add_argument("--hyp", required=True,
                        help="hypotheses: text file, or FILE.jsonl[:FIELD] (default field: hypothesis)")
    eval_inputs(parser)
    parser.add_argument("--metrics", nargs="+", choices=METRICS, default=list(DEFAULT_METRICS),
                        help="metrics to compute (default: all; unavailable ones are reported)")
    parser.add_argument("--comet-model", default=None, help="COMET model (hub id already cached, "
                        "folder or .ckpt; default: Unbabel/wmt22-comet-da)")
    parser.add_argument("--kiwi-model", default=None, help="COMET-Kiwi model (default: "
                        "Unbabel/wmt22-cometkiwi-da)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def eval_inputs(parser) -> None:
    """--ref/--src/--lang, shared by score and compare."""
    parser.add_argument("--ref", required=True, action="append",
                        help="references: text file or FILE.jsonl[:FIELD] (default field: reference); "
                             "repeat for several reference sets")
    parser.add_argument("--src", help="sources (for COMET): text file or FILE.jsonl[:FIELD] "
                                      "(default field: source)")
    parser.add_argument("--lang", help="target language code (default: from the data's tgt_lang, "
                                       "an xx-yy file name, or detected from the references)")
    parser.add_argument("--glossary", metavar="FILE", help="a glossary (.csv source,target[,note] or "
                        ".tbx): also report term accuracy, the share of source term occurrences "
                        "whose target term the output has (needs --src)")


def run(args) -> int:
    """Score ``--hyp`` against ``--ref``; the table (or JSON) goes to stdout."""

    require_sacrebleu()
    hyp = read_column(args.hyp, "hypothesis", "hypotheses")
    test = read_test_set(args.ref, args.src, args.lang, hyp)
    report = score_system(hyp, test, tuple(dict.fromkeys(args.metrics)), args.comet_model, args.kiwi_model)
    if args.glossary:
        from evaluation.terms import term_metric

        terms = term_metric(args.glossary, test, hyp.segments)
        (report.scores if hasattr(terms, "score") else report.unavailable).append(terms)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    if not report.scores:
        print("error: none of the requested metrics could run here", file=sys.stderr)
        return 2
    return 0
