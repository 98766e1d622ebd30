"""The page's glossary events: the selector's choices (the user's glossaries; none by default) and
importing a CSV or TBX file as one of them (`chat/glossaries.py`). The selected name is the
``glossary`` field of the turn controls, so chat turns and document jobs both use it."""
from __future__ import annotations


import gradio as gr

from chat.glossaries import import_glossary, list_glossaries
from chat.glossary_files import MAX_BYTES
from chat.render import as_text
from chat.settings import UserError
from prompts import language_name
from web import outputs as out
from web.document_files import read_upload
from web.events import answers

NONE = ("No glossary", "")  # the selector's first choice; "" means no glossary for the turn


class GlossaryPanel:
    """The glossary events over one store."""

    def __init__(self, store):
        self.store = store

    def choices(self, user_id) -> list[tuple[str, str]]:
        """(label, name) for each of the user's glossaries, after "No glossary"."""
        if user_id is None:
            return [NONE]
        return [NONE] + [(f"{g.name} ({language_name(g.src)} → {language_name(g.tgt)}, {g.terms} terms)", g.name)
                         for g in list_glossaries(self.store, user_id)]

    @answers(out.Glossaries)
    def on_list(self, user_id, current=None):
        """The selector's choices (at load); the current pick stays if the user still has it."""
        choices = self.choices(user_id)
        keep = current if current in {name for _, name in choices} else ""
        return out.Glossaries(gr.update(choices=choices, value=keep), gr.update())

    @answers(out.GlossaryImported)
    def on_import(self, user_id, path, name, src, tgt, replace=False):
        """Store the uploaded file as the user's glossary ``name`` (the file's name without its
        extension when empty) and select it; a bad file stores nothing."""
        file = read_upload(path, "glossary file", MAX_BYTES)
        name = " ".join((name or "").split()) or file.stem
        if not src or not tgt:
            raise UserError("Pick the glossary's source and target languages.")
        info = import_glossary(self.store, user_id, name, src, tgt, data=file.read_bytes(),
                               filename=file.name, replace=bool(replace))
        return out.GlossaryImported(
            glossary=gr.update(choices=self.choices(user_id), value=info.name), glossary_upload=None,
            glossary_name="", notice=f"ℹ️ Glossary {as_text(info.name)} imported: {info.terms} terms, "
                                     f"{language_name(info.src)} → {language_name(info.tgt)}. It is selected "
                                     "for your next translations.")
