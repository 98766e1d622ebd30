"""`python app.py bench`: measure the app's speed, print a markdown table and write JSON.

Sections (``--only``): ``ttft`` time to first token and tokens/s through the full app path
(ChatSession + SQLite) against the engine's raw generation on the same prompt and settings;
``batch`` 20 sentences batched against one by one; ``detect`` language detection per call;
``export`` 10,000 preference pairs to JSONL; ``cold`` `python app.py` to served page and to
model ready; ``gpu`` a LLaMA-2-7B-shaped random model's decode speed against the bandwidth
bound (CUDA only, see bench/gpu.py). WMT'22 sentences from ../shared/data/wmt22 when
present, built-in sentences otherwise. Not a test: it asserts nothing about timings.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.cold import cold_start
from bench.data import BUILTIN, detection_texts, preference_rows, sentences
from bench.detect import detection_speed
from bench.export import export_speed
from bench.report import load_average, machine_info, table
from bench.speed import app_vs_raw, batched_vs_single
from chat.settings import UserError
from cli.common import common_arguments, load_host

HELP = "measure speed: first token, tokens/s, cold start, batching, export"
SECTIONS = ("ttft", "batch", "detect", "export", "cold", "gpu")
MODEL_SECTIONS = ("ttft", "batch")
# full run / --quick
SIZES = {"batch_sentences": (20, 8), "detect_calls": (500, 100), "export_pairs": (10_000, 1_000),
         "tokens": (64, 16), "repeat": (3, 1), "gpu_tokens": (128, 16), "gpu_layers": (None, 2),
         "cold_timeout": (300, 180)}


def add_arguments(parser) -> None:
    common_arguments(parser, db=False)  # --model/--adapter/--style/--backend/--base-url/--api-key
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (a smoke run): 16 tokens, 1 repeat, 8 sentences, 1,000 pairs")
    parser.add_argument("--json", default="bench-results.json", metavar="PATH",
                        help="where to write the results (default: bench-results.json; '-' for none)")
    parser.add_argument("--only", default=None, metavar="LIST",
                        help=f"comma-separated sections of {','.join(SECTIONS)} "
                             "(default: all; gpu only where CUDA is available)")
    parser.add_argument("--tokens", type=int, help="new tokens per generation (default 64, gpu 128; quick 16)")
    parser.add_argument("--repeat", type=int,
                        help="measured runs of app path vs raw and of each gpu decode (default 3; quick 1)")
    parser.add_argument("--data", metavar="DIR", help="WMT'22 folder (default ../shared/data/wmt22 "
                        f"when present); '{BUILTIN}' for the built-in sentences")
    gpu = parser.add_argument_group("gpu section")
    gpu.add_argument("--gpu-dtype", choices=("auto", "bf16", "fp16"), default="auto",
                     help="weights dtype (default: bf16 where supported, else fp16)")
    gpu.add_argument("--gpu-shape", choices=("llama2-7b", "tiny"), default="llama2-7b",
                     help="model shape, random weights (default llama2-7b; tiny for a smoke run)")
    gpu.add_argument("--gpu-layers", type=int, help="decoder layers (default: the shape's; quick 2)")
    gpu.add_argument("--gpu-device", default="cuda", help="torch device (default cuda; cpu for a smoke run)")
    gpu.add_argument("--concurrency", default="1,4,8", help="concurrent streams to batch (default 1,4,8)")
    gpu.add_argument("--prompt-tokens", type=int, default=128, help="prompt length per stream (default 128)")
    gpu.add_argument("--bandwidth", type=float, metavar="TB/S",
                     help="memory bandwidth for the bound (default: from the GPU's name)")


def _size(args, key: str):
    return SIZES[key][1 if args.quick else 0]


def _sections(args) -> list[str]:
    if args.only is None:
        import torch
        return [s for s in SECTIONS if s != "gpu" or torch.cuda.is_available()]
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown or not chosen:
        raise UserError(f"--only takes a comma-separated list of {', '.join(SECTIONS)}"
                        + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    return [s for s in SECTIONS if s in chosen]


def _positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise UserError(f"{name} must be at least 1, got {value}")


def _ttft(args, state) -> dict:
    # the longest of the first sentences: a longer reply times decoding, not per-turn costs
    sentence = max((s for s, _ in sentences(args.data, 20).pairs), key=len)
    return app_vs_raw(state["host"], sentence, state["tokens"], state["repeat"])


def _batch(args, state) -> dict:
    corpus = sentences(args.data, _size(args, "batch_sentences"))
    texts = [s for s, _ in corpus.pairs]
    return {"data": corpus.source, **batched_vs_single(state["host"].engine, texts, state["tokens"])}


def _detect(args, state) -> dict:
    corpus = detection_texts(args.data, _size(args, "detect_calls"))
    return {"data": corpus.source, **detection_speed([t for t, _ in corpus.pairs])}


def _export(args, state) -> dict:
    label, rows = preference_rows(args.data, _size(args, "export_pairs"))
    return {"data": label, **export_speed(rows)}


def _cold(args, state) -> dict:
    extra = ("--backend", args.backend) + (("--base-url", args.base_url) if args.base_url else ())
    env = {"OPENAI_API_KEY": args.api_key} if args.api_key else None  # not on a command line
    return cold_start(args.model, args.adapter, args.style, timeout=_size(args, "cold_timeout"),
                      extra=extra, env=env)


def _gpu(args, state) -> dict:
    from bench.gpu import run_gpu_bench
    try:
        streams = tuple(int(n) for n in args.concurrency.split(",") if n.strip())
    except ValueError:
        streams = ()
    if not streams or min(streams) < 1:
        raise UserError(f"--concurrency takes stream counts like 1,4,8, got {args.concurrency!r}")
    return run_gpu_bench(args.gpu_shape, args.gpu_dtype, args.gpu_layers or _size(args, "gpu_layers"),
                         args.prompt_tokens, args.tokens or _size(args, "gpu_tokens"), streams,
                         args.bandwidth, args.gpu_device, state["repeat"])


MEASURE = {"ttft": _ttft, "batch": _batch, "detect": _detect, "export": _export, "cold": _cold, "gpu": _gpu}


def run(args) -> int:

    for name in ("tokens", "repeat", "prompt_tokens"):
        _positive(f"--{name.replace('_', '-')}", getattr(args, name))
    sections = _sections(args)
    machine = machine_info()
    state: dict = {"tokens": args.tokens or _size(args, "tokens"), "repeat": args.repeat or _size(args, "repeat")}
    if any(s in MODEL_SECTIONS for s in sections):

        state["host"] = load_host(args)
    results, seconds = {}, {}
    for section in sections:
        print(f"bench: {section} …", file=sys.stderr)
        t0 = time.perf_counter()
        results[section] = MEASURE[section](args, state)
        seconds[section] = round(time.perf_counter() - t0, 1)
    machine["load_average_end"] = load_average()
    report = {"schema": 1, "machine": machine,
              "settings": {"model": args.model, "adapter": args.adapter, "style": args.style,
                           "backend": args.backend, "quick": args.quick, "data": args.data or "default",
                           "tokens": state["tokens"], "repeat": state["repeat"], "sections": sections},
              "results": results, "section_seconds": seconds}
    print(table(results, machine))
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written to {args.json}", file=sys.stderr)
    return 0
