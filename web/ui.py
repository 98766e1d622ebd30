"""The Gradio page: thin wiring from components to the session layer."""
from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from models import PRESETS

from chat.feedback import REASONS, Feedback
from web import outputs as out
from web.handlers import CONTROL_NAMES, Handlers
from chat.model_host import ModelHost
from chat.session import ChatSession
from chat.settings import AUTO
from web.views import PARROT_HINT_CHOICES, language_choices
from web.document_files import MAX_DOCUMENT_BYTES
from web.documents_panel import DocumentPanel
from web.glossary_panel import NONE as NO_GLOSSARY, GlossaryPanel
from chat.zerogpu import oauth_enabled
from documents import supported_text

CSS = """
#chat .message-wrap em:first-child { opacity: .7; font-size: .85em; }
#notice:empty { display: none; }
.nav-holder { display: none; }  /* other pages (/campaign) are reached by link, not a menu */
#doc-progress progress { width: 50%; vertical-align: middle; }
#doc-preview table { width: 100%; font-size: .9em; }
#doc-preview td:first-child { opacity: .6; }
"""


class Page(SimpleNamespace):
    """The page's components by name (the names ``web/outputs.py`` fields use)."""

    def pick(self, names) -> list:
        """The components named by ``names``: field names, or a NamedTuple class of outputs."""
        return [getattr(self, n) for n in getattr(names, "_fields", names)]


def _sidebar(p: Page) -> None:
    with gr.Sidebar(label="Conversations"):
        if oauth_enabled():
            gr.LoginButton(elem_id="login")
        p.new_btn = gr.Button("+ New conversation", elem_id="new-conv")
        p.search = gr.Textbox(placeholder="Search conversations…", show_label=False, elem_id="search")
        p.convs = gr.Radio(choices=[], show_label=False, elem_id="conversations")
        with gr.Accordion("Rename or delete", open=False):
            p.title_box = gr.Textbox(label="Title", elem_id="title-box")
            with gr.Row():
                p.rename_btn = gr.Button("Rename", size="sm")
                p.delete_btn = gr.Button("Delete", size="sm", variant="stop")
        p.pairs_md = gr.Markdown(elem_id="pair-count")
        p.export_btn = gr.Button("Export my preference pairs", size="sm", elem_id="export")
        p.export_file = gr.File(label="TRL JSONL", visible=False, elem_id="export-file")


def _controls(p: Page) -> None:
    """Languages, hint, mode; the input row; the alternatives row."""
    src_choices, tgt_choices = language_choices(None)
    with gr.Row(equal_height=True):
        p.src = gr.Dropdown(src_choices, value=AUTO, label="From", elem_id="src", scale=2)
        p.swap_btn = gr.Button("⇄", elem_id="swap", scale=0, min_width=48)
        p.tgt = gr.Dropdown(tgt_choices, value="en", label="To", elem_id="tgt", scale=2)
        p.hint_parrot = gr.Dropdown(PARROT_HINT_CHOICES, value="none", label="Hint", visible=False,
                                    elem_id="hint", scale=2, min_width=80)  # one of the two hints shows
        p.hint_free = gr.Textbox(label="Hint (glossary, register…)", visible=False, elem_id="hint-free",
                                 placeholder="e.g. formal register; Vertrag = contract", scale=3)
        p.mode = gr.Radio([("Translate", "translate"), ("Chat", "chat")], value="translate", label="Mode",
                          elem_id="mode", scale=2, min_width=120)
        p.glossary = gr.Dropdown([NO_GLOSSARY], value="", label="Glossary", elem_id="glossary", scale=2,
                                 min_width=120)
    with gr.Row(equal_height=True):
        p.text = gr.Textbox(placeholder="Text to translate… (Enter sends, Shift+Enter adds a line)",
                            show_label=False, lines=1, max_lines=12, scale=8, elem_id="input")
        p.send_btn = gr.Button("Send", variant="primary", scale=1, elem_id="send")
        p.stop_btn = gr.Button("Stop", variant="stop", scale=1, elem_id="stop")
    with gr.Row():
        p.prev_btn = gr.Button("◀ previous alternative", size="sm", elem_id="prev-alt", scale=1, min_width=150)
        p.next_btn = gr.Button("next alternative ▶", size="sm", elem_id="next-alt", scale=1, min_width=150)
        p.resrc = gr.Dropdown(src_choices[1:], value=None, label="Wrong source language? Translate again from",
                              elem_id="resrc", scale=2)
        p.contrast_btn = gr.Button("Hint contrast (major errors)", size="sm", visible=False, elem_id="contrast")


def _documents(p: Page) -> None:
    """A translator's file in (the languages, hint and glossary above), progress, preview, file out."""
    with gr.Accordion("Translate a document", open=False, elem_id="documents"):
        with gr.Row(equal_height=True):
            p.doc_upload = gr.File(label=f"Document ({supported_text()}; up to {MAX_DOCUMENT_BYTES // 2**20} MiB)",
                                   type="filepath", height=140, elem_id="doc-upload", scale=3)
            with gr.Column(scale=1, min_width=200):
                p.doc_btn = gr.Button("Translate document", variant="primary", elem_id="doc-translate")
                p.doc_again_btn = gr.Button("Download again (with my corrections)", size="sm", elem_id="doc-again")
        p.doc_progress = gr.HTML(elem_id="doc-progress")
        p.doc_preview = gr.HTML(elem_id="doc-preview")
        p.doc_file = gr.File(label="Translated file", visible=False, interactive=False, elem_id="doc-file")


def _glossaries(p: Page) -> None:
    """Import a CSV or TBX glossary; the selector is among the turn controls."""
    src_choices, tgt_choices = language_choices(None)
    with gr.Accordion("Import a glossary", open=False, elem_id="glossaries"):
        with gr.Row(equal_height=True):
            p.glossary_upload = gr.File(label="CSV (source,target[,note]) or TBX", type="filepath", height=130,
                                        elem_id="glossary-upload", scale=2)
            p.glossary_name = gr.Textbox(label="Name (default: the file's)", elem_id="glossary-name", scale=1)
            p.glossary_src = gr.Dropdown(src_choices[1:], value=None, label="From", elem_id="glossary-src", scale=1)
            p.glossary_tgt = gr.Dropdown(tgt_choices, value=None, label="To", elem_id="glossary-tgt", scale=1)
        with gr.Row():
            p.glossary_replace = gr.Checkbox(label="Replace my glossary of that name", elem_id="glossary-replace")
            p.glossary_btn = gr.Button("Import glossary", size="sm", elem_id="glossary-import")


def _feedback(p: Page) -> None:
    """Which is better, what is wrong, and the model and decoding settings."""
    with gr.Group(visible=False, elem_id="compare") as p.compare_box:
        gr.Markdown("**Which is better?**")
        with gr.Row():
            p.alt_a = gr.Textbox(label="A", interactive=False, elem_id="alt-a")
            p.alt_b = gr.Textbox(label="B", interactive=False, elem_id="alt-b")
        with gr.Row():
            p.pick_btns = {value: gr.Button(label, size="sm", elem_id=f"pick-{value}") for label, value in
                           (("A is better", "a"), ("B is better", "b"), ("Tie", "tie"), ("Both bad", "both-bad"))}
    with gr.Group(visible=False, elem_id="reasons-box") as p.reasons_box:
        p.reasons = gr.CheckboxGroup(list(REASONS), label="What is wrong?", elem_id="reasons")
        p.comment = gr.Textbox(label="Comment (optional)", elem_id="comment")
        p.save_reasons = gr.Button("Save feedback", size="sm", elem_id="save-reasons")
    with gr.Accordion("Model and decoding", open=False, elem_id="settings"):
        with gr.Row():
            p.preset = gr.Dropdown(sorted(PRESETS), value=None, label="Model preset", allow_custom_value=True,
                                   elem_id="preset")
            p.load_btn = gr.Button("Load model", size="sm", elem_id="load-model")
        with gr.Row():
            p.beams = gr.Slider(0, 8, step=1, value=0, label="Beams (0 = preset default)", elem_id="beams")
            p.temperature = gr.Slider(-0.05, 1.5, step=0.05, value=-0.05, elem_id="temperature",
                                      label="Temperature (-0.05 = preset default, 0 = greedy)")
            p.top_p = gr.Slider(0.05, 1.0, step=0.05, value=1.0, label="Top-p", elem_id="top-p")
            p.max_new = gr.Slider(0, 1024, step=16, value=0, label="Max new tokens (0 = preset default)",
                                  elem_id="max-new")


def build_ui(session: ChatSession, feedback: Feedback, host: ModelHost, secret: str,
             title: str = "Hint-regulated translation chat", allow_any_model: bool = False) -> gr.Blocks:
    """The whole page; every event goes through `Handlers`."""
    h = Handlers(session, feedback, host, allow_any_model)
    p = Page()
    with gr.Blocks(title=title, fill_height=True) as demo:
        p.user_key = gr.BrowserState(None, storage_key="hintmt-user", secret=secret)
        p.user_id, p.conv_id, p.ids, p.selected = gr.State(None), gr.State(None), gr.State([]), gr.State({})
        p.compare_ids, p.rated_id, p.compare_since = gr.State([]), gr.State(None), gr.State(0.0)
        _sidebar(p)
        gr.Markdown(f"## {title}")
        p.status_md = gr.Markdown("⏳ loading model…", elem_id="model-status")
        p.chatbot = gr.Chatbot(elem_id="chat", editable="all", height="55vh", feedback_options=("Like", "Dislike"),
                               buttons=["copy"], placeholder="Write text in any language: it is translated as you send it.")
        p.notice = gr.Markdown(elem_id="notice")
        _controls(p)
        _documents(p)
        _glossaries(p)
        _feedback(p)
        p.timer = gr.Timer(1.0)
        loaded = _wire(demo, p, h)
        _wire_panels(loaded, p, h, DocumentPanel(h), GlossaryPanel(session.store))
    demo.queue(default_concurrency_limit=8)
    return demo


def _wire(demo: gr.Blocks, p: Page, h: Handlers):
    """Every chat event: its handler, inputs and named outputs; most refresh the view afterwards.
    Returns the page load's event (what runs once the user is known follows it)."""
    turn = p.pick(["user_id", "conv_id", *CONTROL_NAMES])  # then Handlers' with_controls groups them
    gen = dict(concurrency_limit=4, concurrency_id="generation")
    view_of = p.pick(["user_id", "conv_id", "selected"])

    def refresh_after(event):
        return event.then(h.on_refresh, view_of, p.pick(out.View))

    def lock(interactive: bool):
        return lambda: (gr.update(interactive=interactive),) * 3

    loaded = demo.load(h.on_load, [p.user_key], p.pick(out.Loaded))
    p.timer.tick(h.on_tick, p.pick(["src", "tgt", "preset"]), p.pick(out.Tick), show_progress="hidden")
    switching = p.pick(["convs", "new_btn", "delete_btn"])  # locked while a reply streams into this view
    for trigger in (p.text.submit, p.send_btn.click):
        trigger(lock(False), None, switching, queue=False, api_name=False)
        refresh_after(trigger(h.on_send, [p.text, *turn, p.selected], p.pick(out.Sent), **gen)).then(
            lock(True), None, switching, api_name=False)
    p.stop_btn.click(h.on_stop, p.pick(["user_id", "conv_id"]), p.pick(out.Notice), queue=False)
    refresh_after(p.chatbot.retry(h.on_retry, [*turn, p.ids, p.selected], p.pick(out.Regenerated), **gen))
    refresh_after(p.resrc.select(h.on_resource, [*turn, p.ids, p.selected, p.resrc], p.pick(out.Retranslated),
                                 **gen))
    refresh_after(p.chatbot.like(h.on_like, [p.user_id, p.ids], p.pick(out.Liked)))
    p.save_reasons.click(h.on_reasons, p.pick(["user_id", "rated_id", "reasons", "comment"]), p.pick(out.Reasons))
    refresh_after(p.chatbot.edit(h.on_edit, p.pick(["user_id", "ids", "selected"]), p.pick(out.Edited)))
    for value, btn in p.pick_btns.items():
        refresh_after(btn.click(h.pick_handler(value), p.pick(["user_id", "compare_ids", "compare_since"]),
                                p.pick(out.Notice)))
    refresh_after(p.contrast_btn.click(h.on_contrast, [*turn, p.ids, p.selected], p.pick(out.Contrasted), **gen))
    for btn, step in ((p.prev_btn, -1), (p.next_btn, 1)):
        refresh_after(btn.click(h.browse_handler(step), view_of, p.pick(out.Selection)))
    p.swap_btn.click(h.on_swap, p.pick(["src", "tgt"]), p.pick(out.Swapped))
    for trigger, start in ((p.new_btn.click, h.on_new), (p.chatbot.clear, h.on_clear)):
        refresh_after(trigger(start, [p.user_id], p.pick(out.Started)))
    refresh_after(p.convs.input(h.on_open, p.pick(["user_id", "convs"]), p.pick(out.Opened)))
    p.search.change(h.on_search, p.pick(["user_id", "search", "conv_id"]), p.pick(out.Conversations),
                    show_progress="hidden")
    refresh_after(p.rename_btn.click(h.on_rename, p.pick(["user_id", "conv_id", "title_box"]), p.pick(out.Notice)))
    refresh_after(p.delete_btn.click(h.on_delete, p.pick(["user_id", "conv_id"]), p.pick(out.Started)))
    p.export_btn.click(h.on_export, [p.user_id], p.pick(out.Exported))
    p.load_btn.click(h.on_load_model, [p.preset], p.pick(out.ModelLoad))
    return loaded


def _wire_panels(loaded, p: Page, h: Handlers, docs: DocumentPanel, glossaries: GlossaryPanel) -> None:
    """The document panel and the glossary import (the selector is a turn control; its choices
    follow the page load, once the user is known)."""
    switching = p.pick(["convs", "new_btn", "delete_btn"])  # locked while a document is translated
    loaded.then(glossaries.on_list, p.pick(["user_id", "glossary"]), p.pick(out.Glossaries))
    p.doc_btn.click(lambda: (gr.update(interactive=False),) * 3, None, switching, queue=False, api_name=False).then(
        docs.on_document, p.pick(["doc_upload", "user_id", *CONTROL_NAMES]), p.pick(out.DocumentTranslated),
        concurrency_limit=4, concurrency_id="generation").then(
        h.on_refresh, p.pick(["user_id", "conv_id", "selected"]), p.pick(out.View)).then(
        lambda: (gr.update(interactive=True),) * 3, None, switching, api_name=False)
    p.doc_again_btn.click(docs.on_download_again, p.pick(["user_id", "conv_id", "doc_upload"]), p.pick(out.DocumentFile))
    p.glossary_btn.click(glossaries.on_import, p.pick(["user_id", "glossary_upload", "glossary_name", "glossary_src",
                                                       "glossary_tgt", "glossary_replace"]), p.pick(out.GlossaryImported))


def launch(demo: gr.Blocks, host: str, port: int, share: bool = False,
           routes: list | None = None, middleware: list | None = None, lifespan=None) -> None:
    """Serve the page (blocking); ``routes`` (e.g. the HTTP APIs') are served by the same
    FastAPI app, ahead of the page's own routes, behind ``middleware`` (Starlette's);
    ``lifespan``: the app's start-up and shut-down (Starlette's)."""
    app_kwargs = {"routes": list(routes or []), "middleware": list(middleware or []), "lifespan": lifespan}
    demo.launch(server_name=host, server_port=port, share=share, css=CSS,
                show_error=True, footer_links=["gradio", "settings"],
                app_kwargs={k: v for k, v in app_kwargs.items() if v} or None)
