"""The generation engine: one loaded model, requests serialized by a lock, streamed or batched.

Streaming runs ``model.generate`` in a worker thread with a ``PieceStreamer``; beam search
(which transformers can't stream) first streams a greedy draft, then replaces it with the
beam result. Stop strings and cancel end generation inside the model loop.
"""
from __future__ import annotations

import queue
import threading
import time

import torch
from transformers import StoppingCriteriaList

from .errors import ModelError
from .loader import LoadedModel
from .memory import is_oom
from .params import GenParams, Generation
from .stopping import CancelCriteria, StopStringCriteria, cut_at_stop
from .stream import PieceStreamer

__all__ = ["Engine", "StreamHandle", "GenParams", "Generation"]

_END = object()


def fit_to_context(model_id: str, limit: int, prompt_tokens: int, params: GenParams) -> GenParams:
    """``params`` with max_new_tokens cut to the room the context leaves after the prompt;
    a prompt that fills the context is a ModelError."""
    if prompt_tokens >= limit:
        raise ModelError(f"The prompt is {prompt_tokens} tokens long but {model_id} reads at most "
                         f"{limit}; shorten the text.")
    room = limit - prompt_tokens
    return params if params.max_new_tokens <= room else params.replace(max_new_tokens=room)


class StreamHandle:
    """Iterate for text pieces as they are decoded; ``cancel()`` stops the model;
    ``result`` (after iteration, or blocking until the worker ends) is the ``Generation``.

    Closing the iterator early (e.g. a client going away) cancels the generation too.
    """

    def __init__(self):
        self._q: queue.Queue = queue.Queue()
        self._cancel = threading.Event()
        self._t0 = time.monotonic()
        self._first_put: float | None = None
        self._first_yield: float | None = None
        self._result: Generation | None = None
        self._thread: threading.Thread | None = None
        self._ended = False

    def _put(self, piece: str) -> None:
        if self._first_put is None:
            self._first_put = time.monotonic()
        self._q.put(piece)

    def __iter__(self):
        if self._ended:  # already consumed: nothing more will come
            return
        try:
            while True:
                item = self._q.get()
                if item is _END:
                    self._ended = True
                    return
                if self._first_yield is None:
                    self._first_yield = time.monotonic()
                yield item
        finally:
            if not self._ended:
                self.cancel()

    def cancel(self) -> None:
        """Ask the worker to stop at the next token (status becomes "stopped")."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        """True once the worker thread has finished."""
        return self._thread is not None and not self._thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.done

    @property
    def result(self) -> Generation:
        self._thread.join()
        gen = self._result
        first = self._first_yield or self._first_put
        gen.ttft_s = None if first is None else first - self._t0
        return gen


class Engine:
    """Generates with one ``LoadedModel``; safe to call from several threads (they queue)."""

    def __init__(self, loaded: LoadedModel):
        self.loaded = loaded
        self.tokenizer = loaded.tokenizer
        self.preset = loaded.preset
        self.model_id = loaded.model_id
        self.device = loaded.device
        self._config = loaded.model.config
        self._lock = threading.Lock()
        eos = loaded.model.generation_config.eos_token_id
        eos = [eos] if isinstance(eos, int) else list(eos or [])
        if self.tokenizer.eos_token_id is not None:
            eos.append(self.tokenizer.eos_token_id)
        self._eos = set(eos)
        self._special = self._eos | ({self.tokenizer.pad_token_id} - {None})

    @property
    def model(self):
        return self.loaded.model

    # --- tokens -------------------------------------------------------------------------
    def _add_special(self, text: str) -> bool:
        bos = self.tokenizer.bos_token
        return not (bos and text.startswith(bos))  # chat templates already start with BOS

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes as a prompt."""
        return len(self.tokenizer(text, add_special_tokens=self._add_special(text))["input_ids"])

    def context_limit(self) -> int:
        """Most positions the model takes (prompt + completion)."""
        n = getattr(self._config, "max_position_embeddings", None)
        return int(n) if isinstance(n, int) and n > 0 else 2048

    def _encode(self, prompts: list[str]):
        rows = [self.tokenizer(p, add_special_tokens=self._add_special(p))["input_ids"] for p in prompts]
        batch = self.tokenizer.pad({"input_ids": rows}, padding=True, return_tensors="pt")
        dev = self.model.device
        return {k: v.to(dev) for k, v in batch.items()}, [len(r) for r in rows]

    def _fit(self, prompt_tokens: int, params: GenParams) -> GenParams:
        return fit_to_context(self.model_id, self.context_limit(), prompt_tokens, params)

    def _decode_row(self, row, prompt_len: int) -> tuple[str, int]:
        ids = row[prompt_len:].tolist()
        for i, t in enumerate(ids):  # everything after the first EOS is padding
            if t in self._eos:
                ids = ids[:i]
                break
        while ids and ids[-1] in self._special:
            ids.pop()
        text = self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        return text, len(ids)

    # --- generation ---------------------------------------------------------------------
    def _generate(self, enc, params: GenParams, cancel: threading.Event, streamer=None):
        crit = StoppingCriteriaList([CancelCriteria(cancel)])
        if params.stop:
            crit.append(StopStringCriteria(self.tokenizer, enc["input_ids"].shape[1], params.stop))
        with torch.inference_mode():
            return self.model.generate(**enc, **params.generate_kwargs(), stopping_criteria=crit,
                                       streamer=streamer, pad_token_id=self.tokenizer.pad_token_id)

    def _record(self, prompt, text, adapter, params, ptoks, ctoks, t0, status, error=None, draft=None,
                group=None) -> Generation:
        return Generation(prompt=prompt, text=text, model_id=self.model_id, revision=self.loaded.revision,
                          adapter=adapter, params=params.as_dict(), prompt_tokens=ptoks,
                          completion_tokens=ctoks, ttft_s=None, duration_s=time.monotonic() - t0,
                          status=status, error=error, draft=draft,
                          extra={"adapter_group": group} if group is not None else {})

    @staticmethod
    def _error_text(exc: BaseException) -> str:
        if isinstance(exc, ModelError):
            return str(exc)
        if is_oom(exc):
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            return "Out of memory while generating: try a shorter text, fewer beams or a smaller model."
        return f"{type(exc).__name__}: {exc}"

    def stream(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> StreamHandle:
        """Start generating in a worker thread; iterate the handle for text pieces."""
        handle = StreamHandle()
        handle._thread = threading.Thread(target=self._run_stream, args=(handle, prompt, params, adapter_group),
                                          name="hintmt-generate", daemon=True)
        handle._thread.start()
        return handle

    def _run_stream(self, h: StreamHandle, prompt: str, params: GenParams, group) -> None:
        t0, text, draft, adapter, ptoks, ctoks, used = h._t0, "", None, None, 0, 0, params
        status, error = "complete", None
        try:
            with self._lock:
                if not h.cancelled:
                    adapter = self.loaded.use_group(group)
                    enc, (ptoks,) = self._encode([prompt])
                    used = self._fit(ptoks, params)
                    first = used.replace(num_beams=1, do_sample=False) if used.num_beams > 1 else used
                    streamer = PieceStreamer(self.tokenizer, used.stop, h._put, self._special)
                    self._generate(enc, first, h._cancel, streamer)
                    text, ctoks = streamer.text, streamer.completion_tokens
                    if used.num_beams > 1:
                        draft = text
                        if not h.cancelled:
                            out = self._generate(enc, used, h._cancel)
                            if not h.cancelled:
                                text, ctoks = self._decode_row(out[0], enc["input_ids"].shape[1])
                                text = cut_at_stop(text, used.stop)
                status = "stopped" if h.cancelled else "complete"
        except Exception as exc:  # reported in the result, never raised into the caller
            status, error = "error", self._error_text(exc)
        finally:
            h._result = self._record(prompt, text, adapter, used, ptoks, ctoks, t0, status, error, draft, group)
            h._q.put(_END)

    def generate(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> Generation:
        """One completion, not streamed (beam search runs directly, no draft)."""
        return self.generate_batch([prompt], params, adapter_group)[0]

    def generate_batch(self, prompts: list[str], params: GenParams,
                       adapter_group: int | None = None) -> list[Generation]:
        """Several completions in one left-padded ``generate`` call (all with one adapter group).
        Failures come back as ``status="error"`` records, one per prompt."""
        t0, adapter, plens, used = time.monotonic(), None, [0] * len(prompts), params
        if not prompts:
            return []
        try:
            with self._lock:
                adapter = self.loaded.use_group(adapter_group)
                enc, plens = self._encode(list(prompts))
                used = self._fit(max(plens), params)
                out = self._generate(enc, used, threading.Event())
            width = enc["input_ids"].shape[1]
            rows = [self._decode_row(out[i], width) for i in range(len(prompts))]
        except Exception as exc:
            err = self._error_text(exc)
            return [self._record(p, "", adapter, used, n, 0, t0, "error", err, group=adapter_group)
                    for p, n in zip(prompts, plens)]
        return [self._record(p, cut_at_stop(text, used.stop), adapter, used, n, c, t0, "complete",
                             group=adapter_group)
                for p, n, (text, c) in zip(prompts, plens, rows)]
