"""ZeroGPU support: on a Hugging Face Space with ZeroGPU hardware a GPU is attached only
inside functions decorated with `spaces.GPU`. Generation goes through `on_gpu`, which is
the identity everywhere else (no `spaces` package, or `spaces.GPU` off ZeroGPU)."""
from __future__ import annotations

import os
from typing import Callable, TypeVar

from models.environment import settings

F = TypeVar("F", bound=Callable)

def on_gpu(fn: F) -> F:
    """`spaces.GPU(duration=…)(fn)` when the `spaces` package is importable; the duration is the
    seconds of GPU a reply may take (ZeroGPU's quota unit), HINTMT_GPU_SECONDS."""
    try:
        import spaces
    except ImportError:
        return fn
    return spaces.GPU(duration=settings().gpu_seconds)(fn)


def oauth_enabled() -> bool:
    """True on a Space with `hf_oauth: true` (the Space sets OAUTH_CLIENT_ID)."""
    return bool(os.environ.get("OAUTH_CLIENT_ID"))
