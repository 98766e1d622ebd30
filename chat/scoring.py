"""`python app.py score`: corpus BLEU, chrF and spBLEU (sacreBLEU, with signatures), and
COMET / COMET-Kiwi where installed, for one system's hypotheses against references.

Columns are text files or JSONL fields (``--hyp de-en.jsonl:gpt4``); the target language
(for the BLEU tokenizer) is given, read from the data, or detected. ``--json`` for scripts.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field

DEFAULT_METRICS = ("bleu", "chrf", "spbleu", "comet", "cometkiwi")


def add_arguments(parser) -> None:
    """Arguments of the command."""
    from .eval_metrics import METRICS

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


@dataclass
class TestSet:
    """References (and sources) read and checked, with the target language."""

    references: list            # eval_io.Column, one per reference set
    sources: object | None
    lang: str | None            # None: unknown (BLEU tokenizes with 13a)
    lang_from: str

    @property
    def reference_lists(self) -> list[list[str]]:
        return [ref.segments for ref in self.references]


def read_test_set(args, hypotheses) -> TestSet:
    """References and sources for ``hypotheses`` (a Column or a list of them), all aligned."""
    from .eval_io import check_aligned, read_column, target_language

    systems = hypotheses if isinstance(hypotheses, list) else [hypotheses]
    references = [read_column(spec, "reference", "references") for spec in args.ref]
    sources = read_column(args.src, "source", "sources") if args.src else None
    check_aligned(references[0], *references[1:], *systems, *([sources] if sources else []))
    lang, lang_from = target_language(args.lang, references[0])
    return TestSet(references, sources, lang, lang_from)


@dataclass
class Report:
    """Everything `score` prints."""

    hypotheses: str
    test: TestSet
    scores: list = field(default_factory=list)
    unavailable: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"hypotheses": self.hypotheses, "references": [r.label for r in self.test.references],
                "sources": self.test.sources.label if self.test.sources else None,
                "segments": len(self.test.references[0]), "lang": self.test.lang,
                "lang_from": self.test.lang_from,
                "scores": [s.as_dict() for s in self.scores],
                "unavailable": [u.as_dict() for u in self.unavailable], "notes": self.notes}


def score_system(hyp, test: TestSet, metrics: tuple[str, ...], comet_model=None, kiwi_model=None) -> Report:
    """Every requested metric for one system's hypotheses (an eval_io.Column)."""
    from .eval_metrics import Unavailable, build_metrics, corpus_scores

    metric_set = build_metrics(test.lang, metrics)
    report = Report(hyp.label, test, corpus_scores(metric_set, hyp.segments, test.reference_lists),
                    list(metric_set.unavailable), list(metric_set.notes))
    report.notes += language_notes(test)
    for name, wanted, needs_ref in (("COMET", "comet", True), ("COMET-Kiwi", "cometkiwi", False)):
        if wanted not in metrics:
            continue
        if test.sources is None:
            report.unavailable.append(Unavailable(name, "needs the sources: give --src"))
            continue
        from .eval_comet import COMET_MODEL, KIWI_MODEL, comet_score

        model = (comet_model or COMET_MODEL) if needs_ref else (kiwi_model or KIWI_MODEL)
        result = comet_score(name, model, test.sources.segments, hyp.segments,
                             test.reference_lists[0] if needs_ref else None)
        (report.scores if hasattr(result, "score") else report.unavailable).append(result)
    return report


def language_notes(test: TestSet) -> list[str]:
    """Say where the target language came from unless the user gave it."""
    if test.lang_from == "given":
        return []
    if test.lang is None:
        return [f"target language {test.lang_from}: BLEU uses the 13a tokenizer; give --lang "
                "(it matters for zh, ja and ko)"]
    return [f"target language {test.lang}: {test.lang_from} (set it with --lang)"]


def describe_target(test: TestSet) -> str:
    """'target Chinese (zh)', or 'target language unknown'."""
    from prompts import lang_name

    return f"target {lang_name(test.lang)} ({test.lang})" if test.lang else "target language unknown"


def format_report(report: Report) -> str:
    """A table for people: metric, score, signature; then what could not run, and notes."""
    test = report.test
    refs = ", ".join(r.label for r in test.references)
    lines = [f"{report.hypotheses} vs {refs}: {len(test.references[0])} segments, "
             f"{describe_target(test)}", ""]
    width = max([len(s.metric) for s in report.scores + report.unavailable] + [6])
    lines.append(f"{'metric':<{width}}  {'score':>6}  signature")
    for s in report.scores:
        lines.append(f"{s.metric:<{width}}  {s.score:>6.2f}  {s.signature}")
    for u in report.unavailable:
        lines.append(f"{u.metric:<{width}}  {'n/a':>6}  {u.reason}")
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


def run(args) -> int:
    """Score ``--hyp`` against ``--ref``; the table (or JSON) goes to stdout."""
    from .eval_io import read_column
    from .eval_metrics import require_sacrebleu

    require_sacrebleu()
    hyp = read_column(args.hyp, "hypothesis", "hypotheses")
    test = read_test_set(args, hyp)
    report = score_system(hyp, test, tuple(dict.fromkeys(args.metrics)), args.comet_model, args.kiwi_model)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    if not report.scores:
        print("error: none of the requested metrics could run here", file=sys.stderr)
        return 2
    return 0
