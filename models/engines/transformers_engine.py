"""The generation engine: one loaded model, requests serialized by a lock, streamed or batched.

Streaming runs ``model.generate`` in a worker thread with a ``PieceStreamer``; beam search
(which transformers can't stream) first streams a greedy draft, then replaces it with the
beam result. Stop strings and cancel end generation inside the model loop.
"""
from __future__ import annotations

import threading
import time
from typing import Sequence

import torch
from transformers import StoppingCriteria, StoppingCriteriaList

from models.engines.base import BATCH_SIZE, TRANSFORMERS, StreamHandle, batch_streams, fit_to_context
from models.engines.compiled import decode_path, generate_kwargs as compiled_kwargs
from models.engines.continuous import ContinuousStreams, continuous_wanted
from models.errors import error_text as generic_error_text
from models.loading.loader import LoadedModel
from models.loading.memory import is_oom
from models.params import GenParams, Generation, per_prompt, widest
from models.engines.stopping import cut_at_stop
from models.engines.stream import PieceStreamer
from models.engines.repeats import mark_cut
from models.engines.runaway_criteria import RunawayCriteria

class CancelCriteria(StoppingCriteria):
    """Stops every row once ``event`` is set."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs) -> torch.BoolTensor:
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device)


class Engine:
    """Generates with one ``LoadedModel``; safe to call from several threads (they queue)."""

    backend = TRANSFORMERS
    batch_size = BATCH_SIZE

    def __init__(self, loaded: LoadedModel, decode: str | None = None, compile_backend: str | None = None,
                 continuous: str | None = None):
        self.loaded = loaded
        self.tokenizer = loaded.tokenizer
        self.preset = loaded.preset
        self.model_id = loaded.model_id
        self.device = loaded.device
        # "compiled": static KV cache + torch.compile (models/engines/compiled.py); "eager"
        self.decode_path, self._compile_backend = decode_path(self.device, decode), compile_backend
        # concurrent greedy streams decoded together (models/engines/continuous.py); GPU by default
        self.continuous = continuous_wanted(self.device, continuous)
        self._streams = None
        self._config = loaded.model.config
        self._lock = threading.Lock()
        eos = loaded.model.generation_config.eos_token_id
        eos = [eos] if isinstance(eos, int) else list(eos or [])
        if self.tokenizer.eos_token_id is not None:
            eos.append(self.tokenizer.eos_token_id)
        self.eos_ids = set(eos)
        self.special_ids = self.eos_ids | ({self.tokenizer.pad_token_id} - {None})

    @property
    def model(self):
        return self.loaded.model

    # --- tokens -------------------------------------------------------------------------
    def adds_special(self, text: str) -> bool:
        bos = self.tokenizer.bos_token
        return not (bos and text.startswith(bos))  # chat templates already start with BOS

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes as a prompt."""
        return len(self.tokenizer(text, add_special_tokens=self.adds_special(text))["input_ids"])

    def context_limit(self) -> int:
        """Most positions the model takes (prompt + completion)."""
        n = getattr(self._config, "max_position_embeddings", None)
        return int(n) if isinstance(n, int) and n > 0 else 2048

    def _encode(self, prompts: list[str]):
        rows = [self.tokenizer(p, add_special_tokens=self.adds_special(p))["input_ids"] for p in prompts]
        batch = self.tokenizer.pad({"input_ids": rows}, padding=True, return_tensors="pt")
        dev = self.model.device
        return {k: v.to(dev) for k, v in batch.items()}, [len(r) for r in rows]

    def fit(self, prompt_tokens: int, params: GenParams) -> GenParams:
        return fit_to_context(self.model_id, self.context_limit(), prompt_tokens, params)

    def _decode_row(self, row, prompt_len: int) -> tuple[str, int]:
        ids = row[prompt_len:].tolist()
        for i, t in enumerate(ids):  # everything after the first EOS is padding
            if t in self.eos_ids:
                ids = ids[:i]
                break
        while ids and ids[-1] in self.special_ids:
            ids.pop()
        text = self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        return text, len(ids)

    # --- generation ---------------------------------------------------------------------
    def _generate(self, enc, params: GenParams, cancel: threading.Event, streamer=None):
        """``model.generate`` with cancel checked every step and transformers' own stop-string
        criterion (``stop_strings``: a row ends once its text ends with one)."""
        stops = {"stop_strings": list(params.stop), "tokenizer": self.tokenizer} if params.stop else {}
        with torch.inference_mode():
            compiled = compiled_kwargs(self.decode_path, self.device, enc["input_ids"].shape[0], params.num_beams,
                                       self._compile_backend)
            return self.model.generate(**enc, **params.generate_kwargs(), **stops, **compiled,
                                       stopping_criteria=self._criteria(enc, params, cancel),
                                       streamer=streamer, pad_token_id=self.tokenizer.pad_token_id)

    def _criteria(self, enc, params: GenParams, cancel: threading.Event) -> StoppingCriteriaList:
        """Cancel, and the runaway guard (a row ends once it repeats itself or outgrows its source)."""
        rules = [CancelCriteria(cancel)]
        if params.repeat_guard or params.max_chars is not None:
            rules.append(RunawayCriteria(self.tokenizer, enc["input_ids"].shape[1], params))
        return StoppingCriteriaList(rules)

    def record(self, prompt, text, adapter, params, ptoks, ctoks, t0, status, error=None, draft=None,
                group=None) -> Generation:
        return Generation(prompt=prompt, text=text, model_id=self.model_id, revision=self.loaded.revision,
                          adapter=adapter, params=params.as_dict(), prompt_tokens=ptoks,
                          completion_tokens=ctoks, ttft_s=None, duration_s=time.monotonic() - t0,
                          status=status, error=error, draft=draft,
                          extra={"adapter_group": group} if group is not None else {})

    @staticmethod
    def error_text(exc: BaseException) -> str:
        if is_oom(exc):
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            return "Out of memory while generating: try a shorter text, fewer beams or a smaller model."
        return generic_error_text(exc)

    def stream(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> StreamHandle:
        """Start generating in a worker thread; iterate the handle for text pieces."""
        if self.continuous:
            with self._lock:
                if self._streams is None:
                    self._streams = ContinuousStreams(self)
            if self._streams.takes(params, adapter_group):
                return self._streams.stream(prompt, params)
        return StreamHandle.run(lambda h: self._run_stream(h, prompt, params, adapter_group), "hintmt-generate")

    def close(self) -> None:
        """Stop the continuous batching loop, if one runs."""
        if self._streams is not None:
            self._streams.close()
            self._streams = None

    def _run_stream(self, h: StreamHandle, prompt: str, params: GenParams, group) -> Generation:
        t0, text, draft, adapter, ptoks, ctoks, used = h.started_at, "", None, None, 0, 0, params
        status, error = "complete", None
        try:
            with self._lock:
                if not h.cancelled:
                    adapter = self.loaded.use_group(group)
                    enc, (ptoks,) = self._encode([prompt])
                    used = self.fit(ptoks, params)
                    first = used.replace(num_beams=1, do_sample=False) if used.num_beams > 1 else used
                    streamer = PieceStreamer(self.tokenizer, used.stop, h.put, self.special_ids)
                    self._generate(enc, first, h.cancel_event, streamer)
                    text, ctoks = streamer.text, streamer.completion_tokens
                    if used.num_beams > 1:
                        draft = text
                        if not h.cancelled:
                            out = self._generate(enc, used, h.cancel_event)
                            if not h.cancelled:
                                text, ctoks = self._decode_row(out[0], enc["input_ids"].shape[1])
                                text = cut_at_stop(text, used.stop)
                status = "stopped" if h.cancelled else "complete"
        except Exception as exc:  # reported in the result, never raised into the caller
            status, error = "error", self.error_text(exc)
        return mark_cut(self.record(prompt, text, adapter, used, ptoks, ctoks, t0, status, error, draft, group),
                        used)

    def generate(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> Generation:
        """One completion, not streamed (beam search runs directly, no draft)."""
        return self.generate_batch([prompt], params, adapter_group)[0]

    def stream_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                     adapter_group: int | None = None) -> list[StreamHandle]:
        """``generate_batch`` as one handle per prompt (each ends with its record)."""
        return batch_streams(self, prompts, params, adapter_group)

    def generate_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                       adapter_group: int | None = None) -> list[Generation]:
        """Several completions in one left-padded ``generate`` call (all with one adapter group;
        per-prompt params share one call under the widest, each completion cut to its own).
        Failures come back as ``status="error"`` records, one per prompt."""
        if not prompts:
            return []
        own = per_prompt(params, len(prompts))
        params = widest(own)
        t0, adapter, plens, used = time.monotonic(), None, [0] * len(prompts), params
        try:
            with self._lock:
                adapter = self.loaded.use_group(adapter_group)
                enc, plens = self._encode(list(prompts))
                used = self.fit(max(plens), params)
                out = self._generate(enc, used, threading.Event())
            width = enc["input_ids"].shape[1]
            rows = [self._decode_row(out[i], width) for i in range(len(prompts))]
        except Exception as exc:
            err = self.error_text(exc)
            return [self.record(p, "", adapter, used, n, 0, t0, "error", err, group=adapter_group)
                    for p, n in zip(prompts, plens)]
        return [mark_cut(self.record(p, cut_at_stop(text, used.stop), adapter, used, n, c, t0, "complete",
                                      group=adapter_group), used.replace(max_chars=mine.max_chars))
                for p, n, (text, c), mine in zip(prompts, plens, rows, own)]
