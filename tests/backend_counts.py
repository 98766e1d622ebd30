"""Pytest plugin: how many storage tests ran on each database backend, in the terminal summary.

A storage test is one that uses the ``db_url`` fixture (tests/storage/test_storage_common.py), which
runs it on SQLite and, with TEST_DATABASE_URL, on that server too; the fixture names the backend
in the test's ``user_properties``, which reach this process's reports from an xdist worker. In CI (env CI=true) a run
where storage tests ran on SQLite but none on the external database fails: a PostgreSQL that
went missing must not silently drop half of the storage tests.
"""
from __future__ import annotations

import os
from collections import Counter

import pytest

_ran: Counter = Counter()
PROPERTY = "db_backend"


def external_name() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or ""
    return url.split(":", 1)[0].split("+", 1)[0] or "external"


def mark_backend(node, param: str) -> None:
    """Called by the ``db_url`` fixture: this test runs on ``param`` (sqlite or external)."""
    node.user_properties.append((PROPERTY, "sqlite" if param == "sqlite" else external_name()))


def pytest_runtest_logreport(report) -> None:
    backend = dict(report.user_properties).get(PROPERTY)
    if report.when == "call" and backend:
        _ran[backend] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    if not _ran:
        return
    names = set(_ran) | ({external_name()} if os.environ.get("TEST_DATABASE_URL") else set())
    parts = ", ".join(f"{name} {_ran[name]}" for name in sorted(names))
    terminalreporter.write_sep("-", f"storage tests run per backend: {parts}")
    if _missing_external():
        terminalreporter.write_line("error: CI=true but no storage test ran on an external database "
                                    "(TEST_DATABASE_URL unset or PostgreSQL missing)", red=True)


def _missing_external() -> bool:
    return os.environ.get("CI", "").lower() == "true" and _ran["sqlite"] > 0 \
        and sum(n for name, n in _ran.items() if name != "sqlite") == 0


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    if _missing_external() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
