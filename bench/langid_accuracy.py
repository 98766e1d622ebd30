"""Language-identification accuracy on the WMT'22 test sources: plain langdetect vs prompts.langid.detect.

Reads every ``*.jsonl`` under ``--data`` (lines with ``source`` and ``src_lang``;
default ``../shared/data/wmt22`` next to the repository root), then prints a
Markdown table per source language: accuracy of seeded langdetect 1.0.9
(``zh-cn``/``zh-tw`` counted as ``zh``), of ``detect_language`` with no
candidates, and of ``detect_language`` restricted to X-ALMA's languages (for
X-ALMA languages only), plus mean milliseconds per call after warm-up.

    python -m bench.langid_accuracy [--data DIR] [--limit N] [--max-words N]
    python -m bench.langid_accuracy --set heldout-short    # a set of tests/data/langid (LANGID_SETS)

The sets of tests/data/langid: ``tuning-sentences``/``tuning-short`` are what the rules
were built and tuned on; ``heldout-sentences``/``heldout-short`` were written once, blind,
and are the figures to trust. ``--hand-written`` is ``--set tuning-sentences``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from prompts import LANGUAGES, XALMA_LANGUAGES, detect_language
from prompts.langid.detect import warm_up

REPO = Path(__file__).resolve().parent.parent
LANGID_DATA = REPO / "tests" / "data" / "langid"
LANGID_SETS = {
    "tuning-sentences": ("tuning_sentences.jsonl", "tuning set, everyday sentences (rules tuned on it)"),
    "tuning-short": ("tuning_short.jsonl", "tuning set, 1-5-word inputs (rules tuned on it)"),
    "heldout-sentences": ("heldout_sentences.jsonl", "HELD-OUT set, everyday sentences"),
    "heldout-short": ("heldout_short.jsonl", "HELD-OUT set, 1-5-word inputs"),
}


def load_langid_set(name: str) -> dict[str, list[str]]:
    """Language -> texts of one set of tests/data/langid (see LANGID_SETS)."""
    sources: dict[str, list[str]] = {}
    with (LANGID_DATA / LANGID_SETS[name][0]).open(encoding="utf-8") as handle:
        for row in map(json.loads, filter(str.strip, handle)):
            sources.setdefault(row["lang"], []).append(row["text"])
    return dict(sorted(sources.items()))


def load_sources(data_dir: Path, limit: int | None, max_words: int | None) -> dict[str, list[str]]:
    """Unique source sentences per language (optionally at most ``max_words`` words, ``limit`` each)."""
    by_lang: dict[str, dict[str, None]] = defaultdict(dict)
    for path in sorted(data_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                text, lang = (row.get("source") or "").strip(), row.get("src_lang")
                if not text or not lang:
                    continue
                if max_words and len(text.split()) > max_words and lang not in ("zh", "ja"):
                    continue
                by_lang[lang][text] = None
    return {lang: list(texts)[:limit] if limit else list(texts) for lang, texts in sorted(by_lang.items())}


def plain_langdetect():
    """Seeded langdetect ``detect`` that returns None instead of raising."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def run(text: str) -> str | None:
        try:
            code = detect(text)
        except LangDetectException:
            return None
        return "zh" if code.startswith("zh") else code

    return run


def timed(fn, texts):
    """Results of ``fn`` over ``texts`` and mean milliseconds per call."""
    start = time.perf_counter()
    results = [fn(t) for t in texts]
    return results, 1000 * (time.perf_counter() - start) / max(1, len(texts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "wmt22",
                        help="folder with WMT'22 *.jsonl files (default: ../shared/data/wmt22)")
    parser.add_argument("--limit", type=int, default=None, help="at most N sentences per language")
    parser.add_argument("--max-words", type=int, default=None,
                        help="only sentences of at most N words (short, chat-like input)")
    parser.add_argument("--set", choices=sorted(LANGID_SETS), dest="langid_set",
                        help="a hand-written set of tests/data/langid instead of WMT'22")
    parser.add_argument("--hand-written", action="store_true", help="same as --set tuning-sentences")
    args = parser.parse_args(argv)

    name = args.langid_set or ("tuning-sentences" if args.hand_written else None)
    if name:
        return report(load_langid_set(name), f"{LANGID_SETS[name][1]}: tests/data/langid/{LANGID_SETS[name][0]}")
    if not args.data.is_dir() or not any(args.data.glob("*.jsonl")):
        print(f"error: no WMT'22 *.jsonl files in {args.data}; pass --data DIR "
              "(files with one JSON object a line holding 'source' and 'src_lang')", file=sys.stderr)
        return 2

    sources = load_sources(args.data, args.limit, args.max_words)
    scope = f"sources of at most {args.max_words} words" if args.max_words else "all sources"
    return report(sources, f"WMT'22 {scope} ({args.data})")


def report(sources: dict[str, list[str]], title: str) -> int:
    """Print the Markdown accuracy table for ``sources`` (language -> sentences)."""
    langdetect = plain_langdetect()
    langdetect("warm up")
    warm_up()

    rows, totals, confusions = [], defaultdict(float), Counter()
    for lang, texts in sources.items():
        n = len(texts)
        base, base_ms = timed(langdetect, texts)
        ours, ours_ms = timed(lambda t: detect_language(t).lang, texts)
        base_acc = sum(r == lang for r in base) / n
        ours_acc = sum(r == lang for r in ours) / n
        confusions.update((lang, r) for r in ours if r != lang)
        restricted_acc = None
        if lang in XALMA_LANGUAGES:
            restricted = [detect_language(t, XALMA_LANGUAGES).lang for t in texts]
            restricted_acc = sum(r == lang for r in restricted) / n
            totals["xalma_n"] += n
            totals["restricted"] += restricted_acc * n
        rows.append((lang, n, base_acc, ours_acc, restricted_acc, base_ms, ours_ms))
        totals["n"] += n
        totals["base"] += base_acc * n
        totals["ours"] += ours_acc * n
        totals["base_ms"] += base_ms * n
        totals["ours_ms"] += ours_ms * n

    def pct(value):
        return "n/a" if value is None else f"{value:.1%}"

    print(f"{title}\n")
    print("| language | sentences | langdetect (seeded) | ours | ours, X-ALMA candidates "
          "| ms/call langdetect | ms/call ours |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for lang, n, b, o, r, bms, oms in rows:
        print(f"| {LANGUAGES.get(lang, lang)} ({lang}) | {n} | {pct(b)} | {pct(o)} | {pct(r)} | {bms:.2f} | {oms:.2f} |")
    n = totals["n"] or 1
    restricted_all = totals["restricted"] / totals["xalma_n"] if totals["xalma_n"] else None
    print(f"| **all** | {int(totals['n'])} | {pct(totals['base'] / n)} | {pct(totals['ours'] / n)} | "
          f"{pct(restricted_all)} | {totals['base_ms'] / n:.2f} | {totals['ours_ms'] / n:.2f} |")
    if confusions:
        pairs = ", ".join(f"{lang}→{got or 'none'} {count}" for (lang, got), count in confusions.most_common())
        print(f"\nErrors of ours (no candidates), language→detected count: {pairs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
