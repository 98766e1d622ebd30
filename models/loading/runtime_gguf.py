"""The weights llama.cpp runs for the embedded model: its shipped Q4_1 GGUF re-encoded once
as Q8_0 (or F16) in the cache, because llama.cpp's CPU kernels for Q8_0 are faster than its
Q4_1 ones at every batch size (prompt processing about 2×, one-sequence decoding about 1.4×;
README, "Measured on this machine"). Q8_0 stores each Q4_1 value with an error at most 1/254
of its block's largest value, far under the 4-bit rounding already in the file.

``HINTMT_GGUF_RUNTIME`` chooses: ``q8_0`` (default), ``f16`` (within fp16 rounding of the
shipped values), ``shipped`` (the Q4_1 file as it is). Only the embedded model is re-encoded:
a user's own GGUF runs as given. The conversion (under a second) goes through llama.cpp's own
``llama_model_quantize`` and is written atomically, so an interrupted one leaves nothing half
made behind; where it can't be made (a read-only cache), the shipped file runs, with a warning.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from models.errors import ModelError
from models.loading.embedded import FOLDER_NAME, cache_root
from models.environment import settings

DEFAULT = "q8_0"
CHOICES = ("q8_0", "f16", "shipped")
_lock = threading.Lock()
log = logging.getLogger(__name__)


def runtime_choice() -> str:
    """The encoding asked for by ``HINTMT_GGUF_RUNTIME`` (default ``q8_0``)."""
    return settings().gguf_runtime  # checked against CHOICES when the settings are read


def runtime_gguf(shipped: Path, progress=None) -> Path:
    """The file llama.cpp should load for the embedded model's ``shipped`` GGUF: the shipped
    file itself, or its re-encoded copy in ``cache_root()/smollm2-135m-instruct`` (made on first
    use, named after the source's size and modification time so a new package makes a new one)."""
    choice = runtime_choice()
    if choice == "shipped":
        return shipped
    stat = shipped.stat()
    out = cache_root() / FOLDER_NAME / f"{shipped.stem}.{stat.st_size}-{int(stat.st_mtime)}.{choice.upper()}.gguf"
    with _lock:
        if not out.is_file():
            if progress is not None:
                progress(0.5, f"Re-encoding {shipped.name} as {choice.upper()} for llama.cpp (once) …")
            try:
                _quantize(shipped, out, choice)
            except (OSError, ModelError) as exc:  # e.g. a read-only cache: run the shipped file
                log.warning("Running %s as shipped: %s", shipped.name, exc)
                return shipped
    return out


def runtime_label(path: Path) -> str:
    """How the loaded file is encoded, for the stored revision (``Q8_0``, ``F16`` or '')."""
    suffix = path.stem.rsplit(".", 1)[-1]
    return suffix if suffix in ("Q8_0", "F16") else ""


def _quantize(src: Path, out: Path, choice: str) -> None:
    import llama_cpp
    from llama_cpp._utils import suppress_stdout_stderr

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = {"q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0, "f16": llama_cpp.LLAMA_FTYPE_MOSTLY_F16}[choice]
    params.allow_requantize = True
    params.nthread = max(1, os.cpu_count() or 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        with suppress_stdout_stderr(disable=False):  # llama.cpp logs every tensor it writes
            rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), params)
        if rc != 0 or not tmp.is_file():
            raise ModelError(f"llama.cpp could not re-encode {src.name} as {choice.upper()} (code {rc}); "
                             "HINTMT_GGUF_RUNTIME=shipped runs the shipped file.")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
