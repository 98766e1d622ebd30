"""`python app.py translate-file`: translate a test set (plain text or JSONL) in batches, or a
document (DOCX, PPTX, Markdown, HTML, SRT/WebVTT, XLIFF, PO: cli/translate_document.py).

The chat's planning and prompt builder, the preset's decoding unless overridden, batches of
the engine's batch size (``--batch-size``), a progress bar on stderr, and a resumable output: run the same
command again after an interruption and it continues where the file ends.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from chat.settings import TurnSettings, UserError
from cli.common import common_arguments, load_engine, positive_int
from evaluation.batch import SEGMENTATIONS, translate_segments
from evaluation.columns import read_column
from evaluation.resume import ResumableOutput, input_digest
from models import resolve_preset
from prompts import lang_name, normalize_code, stop_strings


HELP = "translate a test set (text or JSONL) or a document (.docx, .srt, .po, …) in batches, resumable"


def add_arguments(parser) -> None:
    """Arguments of the command."""
    common_arguments(parser)  # --db: where a document's conversation is stored
    parser.add_argument("--in", dest="input", required=True, metavar="SOURCE",
                        help="source segments: a text file (one a line) or a .jsonl file "
                             "(field 'source', or pick one as FILE.jsonl:FIELD); or a document "
                             "(.md .html .docx .pptx .srt .vtt .xlf .xliff .po)")
    parser.add_argument("--out", required=True,
                        help="output: text (one translation a line) or .jsonl (the input's fields "
                             "plus the hypothesis); for a document, a file of the same extension; "
                             "an unfinished output is continued")
    parser.add_argument("--from", dest="src", required=True,
                        help="source language code, e.g. de (a document may say auto)")
    parser.add_argument("--to", dest="tgt", required=True, help="target language code, e.g. en")
    parser.add_argument("--hint", help="ParroT hint kind, or free text for chat models")
    parser.add_argument("--beams", type=positive_int, help="beam size (default: the preset's)")
    parser.add_argument("--max-new-tokens", type=positive_int, help="default: the preset's")
    parser.add_argument("--temperature", type=float, help="sample at this temperature (0: greedy)")
    parser.add_argument("--top-p", type=float, help="nucleus sampling threshold")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="prompts per generate call (default: the engine's: 32 on llama.cpp, else 8)")
    parser.add_argument("--segmentation", choices=SEGMENTATIONS, default="line",
                        help="line: each segment is one prompt, as test sets are evaluated "
                             "(default); sentence: split into sentences like the chat")
    parser.add_argument("--hyp-field", default="hypothesis",
                        help="field that holds the translation in JSONL output (default: hypothesis)")
    parser.add_argument("--limit", type=int, help="translate only the first N segments")
    parser.add_argument("--overwrite", action="store_true",
                        help="start again instead of continuing an existing output")


def _identity(args, column) -> dict:
    """What decides the translations: a run is only continued when all of it is unchanged."""

    return {"model": args.model, "adapter": args.adapter, "style": args.style,
            "backend": getattr(args, "backend", None), "base_url": getattr(args, "base_url", None),
            "src": args.src,
            "tgt": args.tgt, "hint": args.hint, "beams": args.beams,
            "max_new_tokens": args.max_new_tokens, "temperature": args.temperature,
            "top_p": args.top_p, "segmentation": args.segmentation,
            "input": input_digest(column.segments)}


def _check_request(args, document: bool = False) -> None:
    """Fail before loading a model when the direction or a number can't work."""

    auto = args.src.lower() == "auto"
    if auto and not document:
        raise UserError("give the source language with --from (a test set has one source language)")
    args.src, args.tgt = "auto" if auto else normalize_code(args.src), normalize_code(args.tgt)
    if args.src == args.tgt:
        raise UserError(f"--from and --to are both {lang_name(args.src)}")
    for name in ("batch_size", "limit", "beams", "max_new_tokens"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    preset = resolve_preset(args.model, adapter=args.adapter, style=args.style)
    for code in (args.tgt,) if auto else (args.src, args.tgt):
        if preset.languages and code not in preset.languages:
            raise UserError(f"{preset.name} does not translate {lang_name(code)}; it knows: "
                            f"{', '.join(lang_name(c) for c in preset.languages)}")


def _progress_bar(total: int, done: int):
    from tqdm import tqdm

    tty = sys.stderr.isatty()
    return tqdm(total=total, initial=done, unit="seg", file=sys.stderr, dynamic_ncols=tty,
                mininterval=0.5 if tty else 10.0, smoothing=0.1, desc="translating")


def run(args) -> int:
    """Translate the missing segments of ``--out``; exit 0 when the output is complete."""

    from cli.translate_document import is_document, run_document

    document = is_document(args.input, args.out)
    _check_request(args, document)
    if document:
        return run_document(args)
    column = read_column(args.input, "source", "source segments")
    total = min(len(column), args.limit or len(column))
    output = ResumableOutput(Path(args.out), column, _identity(args, column), args.hyp_field)
    done = output.prepare(overwrite=args.overwrite)
    if done >= total:
        print(f"{args.out} already holds {done}/{len(column)} translations; nothing to do "
              "(--overwrite starts again)", file=sys.stderr)
        return 0
    if done:
        print(f"continuing {args.out}: {done}/{total} segments are done", file=sys.stderr)

    engine = load_engine(args)
    settings = TurnSettings(src=args.src, tgt=args.tgt, hint=args.hint, num_beams=args.beams,
                            max_new_tokens=args.max_new_tokens, temperature=args.temperature,
                            top_p=args.top_p)
    return _translate(engine, column.segments[:total], settings, output, done, args)


def _translate(engine, sources, settings, output, done: int, args) -> int:


    params = settings.gen_params(engine.preset.decoding, stop_strings(engine.preset.style, settings.tgt))
    revision = getattr(getattr(engine, "loaded", None), "revision", None)
    output.record(model_id=engine.model_id, revision=revision,
                  preset=engine.preset.name, style=engine.preset.style, decoding=params.as_dict())
    started, new, tokens = time.perf_counter(), 0, 0
    bar = _progress_bar(len(sources), done)
    try:
        for batch in translate_segments(engine, sources, settings, start=done,
                                        segmentation=args.segmentation, batch_size=args.batch_size):
            output.append(batch.start, batch.texts)
            new += len(batch.texts)
            tokens += batch.completion_tokens
            bar.set_postfix_str(f"{tokens / (time.perf_counter() - started):.1f} tok/s", refresh=False)
            bar.update(len(batch.texts))
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted: {done + new}/{len(sources)} segments are in {args.out}; "
              "run the same command to continue", file=sys.stderr)
        raise
    bar.close()
    seconds = time.perf_counter() - started
    print(f"translated {new} segments in {seconds:.1f} s ({new / seconds:.2f} segments/s, "
          f"{tokens / seconds:.1f} tokens/s); {args.out} holds {done + new}/{len(sources)}",
          file=sys.stderr)
    return 0
