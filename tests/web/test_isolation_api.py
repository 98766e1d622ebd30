"""Isolation through the real server's Gradio API: user B, driving the HTTP API by hand,
cannot list, open, rate, edit, export, stop or delete anything of user A's, even with
A's ids forged into every input position, State ones included.

The storage layer's owner checks are proven in test_storage_isolation.py; this is the
same promise one level up, where an attacker actually talks to the app."""
from __future__ import annotations

import json
import secrets
import threading

import pytest

from tests.fixtures_reliability import ApiError, ApiSession, db_rows

pytestmark = pytest.mark.integration

SECRET = "Das Zebrafisch-Codewort lautet 4711."
PROBE = "Zebrafisch"
# Global by design (the model for everyone), not per-user data; see the README.
NOT_PER_USER = {"on_load_model"}


def visible_inputs(api: ApiSession, api_name: str, conv: int) -> list:
    """Plausible values for the visible inputs; the conversation list gets A's id."""
    values = []
    for cid in api.deps[api_name]["inputs"]:
        comp = api.components[cid]
        props = comp.get("props", {})
        kind, label = comp["type"], str(props.get("label") or "")
        if kind == "state":
            continue
        if kind == "radio" and props.get("elem_id") == "conversations":
            values.append(conv)
        elif kind == "textbox":
            values.append(PROBE)
        elif kind == "slider":
            values.append(16 if label.startswith("Max new") else 1 if label.startswith("Beams")
                          else props.get("value"))
        elif kind == "dropdown" and props.get("value") is None:
            values.append("de")
        else:
            values.append(props.get("value"))
    return values


def with_state(api: ApiSession, api_name: str, visible: list, forged) -> list:
    it = iter(visible)
    return [forged if t == "state" else next(it) for t in api.input_types(api_name)]


def snapshot(db, user_id: int) -> dict:
    """Every row that belongs to a user."""
    convs = db_rows(db, "SELECT * FROM conversations WHERE user_id = ? ORDER BY id", (user_id,))
    ids = tuple(c[0] for c in convs) or (-1,)
    marks = ",".join("?" * len(ids))
    msgs = db_rows(db, f"SELECT * FROM messages WHERE conversation_id IN ({marks}) ORDER BY id", ids)
    mids = tuple(m[0] for m in msgs) or (-1,)
    return {
        "user": db_rows(db, "SELECT * FROM users WHERE id = ?", (user_id,)),
        "conversations": convs, "messages": msgs,
        "feedback": db_rows(db, f"SELECT * FROM feedback WHERE message_id IN "
                            f"({','.join('?' * len(mids))}) ORDER BY id", mids),
        "pairs": db_rows(db, "SELECT * FROM preference_pairs WHERE user_id = ? ORDER BY id", (user_id,)),
    }


@pytest.fixture(scope="module")
def alice(tiny_server):
    """User A: a conversation with a secret, a rating, a correction (a pair) and an export."""
    a = ApiSession(tiny_server.url)
    key = a.call("on_load", [None])[0]
    send = with_state(a, "on_send", [SECRET, "de", "en", "none", "", "translate", 1, 0, 1.0, 16, ""], None)
    assert not str(a.call("on_send", send)[1]).startswith("⚠️")
    a.call("on_refresh")
    assert "rated" in a.call("on_like", [None, None], {"index": 1, "value": "", "liked": True})[0]
    assert "Correction saved" in a.call("on_edit", [None] * 3, {
        "index": 1, "value": "The zebrafish code word is 4711.", "previous_value": ""})[0]
    export = a.call("on_export", [None])[0]["value"]
    user_id = db_rows(tiny_server.db, "SELECT id FROM users WHERE key = ?", (key,))[0][0]
    conv = db_rows(tiny_server.db, "SELECT id FROM conversations WHERE user_id = ?", (user_id,))[0][0]
    msgs = [m[0] for m in db_rows(tiny_server.db, "SELECT id FROM messages WHERE conversation_id = ? "
                                  "ORDER BY id", (conv,))]
    reply = db_rows(tiny_server.db, "SELECT content FROM messages WHERE id = ?", (msgs[1],))[0][0]
    yield dict(session=a, key=key, user=user_id, conv=conv, messages=msgs, reply=reply,
               export=export)
    a.close()


def leaks(outputs, alice) -> list[str]:
    text = json.dumps(outputs, ensure_ascii=False, default=str)
    secrets = [SECRET, "4711", alice["export"]["path"]] + ([alice["reply"]] if len(alice["reply"]) > 8 else [])
    return [s for s in secrets if s in text]


def test_every_endpoint_with_forged_ids_leaves_a_alone(tiny_server, alice):
    b = ApiSession(tiny_server.url)
    b.call("on_load", [None])
    b_send = with_state(b, "on_send", ["Guten Morgen", "de", "en", "none", "", "translate", 1, 0, 1.0, 16, ""],
                        alice["user"])
    b.call("on_send", b_send)  # B has a conversation of its own, so handlers go deep
    before = snapshot(tiny_server.db, alice["user"])
    forged_ids = (alice["user"], alice["conv"], alice["messages"][1], alice["messages"],
                  {str(alice["messages"][0]): alice["messages"][1]})
    event_data = [{"index": i, "value": "pwned", "previous_value": "", "liked": liked}
                  for i, liked in ((0, True), (1, False), (-1, "Dislike"), (99, True))]
    refused, called = [], 0
    for name in sorted(set(b.deps) - NOT_PER_USER - {"on_load"}):
        for forged in forged_ids:
            for data in event_data if b.deps[name].get("collects_event_data") else [None]:
                inputs = with_state(b, name, visible_inputs(b, name, alice["conv"]), forged)
                try:
                    outputs = b.call(name, inputs, data)
                    called += 1
                except ApiError as err:  # Gradio's own validation (e.g. a conversation not offered)
                    refused.append((name, str(err)))
                    continue
                assert leaks(outputs, alice) == [], f"{name} showed A's data to B"
    assert called > 100
    assert all(name == "on_open" for name, _ in refused), refused
    assert snapshot(tiny_server.db, alice["user"]) == before, "B changed A's rows"
    # The same checks do see A's own session reading and changing A's data.
    a = alice["session"]
    assert SECRET in leaks(a.call("on_refresh"), alice)
    a.call("on_rename", [None, None, "Umbenannt von Anna"])
    assert snapshot(tiny_server.db, alice["user"]) != before
    b.close()


def test_search_list_and_export_show_only_own_rows(tiny_server, alice):
    b = ApiSession(tiny_server.url)
    loaded = b.call("on_load", [None])
    assert leaks(loaded, alice) == []
    assert b.call("on_search", [None, PROBE, None])[0]["choices"] == []
    assert b.call("on_search", [None, "", None])[0]["choices"] == []
    file, notice = b.call("on_export", [alice["user"]])
    assert file == {"__type__": "update"} and "no preference pairs" in notice
    b.close()


def test_files_are_not_served_to_others(tiny_server, alice):
    """The database, the browser secret and A's original export file are not downloadable."""
    import httpx

    # The server gets HINTMT_SECRET from the fixture, so write the file the app keeps beside
    # the database otherwise: the check must be on a file that is there.
    secret_file = tiny_server.db.parent / ".browser-secret"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_hex(32))
    secret_value = secret_file.read_text().strip()
    assert tiny_server.db.is_file() and secret_value
    for path in (tiny_server.db, secret_file, "chat.db", "/etc/passwd"):
        r = httpx.get(f"{tiny_server.url}gradio_api/file={path}")
        assert r.status_code in (403, 404), path
        assert secret_value not in r.text and "SQLite format" not in r.text, path
    assert SECRET not in httpx.get(f"{tiny_server.url}gradio_api/file=../chat.db").text


@pytest.mark.parametrize("key", ["hf:alice", "1", 1, "anon:" + "0" * 31, "ANON:" + "a" * 32,
                                 {"user_id": 1}, ["anon:x"]])
def test_a_forged_browser_identity_is_a_new_user(tiny_server, alice, key):
    b = ApiSession(tiny_server.url)
    out = b.call("on_load", [key])
    assert out[0] != alice["key"] and out[0].startswith("anon:") and len(out[0]) == 37
    assert leaks(out, alice) == []
    assert out[0] != key
    b.close()


def test_stop_only_stops_your_own_reply(tiny_server, alice):
    a = alice["session"]
    send = with_state(a, "on_send", ["Ein langer Satz für den Stopp-Test.", "de", "en", "none", "",
                                     "translate", 1, 0, 1.0, 160, ""], None)
    b = ApiSession(tiny_server.url)
    b.call("on_load", [None])
    last_sql = ("SELECT status FROM messages WHERE conversation_id = ? AND role = 'assistant' "
                "ORDER BY id DESC LIMIT 1")
    worker = threading.Thread(target=a.call, args=("on_send", send))
    worker.start()
    stopped_while_streaming = 0
    while worker.is_alive():
        streaming = db_rows(tiny_server.db, last_sql, (alice["conv"],)) == [("streaming",)]
        assert b.call("on_stop", [alice["user"], alice["conv"]]) == [{"__type__": "update"}]  # nothing of B's
        stopped_while_streaming += streaming
    worker.join()
    assert stopped_while_streaming >= 1, "the reply ended before B could try to stop it"
    assert db_rows(tiny_server.db, last_sql, (alice["conv"],)) == [("complete",)]
    b.close()
