"""`python app.py doctor`: one screen for a bug report; exit 0 on a healthy install, 1 when the
app would fail, and AMX named where the CPU has it."""
from __future__ import annotations

import pytest

from cli import doctor_checks as checks
from tests.fixtures_reliability import run_cli


@pytest.mark.integration
def test_a_healthy_install_passes_every_check(tmp_path):
    done = run_cli("doctor", "--db", str(tmp_path / "chat.db"), cwd=tmp_path, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for name in ("Python", "Packages", "CPU", "llama.cpp", "torch", "Embedded model", "Engine", "Check decode",
                 "Database", "Chromium"):
        assert f"] {name}" in out, out
    assert "tok/s" in out and "worker pid" in out and "all checks passed" in out


def test_a_database_that_does_not_open_fails_with_a_next_step(tmp_path):
    bad = tmp_path / "chat.db"
    bad.write_bytes(b"this is not a database" * 100)
    done = run_cli("doctor", "--no-decode", "--db", str(bad), cwd=tmp_path, timeout=240)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "[FAIL] Database" in done.stdout and "→" in done.stdout and "1 check(s) failed" in done.stdout


def test_amx_is_named_and_said_to_be_handled(monkeypatch):
    flags = {"avx2", "avx512f", "avx512_vnni", "amx_tile", "amx_int8", "amx_bf16"}
    monkeypatch.setattr(checks, "cpu_flags", lambda: ("Intel(R) Xeon(R) Platinum 8480+", flags))
    found = checks.check_cpu().found
    assert "AMX" in found and "AVX-512 VNNI" in found and "switched off" in found
    monkeypatch.setattr(checks, "cpu_flags", lambda: ("AMD EPYC", {"avx2", "avx512f"}))
    assert "AMX" not in checks.check_cpu().found
