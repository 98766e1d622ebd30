"""The outputs of the chat page's events, named once. Each field is the name of a component of
``ui.Page``; ``ui.py`` builds an event's output list from these fields and the handler fills
them by name. The order of the fields is the order API clients (``gradio_client``) see. Every
event has a ``notice``, where ``@answers`` shows a failure."""
from __future__ import annotations

from typing import Any, NamedTuple


class View(NamedTuple):
    """Everything that depends on the stored conversation (refreshed after most events)."""

    chatbot: Any
    ids: Any
    compare_box: Any
    alt_a: Any
    alt_b: Any
    compare_ids: Any
    compare_since: Any
    pairs_md: Any
    contrast_btn: Any
    convs: Any
    title_box: Any
    notice: Any


# The page opened: who the user is, their newest conversation (the view without the contrast
# button, whose visibility follows the model), the model's state.
Loaded = NamedTuple("Loaded", [(name, Any) for name in (
    "user_key", "user_id", "conv_id", "selected", "convs", "title_box", "status_md", "src", "tgt", "hint_parrot",
    "hint_free", *(f for f in View._fields if f not in ("contrast_btn", "convs", "title_box", "notice")),
    "preset", "notice")])


class Tick(NamedTuple):
    status_md: Any
    src: Any
    tgt: Any
    hint_parrot: Any
    hint_free: Any
    timer: Any
    preset: Any
    notice: Any


class ModelLoad(NamedTuple):
    notice: Any
    status_md: Any
    timer: Any


class Sent(NamedTuple):
    text: Any
    notice: Any
    chatbot: Any
    ids: Any
    conv_id: Any


class Regenerated(NamedTuple):
    notice: Any
    chatbot: Any
    selected: Any


class Retranslated(NamedTuple):
    notice: Any
    chatbot: Any
    selected: Any
    resrc: Any


class Notice(NamedTuple):
    notice: Any


class Contrasted(NamedTuple):
    notice: Any
    selected: Any


class Liked(NamedTuple):
    notice: Any
    reasons_box: Any
    rated_id: Any
    reasons: Any
    comment: Any


class Reasons(NamedTuple):
    notice: Any
    reasons_box: Any


class Edited(NamedTuple):
    notice: Any
    selected: Any
    text: Any


class Selection(NamedTuple):
    selected: Any
    notice: Any


class Started(NamedTuple):
    """A new (or no) conversation is open."""

    conv_id: Any
    selected: Any
    notice: Any


class Opened(NamedTuple):
    conv_id: Any
    selected: Any
    src: Any
    tgt: Any
    mode: Any
    notice: Any


class Conversations(NamedTuple):
    convs: Any
    notice: Any


class Exported(NamedTuple):
    export_file: Any
    notice: Any


class Swapped(NamedTuple):
    src: Any
    tgt: Any
    notice: Any


class DocumentTranslated(NamedTuple):
    """A document's job as it goes: progress bar, preview, the file once done, its conversation."""

    doc_progress: Any
    doc_preview: Any
    doc_file: Any
    conv_id: Any
    selected: Any
    notice: Any


class DocumentFile(NamedTuple):
    doc_file: Any
    notice: Any


class Glossaries(NamedTuple):
    glossary: Any
    notice: Any


class GlossaryImported(NamedTuple):
    glossary: Any
    glossary_upload: Any
    glossary_name: Any
    notice: Any
