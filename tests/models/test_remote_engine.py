"""The OpenAI-compatible remote engine against a real server on loopback: llama-cpp-python's
own server running the embedded SmolLM2 GGUF (tests/fixtures_servers.py)."""
from __future__ import annotations

import time

import pytest

from models import GenParams, ModelError
from tests.fixtures_app import free_port
from tests.fixtures_servers import API_KEY
from tests.stream_helpers import cancel_after_first

COUNTING = "1, 2, 3, 4, 5, 6, 7,"  # a raw prompt greedy decoding continues for a long time


@pytest.fixture(scope="module")
def remote(llama_server):
    from models.engines.remote import RemoteEngine

    eng = RemoteEngine.connect("smollm2", llama_server.base_url, api_key=API_KEY)
    yield eng
    eng.close()


def chat_prompt(engine, text: str) -> str:
    from prompts import build_prompt

    return build_prompt("chat", text, "de", "en", tokenizer=engine.tokenizer)


def streamed(engine, prompt: str, params: GenParams):
    handle = engine.stream(prompt, params)
    pieces = list(handle)
    return pieces, handle.result


def test_connects_to_the_served_model(remote, llama_server):
    from models import embedded_gguf_path

    assert remote.backend == "openai" and remote.served == str(embedded_gguf_path())
    assert remote.preset.name == "smollm2" and remote.preset.style == "chat"
    assert remote.revision == f"{remote.served}@{llama_server.base_url}"
    assert remote.tokenizer.chat_template and remote.count_tokens(chat_prompt(remote, "Hallo")) > 20


def test_streamed_pieces_join_to_the_generated_text(remote):
    prompt = chat_prompt(remote, "Ich habe heute einen langen Brief an meine Großmutter geschrieben.")
    params = GenParams(max_new_tokens=48)
    plain = remote.generate(prompt, params)
    pieces, result = streamed(remote, prompt, params)
    assert plain.status == result.status == "complete", (plain.error, result.error)
    assert len(pieces) >= 3 and "".join(pieces) == result.text == plain.text != ""
    assert result.prompt_tokens == plain.prompt_tokens == remote.count_tokens(prompt)  # the server's usage
    assert 0 < result.completion_tokens <= 48 and plain.completion_tokens == result.completion_tokens
    assert result.ttft_s is not None and result.extra["backend"] == "openai"


def test_sends_the_same_raw_prompt_as_the_local_engine(remote):
    """Same GGUF, same prompt string: the server's greedy text equals llama.cpp's in-process one."""
    from models.engines.llamacpp import LlamaCppEngine

    local = LlamaCppEngine.load("smollm2", n_threads=1)
    try:
        for prompt in (chat_prompt(remote, "Der Zug kommt heute später an."), COUNTING):
            params = GenParams(max_new_tokens=24)
            assert remote.generate(prompt, params).text == local.generate(prompt, params).text
    finally:
        local.close()


def test_stop_strings_are_never_shown(remote):
    full = remote.generate(COUNTING, GenParams(max_new_tokens=40)).text
    assert " 12, 13," in full
    for stop in (" 12", "2, 13,", ", 1"):
        expected = full[:full.find(stop)]
        params = GenParams(max_new_tokens=40, stop=(stop, "never appears"))
        pieces, result = streamed(remote, COUNTING, params)
        assert "".join(pieces) == result.text == expected, stop
        assert remote.generate(COUNTING, params).text == expected
        assert result.status == "complete" and result.completion_tokens < 40


@pytest.fixture
def queueing_remote(tmp_path):
    """A second server that never cuts a running completion short for a new request
    (--interrupt_requests False): only a cancel that reaches it can end one early."""
    from models.engines.remote import RemoteEngine
    from tests.fixtures_servers import LlamaServer, embedded_gguf

    server = LlamaServer(embedded_gguf(), tmp_path / "server.log", interrupt=False)
    try:
        server.wait_ready()
        eng = RemoteEngine.connect("smollm2", server.base_url, api_key=API_KEY)
        yield eng
        eng.close()
    finally:
        server.stop()


def test_cancel_stops_the_server(llama_server, queueing_remote):
    remote = queueing_remote
    handle = remote.stream(COUNTING, GenParams(max_new_tokens=1500))
    first, rest, seconds = cancel_after_first(handle)
    gen = handle.result
    assert seconds < 2.0
    assert gen.status == "stopped" and gen.completion_tokens < 200
    assert first + rest == gen.text
    # this server runs one completion at a time and does not cut a running one short for a new
    # request: had the cancelled one gone on to 1,500 tokens, this would wait
    t0 = time.monotonic()
    after = remote.generate(COUNTING, GenParams(max_new_tokens=4))
    assert after.status == "complete" and time.monotonic() - t0 < 20


def test_a_stream_the_server_cuts_short_is_an_error_not_a_short_reply(remote):
    """llama-cpp-python's server ends a running stream when another request arrives: the
    reply must not pass for a complete one."""
    first = remote.stream(COUNTING, GenParams(max_new_tokens=1500))
    pieces = iter(first)
    next(pieces)
    second = remote.stream(COUNTING, GenParams(max_new_tokens=4))
    list(pieces)
    assert first.result.status == "error" and "interrupt_requests false" in first.result.error
    assert second.result.status == "complete" and second.result.completion_tokens == 4


def test_generate_batch_keeps_the_order(remote):
    prompts = [chat_prompt(remote, t) for t in ("Guten Morgen.", "Wie spät ist es?", "Ich lese ein Buch.")]
    params = GenParams(max_new_tokens=20)
    batch = remote.generate_batch(prompts, params)
    assert [g.prompt for g in batch] == prompts
    assert all(g.status == "complete" and g.completion_tokens > 0 for g in batch), [g.error for g in batch]
    assert [g.text for g in batch] == [remote.generate(p, params).text for p in prompts]


def test_server_errors_reach_the_record(remote):
    gen = remote.generate("word " * 3000, GenParams(max_new_tokens=8))  # the server has n_ctx 2048
    assert gen.status == "error" and "maximum context length is 2048" in gen.error
    assert remote.base_url in gen.error
    handle = remote.stream("word " * 3000, GenParams(max_new_tokens=8))
    assert list(handle) == [] and handle.result.status == "error" and remote.base_url in handle.result.error


def test_unreachable_wrong_path_and_wrong_key_are_clear_errors(llama_server):
    from models.engines.remote import RemoteEngine

    dead = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ModelError, match=f"Cannot reach the model server at {dead}"):
        RemoteEngine.connect("smollm2", dead, api_key=API_KEY)
    root = llama_server.base_url[: -len("/v1")]
    with pytest.raises(ModelError, match=r"answer under /v1, try --base-url .*:\d+/v1"):
        RemoteEngine.connect("smollm2", root, api_key=API_KEY)
    with pytest.raises(ModelError, match=r"refused the request \(401\): check the API key"):
        RemoteEngine.connect("smollm2", llama_server.base_url, api_key="sk-wrong")
    with pytest.raises(ModelError, match="must be an http"):
        RemoteEngine.connect("smollm2", "127.0.0.1:8000/v1")


def test_chat_session_turn_through_the_server(llama_server, tmp_path):
    from chat.model_host import ModelHost
    from chat.session import ChatSession
    from chat.settings import TurnSettings
    from storage import open_store

    host = ModelHost("smollm2", backend="openai", base_url=llama_server.base_url, api_key=API_KEY)
    host.start()
    status = host.wait(120)
    assert status.ready, status.message
    assert host.engine.backend == "openai" and llama_server.base_url in status.message
    store = open_store(tmp_path / "chat.db")
    session = ChatSession(store, host)
    user = store.ensure_user("anon:" + "r" * 32)
    conv = store.create_conversation(user)
    final = list(session.send(user, conv, "Guten Morgen, wie geht es dir?",
                              TurnSettings(src="de", tgt="en", max_new_tokens=32)))[-1]
    assert final.done and final.status == "complete" and final.text
    user_msg, reply = store.messages(user, conv)
    assert reply.content == final.text and reply.status == "complete" and reply.parent_id == user_msg.id
    assert reply.prompt == chat_prompt(host.engine, "Guten Morgen, wie geht es dir?")
    assert reply.model_id == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert reply.model_revision.endswith("@" + llama_server.base_url)
    assert reply.prompt_tokens == host.engine.count_tokens(reply.prompt) and reply.completion_tokens > 0
    store.close()
    host.engine.close()


def test_unreachable_server_fails_the_host_with_the_url():
    from chat.model_host import ModelHost

    dead = f"http://127.0.0.1:{free_port()}/v1"
    host = ModelHost("smollm2", backend="openai", base_url=dead)
    host.start()
    status = host.wait(60)
    assert status.state == "error" and dead in status.message


def test_cli_translate_through_the_server(llama_server, capsys):
    from cli.main import main

    rc = main(["translate", "--backend", "openai", "--base-url", llama_server.base_url, "--api-key", API_KEY,
               "--from", "de", "--to", "en", "--max-new-tokens", "16", "Guten Morgen."])
    out = capsys.readouterr()
    assert rc == 0 and out.out.strip()
    assert llama_server.base_url in out.err and "complete" in out.err
    rc = main(["translate", "--backend", "openai", "--from", "de", "--to", "en", "Hallo."])
    assert rc == 2 and "needs --base-url" in capsys.readouterr().err
