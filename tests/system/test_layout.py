"""The architecture rules of docs/ARCHITECTURE.md, enforced: import-linter's contracts
(pyproject.toml) hold, and no module outside tests/ grows past 400 lines."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every top-level package of the project (a folder with an __init__.py), found, not listed.
PACKAGES = tuple(sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"))
MAX_LINES = 400


def test_the_packages_are_found():
    assert {"api", "campaigns", "chat", "web", "cli", "prompts", "models", "storage"} <= set(PACKAGES)


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout, run.stdout


def test_no_module_over_400_lines():
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")] + [ROOT / "app.py"]
    assert len(files) > 50  # the walk found the project
    long = {str(p.relative_to(ROOT)): n for p in files
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"


def test_every_package_says_what_it_holds():
    for init in [ROOT / pkg / "__init__.py" for pkg in PACKAGES] + list((ROOT / "models").glob("*/__init__.py")):
        text = init.read_text(encoding="utf-8").lstrip()
        assert text.startswith('"""') and len(text.split('"""')[1]) > 60, f"{init} needs a docstring"
