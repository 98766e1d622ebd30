"""Every ``HINTMT_*`` environment variable the app reads, each with what it does, and the one
parser of on/off values. The README's list is generated from ``VARIABLES`` (``python -m
models.environment``) and a test checks that the two agree and that no code reads a variable
missing here (tests/system/test_environment.py). Where each is read is still its own module's
business: a typed object read once at start is the next step (issue 24)."""
from __future__ import annotations

import os
import sys

from models.errors import ModelError

VARIABLES: dict[str, str] = {
    "HINTMT_MODEL": "the model to serve (`--model`; default `smollm2`)",
    "HINTMT_ADAPTER": "a PEFT LoRA to put on it (`--adapter`)",
    "HINTMT_BACKEND": "what runs it: `auto`, `transformers`, `llamacpp` or `openai` (`--backend`)",
    "HINTMT_BASE_URL": "an OpenAI-compatible server for the `openai` backend (`--base-url`)",
    "HINTMT_CACHE": "where the embedded model's converted files are kept (default `~/.cache/hintmt`)",
    "HINTMT_SECRET": "the key that encrypts the browser identity (default: a file beside the database)",
    "HINTMT_GGUF_RUNTIME": "how llama.cpp runs the embedded GGUF: `q8_0` (default), `f16` or `shipped`",
    "HINTMT_LLAMACPP_EXTRA_BUFTS": "llama.cpp's repacked weight buffers: `auto` (default: off where AMX is "
                                   "reported), `on`, `off`",
    "HINTMT_LLAMACPP_WORKER": "on (default): llama.cpp runs in a worker process; off: in the server's process",
    "HINTMT_WORKER_MAX_CRASHES": "worker crashes within a minute after which it is not restarted (default 3)",
    "HINTMT_WORKER_FAULT": "tests only: `canary` or `canary:q8_0` makes the worker die with SIGSEGV at its "
                           "check decode",
    "HINTMT_THREADS": "llama.cpp threads (default: the physical cores)",
    "HINTMT_N_CTX": "llama.cpp's context in tokens (default 4096, at most the model's)",
    "HINTMT_GPU_LAYERS": "layers llama.cpp puts on a GPU when its build has one (default all, -1)",
    "HINTMT_BATCH_WORKERS": "llama.cpp batch decoders (default: one per thread for a model under 1B, else 1)",
    "HINTMT_BATCH_KV_MB": "most memory a llama.cpp batch's KV cache may take (default 512)",
    "HINTMT_DECODE": "transformers decode path: `auto` (compiled on CUDA), `eager` or `compiled`",
    "HINTMT_COMPILE_BACKEND": "torch.compile backend of the compiled path (default `inductor`)",
    "HINTMT_CONTINUOUS": "transformers continuous batching of concurrent streams: `auto` (on CUDA), `on`, `off`",
    "HINTMT_SKIP_MEMORY_CHECK": "on: load a model even when the memory check says it will not fit",
    "HINTMT_RUNAWAY_GUARD": "off: no cut where output repeats itself or outgrows the source (default on)",
    "HINTMT_GPU_SECONDS": "seconds of ZeroGPU a reply may take on a Space (default 120)",
    "HINTMT_ALLOW_ANY_MODEL": "on: the page may load hub ids and folders, not only presets (`--allow-any-model`)",
    "HINTMT_PUBLIC_URL": "the server's address in campaign links (default `http://127.0.0.1:7860/`)",
    "HINTMT_API": "off: serve no HTTP API (`--no-api`)",
    "HINTMT_API_KEYS": "API keys: `auto` (required unless bound to loopback), `required`, `optional`",
    "HINTMT_API_RPM": "requests a minute per key or address (default 60)",
    "HINTMT_API_CHAR_LIMIT": "characters a request may send (default 5000)",
    "HINTMT_API_BATCH_LIMIT": "texts one request may send (default 50)",
}
_ON, _OFF = ("1", "on", "true", "yes"), ("0", "off", "false", "no")


def flag(name: str, default: bool) -> bool:
    """The on/off variable ``name`` (1/on/true/yes, 0/off/false/no; unset or empty: ``default``);
    any other value is a ModelError naming the variable."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise ModelError(f"{name}={value!r}: use on or off (1/0, true/false, yes/no).")


def readme_block() -> str:
    """The README's list of the variables (between its ``env:start`` and ``env:end`` markers)."""
    return "\n".join(f"- `{name}`: {text}." for name, text in VARIABLES.items())


if __name__ == "__main__":
    sys.stdout.write(readme_block() + "\n")
