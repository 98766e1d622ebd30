"""Fixtures for the session layer: model hosts on the tiny random Llama, and a store in a real
SQLite file per test."""
from __future__ import annotations

import pytest

from chat.model_host import ModelHost
from storage import open_store


def make_host(model_dir, style: str) -> ModelHost:
    """A started ``ModelHost`` on ``model_dir`` in ``style``, ready (or the test fails)."""
    host = ModelHost(str(model_dir), style=style)
    host.start()
    status = host.wait(120)
    assert status.ready, status.message
    return host


@pytest.fixture(scope="module")
def alma_host(tiny_model_dir):
    return make_host(tiny_model_dir, "alma")


@pytest.fixture(scope="module")
def chat_host(tiny_model_dir):
    return make_host(tiny_model_dir, "chat")


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "chat.db")
