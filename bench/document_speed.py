"""A 100-paragraph DOCX translated by the document job (documents/job.py) two ways: batched
(the engine's batch size a `send_batch` call; paragraphs, their sentences included, decoded
together) against one paragraph at a time (a call each: each paragraph runs as `send` runs it).
Fresh SQLite file per side, same loaded model, one warm-up; every paragraph is a stored turn on
both sides. Paragraphs are the built-in German sentences (bench/data.py), one or two a paragraph.

    HINTMT_THREADS=2 python -m bench.document_speed [--paragraphs 100] [--model smollm2] [--json OUT]

The one bench module that imports `documents` (pyproject.toml's layer contract names it).
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.data import BUILTIN_DE_EN
from bench.report import machine_info, rounded
from chat.model_host import ModelHost
from chat.session import ChatSession
from chat.settings import TurnSettings, UserError
from documents import open_document
from documents.job import DocumentJob
from models.environment import settings


def build_docx(paragraphs: int) -> bytes:
    """A Word file of ``paragraphs`` paragraphs (every third one of two sentences)."""
    import docx

    sentences = [de for de, _ in BUILTIN_DE_EN]
    document = docx.Document()
    document.add_heading("Bericht", level=1)
    for i in range(paragraphs - 1):
        text = sentences[i % len(sentences)]
        if i % 3 == 2:
            text += " " + sentences[(i + 7) % len(sentences)]
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def one_side(host: ModelHost, data: bytes, batch_size: int, folder: Path) -> dict:
    """Translate the file once on a fresh database; seconds, tokens, the translations."""
    from storage import open_store

    store = open_store(folder / f"batch-{batch_size}.db")
    try:
        session = ChatSession(store, host)
        user = store.ensure_user(f"bench:document-{batch_size}")
        settings = TurnSettings(src="de", tgt="en", temperature=0)
        started = time.perf_counter()
        job = DocumentJob.start(session, user, open_document(data, "bench.docx"), settings)
        left = job.run(batch_size=batch_size)
        output = job.write()
        seconds = time.perf_counter() - started
        replies = [reply for _, reply in job.turns().values()]
        if left:
            raise UserError(f"{left} paragraphs were not translated (batch size {batch_size})")
        return {"batch_size": batch_size, "seconds": rounded(seconds, 2),
                "paragraphs_per_s": rounded(len(replies) / seconds, 3),
                "completion_tokens": sum(r.completion_tokens or 0 for r in replies),
                "output_bytes": len(output), "texts": [r.content for r in replies]}
    finally:
        store.close()


def run(model: str, paragraphs: int) -> dict:
    """Both sides on one loaded model."""
    host = ModelHost(model)
    host.start()
    status = host.wait(600)
    if not status.ready:
        raise SystemExit(f"the model did not load: {status.message}")
    engine = host.engine
    data = build_docx(paragraphs)
    with tempfile.TemporaryDirectory(prefix="hintmt-bench-doc-") as tmp:
        one_side(host, build_docx(3), engine.batch_size, Path(tmp))  # warm-up
        batched = one_side(host, data, engine.batch_size, Path(tmp))
        print(f"  batched: {batched['seconds']} s", file=sys.stderr)
        single = one_side(host, data, 1, Path(tmp))
        print(f"  one by one: {single['seconds']} s", file=sys.stderr)
    same = sum(a == b for a, b in zip(batched.pop("texts"), single.pop("texts")))
    return {"model": engine.model_id, "backend": getattr(engine, "backend", "?"),
            "threads": settings().threads, "paragraphs": paragraphs,
            "batched": batched, "one_by_one": single,
            "speedup": rounded(single["seconds"] / batched["seconds"], 2),
            "same_translations": same, "machine": machine_info()}


def markdown(result: dict) -> str:
    rows = ["| path | batch size | seconds | paragraphs/s | tokens |", "|---|---|---|---|---|"]
    for name in ("batched", "one_by_one"):
        side = result[name]
        rows.append(f"| {name.replace('_', ' ')} | {side['batch_size']} | {side['seconds']} | "
                    f"{side['paragraphs_per_s']} | {side['completion_tokens']} |")
    return "\n".join(rows) + (f"\n\nspeed-up {result['speedup']}×; {result['same_translations']}/"
                              f"{result['paragraphs']} paragraphs translated alike")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2", help="preset or model (default: the embedded SmolLM2)")
    parser.add_argument("--paragraphs", type=int, default=100, help="paragraphs in the file (default 100)")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args(argv)
    result = run(args.model, args.paragraphs)
    print(markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
