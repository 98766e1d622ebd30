"""A GGUF model's file and its transformers tokenizer, for the engines that run GGUF files
(llama.cpp) or talk to a server that does (remote): the file is found locally or on the hub,
the tokenizer is read from it once and kept in the cache."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

from models.errors import ModelError
from models.loading.embedded import FOLDER_NAME, cache_root, embedded_gguf_path
from models.loading.gguf import MARKER, is_converted, source_signature
from models.loading.hub import explain, hub_kwargs
from models.presets import Preset

_tok_lock = threading.Lock()


def gguf_path(preset: Preset) -> Path:
    """The local ``.gguf`` file of ``preset`` (downloaded from the hub for ``owner/repo`` + file)."""
    if preset.embedded:
        return embedded_gguf_path()
    local = Path(preset.model_id).expanduser()
    if preset.gguf_file and local.suffix.lower() != ".gguf" and not local.exists():
        kw = hub_kwargs(preset.model_id, "model", preset.gguf_file)
        try:
            from huggingface_hub import hf_hub_download
            local = Path(hf_hub_download(preset.model_id, preset.gguf_file, **kw))
        except Exception as exc:
            raise explain(exc, preset.model_id) from exc
    if not local.is_file():
        raise ModelError(f"GGUF file not found: {local}")
    return local


def _key(gguf: Path) -> str:
    return hashlib.sha1(str(gguf.resolve()).encode()).hexdigest()[:10]


def gguf_tokenizer(gguf: Path, progress=None):
    """A transformers tokenizer for ``gguf`` (left padding, pad = EOS when missing).

    Taken from a folder the transformers backend already converted, else read from the GGUF
    once (about 10 s) and kept in ``cache_root()/gguf-tokenizers``."""
    from transformers import AutoTokenizer

    folders = [cache_root() / "gguf" / f"{gguf.stem}-{_key(gguf)}", cache_root() / FOLDER_NAME]
    folder = next((f for f in folders if is_converted(f, gguf)), None)
    if folder is None:
        folder = cache_root() / "gguf-tokenizers" / f"{gguf.stem}-{_key(gguf)}"
        with _tok_lock:
            if not is_converted(folder, gguf):
                if progress is not None:
                    progress(0.2, f"Reading the tokenizer from {gguf.name} (first start only) …")
                _save_tokenizer(AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name), gguf, folder)
    tok = AutoTokenizer.from_pretrained(str(folder))
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def _save_tokenizer(tok, gguf: Path, dest: Path) -> None:
    """Write atomically: a temporary folder renamed into place, marker last."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        tok.save_pretrained(str(tmp))
        (tmp / MARKER).write_text(json.dumps(source_signature(gguf)))
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    except OSError as exc:
        raise ModelError(f"Could not write the tokenizer cache {dest}: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
