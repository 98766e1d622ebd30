"""The model worker process: runs a ``LlamaCppEngine`` apart from the server, as Ollama runs
llama.cpp in a runner process, so that a native crash (SIGSEGV in a CPU kernel, the OOM killer)
ends this process and one reply, never the server. ``models/engines/isolated.py`` starts it as
``python -m models.engines.worker --fd N`` and talks to it over that socket
(``multiprocessing.connection`` messages, pickled tuples).

Messages in: ``("stream", rid, prompt, params, group)``, ``("stream_batch", rid, prompts, params,
group)``, ``("call", rid, method, args)`` (one of ``CALLS``),
``("cancel", rid, index)``, ``("close",)``. Out: ``("progress", fraction, message)`` while
loading, then ``("ready", facts)`` or ``("load_error", message)``; ``("piece", rid, index,
text)``, ``("done", rid, index, Generation)``, ``("result", rid, value)``, ``("fail", rid,
message)``. Before saying ready the worker decodes a short canary (one sequence and one batch),
so an engine that crashes does so here, at load, and not at a user's first message.
"""
from __future__ import annotations

import argparse
import os
import queue
import signal
import sys
import threading
import time
from types import SimpleNamespace
from multiprocessing.connection import Connection

from models.errors import error_text
from models.params import GenParams
from models.environment import load, settings

CANARY_PROMPTS = ("Hello, how are you?", "The weather is nice today.", "Guten Morgen!")
CANARY_TOKENS = 8
PIECE_INTERVAL_S = 0.05  # text pieces gathered this long before a message (see Worker._pieces)
CALLS = ("count_tokens", "reset_cache")  # the engine's methods a "call" may name


def canary(engine) -> dict:
    """Decode a few tokens one sequence at a time and as a batch (the two native paths a reply
    takes); returns what it measured. An engine that is broken on this CPU crashes here."""
    params = GenParams(max_new_tokens=CANARY_TOKENS, repeat_guard=False, max_len_a=0)
    t0 = time.perf_counter()
    one = engine.generate(CANARY_PROMPTS[0], params)
    batch = engine.generate_batch(list(CANARY_PROMPTS), params)
    seconds = time.perf_counter() - t0
    failed = [g.error for g in [one, *batch] if g.status == "error"]
    if failed:
        raise RuntimeError(f"the check decode failed: {failed[0]}")
    tokens = one.completion_tokens + sum(g.completion_tokens for g in batch)
    return {"canary_tokens": tokens, "canary_s": seconds}


def _injected_fault() -> None:
    """Fault injection for the tests of the fallback: ``HINTMT_WORKER_FAULT=canary`` kills this
    process with SIGSEGV where the canary runs (``canary:q8_0`` only for that encoding of the
    embedded model), as a crashing CPU kernel would."""
    fault, encoding = settings().worker_fault, settings().gguf_runtime
    if fault in ("canary", f"canary:{encoding}"):
        os.kill(os.getpid(), signal.SIGSEGV)


class Worker:
    """Serves one engine over ``conn``. The main thread reads messages (so a cancel is read
    while a reply decodes); all the model's work (load, canary, replies, in arrival order) runs
    on one long-lived decode thread. One thread, because a thread that has run a multi-threaded
    llama.cpp decode keeps an OpenMP thread pool for as long as it lives, and decodes started
    from any other thread then ran a third slower (SmolLM2, 2 cores: 105 → 70 tok/s)."""

    def __init__(self, conn: Connection):
        self.conn, self._send_lock = conn, threading.Lock()
        self.engine = None
        self._jobs: queue.Queue = queue.Queue()
        self._cancels: dict[int, list[threading.Event]] = {}  # request -> its sequences' cancel events

    def send(self, *msg) -> None:
        with self._send_lock:
            self.conn.send(msg)

    def load(self, preset, options: dict) -> None:
        from models.engines.llamacpp import LlamaCppEngine

        options = dict(options)
        template = SimpleNamespace(chat_template=options.pop("chat_template", None))  # all it needs here
        e = LlamaCppEngine.load(preset, lambda f, m: self.send("progress", f, m), tokenizer=template, **options)
        self.send("progress", 0.9, "Checking the model with a short decode …")
        _injected_fault()
        facts = canary(e)
        self.engine = e
        facts.update(preset=e.preset, model_id=e.model_id, revision=e.revision, load_s=e.load_s,
                     device=e.device, batch_size=e.batch_size, context_limit=e.context_limit(),
                     n_threads=e.llm.n_threads, pid=os.getpid(),
                     extra_bufts=bool(e.llm.model_params.use_extra_bufts))
        self.send("ready", facts)

    def serve(self) -> None:
        while True:
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):  # the server is gone: nothing left to serve
                return
            kind = msg[0]
            if kind == "close":
                return
            if kind == "cancel":
                for i, event in enumerate(self._cancels.get(msg[1], [])):
                    if msg[2] is None or msg[2] == i:
                        event.set()
                continue
            if kind == "call" and msg[2] == "count_tokens":  # tokenizing only: answered at once
                self._run(msg)
                continue
            if kind in ("stream", "stream_batch"):  # registered now, so a cancel finds it while queued
                self._cancels[msg[1]] = [threading.Event() for _ in (msg[2] if kind == "stream_batch" else [0])]
            self._jobs.put(msg)

    def decode_loop(self, preset, options: dict, loaded: threading.Event) -> None:
        """The decode thread: load the model (``loaded`` is set either way), then run jobs."""
        try:
            self.load(preset, options)
        except Exception as exc:  # noqa: BLE001 - the server shows it and falls back
            self.send("load_error", error_text(exc))
            loaded.set()
            return
        loaded.set()
        while True:
            self._run(self._jobs.get())

    def _run(self, msg: tuple) -> None:
        kind, rid = msg[0], msg[1]
        try:
            if kind == "stream":
                self._stream(rid, msg[2], msg[3], msg[4])
            elif kind == "stream_batch":
                self._stream_batch(rid, msg[2], msg[3], msg[4])
            else:
                _, _, method, args = msg
                if method not in CALLS:
                    raise ValueError(f"the worker has no call {method!r}")
                self.send("result", rid, getattr(self.engine, method)(*args))
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
            self.send("fail", rid, error_text(exc))

    # Pieces go to the socket from the decoding thread itself, gathered for PIECE_INTERVAL_S
    # (the first at once): every message wakes the server, whose threads then compete with
    # llama.cpp's for the cores, and llama.cpp's threads wait for each other at every operation.
    def _pieces(self, rid: int):
        """(on_piece(i, text), flush(i)) for request ``rid``."""
        held: dict[int, str] = {}
        last = [0.0]

        def flush(i: int) -> None:
            if held.get(i):
                self.send("piece", rid, i, held.pop(i))

        def on_piece(i: int, piece: str) -> None:
            held[i] = held.get(i, "") + piece
            now = time.monotonic()
            if now - last[0] >= PIECE_INTERVAL_S:
                last[0] = now
                for j in list(held):
                    flush(j)
        return on_piece, flush

    def _stream(self, rid: int, prompt: str, params, group) -> None:
        cancel = self._cancels[rid]
        on_piece, flush = self._pieces(rid)
        try:
            gen = self.engine.run(prompt, params, group, cancel[0], lambda piece: on_piece(0, piece))
            flush(0)
            self.send("done", rid, 0, gen)
        finally:
            self._cancels.pop(rid, None)

    def _stream_batch(self, rid: int, prompts: list[str], params, group) -> None:
        cancels = self._cancels[rid]
        on_piece, flush = self._pieces(rid)
        try:
            done: set[int] = set()

            def on_done(i: int, gen) -> None:  # a sequence that ends before the others ends now
                done.add(i)
                flush(i)
                self.send("done", rid, i, gen)

            gens = self.engine.run_batch(prompts, params, group, on_piece, cancels, on_done)
            for i, gen in enumerate(gens):
                if i not in done:
                    flush(i)
                    self.send("done", rid, i, gen)
        finally:
            self._cancels.pop(rid, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hintmt model worker (started by the server)")
    parser.add_argument("--fd", type=int, required=True)
    args = parser.parse_args(argv)
    load()  # this process's settings: the server's environment plus the set-up's overrides
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it closes us
    conn = Connection(args.fd)
    worker = Worker(conn)
    preset, options = conn.recv()
    loaded = threading.Event()
    threading.Thread(target=worker.decode_loop, args=(preset, options, loaded), name="hintmt-decode",
                     daemon=True).start()
    loaded.wait()
    if worker.engine is None:
        return 1
    worker.serve()
    sys.stdout.flush()
    os._exit(0)  # decoding threads may still hold the model: leave without tearing it down


if __name__ == "__main__":
    sys.exit(main())
