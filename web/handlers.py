"""Event handlers: Gradio values in, session-layer calls, named outputs out.

Each handler answers with the NamedTuple of its event (``web/outputs.py``) through
``@answers`` (``web/events.py``), which turns every failure into a notice in the page;
nothing typed by the user is lost.
"""
from __future__ import annotations

import atexit
import inspect
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, fields
from pathlib import Path

import gradio as gr

from prompts.styles import CONTRAST_HINT, FREE_HINT, PARROT_HINT, get_style, hint_kind
from models import PRESETS
from storage import NotFound, StorageError

from chat.conversations import Conversations
from chat.feedback import Feedback
from chat.identity import new_browser_key, valid_browser_key
from chat.model_host import ModelHost
from chat.pipeline import check_text
from chat.render import reply_markdown, strip_header
from chat.session import ChatSession
from chat.settings import TurnSettings, UserError, is_auto
from web import outputs as out
from web.document_files import kept_original, sweep_originals
from web.events import answers, failure_notice, unchanged
from web.views import chat_view, compare_update, model_updates, status_markdown

log = logging.getLogger(__name__)
_export_dir: Path | None = None


def export_dir() -> Path:
    """Where exports handed to the browser are written (Gradio serves its own copy): a temp
    folder made at the first export, removed when the process ends."""
    global _export_dir
    if _export_dir is None:
        _export_dir = Path(tempfile.mkdtemp(prefix="hintmt-export-"))
        atexit.register(shutil.rmtree, _export_dir, True)
    return _export_dir


@dataclass(frozen=True)
class Controls:
    """The page's turn controls, one structured input: ui.py passes the components named by these
    fields (``CONTROL_NAMES``), in this order."""

    src: str | None
    tgt: str | None
    hint_parrot: str | None
    hint_free: str | None
    mode: str | None
    beams: float
    temperature: float | None
    top_p: float | None
    max_new: float
    glossary: str | None = None  # one of the user's glossaries by name; "" or None: none

    def settings(self, style: str | None) -> TurnSettings:
        """TurnSettings for a model of ``style`` (0 / negative sliders mean "preset default")."""
        kind = hint_kind(style)  # which of the two hint boxes is shown
        hint = self.hint_parrot if kind == PARROT_HINT else self.hint_free if kind == FREE_HINT else None
        hint = get_style(style).normalize_hint(hint) if kind else None
        t, p = self.temperature, self.top_p
        return TurnSettings(src=self.src or "auto", tgt=self.tgt or "en", hint=hint, mode=self.mode or "translate",
                            max_new_tokens=int(self.max_new) or None, num_beams=int(self.beams) or None,
                            temperature=None if t is None or t < 0 else float(t),
                            top_p=None if p is None or p >= 1.0 else float(p), glossary=self.glossary or None)


CONTROL_NAMES = tuple(f.name for f in fields(Controls))  # = the components' names in ui.Page
CONTROL_COUNT = len(CONTROL_NAMES)


def with_controls(at: int):
    """Group the ``CONTROL_COUNT`` positional values from index ``at`` (after self) into one
    ``Controls``: Gradio passes inputs positionally, the handler gets a structure."""
    def grouped(args: tuple) -> tuple:
        return (*args[:at], Controls(*args[at:at + CONTROL_COUNT]), *args[at + CONTROL_COUNT:])

    def wrap(fn):
        if inspect.isgeneratorfunction(fn):  # Gradio streams only from generator functions
            def inner(self, *args):
                yield from fn(self, *grouped(args))
        else:
            def inner(self, *args):
                return fn(self, *grouped(args))
        inner.__name__, inner.__doc__ = fn.__name__, fn.__doc__  # Gradio names the API endpoint after it
        return inner
    return wrap


class Handlers:
    """Event functions bound to one session layer."""

    def __init__(self, session: ChatSession, feedback: Feedback, host: ModelHost,
                 allow_any_model: bool = False):
        """``allow_any_model``: the page may load hub ids and server folders, not only presets
        (off by default: on a public server anyone could otherwise probe paths or load
        arbitrary weights for everyone)."""
        self.session, self.feedback, self.host = session, feedback, host
        self.conversations = Conversations(session.store)
        self.allow_any_model = allow_any_model

    def _settings(self, controls: Controls) -> TurnSettings:
        preset = self.host.status().preset
        return controls.settings(preset.style if preset else None)

    # -- page load and model status ---------------------------------------------------
    @answers(out.Loaded)
    def on_load(self, key, profile: gr.OAuthProfile | None = None):
        """Identify the user (the HF account when signed in on a Space, else this browser's
        key) and show their newest conversation."""
        key = key if valid_browser_key(key) else new_browser_key()
        username = profile.get("preferred_username") if profile else None
        user_id = self.conversations.sign_in(key, username, profile.get("name") if profile else None)
        conv_id = self.conversations.latest(user_id)
        saved = TurnSettings.from_dict(self.conversations.settings(user_id, conv_id))
        src, tgt, hint_parrot, hint_free = model_updates(self.host, saved.src, saved.tgt)
        view = self.refresh(user_id, conv_id, {})._asdict()
        del view["contrast_btn"], view["notice"]
        return out.Loaded(user_key=key, user_id=user_id, conv_id=conv_id, selected={}, status_md=status_markdown(self.host),
                          src=src, tgt=tgt, hint_parrot=hint_parrot, hint_free=hint_free,
                          preset=self._preset_shown(None), notice=gr.update(), **view)

    @answers(out.Tick)
    def on_tick(self, src, tgt, preset=None):
        status = self.host.status()
        updates = model_updates(self.host, src, tgt) if status.ready else (gr.update(),) * 4
        return out.Tick(status_markdown(self.host), *updates, timer=gr.Timer(active=status.state == "loading"),
                        preset=self._preset_shown(preset), notice=gr.update())

    def _preset_shown(self, shown):
        """The model picker shows the model that serves, once one is ready, unless it already
        holds a name (one being typed or picked: a tick must not overwrite it)."""
        status = self.host.status()
        if shown or not (status.ready and status.preset):
            return gr.update()
        return gr.update(value=status.preset.name)

    @answers(out.ModelLoad)
    def on_load_model(self, name):
        if not name:
            raise UserError("Pick a model preset.")
        name = name.strip()
        if name not in PRESETS and not self.allow_any_model:
            raise UserError(f"Unknown model '{name}': the page loads the listed presets. Start the "
                            "app with --model (or --allow-any-model) for a hub id or a folder.")
        self.host.start(name)
        return out.ModelLoad(f"Loading {name}…", status_markdown(self.host), gr.Timer(active=True))

    # -- turns ------------------------------------------------------------------------
    @with_controls(3)
    @answers(out.Sent)
    def on_send(self, text, user_id, conv_id, controls: Controls, selected):
        """Stream a reply; the input box is emptied once, at the start (what is typed while the
        reply streams stays)."""
        created, box = None, ""
        try:
            settings = self._settings(controls)
            if conv_id is None:
                check_text(text)  # refuse before creating an empty conversation
                self.session.engine()
                conv_id = created = self.conversations.create(user_id, settings.as_dict())
            for _, note, shown, ids in self._stream(self.session.send(user_id, conv_id, text, settings),
                                                    user_id, conv_id, selected):
                yield out.Sent(box, note, shown, ids, conv_id)
                box = gr.update()
        except Exception as err:  # noqa: BLE001 - a refused first message leaves no empty conversation
            if created is not None and self.conversations.drop_if_empty(user_id, created):
                conv_id = None
            yield unchanged(out.Sent, notice=failure_notice(err, "on_send"), conv_id=conv_id)

    def _stream(self, replies, user_id, conv_id, selected):
        """(reply, notice, chat view, ids) for each streamed update of one reply."""
        shown, ids = None, None
        for reply in replies:
            if shown is None:
                shown, ids, _ = chat_view(self.conversations, user_id, conv_id,
                                          {**selected, str(reply.user_message_id): reply.message_id})
                if reply.message_id not in ids:
                    shown.append({"role": "assistant", "content": ""})
                    ids.append(reply.message_id)
            shown[ids.index(reply.message_id)] = {
                "role": "assistant", "content": reply_markdown(reply.header, reply.text, reply.status)}
            yield reply, (f"ℹ️ {reply.note}" if reply.note else ""), shown, ids

    def _alt_stream(self, fn, user_id, ids, selected, *args):
        """Regenerate-like events: stream into the view, then select the new alternative."""
        if not ids:
            raise UserError("Send a text first.")
        msg = self.conversations.message(user_id, ids[-1])
        selected = dict(selected)
        for reply, note, shown, _ in self._stream(fn(user_id, msg.id, *args), user_id,
                                                  msg.conversation_id, selected):
            selected[str(reply.user_message_id)] = reply.message_id
            yield out.Regenerated(note, shown, selected)

    @with_controls(2)
    @answers(out.Regenerated)
    def on_retry(self, user_id, conv_id, controls: Controls, ids, selected):
        yield from self._alt_stream(self.session.regenerate, user_id, ids, selected, self._settings(controls))

    @with_controls(2)
    @answers(out.Retranslated)
    def on_resource(self, user_id, conv_id, controls: Controls, ids, selected, new_src):
        try:
            for step in self._alt_stream(self.session.retranslate, user_id, ids, selected, new_src,
                                         self._settings(controls)):
                selected = step.selected
                yield out.Retranslated(*step, resrc=gr.update())
            yield unchanged(out.Retranslated, selected=selected, resrc=None)
        except Exception as err:  # noqa: BLE001 - the picker is reset after a failure too
            yield unchanged(out.Retranslated, notice=failure_notice(err, "on_resource"), resrc=None)

    @answers(out.Notice)
    def on_stop(self, user_id, conv_id):
        """Stop the replies running in this conversation (not the user's other tabs)."""
        return out.Notice("ℹ️ Stopping…" if self.session.stop(user_id, conv_id) else gr.update())

    @with_controls(2)
    @answers(out.Contrasted)
    def on_contrast(self, user_id, conv_id, controls: Controls, ids, selected):
        settings = self._settings(controls)
        good = self.conversations.message(user_id, ids[-1]) if ids else None
        if good is None or good.role != "assistant":
            raise UserError("Send a text first.")
        bad_id = None
        for reply in self.session.regenerate(user_id, good.id,
                                             settings.with_(hint=CONTRAST_HINT, temperature=0)):
            bad_id = reply.message_id
        done = self.feedback.hint_contrast(user_id, good.id, bad_id)
        return out.Contrasted(f"ℹ️ {done.message}", {**selected, str(good.parent_id): good.id})

    # -- feedback ---------------------------------------------------------------------
    @answers(out.Liked)
    def on_like(self, user_id, ids, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        msg_id = ids[index]
        liked = data.liked is True or data.liked == "Like"
        done = self.feedback.rate(user_id, msg_id, 1 if liked else -1)
        return out.Liked(f"ℹ️ {done.message}", gr.update(visible=not liked), msg_id, gr.update(value=[]),
                         gr.update(value=""))

    @answers(out.Reasons)
    def on_reasons(self, user_id, msg_id, reasons, comment):
        if msg_id is None:
            raise UserError("Rate a translation first.")
        self.feedback.rate(user_id, msg_id, -1, reasons or [], comment or "")
        return out.Reasons("ℹ️ Thanks: your reasons were saved.", gr.update(visible=False))

    @answers(out.Edited)
    def on_edit(self, user_id, ids, selected, data: gr.EditData):
        """A translation edited: the correction is stored (a preference pair). One of your own
        messages edited: the new text goes into the input box, to send as a new message."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        msg = self.conversations.message(user_id, ids[index])
        if msg.role == "user":
            return out.Edited("ℹ️ Your edited text is in the box below: press Enter to translate it as a new "
                              "message (the earlier one stays as it was).", selected, data.value)
        done = self.feedback.edit(user_id, msg.id, strip_header(data.value))
        selected = dict(selected)
        if done.message_id:
            selected[str(msg.parent_id)] = done.message_id
        return out.Edited(f"ℹ️ {done.message}", selected, gr.update())

    def pick_handler(self, choice: str):
        @answers(out.Notice)
        def on_pick(user_id, compare_ids, since):
            if len(compare_ids or []) != 2:
                raise UserError("There is nothing to compare yet: regenerate a translation first.")
            seconds = time.time() - since if since else None
            return out.Notice("ℹ️ " + self.feedback.pick(user_id, compare_ids[0], compare_ids[1], choice,
                                                           seconds).message)
        return on_pick

    def browse_handler(self, step: int):
        @answers(out.Selection)
        def on_browse(user_id, conv_id, selected):
            _, _, turn = chat_view(self.conversations, user_id, conv_id, selected)
            if turn is None or len(turn.alternatives) < 2:
                return out.Selection(selected, gr.update())
            alts = [m.id for m in turn.alternatives]
            current = selected.get(str(turn.user.id), alts[-1])
            position = alts.index(current) if current in alts else len(alts) - 1
            return out.Selection({**selected, str(turn.user.id): alts[(position + step) % len(alts)]}, gr.update())
        return on_browse

    # -- conversations ----------------------------------------------------------------
    def refresh(self, user_id, conv_id, selected) -> out.View:
        """Everything that depends on the stored conversation."""
        shown, ids, last = chat_view(self.conversations, user_id, conv_id, selected or {})
        box, a, b, cmp_ids = compare_update(last, selected or {})
        count = self.conversations.pair_count(user_id)
        pairs = f"You contributed **{count}** preference pair{'s' if count != 1 else ''}."
        style = self.host.status().preset.style if self.host.status().ready else None
        choices = self.conversations.choices(user_id)
        return out.View(chatbot=shown, ids=ids, compare_box=box, alt_a=a, alt_b=b, compare_ids=cmp_ids,
                        compare_since=time.time(), pairs_md=pairs,
                        contrast_btn=gr.update(visible=hint_kind(style) == PARROT_HINT),
                        convs=gr.update(choices=choices, value=conv_id),
                        title_box=next((t for t, i in choices if i == conv_id), ""), notice=gr.update())

    @answers(out.View)
    def on_refresh(self, user_id, conv_id, selected):
        try:
            return self.refresh(user_id, conv_id, selected)
        except (NotFound, StorageError) as err:  # a conversation deleted in another tab
            log.warning("refresh failed: %s", err)
            return self.refresh(user_id, None, {})

    @answers(out.Started)
    def on_new(self, user_id):
        return out.Started(None, {}, "")

    @staticmethod
    @answers(out.Started)
    def on_clear(user_id):
        """The chat's trash icon: a new conversation (nothing is deleted)."""
        return out.Started(None, {}, "ℹ️ A new conversation: the one you cleared stays in the list.")

    @answers(out.Opened)
    def on_open(self, user_id, conv_id):
        saved = TurnSettings.from_dict(self.conversations.settings(user_id, conv_id))
        return out.Opened(conv_id, {}, saved.src, saved.tgt, saved.mode, gr.update())

    @answers(out.Conversations)
    def on_search(self, user_id, query, conv_id):
        return out.Conversations(gr.update(choices=self.conversations.choices(user_id, query), value=conv_id),
                                 gr.update())

    @answers(out.Notice)
    def on_rename(self, user_id, conv_id, title):
        if conv_id is None or not (title or "").strip():
            raise UserError("Open a conversation and type its new title.")
        self.conversations.rename(user_id, conv_id, title)
        return out.Notice("ℹ️ Renamed.")

    @answers(out.Started)
    def on_delete(self, user_id, conv_id):
        if conv_id is None:
            raise UserError("Open a conversation to delete it.")
        original = kept_original(self.conversations, user_id, conv_id)
        kept = self.conversations.delete(user_id, conv_id)
        sweep_originals(self.conversations, user_id, original)  # a document's kept file goes with it
        pairs = ("" if not kept else " The preference pair made in it stays in your export." if kept == 1
                 else f" The {kept} preference pairs made in it stay in your export.")
        return out.Started(None, {}, f"ℹ️ Conversation deleted.{pairs}")

    @answers(out.Exported)
    def on_export(self, user_id):
        for old in export_dir().glob(f"user{user_id}-*.jsonl"):  # one file per user, not a pile
            old.unlink(missing_ok=True)
        path = export_dir() / f"user{user_id}-{time.strftime('%Y%m%d-%H%M%S')}-pairs.jsonl"
        rows = self.conversations.export_pairs(user_id, path)
        if not rows:
            path.unlink(missing_ok=True)
            raise UserError("You have no preference pairs yet: rate, regenerate and pick, or "
                            "correct a translation.")
        return out.Exported(gr.update(value=str(path), visible=True), f"ℹ️ Exported {rows} pair(s).")

    @staticmethod
    @answers(out.Swapped)
    def on_swap(src, tgt):
        if is_auto(src):
            return out.Swapped(gr.update(), gr.update(), "ℹ️ Pick a source language to swap with the target.")
        return out.Swapped(tgt, src, "")
