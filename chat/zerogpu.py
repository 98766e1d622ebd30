"""ZeroGPU support: on a Hugging Face Space with ZeroGPU hardware a GPU is attached only
inside functions decorated with `spaces.GPU`. Generation goes through `on_gpu`, which is
the identity everywhere else (no `spaces` package, or `spaces.GPU` off ZeroGPU)."""
from __future__ import annotations

import os
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)

# Seconds of GPU a reply may take (ZeroGPU's quota unit); env HINTMT_GPU_SECONDS.
GPU_SECONDS = int(os.environ.get("HINTMT_GPU_SECONDS", "120"))


def on_gpu(fn: F) -> F:
    """`spaces.GPU(duration=GPU_SECONDS)(fn)` when the `spaces` package is importable."""
    try:
        import spaces
    except ImportError:
        return fn
    return spaces.GPU(duration=GPU_SECONDS)(fn)


def oauth_enabled() -> bool:
    """True on a Space with `hf_oauth: true` (the Space sets OAUTH_CLIENT_ID)."""
    return bool(os.environ.get("OAUTH_CLIENT_ID"))
