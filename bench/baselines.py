"""Raw baselines: each engine's own generation on a prompt, without the app around it.

The bench compares the full app path against this: transformers (``model.generate``) and
llama.cpp (``Llama.create_completion``); the remote engine has none. This module imports no
engine (and no torch) until a baseline runs."""
from __future__ import annotations

import time
from dataclasses import dataclass

from chat.settings import UserError
from models import GenParams
from models.engines.base import LLAMACPP, TRANSFORMERS


@dataclass
class Run:
    """One generation as timed by the bench: new tokens, wall seconds (tokenizing included),
    time to first token, prompt tokens."""

    tokens: int
    seconds: float
    ttft_s: float | None
    prompt_tokens: int

    @property
    def tok_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


def fresh_state(engine) -> None:
    """Drop state an engine carries from one request to the next (call between runs):
    llama-cpp-python reuses the KV cache of a shared prompt prefix."""
    if engine.backend == LLAMACPP:
        engine.reset_cache()


def raw_generate(engine, prompt: str, params: GenParams) -> Run:
    """The engine's raw generation of ``prompt`` with ``params`` (the library's own stop-string
    handling; ``tokens`` counted as the engine counts them: EOS excluded)."""
    raw = {TRANSFORMERS: transformers_raw, LLAMACPP: llamacpp_raw}.get(engine.backend)
    if raw is None:
        raise UserError(f"The bench has no raw baseline for the {engine.backend} backend.")
    return raw(engine, prompt, params)


def transformers_raw(engine, prompt: str, params: GenParams) -> Run:
    """``model.generate`` on the same input ids the engine builds, stop strings through
    generate's own ``stop_strings``, and a streamer that only notes the first new token."""
    import torch
    from transformers.generation.streamers import BaseStreamer

    class FirstToken(BaseStreamer):
        def __init__(self):
            self.calls, self.at = 0, None

        def put(self, value):
            self.calls += 1
            if self.calls == 2 and self.at is None:  # call 1 is the prompt
                self.at = time.perf_counter()

        def end(self):
            pass

    tok, model = engine.tokenizer, engine.model
    t0 = time.perf_counter()
    add_special = not (tok.bos_token and prompt.startswith(tok.bos_token))  # as Engine encodes
    enc = tok(prompt, add_special_tokens=add_special, return_tensors="pt").to(model.device)
    streamer = FirstToken()
    with torch.inference_mode():
        stops = {"stop_strings": list(params.stop), "tokenizer": tok} if params.stop else {}
        out = model.generate(**enc, **params.generate_kwargs(), **stops, streamer=streamer,
                             pad_token_id=tok.pad_token_id)
    seconds = time.perf_counter() - t0
    plen = enc["input_ids"].shape[1]
    ids = out[0, plen:].tolist()
    special = {tok.eos_token_id, tok.pad_token_id, *_eos_ids(model)} - {None}
    while ids and ids[-1] in special:
        ids.pop()
    return Run(len(ids), seconds, None if streamer.at is None else streamer.at - t0, plen)


def _eos_ids(model) -> list[int]:
    eos = model.generation_config.eos_token_id
    return [eos] if isinstance(eos, int) else list(eos or [])


def llamacpp_raw(engine, prompt: str, params: GenParams) -> Run:
    """``Llama.create_completion`` (greedy, its own ``stop``) on the engine's own ``Llama``,
    from the same token ids the engine feeds it (no second BOS after a chat template's).
    Tokens: the completion's ``usage`` (EOG excluded, as the engine counts); first token: the
    first call of a stopping criterion, made as soon as a token is sampled."""
    import llama_cpp

    if params.do_sample or params.num_beams > 1:
        raise UserError("The llama.cpp baseline times greedy decoding only.")
    llm = _in_process_llama(engine)
    llm.reset()
    first: list[float] = []

    def note_first(input_ids, logits) -> bool:
        if not first:
            first.append(time.perf_counter())
        return False

    t0 = time.perf_counter()
    bos = llm.detokenize([llm.token_bos()], special=True).decode("utf-8", "replace") if llm.token_bos() >= 0 else ""
    ids = llm.tokenize(prompt.encode("utf-8"), add_bos=not (bos and prompt.startswith(bos)), special=True)
    out = llm.create_completion(ids, max_tokens=params.max_new_tokens, temperature=0.0, repeat_penalty=1.0,
                                stop=list(params.stop), stopping_criteria=llama_cpp.StoppingCriteriaList([note_first]))
    seconds = time.perf_counter() - t0
    return Run(out["usage"]["completion_tokens"], seconds, first[0] - t0 if first else None, len(ids))


_RAW: dict[int, object] = {}  # engine id -> the in-process llama.cpp engine its raw runs use


def _in_process_llama(engine):
    """The ``Llama`` raw runs call: the engine's own, or for an engine in a worker process
    (``IsolatedEngine``) one loaded here with the same model, threads and settings, so the
    comparison includes the process boundary the app pays."""
    if hasattr(engine, "llm"):
        return engine.llm
    if id(engine) not in _RAW:
        from models.engines.llamacpp import LlamaCppEngine

        _RAW[id(engine)] = LlamaCppEngine.load(engine.preset, n_threads=engine.facts["n_threads"])
    return _RAW[id(engine)].llm
