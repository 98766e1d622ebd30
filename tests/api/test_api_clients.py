"""Clients the API was written for, unmodified, against a keyless server on loopback (the
default): deep-translator's ``LibreTranslator`` (which refuses to run without a key, so it
sends one the server never made), simonw's ``llm`` CLI with an OpenAI-compatible model in
``extra-openai-models.yaml`` (it sends ``DUMMY_KEY``, and streams), and litellm (``sk-no-key``,
streamed and not). Each call is answered and stored under the keyless caller."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_reliability import db_rows, start_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def server(tmp_path_factory, smollm2_dir):
    server = start_server(tmp_path_factory.mktemp("clients"), "smollm2")
    yield server
    server.stop()


def stored_replies(server) -> int:
    return db_rows(server.db, "SELECT COUNT(*) FROM messages WHERE role = 'assistant'")[0][0]


def test_deep_translator(server):
    from deep_translator import LibreTranslator

    before = stored_replies(server)
    translator = LibreTranslator(source="de", target="en", api_key="anything", custom_url=server.url)
    out = translator.translate("Guten Morgen, wie geht es dir?")
    assert isinstance(out, str) and out.strip()
    assert stored_replies(server) == before + 1


def test_llm_cli_with_an_openai_compatible_model(server, tmp_path):
    (tmp_path / "extra-openai-models.yaml").write_text(
        f"- model_id: hintmt\n  model_name: smollm2\n  api_base: \"{server.url}v1\"\n")
    before = stored_replies(server)
    env = {**os.environ, "LLM_USER_PATH": str(tmp_path)}
    done = subprocess.run([str(BIN / "llm"), "-m", "hintmt", "-s", "Translate into German",
                           "Good morning, my friend."], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert stored_replies(server) == before + 1
    last = db_rows(server.db, "SELECT content FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1")
    assert last[0][0].strip() == done.stdout.strip()  # what llm streamed is what was stored


@pytest.mark.parametrize("stream", [False, True])
def test_litellm(server, stream, monkeypatch):
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network at import
    import litellm

    before = stored_replies(server)
    messages = [{"role": "system", "content": "Translate into French"},
                {"role": "user", "content": "The weather is nice today."}]
    response = litellm.completion(model="openai/smollm2", api_base=server.url + "v1", api_key="sk-no-key",
                                  messages=messages, stream=stream, max_tokens=64)
    if stream:
        text = "".join(chunk.choices[0].delta.content or "" for chunk in response)
    else:
        text = response.choices[0].message.content
    assert text.strip()
    assert stored_replies(server) == before + 1
