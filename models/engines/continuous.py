"""Continuous batching for the transformers engine: concurrent streams share the model
through transformers' own continuous batching (``model.init_continuous_batching``, the
manager behind ``generate_batch``), so the page's generation slots run in parallel on a GPU
instead of queueing for one ``generate`` at a time.

The manager runs one background loop that schedules every live request's next token together
(paged KV cache, new requests joining between steps). Each stream gets its own request id and
queue (one dispatcher thread routes the manager's outputs); its tokens go through the eager
path's ``PieceStreamer`` (stop strings held back and cut, whole characters), and cancel, a stop
string or the runaway guard cancel the request in the manager. Requests it can't reproduce
(beam search, sampling, repetition penalties, X-ALMA group adapters) take the engine's
ordinary locked path.

``HINTMT_CONTINUOUS`` = ``auto`` (on with CUDA, off elsewhere: on CPU behaviour is unchanged) |
``on`` | ``off``. The tests turn it on for the tiny model on CPU.
"""
from __future__ import annotations

import itertools
import queue
import threading

from models.engines.base import StreamHandle
from models.engines.repeats import mark_cut, runaway
from models.engines.stream import PieceStreamer
from models.errors import ModelError
from models.params import GenParams, Generation
from models.environment import settings

AUTO, ON, OFF = "auto", "on", "off"
_ids = itertools.count(1)


def continuous_wanted(device: str, requested: str | None = None) -> bool:
    """Whether an engine on ``device`` uses continuous batching (``requested`` or env)."""
    choice = (requested or settings().continuous).strip().lower()
    if choice not in (AUTO, ON, OFF):
        raise ValueError(f"continuous batching must be auto, on or off, got {choice!r}")
    return choice == ON or (choice == AUTO and str(device).startswith("cuda"))


class ContinuousStreams:
    """Streams of one ``Engine`` decoded together by a continuous batching manager."""

    def __init__(self, engine, num_blocks: int | None = None, max_batch_tokens: int | None = None):
        import torch
        from transformers import GenerationConfig
        from transformers.generation.configuration_utils import ContinuousBatchingConfig

        self._torch = torch
        self.engine = engine
        config = GenerationConfig(do_sample=False, max_new_tokens=256, eos_token_id=sorted(engine.eos_ids) or -1,
                                  pad_token_id=engine.tokenizer.pad_token_id)
        if not str(engine.device).startswith("cuda"):  # sizes are inferred from GPU memory otherwise
            num_blocks, max_batch_tokens = num_blocks or 64, max_batch_tokens or 256
        cb = ContinuousBatchingConfig(num_blocks=num_blocks, max_batch_tokens=max_batch_tokens)
        self.manager = engine.model.init_continuous_batching(generation_config=config,
                                                             continuous_batching_config=cb)
        # started from a daemon thread, so the manager's loop thread is a daemon too: a server
        # that exits is not held open by it
        starter = threading.Thread(target=self.manager.start, name="hintmt-continuous-start", daemon=True)
        starter.start()
        starter.join()
        self._routes: dict[str, queue.Queue] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._dispatcher = threading.Thread(target=self._dispatch, name="hintmt-continuous", daemon=True)
        self._dispatcher.start()

    def takes(self, params: GenParams, group: int | None) -> bool:
        """Whether this request runs here (greedy, no penalties, no group adapters)."""
        return (group is None and not self.engine.preset.group_adapters and params.num_beams == 1
                and not params.do_sample and getattr(params, "repetition_penalty", 1.0) == 1.0
                and getattr(params, "no_repeat_ngram_size", 0) == 0)

    def close(self) -> None:
        self._closing.set()
        self.manager.stop(block=True, timeout=30)
        self._dispatcher.join(5)

    def _dispatch(self) -> None:
        """Route each output of the manager to its request's queue."""
        while not self._closing.is_set():
            out = self.manager.get_result(timeout=0.1)
            if out is None:
                continue
            with self._lock:
                route = self._routes.get(out.request_id)
            if route is not None:
                route.put(out)

    def stream(self, prompt: str, params: GenParams) -> StreamHandle:
        return StreamHandle.run(lambda h: self._run(h, prompt, params), "hintmt-continuous-stream")

    def _run(self, h: StreamHandle, prompt: str, params: GenParams) -> Generation:
        eng = self.engine
        text, ptoks, ctoks, used, status, error = "", 0, 0, params, "complete", None
        try:
            ids = eng.tokenizer(prompt, add_special_tokens=eng.adds_special(prompt))["input_ids"]
            ptoks = len(ids)
            used = eng.fit(ptoks, params)
            streamer = PieceStreamer(eng.tokenizer, used.stop, h.put, eng.special_ids)
            streamer.put(None)  # the streamer's first call is the prompt
            if not h.cancelled:
                self._follow(h, ids, used, params, streamer)
            streamer.end()
            text, ctoks = streamer.text, streamer.completion_tokens
            status = "stopped" if h.cancelled else "complete"
        except Exception as exc:  # reported in the result, never raised into the caller
            status, error = "error", eng.error_text(exc)
        gen = eng.record(prompt, text, eng.preset.adapter, used, ptoks, ctoks, h.started_at, status, error)
        gen.extra["continuous_batching"] = True
        return mark_cut(gen, used)

    def _follow(self, h: StreamHandle, ids: list[int], used: GenParams, requested: GenParams,
                streamer: PieceStreamer) -> None:
        """Submit one request and feed its tokens to ``streamer`` until it ends."""
        rid = f"hintmt-{next(_ids)}"
        route: queue.Queue = queue.Queue()
        with self._lock:
            self._routes[rid] = route
        try:
            if self.manager.add_request(ids, request_id=rid, max_new_tokens=used.max_new_tokens,
                                        streaming=True) is None:
                raise ModelError("The continuous batching manager refused the request (it is stopping).")
            while True:
                if h.cancelled:
                    self.manager.cancel_request(rid)
                    return
                try:
                    out = route.get(timeout=0.05)
                except queue.Empty:
                    if not self.manager.is_running():
                        raise ModelError("The continuous batching loop stopped.")
                    continue
                if out.error:
                    raise ModelError(f"Continuous batching failed: {out.error}")
                new = out.generated_tokens[len(streamer.ids):]
                if new:
                    streamer.put(self._torch.tensor(new))
                if out.is_finished():
                    return
                if streamer.hit_stop or runaway(streamer.sent, requested):
                    self.manager.cancel_request(rid)
                    return
        finally:
            with self._lock:
                self._routes.pop(rid, None)
