"""/v1/chat/completions streamed and not, on the real server (the embedded SmolLM2 on llama.cpp)
with the official `openai` SDK: for 20 inputs across modes, targets, system messages, hints and
token limits, the streamed deltas joined, the non-streamed ``message.content`` and the stored
reply are one text, with one finish reason, also where the cleaning at the end cuts what the
model wrote (a loop, a reply far longer than its source, an "In Japanese:" tail) and for texts
of several sentences and lines; and ordinary text still streams in pieces."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.fixtures_reliability import db_rows, run_cli, start_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def system(text: str) -> dict:
    return {"role": "system", "content": text}


CASES = {  # id -> (messages, extra body fields, max_tokens)
    "ja-loop": ([user("Passau is a city in Bavaria.")], {"target": "ja"}, None),
    "de": ([user("Passau is a city in Bavaria.")], {"target": "de"}, None),
    "zh-too-long": ([user("Das Wetter ist heute schön.")], {"target": "zh"}, None),
    "fr": ([user("Das Wetter ist heute schön.")], {"target": "fr"}, None),
    "lines-en": ([user("Guten Morgen. Wie geht es dir heute?\nIch bin müde.")], {"target": "en"}, None),
    "blank-line-es": ([user("The meeting starts at nine.\n\nPlease bring your notes. Thank you!")],
                      {"target": "es"}, None),
    "sentences-de": ([user("Es regnet. Wir bleiben zu Hause. Morgen scheint die Sonne.")],
                     {"target": "en"}, None),
    "system-de": ([system("Translate into German."), user("My brother lives in a small village.")], {}, None),
    "system-ru": ([system("Translate into Russian."), user("I would like a cup of coffee, please.")], {}, None),
    "system-zh": ([system("Translate into Chinese."), user("Machine translation is useful for travellers.")],
                  {}, None),
    "chat-ja": ([system("Translate to Japanese"), user("Good night, see you tomorrow.")], {"mode": "chat"}, None),
    "chat-fr": ([system("Translate to French"), user("The cat sleeps on the sofa all day long.")],
                {"mode": "chat"}, None),
    "chat-story": ([user("Tell me a short story about a dragon.")], {"mode": "chat"}, None),
    "chat-list": ([user("List three colors.")], {"mode": "chat"}, None),
    "chat-history": ([user("Hello!"), {"role": "assistant", "content": "Hi! How can I help?"},
                      user("Say good morning in Italian.")], {"mode": "chat"}, None),
    "hint-formal": ([user("Je pense, donc je suis.")], {"target": "en", "hint": "Keep it formal."}, None),
    "hint-british": ([user("Der Zug hat zwanzig Minuten Verspätung.")],
                     {"target": "en", "hint": "Use British English."}, None),
    "repeated-input": ([user("Ich habe keine Zeit. Ich habe keine Zeit. Ich habe keine Zeit.")],
                       {"target": "en"}, None),
    "ko-length": ([user("Wir sehen uns morgen im Büro.")], {"target": "ko"}, 8),
    "pt-length": ([user("Die Katze schläft auf dem Sofa.")], {"target": "pt"}, 5),
}


@dataclass
class Run:
    streamed: str
    deltas: int
    stream_finish: str | None
    stream_usage: object
    stream_row: tuple
    content: str
    finish: str
    row: tuple


@pytest.fixture(scope="module")
def server(tmp_path_factory, smollm2_dir):
    server = start_server(tmp_path_factory.mktemp("stream-equals"), "smollm2", ("--host", "0.0.0.0"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def runs(server) -> dict[str, Run]:
    """Each case asked three times: once (so both calls after it find the model in the same
    state), streamed, and not streamed."""
    from openai import OpenAI

    done = run_cli("api-key", "create", "stream", "--rpm", "1000", "--db", str(server.db), cwd=server.db.parent)
    assert done.returncode == 0, done.stderr
    out = {}
    with OpenAI(base_url=server.url + "v1", api_key=done.stdout.strip(), max_retries=0, timeout=600) as client:
        [model] = client.models.list().data
        for name, (messages, extra, max_tokens) in CASES.items():
            ask = dict(model=model.id, messages=messages, temperature=0, extra_body=extra,
                       **({"max_tokens": max_tokens} if max_tokens else {}))
            client.chat.completions.create(**ask)
            pieces, finish, usage, ident = [], None, None, None
            usage_too = {"include_usage": True}
            for chunk in client.chat.completions.create(stream=True, stream_options=usage_too, **ask):
                ident, usage = chunk.id, chunk.usage or usage
                if chunk.choices:
                    pieces += [chunk.choices[0].delta.content] if chunk.choices[0].delta.content else []
                    finish = chunk.choices[0].finish_reason or finish
            whole = client.chat.completions.create(**ask)
            out[name] = Run("".join(pieces), len(pieces), finish, usage, stored(server, ident),
                            whole.choices[0].message.content, whole.choices[0].finish_reason,
                            stored(server, whole.id))
    return out


def stored(server, completion_id: str) -> tuple:
    """(content, status, completion tokens, params) of the reply stored for a completion."""
    [row] = db_rows(server.db, "SELECT content, status, completion_tokens, params FROM messages WHERE id = ?",
                    (int(completion_id.removeprefix("chatcmpl-")),))
    return row[0], row[1], row[2], json.loads(row[3] or "{}")


@pytest.mark.parametrize("name", CASES)
def test_streamed_deltas_equal_the_content_and_the_stored_text(runs, name):
    run = runs[name]
    assert run.streamed == run.stream_row[0] and run.stream_row[1] == "complete"
    assert run.content == run.row[0] and run.row[1] == "complete"
    assert run.streamed == run.content  # greedy: the same text either way
    assert run.stream_finish == run.finish
    assert run.stream_usage.completion_tokens == run.stream_row[2] == run.row[2]


def test_the_cases_cut_and_still_stream(runs):
    """The inputs provoke the cleaner's cuts (what a naive stream sent too much of), the token
    limits end with "length", and ordinary text is not held back to the end."""
    cut = [name for name, run in runs.items() if run.row[3].get("cut")]
    assert len(cut) >= 3, cut
    assert runs["ko-length"].finish == runs["pt-length"].finish == "length"
    pieces = [name for name, run in runs.items() if run.deltas >= 3]
    assert len(pieces) >= 12, {name: run.deltas for name, run in runs.items()}
