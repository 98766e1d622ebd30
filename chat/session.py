"""The chat session layer: one user's turns, stored as they happen. Knows no Gradio.

send / regenerate / retranslate stream `Reply` updates; the stored assistant message
is created before the first token (status "streaming"), its text written as it grows (at
most once a second or every 32 pieces, chat/flush.py) and finished once at the end, so a crash
leaves finished messages intact and the partial reply's text up to the last flush.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from chat.batch_send import batch_groups, generate_together
from chat.flush import PartialFlusher
from chat.glossaries import load_glossary
from chat.glossary_check import glossary_note, glossary_record
from chat.model_host import ModelHost
from chat.pipeline import Outcome, Plan, check_text, plan_turn, run_plan
from chat.zerogpu import on_gpu
from chat.render import header_line
from chat.settings import TurnSettings, UserError, is_auto, sampling_for_alternative


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
        if status.state == "error":  # none loaded, or one whose worker gave up
            raise UserError(f"The model is not available: {status.message}")
        if engine is None:
            raise UserError(f"The model is still loading ({status.message}); "
                            "your text is kept, send it again in a moment.")
        return engine

    # -- turns ---------------------------------------------------------------------
    def send(self, user_id: int, conv_id: int, text: str, settings: TurnSettings) -> Iterator[Reply]:
        """Store the user's text and stream a reply to it."""
        text = check_text(text)
        engine = self.engine()
        history = self._history(user_id, conv_id) if settings.mode == "chat" else None
        plan = plan_turn(engine, text, settings, history,
                         previous_src=self._fallback_source(user_id, conv_id, settings),
                         glossary=self._glossary(user_id, settings))
        [asked] = self._store_asked(user_id, conv_id, settings, [text], [plan])
        yield from self._reply(user_id, conv_id, asked, plan)

    def send_batch(self, user_id: int, conv_id: int, texts: list[str], settings: TurnSettings,
                   tags: list[dict] | None = None, multi: bool = False) -> list[Reply]:
        """Each text as its own stored turn, as `send` stores it; the translations that can
        share one model batch run through one call (chat/batch_send.py; ``multi``: texts of
        several sentences join it too). Every text is planned before anything is stored, so a
        refused text refuses the whole list. ``tags``: params stored with each text's user
        message (a document's segment id). The final reply of each, in order."""
        texts = [check_text(t) for t in texts]
        engine = self.engine()
        previous = self._fallback_source(user_id, conv_id, settings)
        glossary = self._glossary(user_id, settings)
        plans = [plan_turn(engine, text, settings, None, previous_src=previous, glossary=glossary)
                 for text in texts]
        asked = self._store_asked(user_id, conv_id, settings, texts, plans, tags)
        replies: list[Reply | None] = [None] * len(plans)
        for chunk in batch_groups(plans, engine.batch_size, multi):
            done = self._reply_together(user_id, conv_id, engine, [plans[i] for i in chunk],
                                        [asked[i] for i in chunk])
            for i, (msg_id, outcome) in zip(chunk, done):
                replies[i] = _final_reply(plans[i], asked[i], msg_id, outcome)
        for i, plan in enumerate(plans):
            if replies[i] is None:  # as `send` runs it
                for replies[i] in self._reply(user_id, conv_id, asked[i], plan):
                    pass
        return replies

    def regenerate(self, user_id: int, message_id: int, settings: TurnSettings) -> Iterator[Reply]:
        """A new alternative for the turn of `message_id` (a user or assistant message)."""
        engine = self.engine()
        user_msg, conv_id = self._turn_root(user_id, message_id)
        turn = settings.with_(src=user_msg.src or settings.src, tgt=user_msg.tgt or settings.tgt)
        history = self._history(user_id, conv_id, before=user_msg.id) if turn.mode == "chat" else None
        plan = plan_turn(engine, user_msg.content, turn, history, glossary=self._glossary(user_id, turn))
        plan.params = sampling_for_alternative(plan.params)
        plan.detected = user_msg.detected_lang
        plan.confidence = user_msg.detected_confidence
        yield from self._reply(user_id, conv_id, user_msg.id, plan)

    def retranslate(self, user_id: int, message_id: int, src: str,
                    settings: TurnSettings) -> Iterator[Reply]:
        """Correct the source language of a turn and translate it again."""
        if is_auto(src):
            raise UserError("Pick the source language to translate from.")
        engine = self.engine()
        user_msg, conv_id = self._turn_root(user_id, message_id)
        turn = settings.with_(src=src, mode="translate", tgt=user_msg.tgt or settings.tgt)
        plan = plan_turn(engine, user_msg.content, turn, glossary=self._glossary(user_id, turn))
        self.store.update_message(user_id, user_msg.id, src=src, tgt=plan.tgt)
        yield from self._reply(user_id, conv_id, user_msg.id, plan)

    def stop(self, user_id: int, conv_id: int | None = None) -> bool:
        """Cancel this user's running generation in ``conv_id`` (every conversation when None);
        the model stops working."""
        with self._lock:
            handles = [group for conv, group in self._active.get(user_id, [])
                       if conv_id is None or conv == conv_id]
        for group in handles:
            for handle in group:
                handle.cancel()
        return bool(handles)

    def stop_message(self, user_id: int, message_id: int) -> bool:
        """Cancel one running reply by its stored message id (e.g. an API client went away);
        the reply still ends normally, stored as "stopped" with its text and token counts."""
        with self._lock:
            group = self._by_message.get(message_id)
            if group is None or not any(g is group for _, g in self._active.get(user_id, [])):
                return False
            group = list(group)
        for handle in group:
            handle.cancel()
        return True

    # -- internals -----------------------------------------------------------------
    def _glossary(self, user_id: int, settings: TurnSettings):
        """The user's glossary named in ``settings`` for a translation turn (UserError if they
        have none by that name), else None."""
        if settings.mode != "translate" or not settings.glossary:
            return None
        return load_glossary(self.store, user_id, settings.glossary)

    def _fallback_source(self, user_id: int, conv_id: int, settings: TurnSettings) -> str | None:
        """The conversation's previous source when Auto detection may need it ("ask")."""
        asks = is_auto(settings.src) and settings.unsure == "ask"
        return self._previous_source(user_id, conv_id) if asks else None

    def _store_asked(self, user_id: int, conv_id: int, settings: TurnSettings, texts: list[str],
                     plans: list[Plan], tags: list[dict] | None = None) -> list[int]:
        """The turn's settings on the conversation (keys that are no turn setting, such as a
        document's record, kept), then each text as a user message with its detection,
        direction and tag (``params``); their ids."""
        self.store.merge_settings(user_id, conv_id, settings.as_dict())  # every turn key is set
        tags = tags or [None] * len(texts)
        return [self.store.add_message(user_id, conv_id, "user", text, detected_lang=plan.detected,
                                       detected_confidence=plan.confidence, src=plan.src, tgt=plan.tgt,
                                       **({"params": tag} if tag else {}))
                for text, plan, tag in zip(texts, plans, tags)]

    def _add_reply(self, user_id: int, conv_id: int, parent_id: int, plan: Plan, engine,
                   **extra_params) -> int:
        """The assistant message of a reply about to be generated (status "streaming")."""
        return self.store.add_message(
            user_id, conv_id, "assistant", "", parent_id=parent_id, status="streaming",
            src=plan.src, tgt=plan.tgt, prompt=plan.prompts[0] if len(plan.prompts) == 1 else "\n\n".join(plan.prompts),
            model_id=engine.model_id, adapter=engine.preset.adapter,
            params={**_params_record(plan), **extra_params})

    @contextmanager
    def _running(self, user_id: int, conv_id: int, msg_ids: list[int], handles: list):
        """``handles`` reachable by `stop` (the user's, or one conversation's) and
        `stop_message` (each reply) meanwhile."""
        job = (conv_id, handles)
        with self._lock:
            self._active.setdefault(user_id, []).append(job)
            for msg_id in msg_ids:
                self._by_message[msg_id] = handles
        try:
            yield
        finally:
            with self._lock:
                lst = self._active.get(user_id, [])
                lst[:] = [j for j in lst if j is not job]
                for msg_id in msg_ids:
                    self._by_message.pop(msg_id, None)

    def _reply(self, user_id: int, conv_id: int, parent_id: int, plan: Plan) -> Iterator[Reply]:
        engine = self.host.engine
        header = direction_header(plan)
        msg_id = self._add_reply(user_id, conv_id, parent_id, plan, engine)
        handles: list = [_Cancel()]  # stops batched work between batches; stream handles join it
        outcome: Outcome | None = None
        partial = PartialFlusher(lambda t: self.store.update_message(user_id, msg_id, content=t))
        try:
            with self._running(user_id, conv_id, [msg_id], handles):
                yield Reply("", header, "streaming", parent_id, msg_id, note=plan.notice)
                for event in _generate(engine, plan, handles):
                    if event.final is not None:
                        outcome = event.final
                        break
                    yield Reply(event.text, header, "streaming", parent_id, msg_id, note=event.note or plan.notice)
                    partial.update(event.text)  # after the UI took it: the store never runs ahead
        finally:
            self._finish(user_id, msg_id, plan, outcome, partial.latest)
        yield _final_reply(plan, parent_id, msg_id, outcome)

    def _reply_together(self, user_id: int, conv_id: int, engine, plans: list[Plan],
                        parents: list[int]) -> list[tuple[int, Outcome]]:
        """One batch call for ``plans`` (same decoding and group): their replies stored
        "streaming" first, finished once each at the end ("stopped" if the call never returned)."""
        ids = [self._add_reply(user_id, conv_id, parent, plan, engine, batch=len(plans))
               for plan, parent in zip(plans, parents)]
        outcomes: list[Outcome | None] = [None] * len(plans)
        try:
            with self._running(user_id, conv_id, ids, [_Cancel()]):
                outcomes = generate_together(engine, plans)
        finally:
            for plan, msg_id, outcome in zip(plans, ids, outcomes):
                self._finish(user_id, msg_id, plan, outcome)
        return list(zip(ids, outcomes))

    def _finish(self, user_id: int, msg_id: int, plan: Plan, outcome: Outcome | None,
                shown: str = "") -> None:
        """One write when the reply ends (also when the client went away mid-stream: then
        with the text shown so far)."""
        if outcome is None:
            self.store.update_message(user_id, msg_id, content=shown, status="stopped")
            return
        prompt_tokens, completion_tokens = outcome.token_counts()
        params = {**_params_record(plan), **outcome.extra_params(),
                  **glossary_record(plan, outcome.text if outcome.status == "complete" else None)}
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


def _final_reply(plan: Plan, parent_id: int, msg_id: int, outcome: Outcome) -> Reply:
    """The last update of a reply: its cleaned text, status and notes."""
    beams = outcome.beams_asked()
    greedy = (f"This engine has no beam search: {beams} beams were asked, greedy decoding ran."
              if beams else None)
    return Reply(outcome.text, direction_header(plan), outcome.status, parent_id, msg_id, done=True,
                 note=_status_note(outcome) or _notes(outcome.note, plan.notice, greedy,
                                                      glossary_note(glossary_record(plan, outcome.text))))


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
            "mode": plan.mode, "pivot": plan.pivot, **glossary_record(plan)}
