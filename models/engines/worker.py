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
import signal
import sys
import threading
import time
from types import SimpleNamespace
from multiprocessing.connection import Connection

from models.params import GenParams

CANARY_PROMPTS = ("Hello, how are you?", "The weather is nice today.", "Guten Morgen!")
CANARY_TOKENS = 8
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
    fault = os.environ.get("HINTMT_WORKER_FAULT", "")
    encoding = os.environ.get("HINTMT_GGUF_RUNTIME") or "q8_0"
    if fault in ("canary", f"canary:{encoding}"):
        os.kill(os.getpid(), signal.SIGSEGV)


class Worker:
    """Serves one engine over ``conn``; every request runs in a thread of its own (the engine
    queues them on its lock), so a cancel is read while a reply is decoding."""

    def __init__(self, conn: Connection):
        self.conn, self._send_lock = conn, threading.Lock()
        self.engine = None
        self._handles: dict[int, list] = {}

    def send(self, *msg) -> None:
        with self._send_lock:
            self.conn.send(msg)

    def load(self, preset, options: dict) -> None:
        from models.engines.llamacpp import LlamaCppEngine

        options = dict(options)
        template = SimpleNamespace(chat_template=options.pop("chat_template", None))  # all it needs here
        self.engine = LlamaCppEngine.load(preset, lambda f, m: self.send("progress", f, m), tokenizer=template,
                                          **options)
        self.send("progress", 0.9, "Checking the model with a short decode …")
        _injected_fault()
        facts = canary(self.engine)
        e = self.engine
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
                for i, handle in enumerate(self._handles.get(msg[1], [])):
                    if msg[2] is None or msg[2] == i:
                        handle.cancel()
                continue
            threading.Thread(target=self._run, args=(msg,), name=f"hintmt-worker-{kind}", daemon=True).start()

    def _run(self, msg: tuple) -> None:
        kind, rid = msg[0], msg[1]
        try:
            if kind == "stream":
                self._stream(rid, [self.engine.stream(msg[2], msg[3], adapter_group=msg[4])])
            elif kind == "stream_batch":
                self._stream(rid, self.engine.stream_batch(msg[2], msg[3], adapter_group=msg[4]))
            else:
                _, _, method, args = msg
                if method not in CALLS:
                    raise ValueError(f"the worker has no call {method!r}")
                self.send("result", rid, getattr(self.engine, method)(*args))
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
            self.send("fail", rid, f"{type(exc).__name__}: {exc}")

    def _stream(self, rid: int, handles: list) -> None:
        self._handles[rid] = handles
        try:
            for i, handle in enumerate(handles):
                for piece in handle:
                    self.send("piece", rid, i, piece)
                self.send("done", rid, i, handle.result)
        finally:
            self._handles.pop(rid, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hintmt model worker (started by the server)")
    parser.add_argument("--fd", type=int, required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it closes us
    conn = Connection(args.fd)
    worker = Worker(conn)
    preset, options = conn.recv()
    try:
        worker.load(preset, options)
    except Exception as exc:  # noqa: BLE001 - the server shows it and falls back
        worker.send("load_error", str(exc) if type(exc).__name__ == "ModelError" else f"{type(exc).__name__}: {exc}")
        return 1
    worker.serve()
    sys.stdout.flush()
    os._exit(0)  # decoding threads may still hold the model: leave without tearing it down


if __name__ == "__main__":
    sys.exit(main())
