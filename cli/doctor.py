"""`doctor`: one screen to paste into a bug report — versions, CPU features, llama.cpp's kernels
and settings, torch and GPUs, the database, a check decode in the model's worker process, the
browser for the tests, and which engine serves the model. Each problem comes with its next
step; the exit status is 1 when the app would fail to start or answer."""
from __future__ import annotations

import os

from cli import doctor_checks as checks
from models.environment import settings

HELP = "check this install and machine (paste the output into a bug report)"
MARKS = {checks.OK: "ok  ", checks.WARN: "warn", checks.FAIL: "FAIL"}


def add_arguments(p) -> None:
    p.add_argument("--model", default=settings().model,
                   help="the model to check (default: the embedded SmolLM2; env HINTMT_MODEL)")
    p.add_argument("--db", default=os.environ.get("CHAT_DB_URL"),
                   help="database to check (default: data/chat.db; env CHAT_DB_URL)")
    p.add_argument("--no-decode", action="store_true", help="skip the check decode (faster)")


def run(args) -> int:
    steps = [checks.check_python, checks.check_packages, checks.check_cpu, checks.check_llamacpp,
             checks.check_torch, checks.check_embedded, lambda: checks.check_engine(args.model)]
    if not args.no_decode:
        steps.append(lambda: checks.check_canary(args.model))
    steps += [lambda: checks.check_database(args.db), checks.check_chromium]
    failed = 0
    for step in steps:
        try:
            result = step()
        except Exception as exc:  # noqa: BLE001 - a check that breaks is itself a finding
            result = checks.Check(checks.FAIL, getattr(step, "__name__", "check"), f"{type(exc).__name__}: {exc}")
        failed += result.status == checks.FAIL
        print(f"[{MARKS[result.status]}] {result.name:<15} {result.found}", flush=True)
        if result.next_step:
            print(f"       {'':<15} → {result.next_step}", flush=True)
    print("doctor: " + ("all checks passed" if not failed else f"{failed} check(s) failed"), flush=True)
    return 1 if failed else 0


