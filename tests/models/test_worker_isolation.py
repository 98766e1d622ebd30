"""The llama.cpp engine in its worker process: same output as in-process, Stop reaches it, and
a worker killed from outside (SIGKILL, SIGSEGV) costs the reply in flight only: that reply
keeps its streamed text with status error, the worker comes back, repeated crashes stop the
restarts, and a set-up that crashes at its check decode is replaced by the next one."""
from __future__ import annotations

import os
import signal
import time

import pytest

from models import GenParams, resolve_preset
from models.engines.worker import canary

pytestmark = pytest.mark.integration

PROMPT = ("<|im_start|>user\nTranslate into German: The weather is nice today and we are going for a "
          "walk.<|im_end|>\n<|im_start|>assistant\n")
LONG = GenParams(max_new_tokens=200, repeat_guard=False, max_len_a=0)  # long enough to be killed


def start(**kw):
    from models.engines.isolated import IsolatedEngine
    from tests.fixtures_servers import embedded_gguf, need_llamacpp

    need_llamacpp()
    embedded_gguf()
    return IsolatedEngine.start(resolve_preset("smollm2"), options={"n_threads": 1}, **kw)


@pytest.fixture(scope="module")
def isolated():
    engine = start()
    yield engine
    engine.close()


def wait_for(predicate, what: str, timeout: float = 60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(what)


def wait_back(engine) -> int:
    """The pid of a worker that is up and ready."""
    wait_for(lambda: engine.healthy and engine.worker_pid, "the worker to come back")
    return engine.worker_pid


def kill_while_streaming(engine, sig, prompts=(PROMPT,)):
    """Stream ``prompts`` as a batch, kill the worker with ``sig`` after a few pieces of the
    first; returns (the pieces each handle gave, their results)."""
    handles = engine.stream_batch(list(prompts), LONG)
    shown = ["" for _ in handles]
    pid = engine.worker_pid
    for i, handle in enumerate(handles):
        for n, piece in enumerate(handle):
            shown[i] += piece
            if i == 0 and n == 3:
                os.kill(pid, sig)
    return shown, [h.result for h in handles]


def test_the_worker_gives_what_the_engine_gives_in_process(isolated):
    from tests.fixtures_servers import smollm2_llamacpp

    local = smollm2_llamacpp()
    try:
        canary(local)  # the worker decoded its canary first: the same history on both sides
        params = GenParams(max_new_tokens=24)
        assert isolated.facts["extra_bufts"] == local.llm.model_params.use_extra_bufts
        handle = isolated.stream(PROMPT, params)
        pieces = list(handle)
        assert "".join(pieces) == handle.result.text == local.generate(PROMPT, params).text
        assert handle.result.revision == local.revision and handle.result.status == "complete"
        prompts = [PROMPT, PROMPT.replace("weather", "cat"), "Hello"]
        assert [g.text for g in isolated.generate_batch(prompts, params)] == \
            [g.text for g in local.generate_batch(prompts, params)]
        assert isolated.count_tokens(PROMPT) == local.count_tokens(PROMPT)
        assert isolated.context_limit() == local.context_limit() and isolated.batch_size == local.batch_size
    finally:
        local.close()


def test_stop_reaches_the_worker(isolated):
    pid = isolated.worker_pid
    handle = isolated.stream(PROMPT, LONG)
    for n, _ in enumerate(handle):
        if n == 2:
            handle.cancel()
    result = handle.result
    assert result.status == "stopped" and result.completion_tokens < 20
    assert isolated.worker_pid == pid and isolated.healthy


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_a_killed_worker_costs_one_reply(isolated, sig):
    pid = isolated.worker_pid
    shown, results = kill_while_streaming(isolated, sig, (PROMPT, "Bonjour"))
    first = results[0]
    assert first.status == "error" and first.text == shown[0] and shown[0]
    assert sig.name in first.error and "restarted" in first.error
    assert first.prompt == PROMPT and first.params["max_new_tokens"] == 200
    assert results[1].status in ("error", "complete")  # decoded together: it may have finished
    after = isolated.generate(PROMPT, GenParams(max_new_tokens=8))  # waits for the new worker
    assert after.status == "complete" and after.text
    assert isolated.worker_pid != pid and isolated.healthy


def test_repeated_crashes_stop_the_restarts():
    from chat.model_host import ModelHost

    engine = start()
    try:
        for _ in range(3):
            pid = wait_back(engine)
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda: engine.worker_pid != pid or engine.problem, "the crash to be seen")
        gen = engine.generate(PROMPT, GenParams(max_new_tokens=4))
        assert gen.status == "error" and "crashed 3 times" in gen.error and "doctor" in gen.error
        assert engine.problem and not engine.healthy
        host = ModelHost()
        host._engine, host._status = engine, host._status.__class__("ready", 1.0, "ready", engine.preset)
        assert host.status().state == "error" and "crashed 3 times" in host.status().message
    finally:
        engine.close()


def test_a_crash_at_the_check_decode_falls_back(monkeypatch, smollm2_dir):
    from models import create_engine
    from models.engines.isolated import IsolatedEngine

    start().close()  # skips without llama.cpp or the embedded model
    monkeypatch.setenv("HINTMT_THREADS", "1")
    monkeypatch.setenv("HINTMT_WORKER_FAULT", "canary:q8_0")  # the Q8_0 file "crashes" (SIGSEGV)
    engine = create_engine("smollm2")
    try:
        assert isinstance(engine, IsolatedEngine)
        assert "SIGSEGV" in engine.fallback_note and "F16 copy" in engine.fallback_note
        assert engine.revision.endswith("as F16")
        assert engine.generate(PROMPT, GenParams(max_new_tokens=4)).status == "complete"
    finally:
        engine.close()
    monkeypatch.setenv("HINTMT_WORKER_FAULT", "canary")  # every llama.cpp set-up crashes
    engine = create_engine("smollm2")
    try:
        assert engine.backend == "transformers" and "running on transformers" in engine.fallback_note
    finally:
        engine.close()
