"""The llama.cpp engine in a worker process (``models/engines/worker.py``): the server's side.

``IsolatedEngine`` is a ``TextEngine`` whose model runs in a child process; tokens stream back
over a socket, Stop reaches the child as a cancel message. When the child dies (SIGSEGV in a
native kernel, SIGKILL, the OOM killer) every request in flight ends as a ``status="error"``
record that keeps the text streamed so far, and the child is started again with the same model
(the next request waits for it). ``MAX_CRASHES`` crashes within ``CRASH_WINDOW_S`` stop the
restarts, and every later request says why, rather than loop.

The tokenizer (chat templates) is read in this process from the same GGUF; token counts come
from the child, which holds llama.cpp's own tokenizer.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from multiprocessing import Pipe
from pathlib import Path
from typing import Sequence

from models.engines.base import LLAMACPP, StreamHandle, close_at_exit
from models.errors import ModelError
from models.params import GenParams, Generation, per_prompt
from models.environment import settings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
MAX_CRASHES, CRASH_WINDOW_S = 3, 60.0  # env HINTMT_WORKER_MAX_CRASHES changes the count
READY_TIMEOUT_S = 600.0  # a first load may convert the embedded model (about 30 s) or read GBs


class WorkerCrashed(ModelError):
    """The worker process died before it was ready (at load or in the canary decode)."""


def exit_reason(code: int | None) -> str:
    """'SIGSEGV', 'SIGKILL', 'exit code 1' … for a child's return code."""
    if code is None:
        return "no exit status"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


class _RemoteHandle(StreamHandle):
    """A stream fed by the socket reader; cancel goes to the worker too."""

    def __init__(self, engine: "IsolatedEngine", rid: int, index: int):
        super().__init__()
        self._engine, self._rid, self._index = engine, rid, index
        self.shown = ""
        self.prompt, self.params = "", GenParams()

    def put(self, piece: str) -> None:
        self.shown += piece
        super().put(piece)

    def cancel(self) -> None:
        if not self.cancel_event.is_set():
            super().cancel()
            self._engine._send_quietly("cancel", self._rid, self._index)


class _Call:
    """A request answered once (``result``/``fail``), or failed by a crash."""

    def __init__(self):
        self.event, self.value, self.error = threading.Event(), None, None


class IsolatedEngine:
    """A ``LlamaCppEngine`` in a worker process, restarted after a crash."""

    backend = LLAMACPP

    def __init__(self, preset, tokenizer, env: dict[str, str] | None = None, options: dict | None = None):
        self.preset, self.tokenizer = preset, tokenizer
        self.env, self.options = dict(env or {}), dict(options or {})
        self.facts: dict = {}
        self.fallback_note: str | None = None  # set by create_engine when this is a fallback
        self._lock = threading.Lock()  # requests, state
        self._send_lock = threading.Lock()
        self._pending: dict[int, object] = {}
        self._next = 0
        self._proc: subprocess.Popen | None = None
        self._conn = None
        self._ready = threading.Event()
        self._crashes: list[float] = []
        self._max_crashes = max(1, settings().worker_max_crashes)
        self._spawns = 0  # workers started so far (a request that met a dead one waits for the next)
        self._given_up: str | None = None
        self._closed = False
        close_at_exit(self)

    # --- life of the worker -------------------------------------------------------------------
    @classmethod
    def start(cls, preset, progress=None, *, env: dict | None = None, options: dict | None = None,
              tokenizer=None) -> "IsolatedEngine":
        """Start the worker for ``preset`` and wait until its model is loaded and has decoded
        the canary; ``WorkerCrashed`` if it died doing so, ``ModelError`` if it could not load.
        ``tokenizer``: one already read from the GGUF (else it is read here)."""
        if tokenizer is None:
            from models.loading.gguf_tokenizer import gguf_path, gguf_tokenizer

            tokenizer = gguf_tokenizer(gguf_path(preset), progress)
        engine = cls(preset, tokenizer, env, options)
        engine._spawn(progress)
        return engine

    def _spawn(self, progress=None) -> None:
        parent, child = Pipe(duplex=True)
        env = {**os.environ, **self.env,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        fd = child.fileno()
        proc = subprocess.Popen([sys.executable, "-m", "models.engines.worker", "--fd", str(fd)],
                                pass_fds=(fd,), env=env, cwd=str(ROOT), stdin=subprocess.DEVNULL)
        child.close()
        parent.send((self.preset, {**self.options, "chat_template": getattr(self.tokenizer, "chat_template", None)}))
        t0 = time.monotonic()
        while True:
            if not parent.poll(1.0):
                if proc.poll() is not None or time.monotonic() - t0 > READY_TIMEOUT_S:
                    break
                continue
            try:
                msg = parent.recv()
            except (EOFError, OSError):
                break
            if msg[0] == "progress" and progress is not None:
                progress(msg[1], msg[2])
            elif msg[0] == "load_error":
                proc.wait(10)
                raise ModelError(msg[1])
            elif msg[0] == "ready":
                self.facts = msg[1]
                self.preset = self.facts["preset"]
                self._proc, self._conn = proc, parent
                self._spawns += 1
                self._ready.set()
                threading.Thread(target=self._read, args=(proc, parent), name="hintmt-worker-reader",
                                 daemon=True).start()
                return
        if proc.poll() is None:
            proc.kill()
        code = proc.wait(10)
        raise WorkerCrashed(f"the llama.cpp worker stopped while loading {self.preset.name} and "
                            f"decoding its check batch ({exit_reason(code)})")

    def _read(self, proc: subprocess.Popen, conn) -> None:
        """Deliver the worker's messages until it ends; then fail what was in flight and restart."""
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                break
            self._deliver(msg)
        if self._closed:
            return
        try:
            code = proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        self._crashed(exit_reason(code))

    def _deliver(self, msg: tuple) -> None:
        kind, rid = msg[0], msg[1]
        target = self._pending.get(rid)
        if target is None:
            return
        if kind == "piece":
            target[msg[2]].put(msg[3])
        elif kind == "done":
            target[msg[2]].end(msg[3])
            if all(h.done for h in target):
                self._pending.pop(rid, None)
        else:  # result / fail
            self._pending.pop(rid, None)
            target.value, target.error = (msg[2], None) if kind == "result" else (None, msg[2])
            target.event.set()

    def _crashed(self, reason: str) -> None:
        with self._lock:
            self._ready.clear()
            self._conn = None
            now = time.monotonic()
            self._crashes = [t for t in self._crashes if now - t < CRASH_WINDOW_S] + [now]
            pending, self._pending = self._pending, {}
            if len(self._crashes) >= self._max_crashes:
                self._given_up = (f"The model process crashed {len(self._crashes)} times within "
                                  f"{CRASH_WINDOW_S:.0f} s (last: {reason}); it is not restarted again. "
                                  "Run `python app.py doctor` and restart the app.")
                self._ready.set()  # wake waiting requests: they read _given_up
            notice = (self._given_up or f"The model process stopped ({reason}); it is being restarted — "
                      "send the message again in a moment.")
        log.error("llama.cpp worker for %s stopped (%s)%s", self.preset.name, reason,
                  "; restarts stopped" if self._given_up else "; restarting")
        for target in pending.values():
            if isinstance(target, _Call):
                target.error = notice
                target.event.set()
            else:
                for handle in target:
                    handle.end(self._error_record(handle, notice))
        if not self._given_up:
            threading.Thread(target=self._restart, name="hintmt-worker-restart", daemon=True).start()

    def _restart(self) -> None:
        try:
            self._spawn()
            log.info("llama.cpp worker for %s restarted (pid %s)", self.preset.name, self.facts.get("pid"))
        except Exception as exc:  # noqa: BLE001 - counted like a crash
            self._crashed(str(exc))

    def close(self) -> None:
        """Stop the worker (the engine can't generate afterwards)."""
        self._closed = True
        proc, self._proc = self._proc, None
        self._send_quietly("close")
        if proc is not None:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # --- requests -------------------------------------------------------------------------
    def _send_quietly(self, *msg) -> bool:
        conn = self._conn
        if conn is None:
            return False
        try:
            with self._send_lock:
                conn.send(msg)
            return True
        except (OSError, ValueError, BrokenPipeError):
            return False

    def _submit(self, kind: str, target, *args) -> int:
        """Register ``target`` and send the request; a request that meets a worker that has just
        died (before its reader noticed) waits for the next one and is sent again, once."""
        for attempt in (1, 2):
            if self._closed:
                raise ModelError("The model was closed.")
            self._ready.wait(READY_TIMEOUT_S)
            with self._lock:
                if self._given_up:
                    raise ModelError(self._given_up)
                if not self._ready.is_set():
                    raise ModelError("The model process did not come back in time.")
                self._next += 1
                rid, spawn = self._next, self._spawns
                self._pending[rid] = target
                if self._send_quietly(kind, rid, *args):
                    return rid
                self._pending.pop(rid, None)
            deadline = time.monotonic() + READY_TIMEOUT_S
            while attempt == 1 and self._spawns == spawn and not self._given_up and time.monotonic() < deadline:
                time.sleep(0.05)
        raise ModelError("The model process is restarting; send the message again in a moment.")

    def _call(self, method: str, *args):
        call = _Call()
        self._submit("call", call, method, args)
        call.event.wait()
        if call.error is not None:
            raise ModelError(call.error)
        return call.value

    def _start_stream(self, kind: str, prompts: list[str], params: list[GenParams], *args) -> list[_RemoteHandle]:
        handles = [_RemoteHandle(self, 0, i) for i in range(len(prompts))]
        for handle, prompt, p in zip(handles, prompts, params):
            handle.prompt, handle.params = prompt, p
        try:
            rid = self._submit(kind, handles, *args)
        except ModelError as exc:
            for handle in handles:
                handle.end(self._error_record(handle, str(exc)))
            return handles
        for handle in handles:
            handle._rid = rid
        return handles

    def _error_record(self, handle: _RemoteHandle, message: str) -> Generation:
        """What a request that the worker could not finish leaves: the text streamed so far."""
        return Generation(prompt=handle.prompt, text=handle.shown, model_id=self.model_id, revision=self.revision,
                          adapter=self.preset.adapter, params=handle.params.as_dict(), prompt_tokens=0,
                          completion_tokens=0, ttft_s=None, duration_s=time.monotonic() - handle.started_at,
                          status="error", error=message, extra={"backend": self.backend, "worker": "stopped"})

    def stream(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> StreamHandle:
        """Generate in the worker; iterate the handle for text pieces."""
        return self._start_stream("stream", [prompt], [params], prompt, params, adapter_group)[0]

    def stream_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                     adapter_group: int | None = None) -> list[StreamHandle]:
        """Several prompts decoded together in the worker, one handle each."""
        prompts = list(prompts)
        return self._start_stream("stream_batch", prompts, per_prompt(params, len(prompts)), prompts, params,
                                  adapter_group)

    def generate(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> Generation:
        return self.stream(prompt, params, adapter_group).result

    def generate_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                       adapter_group: int | None = None) -> list[Generation]:
        """Completions decoded together in the worker (error records if it dies meanwhile)."""
        return [h.result for h in self.stream_batch(prompts, params, adapter_group)]

    def count_tokens(self, text: str) -> int:
        return self._call("count_tokens", text)

    def context_limit(self) -> int:
        return self.facts["context_limit"]

    def reset_cache(self) -> None:
        """The worker's engine forgets its KV cache (see ``LlamaCppEngine.reset_cache``)."""
        self._call("reset_cache")

    # --- what the rest of the app reads -------------------------------------------------------
    model_id = property(lambda self: self.preset.model_id)
    revision = property(lambda self: self.facts.get("revision"))
    load_s = property(lambda self: self.facts.get("load_s", 0.0))
    device = property(lambda self: self.facts.get("device", "cpu"))
    batch_size = property(lambda self: self.facts.get("batch_size", 1))
    worker_pid = property(lambda self: self._proc.pid if self._proc is not None else None)
    loaded = property(lambda self: self)

    @property
    def problem(self) -> str | None:
        """Why this engine no longer answers (restarts stopped after repeated crashes), else None."""
        return self._given_up

    @property
    def healthy(self) -> bool:
        """False while the worker restarts, and for good once restarts stopped."""
        return self._ready.is_set() and self._given_up is None
