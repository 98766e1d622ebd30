"""Every ``HINTMT_*`` environment variable the app reads, in one typed ``Settings`` object read
once at start (``load()``, called by ``python app.py`` and by the engine worker; ``settings()``
reads it on first use elsewhere), each field with its variable and what it does. A bad value
fails at start with a message naming the variable. The README's list is generated from the
fields (``python -m models.environment``) and a test checks that the two agree and that no
module reads a ``HINTMT_*`` variable but this one (tests/system/test_environment.py)."""
from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

from models.errors import ModelError

_ON, _OFF = ("1", "on", "true", "yes"), ("0", "off", "false", "no")


def parse_flag(name: str, value: str | None, default: bool) -> bool:
    """An on/off value (1/on/true/yes, 0/off/false/no; unset or empty: ``default``); any other
    value is a ModelError naming the variable. The one on/off parser of the app."""
    value = (value or "").strip().lower()
    if not value:
        return default
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise ModelError(f"{name}={value!r}: use on or off (1/0, true/false, yes/no).")


def _var(env: str, doc: str, default=None, kind: str = "str", choices: tuple[str, ...] = ()):
    return field(default=default, metadata={"env": env, "doc": doc, "kind": kind, "choices": choices})


@dataclass(frozen=True)
class Settings:
    """The process's settings from its environment (defaults where a variable is unset)."""
    model: str = _var("HINTMT_MODEL", "the model to serve (`--model`; default `smollm2`)", "smollm2")
    adapter: str | None = _var("HINTMT_ADAPTER", "a PEFT LoRA to put on it (`--adapter`)")
    backend: str = _var("HINTMT_BACKEND", "what runs it: `auto`, `transformers`, `llamacpp` or `openai` "
                        "(`--backend`)", "auto", choices=("auto", "transformers", "llamacpp", "openai"))
    base_url: str | None = _var("HINTMT_BASE_URL", "an OpenAI-compatible server for the `openai` backend "
                                "(`--base-url`)")
    cache: Path = _var("HINTMT_CACHE", "where the embedded model's converted files are kept (default "
                       "`~/.cache/hintmt`)", Path("~/.cache/hintmt"), kind="path")
    secret: str | None = _var("HINTMT_SECRET", "the key that encrypts the browser identity (default: a "
                              "file beside the database)")
    gguf_runtime: str = _var("HINTMT_GGUF_RUNTIME", "how llama.cpp runs the embedded GGUF: `q8_0` (default), "
                             "`f16` or `shipped`", "q8_0", choices=("q8_0", "f16", "shipped"))
    llamacpp_extra_bufts: str = _var("HINTMT_LLAMACPP_EXTRA_BUFTS", "llama.cpp's repacked weight buffers: "
                                     "`auto` (default: off where AMX is reported), `on`, `off`", "auto",
                                     kind="auto-flag")
    llamacpp_worker: bool = _var("HINTMT_LLAMACPP_WORKER", "on (default): llama.cpp runs in a worker "
                                 "process; off: in the server's process", True, kind="flag")
    worker_max_crashes: int = _var("HINTMT_WORKER_MAX_CRASHES", "worker crashes within a minute after which "
                                   "it is not restarted (default 3)", 3, kind="int")
    worker_fault: str = _var("HINTMT_WORKER_FAULT", "tests only: `canary` or `canary:q8_0` makes the worker "
                             "die with SIGSEGV at its check decode", "")
    threads: int | None = _var("HINTMT_THREADS", "llama.cpp threads (default: the physical cores)", kind="int")
    n_ctx: int = _var("HINTMT_N_CTX", "llama.cpp's context in tokens (default 4096, at most the model's)",
                      4096, kind="int")
    gpu_layers: int = _var("HINTMT_GPU_LAYERS", "layers llama.cpp puts on a GPU when its build has one "
                           "(default all, -1)", -1, kind="int")
    batch_workers: int | None = _var("HINTMT_BATCH_WORKERS", "llama.cpp batch decoders (default: one per "
                                     "thread for a model under 1B, else 1)", kind="int")
    batch_kv_mb: int = _var("HINTMT_BATCH_KV_MB", "most memory a llama.cpp batch's KV cache may take "
                            "(default 512)", 512, kind="int")
    decode: str = _var("HINTMT_DECODE", "transformers decode path: `auto` (compiled on CUDA), `eager` or "
                       "`compiled`", "auto", choices=("auto", "eager", "compiled"))
    compile_backend: str = _var("HINTMT_COMPILE_BACKEND", "torch.compile backend of the compiled path "
                                "(default `inductor`)", "inductor")
    continuous: str = _var("HINTMT_CONTINUOUS", "transformers continuous batching of concurrent streams: "
                           "`auto` (on CUDA), `on`, `off`", "auto", choices=("auto", "on", "off"))
    skip_memory_check: bool = _var("HINTMT_SKIP_MEMORY_CHECK", "on: load a model even when the memory "
                                   "check says it will not fit", False, kind="flag")
    runaway_guard: bool = _var("HINTMT_RUNAWAY_GUARD", "off: no cut where output repeats itself or "
                               "outgrows the source (default on)", True, kind="flag")
    gpu_seconds: int = _var("HINTMT_GPU_SECONDS", "seconds of ZeroGPU a reply may take on a Space "
                            "(default 120)", 120, kind="int")
    allow_any_model: bool = _var("HINTMT_ALLOW_ANY_MODEL", "on: the page may load hub ids and folders, not "
                                 "only presets (`--allow-any-model`)", False, kind="flag")
    public_url: str = _var("HINTMT_PUBLIC_URL", "the server's address in campaign links (default "
                           "`http://127.0.0.1:7860/`)", "http://127.0.0.1:7860/")
    api: bool = _var("HINTMT_API", "off: serve no HTTP API (`--no-api`)", True, kind="flag")
    api_keys: str = _var("HINTMT_API_KEYS", "API keys: `auto` (required unless the caller is on this "
                         "machine), `required`, `optional`", "auto", choices=("auto", "required", "optional"))
    api_rpm: int = _var("HINTMT_API_RPM", "requests a minute per key or address (default 60)", 60, kind="int")
    api_char_limit: int = _var("HINTMT_API_CHAR_LIMIT", "characters a request may send (default 5000)",
                               5000, kind="int")
    api_batch_limit: int = _var("HINTMT_API_BATCH_LIMIT", "texts one request may send (default 50)", 50,
                                kind="int")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """The settings of ``environ`` (default ``os.environ``); ModelError on a bad value."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = (environ.get(f.metadata["env"]) or "").strip()
            if raw:
                values[f.name] = _parse(f.metadata, raw)
        return cls(**values)

    @property
    def cache_root(self) -> Path:
        return Path(self.cache).expanduser()


def _parse(meta: Mapping, raw: str):
    name, kind, choices = meta["env"], meta["kind"], meta["choices"]
    if kind == "flag":
        return parse_flag(name, raw, False)
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ModelError(f"{name}={raw!r}: use a whole number.") from None
    if kind == "path":
        return Path(raw)
    if kind == "auto-flag":
        return "auto" if raw.lower() == "auto" else ("on" if parse_flag(name, raw, False) else "off")
    if choices and raw.lower() not in choices:
        raise ModelError(f"{name}={raw!r} is not one of {', '.join(choices)}.")
    return raw.lower() if choices else raw


_current: Settings | None = None
_lock = threading.Lock()


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the environment now and make that the process's settings (at start)."""
    global _current
    loaded = Settings.from_env(environ)
    with _lock:
        _current = loaded
    return loaded


def settings() -> Settings:
    """The process's settings: those ``load()`` read, or read now on first use."""
    current = _current
    return current if current is not None else load()


def reset() -> None:
    """Forget the settings read so far (tests that change the environment call this)."""
    global _current
    with _lock:
        _current = None


VARIABLES: dict[str, str] = {f.metadata["env"]: f.metadata["doc"] for f in fields(Settings)}


def variable(name: str) -> str:
    """The environment variable of the field ``name`` (for a child process's environment)."""
    return next(f.metadata["env"] for f in fields(Settings) if f.name == name)


def readme_block() -> str:
    """The README's list of the variables (between its ``env:start`` and ``env:end`` markers)."""
    return "\n".join(f"- `{name}`: {text}." for name, text in VARIABLES.items())


if __name__ == "__main__":
    sys.stdout.write(readme_block() + "\n")
