"""Fixtures for the reliability tests: the real app on the tiny model, a raw client for the
Gradio HTTP API (what a script poking at the server sends), a model whose output is fixed,
and helpers to read the SQLite file and run the CLI as a user would."""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures_app import ROOT, AppServer
from tests.fixtures_models import build_tokenizer

# on_send's visible inputs after the text: src, tgt, ParroT hint, free hint, mode, beams,
# temperature (0 = greedy), top-p, max new tokens, glossary ("": none).
GREEDY = dict(hp="none", hf="", mode="translate", beams=1, temp=0.0, top_p=1.0, glossary="")


def send_args(text: str, src: str = "de", tgt: str = "en", max_new: int = 8, **over) -> tuple:
    """Positional arguments of the /on_send endpoint for gradio_client."""
    o = {**GREEDY, **over}
    return (text, src, tgt, o["hp"], o["hf"], o["mode"], o["beams"], o["temp"], o["top_p"], max_new, o["glossary"])


class ApiError(RuntimeError):
    """The server answered an event with an error (Gradio's own validation or a crash)."""


class ApiSession:
    """One session on the raw Gradio API: POST queue/join, read the SSE stream.

    Unlike gradio_client it sends every input position, State ones included, and event
    data (like/edit), so a test can forge what a hand-written script would send."""

    def __init__(self, url: str, timeout: float = 120):
        import httpx

        self.url = url
        self.session_hash = secrets.token_hex(8)
        self.http = httpx.Client(timeout=timeout)
        config = self.http.get(url + "config").json()
        self.components = {c["id"]: c for c in config["components"]}
        self.deps = {d["api_name"]: d for d in config["dependencies"]
                     if d.get("api_name") and d.get("backend_fn", True)}  # js-only events have no API

    def input_types(self, api_name: str) -> list[str]:
        return [self.components[i]["type"] for i in self.deps[api_name]["inputs"]]

    def call(self, api_name: str, data: list | None = None, event_data: dict | None = None) -> list:
        """Run one event; its outputs (State outputs come back as None)."""
        dep = self.deps[api_name]
        data = list(data) if data is not None else [None] * len(dep["inputs"])
        trigger = dep["targets"][0][0] if dep.get("targets") else None
        body = {"data": data, "event_data": event_data, "fn_index": dep["id"], "trigger_id": trigger,
                "session_hash": self.session_hash}
        if dep.get("queue") is False:  # answered directly, not through the queue
            r = self.http.post(self.url + "gradio_api/run/predict", json=body)
            if r.status_code != 200:
                raise ApiError(f"{r.status_code}: {r.text}")
            return r.json()["data"]
        r = self.http.post(self.url + "gradio_api/queue/join", json=body)
        if r.status_code != 200:
            raise ApiError(f"{r.status_code}: {r.text}")
        event_id = r.json()["event_id"]
        with self.http.stream("GET", self.url + "gradio_api/queue/data",
                              params={"session_hash": self.session_hash}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") == event_id and msg.get("msg") == "process_completed":
                    if not msg.get("success"):
                        raise ApiError((msg.get("output") or {}).get("error") or "failed")
                    return msg["output"]["data"]
        raise ApiError("the event stream closed without a result")

    def close(self) -> None:
        self.http.close()


def wait_model_ready(url: str, timeout: float = 120) -> None:
    """Until the page's status line says the model is ready (it loads after the page)."""
    api = ApiSession(url)
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            status = api.call("on_tick", ["auto", "en", None])[0]
            if "ready" in status:
                return
            if status.startswith("🔴"):
                raise RuntimeError(f"model failed: {status}")
            time.sleep(0.3)
        raise TimeoutError("the model did not become ready")
    finally:
        api.close()


def start_server(tmp: Path, model: str, extra: tuple = ()) -> AppServer:
    server = AppServer(tmp, model=model, extra=extra)
    try:
        server.wait_ready()
        wait_model_ready(server.url)
    except BaseException:
        server.stop()
        raise
    return server


def db_rows(db: Path, sql: str, args: tuple = ()) -> list[tuple]:
    """Read the app's SQLite file directly (read-only), as an operator would."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def run_cli(*args: str, cwd: Path, timeout: float = 120, prefix: list[str] | tuple = (),
            **popen) -> subprocess.CompletedProcess:
    """`python app.py …` in a subprocess, offline, as a user types it (``prefix``: e.g. a
    command that runs it as another user, tests/unprivileged.py)."""
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "PYTHONUNBUFFERED": "1", **popen.pop("env", {})}
    env.pop("CHAT_DB_URL", None)
    return subprocess.run([*prefix, sys.executable, str(ROOT / "app.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, **popen)


def make_scripted_model_dir(path: Path, pieces: list[str]) -> Path:
    """A real Llama checkpoint whose greedy output, whatever the prompt, is `pieces` then EOS.

    Each piece is one added token; embeddings are one-hot and every layer's output
    projection is zero, so the next token depends only on the current one and `lm_head`
    spells the chain: any token → piece 1 → piece 2 → … → EOS."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = build_tokenizer()
    tok.add_tokens(pieces)
    vocab = len(tok)
    hidden = -(-vocab // 8) * 8  # 4 heads of an even size (RoPE)
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=hidden, intermediate_size=8,
                      num_hidden_layers=1, num_attention_heads=4, num_key_value_heads=4,
                      max_position_embeddings=256, tie_word_embeddings=False,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id)
    model = LlamaForCausalLM(cfg).eval()
    chain = tok.convert_tokens_to_ids(pieces) + [tok.eos_token_id]
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        for norm in (model.model.norm, model.model.layers[0].input_layernorm,
                     model.model.layers[0].post_attention_layernorm):
            norm.weight.fill_(1.0)
        model.model.embed_tokens.weight[:, :vocab] = torch.eye(vocab)
        head = model.lm_head.weight
        head[chain[0], :vocab] = 1.0
        for current, following in zip(chain, chain[1:]):
            head[:, current] = 0.0
            head[following, current] = 2.0
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


@pytest.fixture(scope="session")
def tiny_server(tmp_path_factory, tiny_model_dir):
    """The real app (subprocess, loopback) on the tiny random Llama, model loaded."""
    server = start_server(tmp_path_factory.mktemp("tiny-app"), str(tiny_model_dir))
    yield server
    server.stop()
