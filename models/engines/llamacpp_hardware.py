"""What the CPU and llama.cpp build report at run time, and the one place a ``llama_cpp.Llama``
is made, with settings chosen from that report rather than from the machine we develop on.

**AMX.** On Intel Xeons with AMX (Sapphire Rapids and later; ``AMX_INT8 = 1`` in llama.cpp's
system info) llama.cpp puts quantized weights into an "extra buffer type" repacked for its AMX
kernels, and those crash in ``llama_decode`` (SIGSEGV in ``ggml_backend_amx_mul_mat``, llama.cpp
issue #20824, closed unfixed). Loading with ``use_extra_bufts = False`` keeps the weights in
ordinary CPU buffers and runs the same model without the crash. ``HINTMT_LLAMACPP_EXTRA_BUFTS``
chooses: ``auto`` (default: off where AMX is reported, on elsewhere, where the repacked kernels
are safe and can be faster), ``on`` or ``off``.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

from models.errors import ModelError
from models.environment import settings

EXTRA_BUFTS_ENV = "HINTMT_LLAMACPP_EXTRA_BUFTS"
_ON, _OFF = {"1", "on", "true", "yes"}, {"0", "off", "false", "no"}
_make_lock = threading.Lock()  # Llama() construction temporarily changes a module function


@lru_cache(maxsize=1)
def system_info() -> str:
    """llama.cpp's own report of the CPU features its kernels use (``AVX2 = 1 | AMX_INT8 = 1 …``)."""
    import llama_cpp

    return llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip()


def features(info: str) -> dict[str, bool]:
    """``{"AVX2": True, "AMX_INT8": False, …}`` from a system-info string."""
    return {name: value != "0" for name, value in re.findall(r"([A-Z][A-Z0-9_]*) = (\d+)", info)}


def amx_reported(info: str) -> bool:
    """True when llama.cpp's system info says its AMX kernels are in use."""
    return any(on for name, on in features(info).items() if name.startswith("AMX"))


def use_extra_bufts(info: str | None = None, env: str | None = None) -> bool:
    """Whether to load weights into llama.cpp's extra (repacked) buffer types: the env choice,
    or under ``auto`` everywhere but where AMX is reported (see the module's docstring)."""
    choice = (settings().llamacpp_extra_bufts if env is None else env).strip().lower() or "auto"
    if choice in _ON:
        return True
    if choice in _OFF:
        return False
    if choice != "auto":
        raise ModelError(f"{EXTRA_BUFTS_ENV}={choice!r} is not one of auto, on, off.")
    return not amx_reported(system_info() if info is None else info)


def new_llama(model_path: str, *, extra_bufts: bool | None = None, **kwargs):
    """A ``llama_cpp.Llama`` for ``model_path`` whose model is loaded with
    ``use_extra_bufts = extra_bufts`` (default: ``use_extra_bufts()``); ``kwargs`` go to
    ``Llama``. llama-cpp-python takes no argument for the field, so the default model params it
    starts from get it for the duration of the call (under a lock)."""
    import llama_cpp
    from llama_cpp import llama_cpp as low

    wanted = use_extra_bufts() if extra_bufts is None else extra_bufts
    with _make_lock:
        original = low.llama_model_default_params

        def params():
            p = original()
            p.use_extra_bufts = wanted
            return p

        low.llama_model_default_params = params
        try:
            llm = llama_cpp.Llama(model_path=model_path, **kwargs)
        finally:
            low.llama_model_default_params = original
    return llm
