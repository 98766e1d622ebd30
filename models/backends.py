"""Which engine runs a model: ``--backend auto`` (the default) takes llama.cpp for a ``.gguf``
model (the embedded SmolLM2 is one) when ``llama_cpp`` is importable and no PEFT adapter is
asked for, transformers otherwise; a ``--base-url`` means an OpenAI-compatible server.
The engines are imported only when chosen (torch, llama_cpp and httpx are heavy)."""
from __future__ import annotations

import importlib.util
import logging

from models.engines.base import LLAMACPP, OPENAI, TRANSFORMERS
from models.errors import ModelError
from models.presets import Preset, is_gguf, resolve_preset
from models.engines.llamacpp import LLAMACPP_HINT
from models.environment import settings, variable

log = logging.getLogger(__name__)
AUTO = "auto"
BACKENDS = (AUTO, TRANSFORMERS, LLAMACPP, OPENAI)
ALIASES = {"llama": LLAMACPP, "hf": TRANSFORMERS, "remote": OPENAI}


def llamacpp_available() -> bool:
    """True when llama-cpp-python is installed (found, not imported)."""
    return importlib.util.find_spec("llama_cpp") is not None


def _peft_adapter(preset: Preset) -> bool:
    return bool(preset.group_adapters) or bool(preset.adapter and not preset.adapter.lower().endswith(".gguf"))


def choose_backend(preset: Preset, backend: str | None = AUTO, base_url: str | None = None) -> str:
    """The backend that will run ``preset``: 'transformers', 'llamacpp' or 'openai'."""
    backend = (backend or AUTO).strip().lower().replace("-", "").replace(".", "")
    backend = ALIASES.get(backend, backend)
    if backend not in BACKENDS:
        raise ModelError(f"Unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}.")
    if backend == AUTO:
        if base_url:
            return OPENAI
        return LLAMACPP if is_gguf(preset) and llamacpp_available() and not _peft_adapter(preset) \
            else TRANSFORMERS
    if backend == OPENAI and not base_url:
        raise ModelError("The openai backend needs --base-url, e.g. http://127.0.0.1:8000/v1 "
                         "(env HINTMT_BASE_URL).")
    if backend == LLAMACPP:
        if not is_gguf(preset):
            raise ModelError(f"The llama.cpp backend runs .gguf models only; '{preset.model_id}' is not one. "
                             "Use --backend transformers, or give a .gguf file.")
        if not llamacpp_available():
            raise ModelError(f"The llama.cpp backend is not installed: {LLAMACPP_HINT}")
    return backend


def create_engine(preset: Preset | str, backend: str | None = AUTO, *, base_url: str | None = None,
                  api_key: str | None = None, progress=None):
    """Load ``preset`` on the chosen backend; every engine is a ``TextEngine``."""
    if isinstance(preset, str):
        preset = resolve_preset(preset)
    chosen = choose_backend(preset, backend, base_url)
    if chosen == LLAMACPP:
        return _llamacpp_engine(preset, progress)
    if chosen == OPENAI:
        from models.engines.remote import RemoteEngine
        return RemoteEngine.connect(preset, base_url, api_key=api_key, progress=progress)
    from models.engines.transformers_engine import Engine
    from models.loading.loader import load_model
    return Engine(load_model(preset, progress))


def llamacpp_in_worker() -> bool:
    """llama.cpp runs in a worker process unless ``HINTMT_LLAMACPP_WORKER=0`` (in-process: for
    measuring the process boundary, and for tests that reach into the engine)."""
    return settings().llamacpp_worker


def _fallbacks(preset: Preset) -> list[tuple[str, dict]]:
    """The llama.cpp set-ups to try in turn: as configured, then without the repacked buffer
    types (where AMX kernels crash), then (the embedded model) its F16 copy, which no repacked
    kernel takes."""
    from models.engines.llamacpp_hardware import use_extra_bufts

    bufts_off = {variable("llamacpp_extra_bufts"): "off"}
    tries = [("llama.cpp", {})]
    if use_extra_bufts():
        tries.append(("llama.cpp without repacked weights", bufts_off))
    if preset.embedded and settings().gguf_runtime != "f16":
        tries.append(("llama.cpp on the F16 copy", {**bufts_off, variable("gguf_runtime"): "f16"}))
    return tries


def _llamacpp_engine(preset: Preset, progress=None):
    """The llama.cpp engine, in a worker process; a set-up that crashes at its check decode is
    replaced by the next of ``_fallbacks`` and finally by transformers, and the engine's
    ``fallback_note`` says what failed."""
    from models.engines.llamacpp import LlamaCppEngine

    if not llamacpp_in_worker():
        return LlamaCppEngine.load(preset, progress)
    from models.engines.isolated import IsolatedEngine, WorkerCrashed
    from models.loading.gguf_tokenizer import gguf_path, gguf_tokenizer

    tokenizer = gguf_tokenizer(gguf_path(preset), progress)  # read once for every set-up tried
    failed: list[str] = []
    for label, env in _fallbacks(preset):
        try:
            engine = IsolatedEngine.start(preset, progress, env=env, tokenizer=tokenizer)
        except WorkerCrashed as exc:
            failed.append(str(exc))
            log.error("%s: %s", label, exc)
            continue
        if failed:
            engine.fallback_note = f"{'; '.join(failed)} — running {label} instead."
        return engine
    engine = create_engine(preset, TRANSFORMERS, progress=progress)
    engine.fallback_note = f"{'; '.join(failed)} — running on transformers instead (slower)."
    return engine
