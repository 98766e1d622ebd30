"""The chat session layer: one user's turns, stored as they happen. Knows no Gradio.

send / regenerate / retranslate stream `Reply` updates; the stored assistant message
is created before the first token (status "streaming"), its text written as it grows (at
most once a second or every 32 pieces, chat/flush.py) and finished once at the end, so a crash
leaves finished messages intact and the partial reply's text up to the last flush.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterator

from chat.flush import PartialFlusher
from chat.model_host import ModelHost
from chat.pipeline import Outcome, Plan, check_text, plan_turn, run_plan
from chat.zerogpu import on_gpu
from chat.render import header_line
from chat.settings import AUTO, TurnSettings, UserError, sampling_for_alternative


@dataclass
class Reply:
    """What the UI shows while a reply streams; message ids are set once stored."""

    text: str
    header: str
    status: str
    user_message_id: int
    message_id: int
    done: bool = False
    note: str | None = None


# The model's work for one reply; on a ZeroGPU Space it runs with a GPU attached.
_generate = on_gpu(run_plan)


def direction_header(plan: Plan) -> str:
    """E.g. 'German → English · detected 98%' (or '· via English' for a pivot)."""
    return header_line(plan.src, plan.tgt, detected=plan.detected, confidence=plan.confidence,
                       mode=plan.mode, hint=plan.hint, pivot=plan.pivot)


class ChatSession:
    """Turns of all users against one store and one model host (thread-safe)."""

    def __init__(self, store, host: ModelHost):
        self.store = store
        self.host = host
        self._active: dict[int, list] = {}
        self._by_message: dict[int, list] = {}  # reply message id → its handles
        self._lock = threading.Lock()

    # -- engine access -------------------------------------------------------------
    def engine(self):
        status = self.host.status()
        engine = self.host.engine
        if engine is None:
            if status.state == "error":
                raise UserError(f"The model is not available: {status.message}")
            raise UserError(f"The model is still loading ({status.message}); "
                            "your text is kept, send it again in a moment.")
        return engine

    # -- turns ---------------------------------------------------------------------
    def send(self, user_id: int, conv_id: int, text: str, settings: TurnSettings) -> Iterator[Reply]:
        """Store the user's text and stream a reply to it."""
        text = check_text(text)
        engine = self.engine()
        history = self._history(user_id, conv_id) if settings.mode == "chat" else None
        asks = settings.src in (None, "", AUTO) and settings.unsure == "ask"
        previous = self._previous_source(user_id, conv_id) if asks else None
        plan = plan_turn(engine, text, settings, history, previous_src=previous)
        self.store.update_settings(user_id, conv_id, settings.as_dict())
        user_id_msg = self.store.add_message(
            user_id, conv_id, "user", text, detected_lang=plan.detected,
            detected_confidence=plan.confidence, src=plan.src, tgt=plan.tgt)
        yield from self._reply(user_id, conv_id, user_id_msg, plan)

    def send_batch(self, user_id: int, conv_id: int, texts: list[str],
                   settings: TurnSettings) -> list[Reply]:
        """Each text as its own stored turn, the translations that can share one model batch
        run through one call (chat/batch_send.py); the final reply of each, in order."""
        from chat.batch_send import send_batch
        return send_batch(self, user_id, conv_id, texts, settings)

    def regenerate(self, user_id: int, message_id: int, settings: TurnSettings) -> Iterator[Reply]:
        """A new alternative for the turn of `message_id` (a user or assistant message)."""
        engine = self.engine()
        user_msg, conv_id = self._turn_root(user_id, message_id)
        turn = settings.with_(src=user_msg.src or settings.src, tgt=user_msg.tgt or settings.tgt)
        history = self._history(user_id, conv_id, before=user_msg.id) if turn.mode == "chat" else None
        plan = plan_turn(engine, user_msg.content, turn, history)
        plan.params = sampling_for_alternative(plan.params)
        plan.detected = user_msg.detected_lang
        plan.confidence = user_msg.detected_confidence
        yield from self._reply(user_id, conv_id, user_msg.id, plan)

    def retranslate(self, user_id: int, message_id: int, src: str,
                    settings: TurnSettings) -> Iterator[Reply]:
        """Correct the source language of a turn and translate it again."""
        if not src or src == AUTO:
            raise UserError("Pick the source language to translate from.")
        engine = self.engine()
        user_msg, conv_id = self._turn_root(user_id, message_id)
        plan = plan_turn(engine, user_msg.content,
                         settings.with_(src=src, mode="translate", tgt=user_msg.tgt or settings.tgt))
        self.store.update_message(user_id, user_msg.id, src=src, tgt=plan.tgt)
        yield from self._reply(user_id, conv_id, user_msg.id, plan)

    def stop(self, user_id: int) -> bool:
        """Cancel this user's running generation (the model stops working)."""
        with self._lock:
            handles = list(self._active.get(user_id, []))
        for group in handles:
            for handle in group:
                handle.cancel()
        return bool(handles)

    def stop_message(self, user_id: int, message_id: int) -> bool:
        """Cancel one running reply by its stored message id (e.g. an API client went away);
        the reply still ends normally, stored as "stopped" with its text and token counts."""
        with self._lock:
            group = self._by_message.get(message_id)
            if group is None or group not in self._active.get(user_id, []):
                return False
            group = list(group)
        for handle in group:
            handle.cancel()
        return True

    # -- internals -----------------------------------------------------------------
    def _reply(self, user_id: int, conv_id: int, parent_id: int, plan: Plan) -> Iterator[Reply]:
        engine = self.host.engine
        header = direction_header(plan)
        msg_id = self.store.add_message(
            user_id, conv_id, "assistant", "", parent_id=parent_id, status="streaming",
            src=plan.src, tgt=plan.tgt, prompt=plan.prompts[0] if len(plan.prompts) == 1 else "\n\n".join(plan.prompts),
            model_id=engine.model_id, adapter=engine.preset.adapter,
            params=_params_record(plan))
        handles: list = [_Cancel()]  # stops batched work between batches; stream handles join it
        with self._lock:
            self._active.setdefault(user_id, []).append(handles)
            self._by_message[msg_id] = handles
        outcome: Outcome | None = None
        partial = PartialFlusher(lambda t: self.store.update_message(user_id, msg_id, content=t))
        try:
            yield Reply("", header, "streaming", parent_id, msg_id, note=plan.notice)
            for event in _generate(engine, plan, handles):
                if event.final is not None:
                    outcome = event.final
                    break
                yield Reply(event.text, header, "streaming", parent_id, msg_id, note=event.note or plan.notice)
                partial.update(event.text)  # after the UI took it: the store never runs ahead
        finally:
            with self._lock:
                lst = self._active.get(user_id, [])
                if handles in lst:
                    lst.remove(handles)
                self._by_message.pop(msg_id, None)
            self._finish(user_id, msg_id, plan, outcome, partial.latest)
        yield Reply(outcome.text, header, outcome.status, parent_id, msg_id, done=True,
                    note=_status_note(outcome) or _notes(outcome.note, plan.notice))

    def _finish(self, user_id: int, msg_id: int, plan: Plan, outcome: Outcome | None,
                shown: str = "") -> None:
        """One write when the reply ends (also when the client went away mid-stream: then
        with the text shown so far)."""
        if outcome is None:
            self.store.update_message(user_id, msg_id, content=shown, status="stopped")
            return
        prompt_tokens, completion_tokens = outcome.token_counts()
        params = {**_params_record(plan), **outcome.extra_params()}
        gen = outcome.generations[0] if outcome.generations else None
        self.store.update_message(
            user_id, msg_id, content=outcome.text, status=outcome.status, error=outcome.error,
            draft=outcome.draft, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
            ttft_s=outcome.ttft_s, duration_s=outcome.duration_s, params=params,
            model_revision=gen.revision if gen else None)

    def _turn_root(self, user_id: int, message_id: int):
        msg = self.store.get_message(user_id, message_id)
        if msg.role != "user":
            msg = self.store.get_message(user_id, msg.parent_id)
        return msg, msg.conversation_id

    def _previous_source(self, user_id: int, conv_id: int) -> str | None:
        """Source language of the conversation's latest user message that has one (the fallback
        when Auto detection is unsure)."""
        for msg in reversed(list(self.store.messages(user_id, conv_id))):
            if msg.role == "user" and msg.src:
                return msg.src
        return None

    def _history(self, user_id: int, conv_id: int, before: int | None = None) -> list[tuple[str, str]]:
        """(role, text) of earlier turns: each user message and its latest finished reply."""
        turns: list[tuple[str, str]] = []
        latest: dict[int, str] = {}
        users = []
        for msg in self.store.messages(user_id, conv_id):
            if before is not None and msg.id >= before:
                break
            if msg.role == "user":
                users.append(msg)
            elif msg.status == "complete" and msg.content:
                latest[msg.parent_id] = msg.content
        for msg in users:
            turns.append(("user", msg.content))
            if msg.id in latest:
                turns.append(("assistant", latest[msg.id]))
        return turns[-12:]


class _Cancel:
    """A stop flag for work that has no stream handle (batched segments)."""

    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def _status_note(outcome: Outcome) -> str | None:
    if outcome.status == "stopped":
        return "Stopped."
    if outcome.status == "error":
        return f"The model failed: {outcome.error}"
    return None


def _notes(*notes: str | None) -> str | None:
    """The notes that are set, as one line."""
    return " ".join(n for n in notes if n) or None


def _params_record(plan: Plan) -> dict:
    """Decoding parameters plus how the prompt was built, as stored with the reply."""
    return {**plan.params.as_dict(), "style": plan.style, "hint": plan.hint,
            "mode": plan.mode, "pivot": plan.pivot}
