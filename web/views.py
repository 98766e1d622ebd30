"""What the page shows for a user's state: conversation list, chat view, comparison
panel, model status and language choices (Gradio updates built from the session layer)."""
from __future__ import annotations

import gradio as gr

from prompts import HINT_LABELS, LANGUAGES, PARROT_HINTS
from prompts.styles import FREE_HINT, PARROT_HINT, hint_kind

from chat.model_host import ModelHost
from chat.conversations import Conversations
from chat.render import as_text, chat_messages
from chat.settings import AUTO


def chat_view(conversations: Conversations, user_id, conv_id, selected: dict):
    """(chat messages, message ids, last turn) for the open conversation."""
    turns = conversations.turns(user_id, conv_id)
    shown, ids = chat_messages(turns, selected)
    return shown, ids, (turns[-1] if turns else None)


def compare_update(last_turn, selected: dict):
    """The "Which is better?" panel: visible when the last turn has two model alternatives."""
    alts = [m for m in (last_turn.alternatives if last_turn else [])
            if m.content and m.status == "complete" and m.model_id != "human"]
    if len(alts) < 2:
        return gr.update(visible=False), gr.update(), gr.update(), []
    a, b = alts[-2], alts[-1]
    return (gr.update(visible=True), gr.update(value=a.content, label=f"A · alternative {len(alts) - 1}"),
            gr.update(value=b.content, label=f"B · alternative {len(alts)}"), [a.id, b.id])


def language_choices(languages) -> tuple[list, list]:
    """(source choices with Auto, target choices) for the active model."""
    codes = sorted(languages or LANGUAGES, key=lambda c: LANGUAGES.get(c, c))
    named = [(f"{LANGUAGES.get(c, c)} ({c})", c) for c in codes]
    return [("Auto-detect", AUTO)] + named, named


def hint_updates(style: str | None):
    """ParroT's hint kinds for ParroT models, free text for chat models, nothing otherwise."""
    kind = hint_kind(style)
    return gr.update(visible=kind == PARROT_HINT), gr.update(visible=kind == FREE_HINT)


PARROT_HINT_CHOICES = [(HINT_LABELS.get(h, "none") if h else "none", h or "none") for h in PARROT_HINTS]


def status_markdown(host: ModelHost) -> str:
    status = host.status()
    message = as_text(status.message)  # names typed by users are shown as text, never HTML
    if status.state == "ready":
        preset = status.preset
        adapter = f" + adapter {as_text(preset.adapter)}" if preset and preset.adapter else ""
        light = "🟠" if status.failed else "🟢"  # orange: the model asked for failed to load
        return f"{light} **{as_text(preset.name)}**{adapter} · {preset.style} prompts · {message}"
    if status.state == "error":
        return f"🔴 {message}"
    return f"⏳ loading model… {round(100 * status.fraction)}% · {message}"


def model_updates(host: ModelHost, src, tgt):
    """Language choices and hint inputs that follow the active model."""
    preset = host.status().preset if host.status().ready else None
    languages = preset.languages if preset else None
    src_choices, tgt_choices = language_choices(languages)
    codes = {c for _, c in tgt_choices}
    tgt = tgt if tgt in codes else ("en" if "en" in codes else next(iter(codes)))
    src = src if src == AUTO or src in codes else AUTO
    parrot, free = hint_updates(preset.style if preset else None)
    return (gr.update(choices=src_choices, value=src), gr.update(choices=tgt_choices, value=tgt),
            parrot, free)
