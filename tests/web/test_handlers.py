"""The Gradio event layer in-process: identity (browser key or HF account), the login
button on Spaces with OAuth, and ZeroGPU wrapping."""
from __future__ import annotations

import gradio as gr
import pytest

from chat.feedback import Feedback
from web.handlers import Handlers
from chat.identity import new_browser_key
from chat.model_host import ModelHost
from chat.session import ChatSession
from storage import open_store
from tests.fixtures_app import as_on_space
from models.environment import settings


@pytest.fixture
def handlers(tmp_path):
    store = open_store(tmp_path / "chat.db")
    host = ModelHost("smollm2")  # never started: the page works while a model loads
    return Handlers(ChatSession(store, host), Feedback(store), host)


def test_browser_key_identifies_an_anonymous_user(handlers):
    key = new_browser_key()
    first = handlers.on_load(key)
    again = handlers.on_load(key)
    other = handlers.on_load(None)
    assert first[0] == key and first[1] == again[1]
    assert other[0] != key and other[0].startswith("anon:") and other[1] != first[1]


def test_hf_account_wins_over_the_browser_key(handlers):
    profile = gr.OAuthProfile({"preferred_username": "alice", "name": "Alice A.",
                               "profile": "https://huggingface.co/alice", "picture": ""})
    laptop = handlers.on_load(new_browser_key(), profile)
    phone = handlers.on_load(new_browser_key(), profile)
    anonymous = handlers.on_load(laptop[0])
    assert laptop[1] == phone[1]  # the same account on two browsers sees one history
    assert anonymous[1] != laptop[1]  # signed out, the browser is someone else
    conv = handlers.session.store.create_conversation(laptop[1])
    assert [c.id for c in handlers.session.store.list_conversations(phone[1])] == [conv]
    assert handlers.session.store.list_conversations(anonymous[1]) == []


def test_gradio_injects_the_profile_into_on_load():
    from gradio.helpers import special_args

    def probe(key, profile: gr.OAuthProfile | None = None):
        return key, profile

    # Outside a Space no session holds a profile: Gradio passes None, not an error.
    inputs, *_ = special_args(probe, inputs=["k"], request=None)
    assert inputs == ["k", None]
    inputs, *_ = special_args(Handlers.on_load.__get__(object()), inputs=["k"], request=None)
    assert inputs == ["k", None]


@pytest.mark.parametrize("client_id, expected", [(None, False), ("space-oauth-id", True)])
def test_login_button_only_on_spaces_with_oauth(monkeypatch, handlers, client_id, expected):
    from web.ui import build_ui

    as_on_space(monkeypatch, client_id)
    demo = build_ui(handlers.session, handlers.feedback, handlers.host, "secret")
    kinds = {type(block).__name__ for block in demo.blocks.values()}
    assert ("LoginButton" in kinds) is expected
    assert demo.expects_oauth is expected
    app = gr.routes.App.create_app(demo)
    paths = {getattr(route, "path", "") for route in app.routes}
    assert ("/login/huggingface" in paths) is expected


def test_off_zerogpu_spaces_gpu_hands_the_function_back():
    import chat.zerogpu as zerogpu

    def work():
        yield "token"

    spaces = pytest.importorskip("spaces")  # off ZeroGPU, spaces.GPU hands the function back
    assert list(zerogpu.on_gpu(work)()) == ["token"]


def test_a_reply_is_generated_inside_spaces_gpu(monkeypatch, tiny_model_dir, tmp_path):
    """On ZeroGPU the model's work for a reply must run inside `spaces.GPU`: the engine is asked
    for tokens while the decorated function runs, with the configured duration."""
    import importlib

    import chat.session
    import chat.zerogpu as zerogpu
    from chat.settings import TurnSettings

    spaces = pytest.importorskip("spaces")
    durations, inside, streamed_inside = [], [0], []

    def fake_gpu(duration=None):
        def wrap(fn):
            def on_gpu(*args, **kwargs):
                durations.append(duration)
                inside[0] += 1
                try:
                    yield from fn(*args, **kwargs)
                finally:
                    inside[0] -= 1
            return on_gpu
        return wrap

    host = ModelHost(str(tiny_model_dir), style="alma")
    host.start()
    assert host.wait(120).ready
    real_stream = host.engine.stream
    monkeypatch.setattr(host.engine, "stream",
                        lambda *a, **k: streamed_inside.append(inside[0] > 0) or real_stream(*a, **k))
    store = open_store(tmp_path / "chat.db")
    try:
        with monkeypatch.context() as m:
            m.setattr(spaces, "GPU", fake_gpu)
            session_module = importlib.reload(chat.session)  # wraps run_plan as at import on a Space
            session = session_module.ChatSession(store, host)
            user = store.ensure_user("anon:gpu")
            conv = store.create_conversation(user)
            replies = list(session.send(user, conv, "Guten Morgen.", TurnSettings(src="de", tgt="en",
                                                                                 max_new_tokens=4)))
        assert replies[-1].done and replies[-1].status == "complete"
        assert durations == [settings().gpu_seconds] and streamed_inside == [True]
    finally:
        importlib.reload(chat.session)
        store.close()


def test_the_page_loads_presets_only_unless_allowed(handlers, tmp_path):
    from chat.render import from_text

    notice, *_ = handlers.on_load_model(str(tmp_path))
    assert "Unknown model" in notice and "--allow-any-model" in from_text(notice)
    assert handlers.host.status().state == "loading" and handlers.host._thread is None  # nothing started


def test_a_model_that_fails_to_load_leaves_the_running_one(tiny_model_dir, tmp_path):
    host = ModelHost(str(tiny_model_dir), style="alma")
    host.start()
    assert host.wait(120).ready
    running = host.engine
    (tmp_path / "not-a-model").mkdir()
    host.start(str(tmp_path / "not-a-model"), style="alma")
    status = host.wait(60)
    assert status.ready and host.engine is running
    assert "still using" in status.message and "not-a-model" in status.message
    from web.views import status_markdown
    assert status.failed and status_markdown(host).startswith("🟠")  # not the green of success
    host.start(str(tiny_model_dir), style="parrot")  # and a good model still replaces it
    assert host.wait(120).ready and host.engine is not running
    assert host.engine.preset.style == "parrot"


def test_editing_your_own_message_puts_it_back_in_the_box(handlers):
    """Your own message edited is not refused: its new text goes to the input box to send."""
    user = handlers.on_load(new_browser_key())[1]
    store = handlers.session.store
    conv = store.create_conversation(user)
    asked = store.add_message(user, conv, "user", "Guten Morgen.")
    data = gr.EditData(None, {"index": 0, "value": "Guten Abend.", "previous_value": "Guten Morgen."})
    notice, selected, box = handlers.on_edit(user, [asked], {}, data)
    assert box == "Guten Abend." and "press Enter" in notice and not notice.startswith("⚠️")
    assert [m.content for m in store.messages(user, conv)] == ["Guten Morgen."]  # nothing changed


def test_deleting_a_conversation_says_its_pairs_stay(handlers):
    user = handlers.on_load(new_browser_key())[1]
    store = handlers.session.store
    conv = store.create_conversation(user)
    store.add_pair(user, prompt="Translate this from German to English:\nGerman: Hallo\nEnglish:",
                   chosen="Hello", rejected="Hi there", kind="edit", src="de", tgt="en", source="Hallo",
                   conversation_id=conv)
    conv_id, selected, notice = handlers.on_delete(user, conv)
    assert conv_id is None and "The preference pair made in it stays in your export" in notice
    assert store.list_conversations(user) == [] and store.count_pairs(user) == 1
