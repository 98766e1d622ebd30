"""Convert a GGUF file once into a normal safetensors folder, written atomically.

transformers can load a GGUF file (``gguf_file=``), but it dequantizes every start
(about 30 s for SmolLM2-135M on 2 cores). We do that once and keep the result:
a plain fp32 folder that reloads in well under a second.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Callable

from models.errors import ModelError

MARKER = "hintmt-gguf.json"  # written last: a folder without it is not a finished conversion
_lock = threading.Lock()

Progress = Callable[[float, str], None] | None


def _say(progress: Progress, fraction: float, message: str) -> None:
    if progress is not None:
        try:
            progress(fraction, message)
        except Exception:  # a failing UI callback must not break loading
            pass


def source_signature(gguf: Path) -> dict:
    """What identifies the GGUF a folder was converted from (name and size)."""
    return {"gguf_file": gguf.name, "size": gguf.stat().st_size}


def is_converted(folder: Path, gguf: Path) -> bool:
    """True when ``folder`` is a finished conversion of this very GGUF file."""
    try:
        meta = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return all(meta.get(k) == v for k, v in source_signature(gguf).items())


def _load_from_gguf(gguf: Path, progress: Progress):
    """Load tokenizer and model from the GGUF (slow: dequantizes to fp32)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _say(progress, 0.05, f"Reading the tokenizer from {gguf.name} (first start only)…")
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    _say(progress, 0.3, f"Dequantizing {gguf.name} (first start only, about 30 s)…")
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    return tok, model


def _save(tok, model, dest: Path) -> None:
    # save_pretrained refuses a GGUF-loaded model while it still looks quantized.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(str(dest))
    tok.save_pretrained(str(dest))


def convert_gguf(gguf: Path, dest: Path, progress: Progress = None) -> Path:
    """Return ``dest``, converting ``gguf`` into it first unless already done.

    The folder is built under a temporary name beside ``dest`` and renamed into place,
    so a crash never leaves a half-written ``dest``.
    """
    gguf, dest = Path(gguf), Path(dest)
    if is_converted(dest, gguf):
        return dest
    if not gguf.is_file():
        raise ModelError(f"GGUF file not found: {gguf}")
    with _lock:
        if is_converted(dest, gguf):  # another thread finished it meanwhile
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
        try:
            tok, model = _load_from_gguf(gguf, progress)
            _say(progress, 0.8, f"Saving a converted copy to {dest} …")
            _save(tok, model, tmp)
            (tmp / MARKER).write_text(json.dumps(source_signature(gguf)))
            if dest.exists():  # stale or unfinished: move it away, then replace
                old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
                os.replace(dest, old)
                shutil.rmtree(old, ignore_errors=True)
            try:
                os.replace(tmp, dest)
            except OSError:  # another process won the race with a complete folder
                if not is_converted(dest, gguf):
                    raise
        except ModelError:
            raise
        except MemoryError as exc:
            raise ModelError(f"Not enough memory to convert {gguf.name}.") from exc
        except OSError as exc:
            raise ModelError(f"Could not write the converted model to {dest}: {exc}") from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    _say(progress, 0.9, "Converted.")
    return dest
