"""A memory check before loading big weights on CPU: the Linux OOM killer ends the whole
process (no exception to catch), so refuse early with a helpful message instead."""
from __future__ import annotations

import re

import psutil

from models.errors import ModelError
from models.environment import settings

_UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def parse_size(size: str | None) -> float | None:
    """Parameter count from a human size such as '13B' or '135M' (None if unknown)."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMBT])\s*", size or "", flags=re.I)
    return float(m.group(1)) * _UNITS[m.group(2).upper()] if m else None


def available_ram() -> int | None:
    """Bytes of memory available to new allocations (psutil's ``available``), or None."""
    try:
        return int(psutil.virtual_memory().available)
    except (OSError, RuntimeError):
        return None


def check_cpu_fits(name: str, size: str | None, bytes_per_param: int) -> None:
    """Raise ``ModelError`` when a model of ``size`` clearly won't fit in free RAM.

    Skipped when the size or free memory is unknown, or ``HINTMT_SKIP_MEMORY_CHECK=1``.
    """
    if settings().skip_memory_check:
        return
    params, free = parse_size(size), available_ram()
    if params is None or free is None:
        return
    need = params * bytes_per_param * 1.1
    if need > free:
        raise ModelError(
            f"Not enough memory for '{name}' ({size} parameters): it needs about {need / 1e9:.0f} GB "
            f"on CPU but only {free / 1e9:.1f} GB is free. Try a smaller preset such as 'smollm2', "
            "or run on a machine with a GPU (set HINTMT_SKIP_MEMORY_CHECK=1 to try anyway)."
        )


def is_oom(exc: BaseException) -> bool:
    """True for out-of-memory errors from torch, CUDA or Python."""
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)
