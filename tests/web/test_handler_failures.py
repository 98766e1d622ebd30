"""One error path on the page: every handler, driven with a session layer whose every call
fails, answers with a notice (a warning in the page), never an exception (Gradio's error toast)
or a stream that dies. Plain and streaming handlers alike, through ``web.events.answers``."""
from __future__ import annotations

import inspect
from types import SimpleNamespace

import gradio as gr
import pytest

from models import ModelError
from storage import StorageError
from web import outputs as out
from web.events import for_gradio
from web.documents_panel import DocumentPanel
from web.glossary_panel import GlossaryPanel
from web.handlers import Handlers


class Broken:
    """Every method of the session layer raises ``error``."""

    def __init__(self, error: Exception):
        self.error = error

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise self.error
        return fail


CONTROLS = ("auto", "en", "none", "", "translate", 0, -0.05, 1.0, 0, "")
EVENT = SimpleNamespace(index=0, liked=True, value="x", previous_value="")
ARGS = {  # handler -> its Gradio inputs
    "on_load": (None,), "on_tick": ("auto", "en", None), "on_load_model": ("smollm2",),
    "on_send": ("Hallo Welt", 1, 5, *CONTROLS, {}), "on_retry": (1, 5, *CONTROLS, [7], {}),
    "on_resource": (1, 5, *CONTROLS, [7], {}, "de"), "on_stop": (1, 5), "on_contrast": (1, 5, *CONTROLS, [7], {}),
    "on_like": (1, [7], EVENT), "on_reasons": (1, 7, ["omission"], ""), "on_edit": (1, [7], {}, EVENT),
    "on_refresh": (1, 5, {}), "on_new": (1,), "on_clear": (1,), "on_open": (1, 5), "on_search": (1, "q", 5),
    "on_rename": (1, 5, "t"), "on_delete": (1, 5), "on_export": (1,), "on_swap": ("de", "en"),
    "on_pick": (1, [7, 8], 0.0), "on_browse": (1, 5, {}),
    "on_document": ("UPLOAD.txt", 1, *CONTROLS), "on_download_again": (1, 5, None),
    "on_list": (1, ""), "on_import": (1, "UPLOAD.csv", "bau", "de", "en", False),
}
OUTPUTS = {"on_load": out.Loaded, "on_tick": out.Tick, "on_load_model": out.ModelLoad, "on_send": out.Sent,
           "on_retry": out.Regenerated, "on_resource": out.Retranslated, "on_stop": out.Notice,
           "on_contrast": out.Contrasted, "on_like": out.Liked, "on_reasons": out.Reasons, "on_edit": out.Edited,
           "on_refresh": out.View, "on_new": out.Started, "on_clear": out.Started, "on_open": out.Opened,
           "on_search": out.Conversations, "on_rename": out.Notice, "on_delete": out.Started,
           "on_export": out.Exported, "on_swap": out.Swapped, "on_pick": out.Notice, "on_browse": out.Selection,
           "on_document": out.DocumentTranslated, "on_download_again": out.DocumentFile, "on_list": out.Glossaries,
           "on_import": out.GlossaryImported}


def handlers(error: Exception) -> dict:
    h = Handlers(Broken(error), Broken(error), Broken(error))
    h.conversations = Broken(error)
    found = {name: getattr(h, name) for name in dir(h) if name.startswith("on_")}
    found["on_pick"] = h.pick_handler("a")
    found["on_browse"] = h.browse_handler(1)
    for panel in (DocumentPanel(h), GlossaryPanel(Broken(error))):  # the page's other events
        found.update({name: getattr(panel, name) for name in dir(panel) if name.startswith("on_")})
    return found


def last_answer(fn, args):
    result = fn(*args)
    if inspect.isgenerator(result):
        answers = list(result)
        assert answers, "the stream ended without an answer"
        return answers[-1]
    return result


def test_every_handler_is_listed():
    assert set(handlers(RuntimeError())) == set(ARGS) == set(OUTPUTS)


@pytest.mark.parametrize("error", [RuntimeError("boom"), ModelError("the model process stopped (SIGSEGV)"),
                                   StorageError("database is locked")], ids=["unexpected", "model", "storage"])
def test_every_handler_turns_a_failure_into_a_notice(error, tmp_path, monkeypatch):
    for name, ext, data in (("on_document", "txt", "Hallo Welt."), ("on_import", "csv", "Haus,house\n")):
        (tmp_path / f"upload.{ext}").write_text(data)  # a good upload: the failure is the session's
        monkeypatch.setitem(ARGS, name, tuple(str(tmp_path / f"upload.{ext}") if a == f"UPLOAD.{ext}" else a
                                              for a in ARGS[name]))
    quiet = {"on_swap", "on_clear", "on_new"}  # they call nothing that can fail
    for name, fn in handlers(error).items():
        if name in quiet:
            continue
        answer = last_answer(fn, ARGS[name])
        outputs = OUTPUTS[name]
        values = answer if len(outputs._fields) > 1 else (answer,)
        assert len(values) == len(outputs._fields), name
        notice = values[outputs._fields.index("notice")]
        assert isinstance(notice, str) and notice.startswith("⚠️"), (name, notice)
        expected = "Something went wrong: boom" if isinstance(error, RuntimeError) else str(error)
        assert expected in notice, (name, notice)


def test_one_output_events_get_the_bare_value():
    assert for_gradio(out.Notice("hi")) == "hi"
    assert for_gradio(out.Swapped(1, 2, "")) == (1, 2, "")
    assert isinstance(for_gradio(out.Notice(gr.update())), dict)
