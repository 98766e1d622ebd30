"""The page's document events: a translator's file in (the chat's languages, hint and glossary),
its segments translated as turns of one new conversation with a progress bar and a preview of
the first segments as they come, the translated file out, and "Download again" with the user's
corrections (`documents/job.py` does the work; `web/document_files.py` keeps the files)."""
from __future__ import annotations

import html

import gradio as gr

from chat.render import as_text
from chat.settings import UserError
from documents import DocumentError
from documents.job import RECORD, DocumentJob, JobFailed
from web import outputs as out
from web.document_files import (hand_out, open_upload, originals_folder, sweep_originals,
                                translated_name)
from web.events import answers, warn
from web.handlers import Controls, Handlers, with_controls

PREVIEW_ROWS = 8  # segments shown under the progress bar


def progress_html(done: int, total: int, what: str = "Translating") -> str:
    """A progress bar with its count."""
    return (f'<div class="doc-progress"><progress value="{done}" max="{max(total, 1)}"></progress> '
            f"{html.escape(what)}: {done} of {total} segment{'s' if total != 1 else ''}</div>")


def preview_html(rows) -> str:
    """The first `PREVIEW_ROWS` segments: source → translation (… while untranslated), as text."""
    lines = ['<table class="doc-preview"><thead><tr><th>#</th><th>Source</th><th>Translation</th>'
             "</tr></thead><tbody>"]
    for n, row in enumerate(rows[:PREVIEW_ROWS], 1):
        shown = "<em>…</em>" if row.translation is None else html.escape(row.translation)
        lines.append(f"<tr><td>{n}</td><td>{html.escape(row.segment.text)}</td><td>{shown}</td></tr>")
    if len(rows) > PREVIEW_ROWS:
        lines.append(f'<tr><td colspan="3">… {len(rows) - PREVIEW_ROWS} more: every segment is a turn '
                     "of the conversation, to rate, regenerate or correct</td></tr>")
    return "\n".join(lines + ["</tbody></table>"])


class DocumentPanel:
    """The document events over the chat page's `Handlers` (its session and model settings)."""

    def __init__(self, handlers: Handlers):
        self.handlers = handlers
        self.session, self.conversations = handlers.session, handlers.conversations

    @with_controls(2)
    @answers(out.DocumentTranslated)
    def on_document(self, path, user_id, controls: Controls):
        """Translate the uploaded document; bad input is refused before anything is stored."""
        document = open_upload(path)
        folder = originals_folder(self.conversations, user_id)
        sweep_originals(self.conversations, user_id)
        job = DocumentJob.start(self.session, user_id, document, self.handlers._settings(controls),
                                originals=folder)
        seen = [0, len(job.segments)]

        def progress(done: int, total: int) -> None:
            seen[:] = [done, total]

        def step(file=gr.update(), notice="", what="Translating"):
            return out.DocumentTranslated(progress_html(*seen, what), preview_html(job.rows()), file,
                                          job.conv_id, {}, notice)

        yield step(gr.update(value=None, visible=False))
        size, left = max(1, self.session.engine().batch_size), len(job.todo())
        try:
            while left:
                now = job.run(progress=progress, limit=size)
                yield step()
                left = 0 if now >= left else now  # a segment that got no text is not sent forever
        except JobFailed as err:
            yield step(notice=warn(f"{err}. The segments translated before it are in the conversation."),
                       what="Stopped")
            return
        untranslated = len(job.todo())
        path = hand_out(translated_name(document.filename, job.record.get("tgt")), job.write())
        kept = f" {untranslated} got no translation and keep their text." if untranslated else ""
        yield step(gr.update(value=path, visible=True), what="Done",
                   notice=f"ℹ️ {as_text(document.filename)}: {len(job.segments) - untranslated} "
                          f"segment(s) translated, each a turn of this conversation.{kept}")

    @answers(out.DocumentFile)
    def on_download_again(self, user_id, conv_id, path=None):
        """The open conversation's document written again with the user's corrections; the
        original kept at its translation, else the same file uploaded again."""
        if conv_id is None:
            raise UserError("Open a document's conversation first (it is titled with the file's name).")
        record = (self.conversations.settings(user_id, conv_id) or {}).get(RECORD)  # NotFound if not theirs
        if not isinstance(record, dict):
            raise UserError("This conversation is not a document's: open one titled with a file's name.")
        try:
            job = DocumentJob.open(self.session, user_id, conv_id,
                                   originals=originals_folder(self.conversations, user_id))
        except DocumentError:
            if not path:
                raise UserError(f"The original of {record.get('name')} is no longer kept: upload it "
                                "again above and press Download again.") from None
            job = DocumentJob.open(self.session, user_id, conv_id, open_upload(path))
        path = hand_out(translated_name(job.document.filename, job.record.get("tgt")), job.write())
        return out.DocumentFile(gr.update(value=path, visible=True),
                                f"ℹ️ {as_text(job.document.filename)} written again with your corrections.")
