"""One system's corpus scores against a test set: the references (and sources) read and
aligned, every requested metric (sacreBLEU BLEU/chrF/spBLEU, COMET, COMET-Kiwi), and the
report as a table or a dict."""
from __future__ import annotations

from dataclasses import dataclass, field

from evaluation.columns import check_aligned, read_column, target_language
from evaluation.comet import COMET_MODEL, KIWI_MODEL, comet_score
from evaluation.metrics import Unavailable, build_metrics, corpus_scores
from prompts import lang_name


@dataclass
class TestSet:
    """References (and sources) read and checked, with the target language."""

    references: list            # evaluation.columns.Column, one per reference set
    sources: object | None
    lang: str | None            # None: unknown (BLEU tokenizes with 13a)
    lang_from: str

    @property
    def reference_lists(self) -> list[list[str]]:
        return [ref.segments for ref in self.references]


def read_test_set(ref_specs: list[str], src_spec: str | None, lang: str | None, hypotheses) -> TestSet:
    """References and sources for ``hypotheses`` (a Column or a list of them), all aligned."""

    systems = hypotheses if isinstance(hypotheses, list) else [hypotheses]
    references = [read_column(spec, "reference", "references") for spec in ref_specs]
    sources = read_column(src_spec, "source", "sources") if src_spec else None
    check_aligned(references[0], *references[1:], *systems, *([sources] if sources else []))
    lang, lang_from = target_language(lang, references[0])
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
    """Every requested metric for one system's hypotheses (an evaluation.columns.Column)."""

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
