"""A native crash in one test (SIGSEGV, as a broken CPU kernel gives) fails that test, not the
run: pytest runs under this project's settings (one xdist worker, restarted after a crash) on
a throwaway test file whose first test kills its own process."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRASHING = '''
import os, signal


def test_crashes_natively():
    os.kill(os.getpid(), signal.SIGSEGV)


def test_runs_after_the_crash():
    assert 1 + 1 == 2
'''


def test_a_segfaulting_test_fails_alone(tmp_path):
    (tmp_path / "test_crash.py").write_text(CRASHING)
    done = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir",
                           str(tmp_path), "-p", "no:cacheprovider", str(tmp_path / "test_crash.py")],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out  # tests failed; not 139 (the run itself killed)
    assert "1 failed, 1 passed" in out, out
    assert "test_crashes_natively" in out and "crashed" in out, out
