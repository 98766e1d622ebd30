"""Cold start: seconds from launching `python app.py` to the first served page, and to the
model-ready line the server logs once the background load finishes."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.report import rounded

ROOT = Path(__file__).resolve().parents[1]
PAGE_TARGET_S = 15.0
# chat.model_host logs "model <name> ready (<s> s)" or "model failed to load: <why>".
READY = re.compile(r"chat\.model_host: model .+ ready \(")
FAILED = re.compile(r"chat\.model_host: model failed to load: (.+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def cold_start(model: str, adapter: str | None = None, style: str | None = None,
               timeout: float = 300.0, extra: tuple[str, ...] = (), env: dict | None = None) -> dict:
    """Launch the app on a free loopback port with a fresh database and time its start
    (`extra`: more arguments of `python app.py`; `env`: more environment variables)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    cmd = [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--model", model]
    cmd += (["--adapter", adapter] if adapter else []) + (["--style", style] if style else []) + list(extra)
    env = {**os.environ, **(env or {}), "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    page = ready = error = None
    with tempfile.TemporaryDirectory(prefix="hintmt-bench-") as tmp:
        log = Path(tmp) / "server.log"
        with log.open("w") as out:
            started = time.perf_counter()
            proc = subprocess.Popen(cmd + ["--db", str(Path(tmp) / "cold.db")], cwd=tmp, env=env,
                                    stdout=out, stderr=subprocess.STDOUT)
            try:
                while time.perf_counter() - started < timeout and (page is None or ready is None):
                    now = time.perf_counter() - started
                    if page is None and _page_ok(url):
                        page = now
                    text = log.read_text(errors="replace")
                    if ready is None and READY.search(text):
                        ready = now
                    if (failed := FAILED.search(text)) or proc.poll() is not None:
                        error = failed.group(1) if failed else f"the server exited ({proc.returncode})"
                        break
                    time.sleep(0.05)
                else:
                    if page is None or ready is None:
                        error = f"not ready after {timeout:.0f} s"
            finally:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        tail = log.read_text(errors="replace").splitlines()[-15:] if error else []
    return {"page_served_s": rounded(page, 2), "model_ready_s": rounded(ready, 2),
            "page_target_s": PAGE_TARGET_S, "meets_target": page is not None and page <= PAGE_TARGET_S,
            "model": model, "error": error, "log_tail": tail}
