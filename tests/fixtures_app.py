"""A real app server (subprocess on a free loopback port) for browser and API tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def as_on_space(monkeypatch, oauth_client_id: str | None) -> None:
    """The environment of a Hugging Face Space with `hf_oauth: true` (the Space sets
    OAUTH_CLIENT_ID and gradio reads its OAuth settings at import), or, for None, of a
    server without OAuth."""
    if oauth_client_id is None:
        monkeypatch.delenv("OAUTH_CLIENT_ID", raising=False)
        return
    import gradio.oauth

    monkeypatch.setenv("OAUTH_CLIENT_ID", oauth_client_id)
    monkeypatch.setenv("SPACE_ID", "someone/hintmt")
    monkeypatch.setenv("SYSTEM", "spaces")
    for name, value in (("OAUTH_CLIENT_ID", oauth_client_id), ("OAUTH_CLIENT_SECRET", "s3cret"),
                        ("OAUTH_SCOPES", "openid profile"),
                        ("OPENID_PROVIDER_URL", "https://huggingface.co")):
        monkeypatch.setattr(gradio.oauth, name, value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server subprocess (``self.proc``, logging to ``self.log``): wait until it answers
    HTTP, stop it at the end."""

    proc: subprocess.Popen
    log: Path

    def wait_http(self, request, what: str, timeout: float, interval: float) -> None:
        """Poll ``request`` (a URL or urllib Request) until it answers; fail with the log."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{what} exited:\n" + self.log.read_text())
            try:
                urllib.request.urlopen(request, timeout=2).read(100)
                return
            except OSError:
                time.sleep(interval)
        raise TimeoutError(f"{what} did not start:\n" + self.log.read_text())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class AppServer(ServerProcess):
    """`python app.py` with its own database, stopped at the end."""

    def __init__(self, tmp: Path, model: str = "smollm2", extra: tuple = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.db = tmp / "chat.db"
        self.log = tmp / "server.log"
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
               "PYTHONUNBUFFERED": "1", "HINTMT_SECRET": "test-secret",
               "HINTMT_THREADS": os.environ.get("HINTMT_THREADS", "1")}  # tests share 2 cores
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(self.port), "--db", str(self.db),
             "--model", model, *extra],
            cwd=tmp, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 120) -> None:
        self.wait_http(self.url, "server", timeout, 0.3)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, smollm2_dir):
    """The real app on the embedded SmolLM2 (its cached folder is built first)."""
    server = AppServer(tmp_path_factory.mktemp("app"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed (bash scripts/install.sh --test installs it)")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()
