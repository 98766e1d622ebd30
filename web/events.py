"""How every page event answers: its outputs named once, and one error path.

An event's outputs are a ``NamedTuple`` class (``web/outputs.py``); ``ui.py`` builds the
event's output components from the same field names, so a handler sets ``notice=…`` and never
counts positions. ``@answers(Outputs)`` wraps a plain or a streaming handler: a known failure
(bad input, a model not ready, a foreign or stale id, a broken database) becomes a notice in the
``notice`` field (the other outputs unchanged, nothing typed lost); anything else is logged and
shown as "Something went wrong", never a Gradio error toast or a dead stream.
"""
from __future__ import annotations

import functools
import inspect
import logging

import gradio as gr

from chat.render import as_text
from chat.settings import UserError
from models import ModelError
from storage import NotFound, StorageError

log = logging.getLogger(__name__)
KNOWN_ERRORS = (UserError, NotFound, StorageError, ValueError, ModelError)  # the user can act on these


def warn(message: str) -> str:
    """A failure notice; the message often echoes user input (a model name, a code), so it
    is shown as text, never as HTML or Markdown."""
    return f"⚠️ {as_text(message)}"


def failure_notice(err: Exception, where: str, own_not_found: bool = False) -> str:
    """The notice for ``err``, raised by the handler named ``where``. A ``NotFound`` (a stale
    or foreign id) says only "That item does not exist." unless ``own_not_found`` (the campaign
    page's, whose messages are written for the annotator: "this link is not valid")."""
    if isinstance(err, NotFound) and not own_not_found:
        return warn("That item does not exist.")
    if isinstance(err, KNOWN_ERRORS):
        return warn(str(err))
    log.exception("handler %s failed", where, exc_info=err)
    return warn(f"Something went wrong: {err}")


def unchanged(outputs: type, **values):
    """An ``outputs`` value that changes nothing but ``values``."""
    return outputs(**{name: values.get(name, gr.update()) for name in outputs._fields})


def for_gradio(value):
    """What Gradio takes: a one-output event gets the bare value, others the tuple."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return value[0] if len(value) == 1 else tuple(value)
    return value


def answers(outputs: type, own_not_found: bool = False):
    """Decorate a handler whose outputs are ``outputs`` (a NamedTuple class); see
    ``failure_notice`` for ``own_not_found``."""
    if "notice" not in outputs._fields:
        raise TypeError(f"{outputs.__name__} has no notice field to show a failure in")

    def failed(err: Exception, name: str):
        return for_gradio(unchanged(outputs, notice=failure_notice(err, name, own_not_found)))

    def wrap(fn):
        if inspect.isgeneratorfunction(fn):  # Gradio streams only from generator functions
            @functools.wraps(fn)
            def streaming(*args, **kwargs):
                try:
                    for value in fn(*args, **kwargs):
                        yield for_gradio(value)
                except Exception as err:  # noqa: BLE001 - every failure becomes a notice
                    yield failed(err, fn.__name__)
            return streaming

        @functools.wraps(fn)
        def plain(*args, **kwargs):
            try:
                return for_gradio(fn(*args, **kwargs))
            except Exception as err:  # noqa: BLE001 - every failure becomes a notice
                return failed(err, fn.__name__)
        return plain
    return wrap
