"""A model crash costs one reply, not the server: the app's llama.cpp worker is killed from
outside (SIGSEGV, SIGKILL; found as a child process of the server) while a reply streams. The
page stays up and says so, the stored reply keeps its streamed text with status error, and the
next page message, ``/translate`` and ``/v1/chat/completions`` calls are answered."""
from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import psutil
import pytest

from tests.fixtures_reliability import db_rows, start_server
from tests.fixtures_servers import need_llamacpp
from tests.web.test_browser import bot_texts, open_page, send, wait_idle
from tests.web.test_browser_controls import new_conversation, notice_contains

pytestmark = pytest.mark.integration
# Ten sentences: a reply that streams for seconds, long enough to be cut.
LONG_TEXT = " ".join([
    "Der alte Hund schläft den ganzen Nachmittag in der warmen Sonne vor dem Haus.",
    "Meine Großmutter backt jeden Sonntag einen Apfelkuchen für die ganze Familie.",
    "Im Winter fahren wir oft mit dem Zug in die Berge, um Ski zu fahren.",
    "Die Kinder spielen im Garten, während die Eltern auf der Terrasse Kaffee trinken.",
    "Gestern habe ich in der Bibliothek ein sehr spannendes Buch über Geschichte gefunden.",
    "Der Bäcker an der Ecke verkauft das beste Brot der ganzen Stadt.",
    "Wenn es morgen regnet, bleiben wir zu Hause und sehen uns einen Film an.",
    "Mein Bruder arbeitet seit drei Jahren als Ingenieur in einer großen Firma in München.",
    "Auf dem Markt kaufen wir frisches Gemüse, Obst und manchmal auch Blumen.",
    "Nach dem Abendessen gehen wir meistens noch eine Runde im Park spazieren.",
])
REPLIES_SQL = "SELECT id, content, status, error FROM messages WHERE role = 'assistant' ORDER BY id"


@pytest.fixture(scope="module")
def server(tmp_path_factory, smollm2_dir):
    need_llamacpp()
    os.environ["HINTMT_WORKER_MAX_CRASHES"] = "20"  # these tests crash it 4 times within a minute
    try:
        server = start_server(tmp_path_factory.mktemp("worker-crash"), "smollm2")
    finally:
        del os.environ["HINTMT_WORKER_MAX_CRASHES"]
    yield server
    server.stop()


def worker_of(server) -> psutil.Process:
    """The model's worker process: the server's child running ``models.engines.worker``."""
    deadline = time.time() + 60
    while time.time() < deadline:
        for child in psutil.Process(server.proc.pid).children(recursive=True):
            try:
                if "models.engines.worker" in " ".join(child.cmdline()):
                    return child
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.1)
    raise TimeoutError("no worker process under the server")


def wait_streaming_reply(server, timeout: float = 60) -> None:
    """Until a reply is being generated (its row says 'streaming')."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(r[2] == "streaming" for r in db_rows(server.db, REPLIES_SQL)):
            return
        time.sleep(0.02)
    raise TimeoutError("no reply started streaming")


def kill_during_call(server, sig, call):
    """Run ``call()`` in a thread, kill the worker with ``sig`` once its reply streams; returns
    what ``call`` returned."""
    worker = worker_of(server)
    out: list = []
    thread = threading.Thread(target=lambda: out.append(call()))
    thread.start()
    wait_streaming_reply(server)
    os.kill(worker.pid, sig)
    thread.join(120)
    assert out, "the call did not return"
    return out[0]


@pytest.mark.browser
def test_the_page_survives_a_segfaulting_worker(server, browser):
    context, page = open_page(browser, server.url)
    new_conversation(page)
    worker = worker_of(server)
    send(page, LONG_TEXT)
    deadline = time.time() + 60  # until some of the reply has streamed into the page
    while time.time() < deadline and len((bot_texts(page) or [""])[-1]) < 60:
        time.sleep(0.02)
    shown = bot_texts(page)[-1]
    os.kill(worker.pid, signal.SIGSEGV)
    notice_contains(page, "model process stopped (SIGSEGV)")
    wait_idle(page)
    assert server.proc.poll() is None
    reply = db_rows(server.db, REPLIES_SQL)[-1]
    assert reply[2] == "error" and "SIGSEGV" in reply[3]
    assert reply[1].strip() and reply[1].split()[0] in shown  # the streamed text is kept
    assert "⚠️" in bot_texts(page)[-1]
    send(page, "Guten Morgen!")  # answered by the restarted worker
    page.wait_for_function("n => document.querySelectorAll('[data-testid=\"bot\"]').length > n",
                           arg=len(bot_texts(page)), timeout=60_000)
    wait_idle(page)
    last = db_rows(server.db, REPLIES_SQL)[-1]
    assert last[2] == "complete" and last[1].strip()
    assert worker_of(server).pid != worker.pid
    context.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_translate_answers_in_its_shape_and_the_next_call_works(server, sig):
    with httpx.Client(base_url=server.url, timeout=300) as http:
        cut = kill_during_call(server, sig, lambda: http.post(
            "/translate", json={"q": LONG_TEXT, "source": "de", "target": "en"}))
        assert cut.status_code in (500, 503) and sig.name in cut.json()["error"]
        after = http.post("/translate", json={"q": "Guten Morgen!", "source": "de", "target": "en"})
        assert after.status_code == 200 and after.json()["translatedText"].strip()


def test_openai_chat_answers_in_its_shape_and_the_next_call_works(server):
    def chat(text: str) -> httpx.Response:
        body = {"model": "smollm2", "messages": [{"role": "system", "content": "Translate to English."},
                                                 {"role": "user", "content": text}]}
        with httpx.Client(base_url=server.url, timeout=300) as http:
            return http.post("/v1/chat/completions", json=body)

    cut = kill_during_call(server, signal.SIGSEGV, lambda: chat(LONG_TEXT))
    assert cut.status_code in (500, 503) and "SIGSEGV" in cut.json()["error"]["message"]
    after = chat("Guten Morgen!")
    assert after.status_code == 200 and after.json()["choices"][0]["message"]["content"].strip()


def test_a_streamed_openai_chat_ends_with_an_error_event(server):
    """A stream cut by the crash does not end like a finished answer: it carries an error event,
    which OpenAI's SDK raises (the non-streamed call's 503 in streaming form)."""
    import json

    body = {"model": "smollm2", "stream": True, "messages": [
        {"role": "system", "content": "Translate to English."}, {"role": "user", "content": LONG_TEXT}]}

    def stream() -> list[dict]:
        events = []
        with httpx.Client(base_url=server.url, timeout=300) as http:
            with http.stream("POST", "/v1/chat/completions", json=body) as response:
                for line in response.iter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        events.append(json.loads(line[6:]))
        return events

    events = kill_during_call(server, signal.SIGSEGV, stream)
    errors = [e["error"]["message"] for e in events if "error" in e]
    assert errors and "SIGSEGV" in errors[0]
    assert not any(e.get("choices") and e["choices"][0].get("finish_reason") for e in events)
