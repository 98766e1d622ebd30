"""The Gradio page: thin wiring from components to the session layer."""
from __future__ import annotations

import gradio as gr

from models import PRESETS

from chat.feedback import REASONS, Feedback
from web.handlers import Handlers
from chat.model_host import ModelHost
from chat.session import ChatSession
from chat.settings import AUTO
from web.views import PARROT_HINT_CHOICES, language_choices
from chat.zerogpu import oauth_enabled

CSS = """
#chat .message-wrap em:first-child { opacity: .7; font-size: .85em; }
#notice:empty { display: none; }
.nav-holder { display: none; }  /* other pages (/campaign) are reached by link, not a menu */
"""


def build_ui(session: ChatSession, feedback: Feedback, host: ModelHost, secret: str,
             title: str = "Hint-regulated translation chat", allow_any_model: bool = False) -> gr.Blocks:
    """The whole page; every event goes through `Handlers`."""
    h = Handlers(session, feedback, host, allow_any_model)
    src_choices, tgt_choices = language_choices(None)
    with gr.Blocks(title=title, fill_height=True) as demo:
        user_key = gr.BrowserState(None, storage_key="hintmt-user", secret=secret)
        user_id, conv_id = gr.State(None), gr.State(None)
        ids, selected, compare_ids = gr.State([]), gr.State({}), gr.State([])
        rated_id, compare_since = gr.State(None), gr.State(0.0)

        with gr.Sidebar(label="Conversations"):
            if oauth_enabled():
                gr.LoginButton(elem_id="login")
            new_btn = gr.Button("+ New conversation", elem_id="new-conv")
            search = gr.Textbox(placeholder="Search conversations…", show_label=False,
                                elem_id="search")
            convs = gr.Radio(choices=[], show_label=False, elem_id="conversations")
            with gr.Accordion("Rename or delete", open=False):
                title_box = gr.Textbox(label="Title", elem_id="title-box")
                with gr.Row():
                    rename_btn = gr.Button("Rename", size="sm")
                    delete_btn = gr.Button("Delete", size="sm", variant="stop")
            pairs_md = gr.Markdown(elem_id="pair-count")
            export_btn = gr.Button("Export my preference pairs", size="sm", elem_id="export")
            export_file = gr.File(label="TRL JSONL", visible=False, elem_id="export-file")

        gr.Markdown(f"## {title}")
        status_md = gr.Markdown("⏳ loading model…", elem_id="model-status")
        chatbot = gr.Chatbot(elem_id="chat", editable="all", height="55vh",
                             feedback_options=("Like", "Dislike"), buttons=["copy"],
                             placeholder="Write text in any language: it is translated as you send it.")
        notice = gr.Markdown(elem_id="notice")
        with gr.Row(equal_height=True):
            src = gr.Dropdown(src_choices, value=AUTO, label="From", elem_id="src", scale=2)
            swap_btn = gr.Button("⇄", elem_id="swap", scale=0, min_width=48)
            tgt = gr.Dropdown(tgt_choices, value="en", label="To", elem_id="tgt", scale=2)
            hint_parrot = gr.Dropdown(PARROT_HINT_CHOICES, value="none", label="Hint",
                                      visible=False, elem_id="hint", scale=2)
            hint_free = gr.Textbox(label="Hint (glossary, register…)", visible=False,
                                   placeholder="e.g. formal register; Vertrag = contract",
                                   elem_id="hint-free", scale=3)
            mode = gr.Radio([("Translate", "translate"), ("Chat", "chat")], value="translate",
                            label="Mode", elem_id="mode", scale=2)
        with gr.Row(equal_height=True):
            text = gr.Textbox(placeholder="Text to translate… (Enter sends, Shift+Enter adds a line)",
                              show_label=False, lines=1, max_lines=12, scale=8, elem_id="input")
            send_btn = gr.Button("Send", variant="primary", scale=1, elem_id="send")
            stop_btn = gr.Button("Stop", variant="stop", scale=1, elem_id="stop")
        with gr.Row():
            prev_btn = gr.Button("◀ previous alternative", size="sm", elem_id="prev-alt", scale=1,
                                 min_width=150)
            next_btn = gr.Button("next alternative ▶", size="sm", elem_id="next-alt", scale=1,
                                 min_width=150)
            resrc = gr.Dropdown(src_choices[1:], value=None, label="Wrong source language? Translate again from",
                                elem_id="resrc", scale=2)
            contrast_btn = gr.Button("Hint contrast (major errors)", size="sm", visible=False,
                                     elem_id="contrast")
        with gr.Group(visible=False, elem_id="compare") as compare_box:
            gr.Markdown("**Which is better?**")
            with gr.Row():
                alt_a = gr.Textbox(label="A", interactive=False, elem_id="alt-a")
                alt_b = gr.Textbox(label="B", interactive=False, elem_id="alt-b")
            with gr.Row():
                pick_btns = [gr.Button(label, size="sm", elem_id=f"pick-{value}")
                             for label, value in (("A is better", "a"), ("B is better", "b"),
                                                  ("Tie", "tie"), ("Both bad", "both-bad"))]
        with gr.Group(visible=False, elem_id="reasons-box") as reasons_box:
            reasons = gr.CheckboxGroup(list(REASONS), label="What is wrong?", elem_id="reasons")
            comment = gr.Textbox(label="Comment (optional)", elem_id="comment")
            save_reasons = gr.Button("Save feedback", size="sm", elem_id="save-reasons")
        with gr.Accordion("Model and decoding", open=False, elem_id="settings"):
            with gr.Row():
                preset = gr.Dropdown(sorted(PRESETS), value=None, label="Model preset",
                                     allow_custom_value=True, elem_id="preset")
                load_btn = gr.Button("Load model", size="sm", elem_id="load-model")
            with gr.Row():
                beams = gr.Slider(0, 8, step=1, value=0, label="Beams (0 = preset default)", elem_id="beams")
                temperature = gr.Slider(-0.05, 1.5, step=0.05, value=-0.05,
                                        label="Temperature (-0.05 = preset default, 0 = greedy)",
                                        elem_id="temperature")
                top_p = gr.Slider(0.05, 1.0, step=0.05, value=1.0, label="Top-p", elem_id="top-p")
                max_new = gr.Slider(0, 1024, step=16, value=0, label="Max new tokens (0 = preset default)",
                                    elem_id="max-new")
        timer = gr.Timer(1.0)

        turn_inputs = [user_id, conv_id, src, tgt, hint_parrot, hint_free, mode, beams,
                       temperature, top_p, max_new]
        view_outputs = [chatbot, ids, compare_box, alt_a, alt_b, compare_ids, compare_since,
                        pairs_md, contrast_btn]
        list_outputs = [convs, title_box]
        gen = dict(concurrency_limit=4, concurrency_id="generation")

        demo.load(h.on_load, [user_key], [user_key, user_id, conv_id, selected, convs, title_box,
                                           status_md, src, tgt, hint_parrot, hint_free] + view_outputs[:-1]
                  + [preset])
        timer.tick(h.on_tick, [src, tgt], [status_md, src, tgt, hint_parrot, hint_free, timer, preset],
                   show_progress="hidden")
        switching = [convs, new_btn, delete_btn]  # locked while a reply streams into this view
        for trigger in (text.submit, send_btn.click):
            trigger(lambda: (gr.update(interactive=False),) * 3, None, switching, queue=False,
                    api_name=False)
            trigger(h.on_send, [text] + turn_inputs + [selected],
                    [text, notice, chatbot, ids, conv_id] , **gen).then(
                h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs).then(
                lambda: (gr.update(interactive=True),) * 3, None, switching, api_name=False)
        stop_btn.click(h.on_stop, [user_id, conv_id], [notice], queue=False)
        chatbot.retry(h.on_retry, turn_inputs + [ids, selected], [notice, chatbot, selected], **gen).then(
            h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        resrc.select(h.on_resource, turn_inputs + [ids, selected, resrc],
                    [notice, chatbot, selected, resrc], **gen).then(
            h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        chatbot.like(h.on_like, [user_id, ids], [notice, reasons_box, rated_id, reasons, comment]).then(
            h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        save_reasons.click(h.on_reasons, [user_id, rated_id, reasons, comment], [notice, reasons_box])
        chatbot.edit(h.on_edit, [user_id, ids, selected], [notice, selected, text]).then(
            h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        for btn, value in zip(pick_btns, ("a", "b", "tie", "both-bad")):
            btn.click(h.pick_handler(value), [user_id, compare_ids, compare_since], [notice]).then(
                h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        contrast_btn.click(h.on_contrast, turn_inputs + [ids, selected], [notice, selected], **gen).then(
            h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        for btn, step in ((prev_btn, -1), (next_btn, 1)):
            btn.click(h.browse_handler(step), [user_id, conv_id, selected], [selected]).then(
                h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        swap_btn.click(h.on_swap, [src, tgt], [src, tgt, notice])
        for trigger, start in ((new_btn.click, h.on_new), (chatbot.clear, h.on_clear)):
            trigger(start, [user_id], [conv_id, selected, notice]).then(
                h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        convs.input(h.on_open, [user_id, convs], [conv_id, selected, src, tgt, mode]).then(
            h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        search.change(h.on_search, [user_id, search, conv_id], [convs], show_progress="hidden")
        rename_btn.click(h.on_rename, [user_id, conv_id, title_box], [notice]).then(
            h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        delete_btn.click(h.on_delete, [user_id, conv_id], [conv_id, selected, notice]).then(
            h.on_refresh, [user_id, conv_id, selected], view_outputs + list_outputs)
        export_btn.click(h.on_export, [user_id], [export_file, notice])
        load_btn.click(h.on_load_model, [preset], [notice, status_md, timer])
    demo.queue(default_concurrency_limit=8)
    return demo


def launch(demo: gr.Blocks, host: str, port: int, share: bool = False,
           routes: list | None = None) -> None:
    """Serve the page (blocking); ``routes`` (e.g. the HTTP APIs') are served by the same
    FastAPI app, ahead of the page's own routes."""
    demo.launch(server_name=host, server_port=port, share=share, css=CSS,
                show_error=True, footer_links=["gradio", "settings"],
                app_kwargs={"routes": list(routes)} if routes else None)
