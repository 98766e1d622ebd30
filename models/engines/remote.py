"""An engine on an OpenAI-compatible server (vLLM, TGI, SGLang, llama-cpp-python's server).

The prompts are built here exactly as for a local model and sent raw to ``/v1/completions``
(never ``/chat/completions``, so the server adds no template of its own), streamed as
server-sent events. Cancel closes the connection, which these servers take as the signal to
stop generating. Stop strings go to the server and are applied here too, so the text follows
the same rules as the local engines. ``generate_batch`` sends its prompts as concurrent
requests, which vLLM/SGLang/TGI batch on the GPU.

The tokenizer (for chat templates and ``count_tokens``) is the preset's own, loaded locally;
token counts in the records come from the server's ``usage`` when it sends one.
"""
from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

from models.engines.base import OPENAI
from models.engines.completion import CompletionEngine
from models.errors import ModelError
from models.params import GenParams, Generation, per_prompt
from models.loading.gguf_tokenizer import gguf_path, gguf_tokenizer
from models.loading.loader import load_tokenizer
from models.presets import Preset, finish_preset, is_gguf, resolve_preset

MAX_PARALLEL = 8  # concurrent requests of one generate_batch


class RemoteEngine(CompletionEngine):
    """Completions from ``base_url`` (``http://HOST:PORT/v1``) for the served model ``served``."""

    backend = OPENAI
    device = "remote"

    def __init__(self, preset: Preset, base_url: str, served: str, tokenizer, *, api_key: str | None = None,
                 context: int | None = None, timeout: float = 300.0):
        import httpx

        self.preset, self.tokenizer, self.base_url, self.served = preset, tokenizer, base_url, served
        self.model_id, self.revision, self.load_s = preset.model_id, f"{served}@{base_url}", 0.0
        self._context = context
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url, headers=headers,
                                    timeout=httpx.Timeout(timeout, connect=10.0),
                                    limits=httpx.Limits(max_connections=4 * MAX_PARALLEL))

    @classmethod
    def connect(cls, preset: Preset | str, base_url: str, *, api_key: str | None = None, tokenizer=None,
                progress=None) -> "RemoteEngine":
        """Check the server, pick the served model, load the tokenizer; ``ModelError`` on failure.

        ``tokenizer``: a transformers tokenizer, or a name/path to load one from (default: the
        preset's own)."""
        import httpx

        if isinstance(preset, str):
            preset = resolve_preset(preset)
        t0 = time.monotonic()
        base = (base_url or "").strip().rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ModelError("--base-url must be an http(s) URL such as http://127.0.0.1:8000/v1, "
                             f"got {base_url!r}.")
        api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        if progress is not None:
            progress(0.1, f"Connecting to {base} …")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        try:
            resp = httpx.get(f"{base}/models", headers=headers, timeout=10.0)
        except httpx.HTTPError as exc:
            raise ModelError(f"Cannot reach the model server at {base}: {type(exc).__name__}: {exc}") from exc
        if resp.status_code == 404 and not base.endswith("/v1"):
            raise ModelError(f"{base}/models was not found: OpenAI-compatible servers answer under /v1, "
                             f"try --base-url {base}/v1")
        _raise_for(resp, base)
        try:
            listed = resp.json().get("data") or []
        except (ValueError, AttributeError) as exc:
            raise ModelError(f"{base}/models did not answer like an OpenAI-compatible server.") from exc
        served, context = _pick_model(listed, preset, base)
        if progress is not None:
            progress(0.4, f"Loading the tokenizer of {preset.model_id} …")
        tok = _tokenizer(preset, tokenizer, progress)
        preset = finish_preset(preset, tok, 0)
        engine = cls(preset, base, served, tok, api_key=api_key, context=context)
        engine.load_s = time.monotonic() - t0
        return engine

    def close(self) -> None:
        self._client.close()

    # --- tokens ---------------------------------------------------------------------------
    def _starts_with_bos(self, text: str) -> bool:
        bos = getattr(self.tokenizer, "bos_token", None)
        return bool(bos and text.startswith(bos))

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes as a prompt (by the local copy of the model's tokenizer)."""
        return len(self.tokenizer(text, add_special_tokens=not self._starts_with_bos(text))["input_ids"])

    def context_limit(self) -> int:
        """The server's ``max_model_len`` when it tells (vLLM), else the tokenizer's limit."""
        if self._context:
            return self._context
        n = getattr(self.tokenizer, "model_max_length", None)
        return int(n) if isinstance(n, int) and 0 < n < 1_000_000 else 4096

    # --- generation -----------------------------------------------------------------------
    def _body(self, prompt: str, params: GenParams, stream: bool) -> dict:
        body = {"model": self.served, "prompt": prompt, "max_tokens": params.max_new_tokens, "stream": stream}
        if params.stop:
            body["stop"] = list(params.stop)
        # Every knob is sent, as the local engines use it: servers' own defaults differ
        # (llama-cpp-python's server penalizes repeats by 1.1 and cuts at min-p 0.05).
        if params.do_sample:
            top_k = getattr(params, "top_k", None)
            body.update(temperature=params.temperature, top_p=params.top_p, min_p=0.0,
                        top_k=50 if top_k is None else top_k)  # transformers' default top-k
        else:
            body.update(temperature=0.0, top_p=1.0)  # temperature 0 is greedy on vLLM, TGI, llama.cpp
        penalty = float(getattr(params, "repetition_penalty", None) or 1.0)
        body.update(repetition_penalty=penalty, repeat_penalty=penalty)  # vLLM's and llama.cpp's names
        if self._starts_with_bos(prompt):
            body["add_special_tokens"] = False  # vLLM: the chat template already wrote BOS
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    def _complete(self, prompt: str, params: GenParams, cancel: threading.Event,
                  on_text: Callable[[str], bool], stream: bool = True) -> tuple[int, int]:
        import httpx

        received, usage = [], {}
        try:
            if not stream:
                resp = self._client.post("/completions", json=self._body(prompt, params, False))
                _raise_for(resp, self.base_url)
                data = resp.json()
                received.append(((data.get("choices") or [{}])[0]).get("text") or "")
                on_text(received[0])
                usage = data.get("usage") or {}
            else:
                usage = self._stream(prompt, params, cancel, on_text, received)
        except httpx.HTTPError as exc:
            raise ModelError(f"The model server at {self.base_url} failed: {type(exc).__name__}: {exc}") from exc
        ptoks = usage.get("prompt_tokens") or self.count_tokens(prompt)
        ctoks = usage.get("completion_tokens")
        if ctoks is None:
            ctoks = len(self.tokenizer("".join(received), add_special_tokens=False)["input_ids"])
        return int(ptoks), int(ctoks)

    def _stream(self, prompt, params, cancel, on_text, received: list) -> dict:
        usage, finished = {}, False
        with self._client.stream("POST", "/completions", json=self._body(prompt, params, True)) as resp:
            if resp.status_code >= 400:
                resp.read()
                _raise_for(resp, self.base_url)
            for line in resp.iter_lines():  # leaving the block closes the connection: the server stops
                if cancel.is_set():
                    return usage
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                chunk = json.loads(data)
                if chunk.get("error"):
                    raise ModelError(f"The model server at {self.base_url} failed: {_message(chunk)}")
                usage = chunk.get("usage") or usage
                for choice in chunk.get("choices") or []:
                    finished = finished or bool(choice.get("finish_reason"))
                    text = choice.get("text") or ""
                    if text:
                        received.append(text)
                        if not on_text(text):
                            return usage
        if not finished and not cancel.is_set():
            raise ModelError(f"The model server at {self.base_url} ended the completion early, without a finish "
                             "reason (llama-cpp-python's server does that to a stream when another request "
                             "arrives, unless started with --interrupt_requests false).")
        return usage

    def generate_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                       adapter_group: int | None = None) -> list[Generation]:
        """Concurrent requests, one per prompt (the server batches them); records in order."""
        jobs = list(zip(prompts, per_prompt(params, len(prompts))))
        if len(jobs) <= 1:
            return [self.generate(p, own, adapter_group) for p, own in jobs]
        with ThreadPoolExecutor(min(MAX_PARALLEL, len(jobs)), thread_name_prefix="hintmt-openai") as pool:
            return list(pool.map(lambda job: self.generate(job[0], job[1], adapter_group), jobs))


def _message(data) -> str:
    """The error text of an OpenAI/vLLM/llama.cpp/FastAPI error body."""
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data.get("message")))
        if isinstance(err, dict):
            return str(err.get("message") or err)
        if isinstance(err, list):  # FastAPI validation errors
            return "; ".join(str(e.get("msg", e)) if isinstance(e, dict) else str(e) for e in err)
        if err:
            return str(err)
    return str(data)[:500]


def _raise_for(resp, base: str) -> None:
    if resp.status_code < 400:
        return
    try:
        detail = _message(resp.json())
    except ValueError:
        detail = resp.text[:500]
    if resp.status_code in (401, 403):
        raise ModelError(f"The model server at {base} refused the request ({resp.status_code}): check the API key "
                         f"(--api-key or OPENAI_API_KEY). {detail}")
    raise ModelError(f"The model server at {base} answered {resp.status_code}: {detail}")


def _pick_model(models: list[dict], preset: Preset, base: str) -> tuple[str, int | None]:
    """The served model id to ask for, and its context length when the server says."""
    ids = [m.get("id") for m in models if m.get("id")]
    if not ids:
        raise ModelError(f"The model server at {base} serves no model.")
    wanted = [m for m in models if m.get("id") in (preset.model_id, preset.name)]
    chosen = wanted[0] if wanted else models[0] if len(ids) == 1 else None
    if chosen is None:
        raise ModelError(f"The model server at {base} serves {', '.join(ids)}; pass one of them as --model.")
    context = chosen.get("max_model_len")  # vLLM says; others don't
    return chosen["id"], int(context) if context else None


def _tokenizer(preset: Preset, tokenizer, progress):
    if tokenizer is not None and not isinstance(tokenizer, str):
        return tokenizer
    if isinstance(tokenizer, str):
        return load_tokenizer(resolve_preset(tokenizer), progress)
    if is_gguf(preset):
        return gguf_tokenizer(gguf_path(preset), progress)
    return load_tokenizer(preset, progress)
