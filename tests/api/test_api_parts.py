"""The API's pure parts: html text nodes, the target named in a system message, when keys
are required, and the rate and size limits (on a real SQLite store)."""
from __future__ import annotations

import pytest

from api.errors import ApiError
from api.html_text import node_texts, text_nodes, translate_html
from api.guard import Peer, is_loopback
from api.keys import KeyGate, Limits
from api.openai_compat import target_from_system


def test_html_keeps_markup_and_translates_text_nodes():
    page = ('<div title="a > b"><p>Hallo &amp; <i>Welt</i></p><!-- Kommentar -->'
            '<pre>Code bleibt</pre><script>if (a < b) {}</script>  \n<br/>Ende</div>')
    assert "".join(p for _, p in text_nodes(page)) == page
    assert node_texts(page) == ["Hallo &", "Welt", "Ende"]
    out = translate_html(page, lambda t: t.upper())
    assert out == ('<div title="a > b"><p>HALLO &amp; <i>WELT</i></p><!-- Kommentar -->'
                   '<pre>Code bleibt</pre><script>if (a < b) {}</script>  \n<br/>ENDE</div>')


@pytest.mark.parametrize("system, code", [
    ("Translate into German.", "de"), ("Please translate the text to French", "fr"),
    ("You translate everything into Simplified Chinese", "zh"), ("Answer in de", None), ("Translate to de", "de"), ("Try to be brief, it is to my liking", None),
    ("Translate to Scottish Gaelic", None), ("You are a helpful assistant.", None),
    ("Translate into Northern Sotho", "nso"),
    ("You are skilled in English and German. Translate into German.", "de"),
    ("Translate the email to my colleague into French.", "fr"),  # a name anywhere beats "to my"
    ("Translate it so as to be fluent, in Spanish.", "es"),
    ("Target language: German.", "de"), ("Translate. Target: fr", "fr"), ("Translate to be honest", None),
])
def test_target_from_a_system_message(system, code):
    assert target_from_system(system) == code


def test_keys_required_unless_the_caller_is_on_this_machine():
    here, there = Peer("127.0.0.1", True), Peer("192.168.1.5", False)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    assert not Limits().key_required(here) and Limits().key_required(there)
    assert Limits(keys="required").key_required(here)
    assert not Limits(keys="optional").key_required(there)


def test_rate_and_size_limits(tmp_path):
    from storage import open_store
    from storage.api_keys import ApiKeys

    with open_store(tmp_path / "chat.db") as store:
        key, info = ApiKeys(store).create("two a minute", requests_per_minute=2, chars_per_request=10)
        gate = KeyGate(store, Limits(keys="optional", requests_per_minute=5, chars_per_request=100,
                                     batch_limit=3))
        caller = gate.caller(key, "127.0.0.1")
        assert caller.user_id == info.user_id and caller.chars_per_request == 10
        gate.caller(key, "127.0.0.1")
        with pytest.raises(ApiError, match="2 requests per minute") as err:
            gate.caller(key, "127.0.0.1")
        assert err.value.status == 429 and 1 <= int(err.value.headers["Retry-After"]) <= 60
        anonymous = [gate.caller(None, "10.0.0.1") for _ in range(5)]
        assert len({c.user_id for c in anonymous}) == 1 and anonymous[0].user_id != info.user_id
        with pytest.raises(ApiError):
            gate.caller("", "10.0.0.1")  # the same address's budget is spent
        assert gate.caller(None, "10.0.0.2").requests_per_minute == 5  # another address has its own
        with pytest.raises(ApiError, match="limit is 3"):
            gate.check_size(anonymous[0], ["a"] * 4)
        with pytest.raises(ApiError, match="exceeds the text limit"):
            gate.check_size(caller, ["x" * 11])
        gate.check_size(caller, ["x" * 5, "y" * 5])
        gate.check_size(anonymous[0], ["a"] * 4, strings=1)  # one HTML string of 4 text nodes
        ApiKeys(store).revoke(info.id)
        with pytest.raises(ApiError, match="Invalid API key") as err:
            KeyGate(store, Limits()).caller(key, "10.0.0.3")  # where a key is required
        assert err.value.status == 403
        assert KeyGate(store, Limits()).caller(key, "127.0.0.1").key_id is None  # loopback: no key
