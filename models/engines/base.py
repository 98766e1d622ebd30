"""What every engine shares: the stream handle a caller iterates for text pieces while a
worker thread generates, and fitting a request's new tokens into the model's context."""
from __future__ import annotations

import atexit
import queue
import threading
import time
import weakref
from typing import Any, Callable, Protocol, Sequence

from models.errors import ModelError
from models.params import GenParams, Generation
from models.presets import Preset

BATCH_SIZE = 8  # prompts one generate_batch call takes, unless an engine says otherwise

# The backends that run a model (engine.backend); `auto` chooses one (models/backends.py).
TRANSFORMERS, LLAMACPP, OPENAI = "transformers", "llamacpp", "openai"

_END = object()  # end-of-stream marker, private to StreamHandle


class TextEngine(Protocol):
    """What the session layer needs of an engine; the transformers, llama.cpp and remote
    engines all have it."""

    backend: str
    model_id: str
    preset: Preset
    tokenizer: Any
    device: str
    batch_size: int  # prompts a generate_batch call should get at once (long texts, test sets)

    def stream(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> "StreamHandle": ...

    def generate(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> Generation: ...

    def generate_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                       adapter_group: int | None = None) -> list[Generation]: ...
    # ``params``: one for all prompts, or one per prompt (same decoding; each its own length cap)

    def stream_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                     adapter_group: int | None = None) -> list["StreamHandle"]: ...
    # ``generate_batch`` as one handle per prompt: llama.cpp streams each sequence's pieces as
    # they are decoded; the others end each handle with its record (``batch_streams``)

    def count_tokens(self, text: str) -> int: ...

    def context_limit(self) -> int: ...

    def close(self) -> None: ...


def batch_streams(engine, prompts: list[str], params, adapter_group: int | None = None) -> list["StreamHandle"]:
    """``stream_batch`` for an engine that decodes a batch in one call: one worker thread runs
    ``engine.generate_batch`` and ends each prompt's handle with its record (no pieces before)."""
    return StreamHandle.run_many(lambda handles: engine.generate_batch(list(prompts), params, adapter_group),
                                 len(prompts), f"hintmt-{engine.backend}-batch")


def close_at_exit(thing) -> None:
    """Call ``thing.close()`` before interpreter teardown if it is still alive then (a llama.cpp
    model's ``__del__`` fails that late; a worker process should not outlive the server)."""
    atexit.register(_close_if_alive, weakref.ref(thing))


def _close_if_alive(ref) -> None:
    thing = ref()
    if thing is not None:
        thing.close()


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

    An engine starts one with ``StreamHandle.run(work, name)``: ``work(handle)`` runs in a
    worker thread, sends pieces with ``handle.put``, watches ``handle.cancel_event`` and
    returns the Generation. Closing the iterator early (e.g. a client going away) cancels
    the generation too. A handle made bare (``StreamHandle()``) is fed from elsewhere (the
    socket reader of ``isolated.py``) and finished with ``end``; ``join`` and ``result`` wait
    for that.
    """

    def __init__(self):
        self._q: queue.Queue = queue.Queue()
        self.cancel_event = threading.Event()
        self.started_at = time.monotonic()
        self._first_put: float | None = None
        self._first_yield: float | None = None
        self._result: Generation | None = None
        self._thread: threading.Thread | None = None
        self._ended = False
        self._closed = False  # run_many: this handle's stream has its end marker
        self._ended_event = threading.Event()  # set by end(): what a handle without a thread waits on

    @classmethod
    def run(cls, work: Callable[["StreamHandle"], Generation], name: str) -> "StreamHandle":
        """A handle whose worker thread runs ``work(handle)``; the end of the stream is
        signalled however ``work`` ends (it must return a Generation, not raise)."""
        handle = cls()

        def target() -> None:
            try:
                handle._result = work(handle)
            finally:
                handle._q.put(_END)

        handle._thread = threading.Thread(target=target, name=name, daemon=True)
        handle._thread.start()
        return handle

    @classmethod
    def run_many(cls, work: Callable[[list["StreamHandle"]], list[Generation]], n: int,
                 name: str) -> list["StreamHandle"]:
        """``n`` handles fed by one worker thread running ``work(handles)`` (e.g. a batch
        decoded together): each has its own pieces, cancel event and result."""
        handles = [cls() for _ in range(n)]

        def target() -> None:
            try:
                for handle, gen in zip(handles, work(handles)):
                    handle.end(gen)
            finally:
                for handle in handles:
                    handle.end(None)

        thread = threading.Thread(target=target, name=name, daemon=True)
        for handle in handles:
            handle._thread = thread
        thread.start()
        return handles

    def end(self, gen: Generation | None) -> None:
        """Finish this handle's stream with ``gen`` now (``run_many``'s work, for a sequence
        that ended before the others); later calls change nothing."""
        if not self._closed:
            self._closed, self._result = True, gen
            self._q.put(_END)
            self._ended_event.set()

    def put(self, piece: str) -> None:
        """Send one text piece to the reader (worker side)."""
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
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    @property
    def done(self) -> bool:
        """True once the worker thread has finished (or, in ``run_many``, this handle ended)."""
        return self._closed or (self._thread is not None and not self._thread.is_alive())

    def join(self, timeout: float | None = None) -> bool:
        if not self._closed:
            self._wait(timeout)
        return self.done

    def _wait(self, timeout: float | None = None) -> None:
        if self._thread is None:
            self._ended_event.wait(timeout)
        else:
            self._thread.join(timeout)

    @property
    def result(self) -> Generation:
        if not self._closed:
            self._wait()
        gen = self._result
        first = self._first_yield or self._first_put
        gen.ttft_s = None if first is None else first - self.started_at
        return gen
