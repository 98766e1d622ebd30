"""Eager against compiled decoding on the GPU benchmark's model, through ``model.generate``
as the engine calls it (models/engines/compiled.py: static KV cache + torch.compile with
CUDA graphs for the compiled path): time to first token and decode tokens/s for 1, 4 and 8
streams, each against the bandwidth bound. The first compiled calls compile (warm-up, not
timed)."""
from __future__ import annotations

import time

import torch

from models.engines.compiled import COMPILED, EAGER, generate_kwargs


class _Clock:
    """A streamer that notes when the first new token arrives."""

    def __init__(self):
        self.calls, self.first = 0, None

    def put(self, value):
        self.calls += 1
        if self.calls == 2 and self.first is None:  # the first call is the prompt
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.first = time.perf_counter()

    def end(self):
        pass


def timed_generate(model, path: str, streams: int, prompt_tokens: int, new_tokens: int, seed: int = 0) -> dict:
    """One ``generate`` on ``path``: time to first token and decode tok/s (steps after it)."""
    device = next(model.parameters()).device
    gen = torch.Generator(device="cpu").manual_seed(seed)
    ids = torch.randint(3, model.config.vocab_size, (streams, prompt_tokens), generator=gen).to(device)
    # off CUDA (the tests' CPU smoke run) the compiled path traces without code generation
    extra = generate_kwargs(path, str(device), streams, 1, None if device.type == "cuda" else "eager")
    clock = _Clock()
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens,
                             min_new_tokens=new_tokens, do_sample=False, pad_token_id=0,
                             streamer=clock if streams == 1 else None, **extra)
    if device.type == "cuda":
        torch.cuda.synchronize()
    end = time.perf_counter()
    made = out.shape[1] - prompt_tokens
    first = clock.first if clock.first is not None else None
    decode_s = end - first if first is not None else None
    return {"path": path, "streams": streams, "new_tokens": made, "seconds": end - t0,
            "ttft_s": None if first is None else first - t0,
            "aggregate_tok_per_s": (streams * made / (end - t0)) if first is None
            else streams * (made - 1) / decode_s}


def compare_paths(model, concurrency, prompt_tokens: int, new_tokens: int, repeat: int, bound) -> list[dict]:
    """Best of ``repeat`` runs per (path, streams); ``bound(streams)`` is the bandwidth bound."""
    rows = []
    for path in (EAGER, COMPILED):
        for streams in concurrency:
            for _ in range(2 if path == COMPILED else 1):  # warm-up (compiles the compiled path)
                timed_generate(model, path, streams, prompt_tokens, min(new_tokens, 8))
            runs = [timed_generate(model, path, streams, prompt_tokens, new_tokens, seed=i) for i in range(repeat)]
            best = max(runs, key=lambda r: r["aggregate_tok_per_s"])
            limit = bound(streams)
            best["bound_tok_per_s"] = limit
            best["fraction_of_bound"] = None if not limit else best["aggregate_tok_per_s"] / limit
            rows.append(best)
    return rows
