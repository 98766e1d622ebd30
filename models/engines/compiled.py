"""The static-cache compiled decode path of the transformers engine (gpt-fast's recipe,
through transformers' own ``cache_implementation="static"`` and ``CompileConfig``).

A static KV cache gives every decode step the same tensor shapes, so ``torch.compile``
(inductor, ``mode="reduce-overhead"``: CUDA graphs) compiles the step once and replays it;
transformers keeps the cache length from growing between calls to avoid recompiles. The path
is used on CUDA for greedy/sampled decoding of up to ``COMPILED_MAX_BATCH`` rows; beam search
and bigger batches stay eager. Streaming, stop strings and cancel are the eager path's (they
live in ``generate``'s streamer and stopping criteria, outside the compiled forward).

``HINTMT_DECODE`` = ``auto`` (compiled on CUDA, eager elsewhere) | ``eager`` | ``compiled``;
``HINTMT_COMPILE_BACKEND`` picks the torch.compile backend (default ``inductor``; ``eager``
runs the same static-cache code without code generation, which is how the CPU tests cover the
path with the tiny model).
"""
from __future__ import annotations

from models.environment import settings

EAGER, COMPILED, AUTO = "eager", "compiled", "auto"
DECODE_PATHS = (AUTO, EAGER, COMPILED)
COMPILED_MAX_BATCH = 8  # single stream and small batches: where decode is memory-bound


def decode_path(device: str, requested: str | None = None) -> str:
    """``eager`` or ``compiled`` for an engine on ``device`` (``requested`` or env HINTMT_DECODE)."""
    choice = (requested or settings().decode).strip().lower()
    if choice not in DECODE_PATHS:
        raise ValueError(f"decode path must be one of {', '.join(DECODE_PATHS)}, got {choice!r}")
    if choice == AUTO:
        return COMPILED if str(device).startswith("cuda") else EAGER
    return choice


def compile_config(device: str, backend: str | None = None):
    """transformers' ``CompileConfig`` for the decode step on ``device``."""
    from transformers import CompileConfig

    backend = backend or settings().compile_backend
    config = CompileConfig(backend=backend, fullgraph=False,
                           mode="reduce-overhead" if backend == "inductor" else None)
    if not str(device).startswith("cuda"):
        config._compile_all_devices = True  # transformers compiles on CUDA only unless told
    return config


def generate_kwargs(path: str, device: str, rows: int, num_beams: int, backend: str | None = None) -> dict:
    """Extra ``model.generate`` arguments for the compiled path ({} where it does not apply)."""
    if path != COMPILED or num_beams > 1 or rows > COMPILED_MAX_BATCH:
        return {}
    return {"cache_implementation": "static", "compile_config": compile_config(device, backend)}
