"""Sentence-boundary recovery on the WMT'22 sources: ``prompts.split_segments`` vs pysbd.

The WMT'22 files (``{src}-{tgt}.jsonl``, one segment a line with ``source`` and
``src_lang``) have no document id, so each file is cut into pseudo-documents of
5 consecutive lines; each pseudo-document is one group. The sources of a group
are joined with one space (nothing for zh/ja), each segmenter splits the joined
text, and its boundaries are compared with the joins. Offsets are counted in
non-whitespace characters, so the whitespace a segmenter keeps or drops does not
matter. Scores are micro-averaged precision, recall and F1 over boundaries, plus
the share of groups split exactly at the joins. A boundary inside one WMT
"segment" counts as a false positive even where it is a real sentence end.

    python -m bench.segmentation [--data DIR] [--json OUT] [--group N]

pysbd is imported only here (a benchmark, not a dependency); languages it has
no rules for fall back to its "en" rules, marked in the table.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from prompts import split_segments

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wmt22"
NO_SPACE = ("zh", "ja")


def load_groups(data_dir: Path, size: int = 5) -> dict[str, list[list[str]]]:
    """Groups of up to ``size`` consecutive non-empty sources per source language (per file)."""
    groups: dict[str, list[list[str]]] = defaultdict(list)
    for path in sorted(data_dir.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            texts = [" ".join((r.get("source") or "").split()) for r in chunk]
            texts = [t for t in texts if t]
            if texts:
                groups[chunk[0]["src_lang"]].append(texts)
    return dict(sorted(groups.items()))


def boundaries(pieces) -> set[int]:
    """Offsets (in non-whitespace characters) between consecutive pieces."""
    cuts, total = set(), 0
    for piece in list(pieces)[:-1]:
        total += len("".join(piece.split()))
        cuts.add(total)
    cuts.discard(0)
    return cuts


def score(pairs) -> dict:
    """Precision, recall, F1 and exact-group share for ``(true_pieces, predicted_pieces)`` pairs."""
    tp = fp = fn = exact = groups = mismatched = 0
    for true_pieces, predicted in pairs:
        mismatched += len("".join("".join(true_pieces).split())) != len("".join("".join(predicted).split()))
        true, pred = boundaries(true_pieces), boundaries([p for p in predicted if p.strip()])
        tp += len(true & pred)
        fp += len(pred - true)
        fn += len(true - pred)
        exact += true == pred
        groups += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "exact": exact / groups if groups else 0.0,
            "tp": tp, "fp": fp, "fn": fn, "groups": groups, "text_changed": mismatched}


def project_segmenter(lang: str):
    """``prompts.split_segments`` as a text -> sentences function (language-independent)."""
    return lambda text: list(split_segments(text).segments)


def pysbd_segmenter(lang: str):
    """pysbd for ``lang`` (``clean=False``), or its "en" rules when it has none; returns (fn, rules)."""
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    rules = lang if lang in LANGUAGE_CODES else "en"
    segmenter = pysbd.Segmenter(language=rules, clean=False)
    return segmenter.segment, rules


def run(data_dir: Path, size: int = 5) -> dict:
    """Score both segmenters per source language and overall; also time them."""
    groups = load_groups(data_dir, size)
    if not groups:
        raise SystemExit(f"no *.jsonl with sources under {data_dir}")
    results: dict = {"languages": {}, "settings": {"data": str(data_dir), "group": size}}
    all_pairs: dict[str, list] = {"split_segments": [], "pysbd": []}
    seconds = {"split_segments": 0.0, "pysbd": 0.0}
    for lang, lang_groups in groups.items():
        joiner = "" if lang in NO_SPACE else " "
        texts = [joiner.join(g) for g in lang_groups]
        sbd, rules = pysbd_segmenter(lang)
        entry = {"groups": len(texts), "boundaries": sum(len(g) - 1 for g in lang_groups),
                 "pysbd_rules": rules}
        for name, fn in (("split_segments", project_segmenter(lang)), ("pysbd", sbd)):
            start = time.perf_counter()
            predicted = [fn(t) for t in texts]
            took = time.perf_counter() - start
            pairs = list(zip(lang_groups, predicted))
            all_pairs[name] += pairs
            seconds[name] += took
            entry[name] = {**score(pairs), "seconds": took}
        results["languages"][lang] = entry
    results["overall"] = {name: {**score(pairs), "seconds": seconds[name]} for name, pairs in all_pairs.items()}
    results["overall"]["groups"] = len(all_pairs["pysbd"])
    results["overall"]["boundaries"] = sum(r["boundaries"] for r in results["languages"].values())
    return results


def markdown(results: dict) -> str:
    """The results as a Markdown table (one row per source language, then overall)."""
    def cells(s):
        return f"{s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['exact']:.3f} | {s['seconds']:.2f}"

    lines = ["| src | groups | boundaries | ours P | ours R | ours F1 | ours exact | ours s "
             "| pysbd rules | pysbd P | pysbd R | pysbd F1 | pysbd exact | pysbd s |",
             "|---" * 14 + "|"]
    for lang, r in results["languages"].items():
        rules = r["pysbd_rules"] if r["pysbd_rules"] == lang else f"{r['pysbd_rules']} (fallback)"
        lines.append(f"| {lang} | {r['groups']} | {r['boundaries']} | {cells(r['split_segments'])} "
                     f"| {rules} | {cells(r['pysbd'])} |")
    o = results["overall"]
    lines.append(f"| **all** | {o['groups']} | {o['boundaries']} | {cells(o['split_segments'])} "
                 f"| | {cells(o['pysbd'])} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    """Command line: print the table, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of WMT'22 *.jsonl files")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    parser.add_argument("--group", type=int, default=5, help="lines per pseudo-document (default 5)")
    args = parser.parse_args(argv)
    results = run(args.data, args.group)
    print(markdown(results))
    print("\nours = prompts.split_segments; P/R/F1 micro-averaged over join boundaries; "
          "exact = share of groups split exactly at the joins; s = seconds for all groups.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
