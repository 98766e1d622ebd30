""".ci/run: a PostgreSQL that does not start fails the CI run before any test runs, and a
started one reaches pytest as TEST_DATABASE_URL with CI=true (so tests/backend_counts.py fails
a run where no storage test ran on it). The script runs on a copy with stub scripts."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _checkout(tmp: Path, postgres: str) -> Path:
    (tmp / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp / ".ci" / "run")
    (tmp / "scripts").mkdir()
    (tmp / "scripts" / "start-postgres.sh").write_text(postgres)
    (tmp / "scripts" / "install.sh").write_text('touch "$(dirname "$0")/../installed"\n')
    (tmp / ".venv" / "bin").mkdir(parents=True)
    python = tmp / ".venv" / "bin" / "python"
    python.write_text('#!/bin/sh\necho "pytest CI=$CI URL=$TEST_DATABASE_URL"\n')
    python.chmod(0o755)
    return tmp


def _run(tmp: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TEST_DATABASE_URL")}
    return subprocess.run(["bash", str(tmp / ".ci" / "run")], capture_output=True, text=True,
                          env=env, timeout=60)


def test_failing_postgres_fails_the_run(tmp_path):
    tmp = _checkout(tmp_path, 'echo "start-postgres: error: initdb failed" >&2\nexit 1\n')
    done = _run(tmp)
    assert done.returncode != 0
    assert "PostgreSQL did not start" in done.stderr
    assert not (tmp / "installed").exists() and "pytest" not in done.stdout


def test_empty_url_fails_the_run(tmp_path):
    tmp = _checkout(tmp_path, "exit 0\n")
    done = _run(tmp)
    assert done.returncode != 0 and not (tmp / "installed").exists()


def test_started_postgres_reaches_pytest_with_ci_true(tmp_path):
    url = "postgresql+psycopg://u:p@127.0.0.1:5/db"
    tmp = _checkout(tmp_path, f'echo "progress" >&2\necho "{url}"\n')
    done = _run(tmp)
    assert done.returncode == 0, done.stderr
    assert (tmp / "installed").exists()
    assert done.stdout.strip() == f"pytest CI=true URL={url}"
