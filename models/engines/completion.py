"""The core shared by the engines that are not transformers (llama.cpp, an OpenAI-compatible
server): they produce raw completion text in chunks, and ``CompletionEngine`` turns those into
display pieces with the transformers engine's stop-string rules (a stop string is never shown,
text after it is dropped, joined pieces equal ``generate()``'s text)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Sequence

from models.engines.base import BATCH_SIZE, StreamHandle, batch_streams, fit_to_context
from models.engines.repeats import mark_cut, runaway
from models.engines.stopping import cut_at_stop, find_stop, held_back
from models.errors import ModelError, error_text
from models.params import GenParams, Generation, per_prompt

log = logging.getLogger(__name__)


class StopFilter:
    """Raw completion text in (any chunking), display pieces out to ``on_piece``.

    Text that could begin a stop string waits for the next chunk; at a stop string the
    completion ends there. ``text`` is the final visible completion."""

    def __init__(self, stops, on_piece: Callable[[str], None] | None = None):
        self.stops, self.on_piece = tuple(stops), on_piece
        self.raw, self.sent, self.hit = "", "", False

    def feed(self, chunk: str) -> bool:
        """Take more text; False once a stop string has appeared (generation should end)."""
        if self.hit:
            return False
        self.raw += chunk
        cut = find_stop(self.raw, self.stops) if self.stops else -1
        if cut >= 0:
            self.hit = True
            self._send(self.raw[:cut])
            return False
        self._send(self.raw[:len(self.raw) - held_back(self.raw, self.stops)] if self.stops else self.raw)
        return True

    def finish(self) -> str:
        """Release what was held back; returns the whole visible completion."""
        visible = cut_at_stop(self.raw, self.stops)
        self._send(visible)
        return visible

    @property
    def text(self) -> str:
        return cut_at_stop(self.raw, self.stops)

    def _send(self, visible: str) -> None:
        if len(visible) > len(self.sent):
            piece, self.sent = visible[len(self.sent):], visible
            if self.on_piece is not None:
                self.on_piece(piece)


class CompletionEngine:
    """Base of engines whose model produces text chunks for one prompt at a time.

    A subclass sets ``backend``, ``preset``, ``tokenizer``, ``model_id``, ``revision`` and
    implements ``count_tokens``, ``context_limit`` and ``_complete``. Beam search is not
    available (llama.cpp and OpenAI completions have none): ``num_beams > 1`` runs greedy,
    with a warning logged once, and the record says ``num_beams=1``
    (``extra["num_beams_requested"]`` keeps the request).
    """

    backend = "?"
    device = "cpu"
    batch_size = BATCH_SIZE
    revision: str | None = None
    _warned_beams = False

    @property
    def loaded(self):
        """Stands in for ``Engine.loaded``: this engine has ``revision``, ``preset``, ``model_id``
        and ``load_s`` itself."""
        return self

    def close(self) -> None:
        """Free the model or connection (the engine can't generate afterwards)."""

    # --- subclass hooks ---------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    def context_limit(self) -> int:
        raise NotImplementedError

    def _complete(self, prompt: str, params: GenParams, cancel: threading.Event,
                  on_text: Callable[[str], bool], stream: bool) -> tuple[int, int]:
        """Generate for ``prompt`` (``params`` already fit the context), passing raw text chunks
        to ``on_text`` and ending as soon as it returns False or ``cancel`` is set; returns
        (prompt tokens, completion tokens). ``stream=False``: nobody watches the pieces (an
        engine may fetch the text in one go)."""
        raise NotImplementedError

    # --- shared ---------------------------------------------------------------------------
    def _check_group(self, group: int | None) -> None:
        if group is not None and self.preset.group_adapters:
            raise ModelError(f"X-ALMA group adapters need the transformers backend ({self.backend} can't "
                             "switch PEFT adapters per request).")

    def _decoding(self, params: GenParams) -> GenParams:
        if params.num_beams <= 1:
            return params
        if not self._warned_beams:
            self._warned_beams = True
            log.warning("%s has no beam search: num_beams=%d runs greedy instead.", self.backend,
                        params.num_beams)
        return params.replace(num_beams=1, do_sample=False)

    def _fit(self, prompt_tokens: int, params: GenParams) -> GenParams:
        return fit_to_context(self.model_id, self.context_limit(), prompt_tokens, params)

    @staticmethod
    def _error_text(exc: BaseException) -> str:
        return error_text(exc)

    def _one(self, prompt: str, params: GenParams, group: int | None, cancel: threading.Event,
             on_piece: Callable[[str], None] | None = None) -> Generation:
        """One completion as a ``Generation``; failures become ``status="error"`` records."""
        t0, used, ptoks, ctoks, status, error = time.monotonic(), params, 0, 0, "complete", None
        filt = StopFilter(params.stop, on_piece)

        def on_text(chunk: str) -> bool:  # False ends generation
            return filt.feed(chunk) and not cancel.is_set() and not runaway(filt.text, params)

        try:
            self._check_group(group)
            used = self._fit(self.count_tokens(prompt), self._decoding(params))
            ptoks, ctoks = self._complete(prompt, used, cancel, on_text, stream=on_piece is not None)
            filt.finish()
            status = "stopped" if cancel.is_set() else "complete"
        except Exception as exc:  # reported in the record, never raised into the caller
            status, error = "error", self._error_text(exc)
        extra = {"backend": self.backend}
        if params.num_beams > 1:
            extra["num_beams_requested"] = params.num_beams
        if group is not None:
            extra["adapter_group"] = group
        return mark_cut(Generation(prompt=prompt, text=filt.text, model_id=self.model_id, revision=self.revision,
                                   adapter=self.preset.adapter, params=used.as_dict(), prompt_tokens=ptoks,
                                   completion_tokens=ctoks, ttft_s=None, duration_s=time.monotonic() - t0,
                                   status=status, error=error, extra=extra), used)

    def run(self, prompt: str, params: GenParams, adapter_group: int | None = None,
            cancel: threading.Event | None = None, on_piece: Callable[[str], None] | None = None) -> Generation:
        """One completion on the calling thread, its visible text passed to ``on_piece`` as it
        grows; ``cancel`` stops it (the model worker process streams this way, with no thread
        between the model and its socket)."""
        return self._one(prompt, params, adapter_group, cancel or threading.Event(), on_piece)

    def stream(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> StreamHandle:
        """Start generating in a worker thread; iterate the handle for text pieces."""
        return StreamHandle.run(lambda h: self._one(prompt, params, adapter_group, h.cancel_event, h.put),
                                f"hintmt-{self.backend}")

    def generate(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> Generation:
        """One completion, not streamed."""
        return self._one(prompt, params, adapter_group, threading.Event())

    def stream_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                     adapter_group: int | None = None) -> list[StreamHandle]:
        """``generate_batch`` as one handle per prompt (each ends with its record)."""
        return batch_streams(self, prompts, params, adapter_group)

    def generate_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                       adapter_group: int | None = None) -> list[Generation]:
        """Completions for several prompts, one after the other (one record each)."""
        return [self.generate(p, own, adapter_group) for p, own in zip(prompts, per_prompt(params, len(prompts)))]
