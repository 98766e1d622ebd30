"""Term accuracy for `score --glossary` and `compare --glossary`: the share of source-side
glossary term occurrences whose target term appears in the hypothesis of the same segment (the
WMT terminology task's exact-match accuracy), with the app's matching rule (prompts/glossary.py:
case-insensitive, word boundaries, exact forms). A term found n times in a source needs its
target n times in the hypothesis; each one found counts as a hit."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prompts import detect_language, normalize_code
from prompts.glossary import Term, term_hits

from chat.glossary_files import file_format, read_glossary_file
from chat.settings import UserError
from evaluation.metrics import MetricScore, Unavailable

METRIC = "TermAcc"


@dataclass
class TermScore:
    """Term accuracy of one system in percent, shaped like sacreBLEU's paired results (no
    resampling: mean, ci and p_value stay None)."""

    score: float
    hits: int
    total: int
    mean: float | None = None
    ci: float | None = None
    p_value: float | None = None


def source_language(sources) -> str | None:
    """The sources' language: the JSONL ``src_lang``, an xx-yy file name, or detection."""
    if sources.records and isinstance(sources.records[0].get("src_lang"), str):
        try:
            return normalize_code(sources.records[0]["src_lang"])
        except ValueError:
            pass
    stem = sources.path.stem.lower()
    if len(stem) >= 5 and stem[2] in "-_":
        try:
            return normalize_code(stem[:2])
        except ValueError:
            pass
    found = detect_language("\n".join(s for s in sources.segments[:200] if s))
    return found.lang if found.lang and found.confidence >= 0.9 else None


def read_terms(path: str, test) -> list[Term]:
    """The glossary file's terms; a TBX file needs the test set's two languages."""
    src = tgt = ""
    if file_format(path) == "tbx":
        src = source_language(test.sources) if test.sources else None
        tgt = test.lang
        if not src or not tgt:
            raise UserError("a TBX glossary needs the source and target languages: give --lang, and "
                            "--src as JSONL with src_lang or with the language pair in its name (de-en.txt)")
    return read_glossary_file(path, src, tgt)


def term_accuracy(sources: list[str], hypotheses: list[str], terms: list[Term]) -> TermScore:
    """Hits over source occurrences, segment by segment (0 occurrences: score 0)."""
    hits = total = 0
    for source, hypothesis in zip(sources, hypotheses):
        found, needed = term_hits(source, hypothesis, terms)
        hits, total = hits + found, total + needed
    return TermScore(100.0 * hits / total if total else 0.0, hits, total)


def signature(path: str, terms: list[Term], total: int) -> str:
    return (f"glossary:{Path(path).name}|terms:{len(terms)}|occurrences:{total}"
            "|match:exact-form,case-insensitive,word-boundaries")


def unavailable(test, terms: list[Term], total: int | None = None) -> Unavailable | None:
    """Why term accuracy cannot be computed on this test set, or None."""
    if test.sources is None:
        return Unavailable(METRIC, "needs the sources: give --src")
    if total == 0:
        return Unavailable(METRIC, f"none of the {len(terms)} glossary terms occurs in the sources")
    return None


def term_metric(path: str, test, hypotheses: list[str]) -> MetricScore | Unavailable:
    """`score`'s row for term accuracy (detail: hits/occurrences)."""
    terms = read_terms(path, test)
    missing = unavailable(test, terms)
    if missing:
        return missing
    result = term_accuracy(test.sources.segments, hypotheses, terms)
    return unavailable(test, terms, result.total) or MetricScore(
        METRIC, result.score, signature(path, terms, result.total), f"{result.hits}/{result.total}")


def term_results(path: str, test, systems) -> tuple[tuple[str, list[TermScore]] | None, Unavailable | None]:
    """`compare`'s column: (signature, one TermScore per system), or why there is none."""
    terms = read_terms(path, test)
    missing = unavailable(test, terms)
    if missing:
        return None, missing
    scores = [term_accuracy(test.sources.segments, column.segments, terms) for _, column in systems]
    missing = unavailable(test, terms, scores[0].total)
    return (None, missing) if missing else ((signature(path, terms, scores[0].total), scores), None)
