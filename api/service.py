"""API requests as page turns: every call goes through `ChatSession` (the page's prompts,
hints, X-ALMA routing and storage) into a conversation of the caller's own, one per day
("API 2026-11-30"; chat-mode completions get one per call, holding the client's history).

Errors the user can fix become `ApiError` 400; a model that is not ready, 503."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterator, TypeVar

from chat.conversations import Conversations
from chat.glossaries import list_glossaries
from chat.session import ChatSession, Reply
from chat.pipeline import check_text
from chat.settings import AUTO, TurnSettings, UserError
from prompts import LANGUAGES, detect_language
from prompts.languages import normalize_code
from prompts.styles import get_style
from storage import NotFound

from documents import DocumentError
from documents.job import DocumentJob, JobFailed

from api import request_log
from api.errors import ApiError
from api.html_text import has_letters
from api.keys import Caller

T = TypeVar("T")


@dataclass
class Translated:
    """One translated string: text, detection (when the source was auto), alternatives."""

    text: str
    message_id: int | None = None
    detected: str | None = None
    confidence: float | None = None
    alternatives: list[str] = field(default_factory=list)


def language_code(code: str | None, what: str) -> str:
    """A table code for `code`, or ApiError 400 naming the field and the bad value."""
    if not code or not str(code).strip():
        raise ApiError(400, f"Invalid request: missing {what} parameter")
    try:
        return normalize_code(str(code))
    except ValueError:
        raise ApiError(400, f"{what} language {code!r} is not supported (see GET /languages)") from None


class ApiTurns:
    """The session layer as the APIs use it (thread-safe)."""

    def __init__(self, session: ChatSession, feedback):
        self.session = session
        self.feedback = feedback
        self.conversations = Conversations(session.store)
        self._lock = threading.Lock()
        self._daily: dict[tuple[int, str], int] = {}  # (user, title) → today's conversation

    # -- the model -----------------------------------------------------------------
    def engine(self):
        """The loaded engine; 503 while it loads or after it failed."""
        try:
            return self.session.engine()
        except UserError as err:
            raise ApiError(503, str(err)) from None

    def languages(self) -> list[str]:
        """Codes the loaded model translates (every known language for a chat model)."""
        preset = self.engine().preset
        return list(preset.languages) if preset.languages else list(LANGUAGES)

    def hint(self, hint: str | None) -> str | None:
        """A hint for the loaded style (``Style.normalize_hint``); 400 with its message if unusable."""
        try:
            return get_style(self.engine().preset.style).normalize_hint(hint)
        except ValueError as err:
            raise ApiError(400, f"Invalid request: {err}") from None

    def glossary(self, caller: Caller, name) -> str | None:
        """The name of one of the caller's glossaries (an extension of /translate), None for
        none; 400 for anything else."""
        if name is None or (isinstance(name, str) and not name.strip()):
            return None
        if not isinstance(name, str):
            raise ApiError(400, "Invalid request: glossary must be the name of one of your glossaries")
        name = " ".join(name.split())
        if all(g.name != name for g in list_glossaries(self.session.store, caller.user_id)):
            raise ApiError(400, f"Invalid request: this key has no glossary {name!r}")
        return name

    # -- conversations -------------------------------------------------------------
    def daily_conversation(self, caller: Caller) -> int:
        """The caller's conversation of today (UTC), created on first use."""
        title = "API " + datetime.now(timezone.utc).strftime("%Y-%m-%d")
        with self._lock:
            known = self._daily.get((caller.user_id, title))
            if known is not None:
                return known
            conv = self.conversations.titled(caller.user_id, title)
            self._daily = {k: v for k, v in self._daily.items() if k[1] == title}  # today's only
            self._daily[(caller.user_id, title)] = conv
            return conv

    def chat_conversation(self, caller: Caller, history: list[tuple[str, str]]) -> int:
        """A new conversation holding the client's earlier chat messages (the history the
        session builds the chat prompt from)."""
        title = "API chat " + datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        return self.conversations.with_history(caller.user_id, title, history, model_id="client")

    def drop_if_empty(self, caller: Caller, conv_id: int) -> None:
        """Delete a conversation a refused request left empty (nothing stored for it)."""
        with self._lock:
            if self.conversations.drop_if_empty(caller.user_id, conv_id):
                self._daily = {k: v for k, v in self._daily.items() if v != conv_id}

    # -- turns ---------------------------------------------------------------------
    def start(self, caller: Caller, conversation: Callable[[], int], text: str,
              settings: TurnSettings) -> tuple[Reply, Iterator[Reply]]:
        """Store the text in `conversation()` and begin the reply: (its first update, the
        rest). Input the model cannot take is refused here, before anything is stored."""
        def begin(conv_id: int) -> tuple[Reply, Iterator[Reply]]:
            replies = self.session.send(caller.user_id, conv_id, text, settings)
            return next(replies), replies

        return self._refusable(caller, conversation, begin)

    def _refusable(self, caller: Caller, conversation: Callable[[], int], work: Callable[[int], T]) -> T:
        """``work(conversation())``; input the session refuses is a 400 and the conversation
        it left empty is dropped; a conversation another refused request of the same key
        dropped meanwhile is made again once."""
        self.engine()
        for attempt in (1, 2):
            conv_id = conversation()
            try:
                return work(conv_id)
            except UserError as err:
                self.drop_if_empty(caller, conv_id)
                raise ApiError(400, str(err)) from None
            except NotFound:
                if attempt == 2:
                    raise ApiError(409, "The conversation changed meanwhile; send it again.") from None
        raise AssertionError("unreachable")

    def translate(self, caller: Caller, text: str, src: str, tgt: str, hint: str | None = None,
                  alternatives: int = 0, glossary: str | None = None) -> Translated:
        """One string, as the page translates it (auto source detected like the page)."""
        clean = _checked(text)
        unchanged = self.unchanged(clean, src, tgt)
        if unchanged is not None:
            return unchanged
        settings = TurnSettings(src=src, tgt=tgt, hint=hint, mode="translate", unsure="guess",
                                glossary=glossary)
        first, rest = self.start(caller, lambda: self.daily_conversation(caller), clean, settings)
        last = _drain(first, rest)
        asked = self.conversations.message(caller.user_id, last.user_message_id)
        self._count_tokens(caller, last.message_id)
        out = Translated(last.text, last.message_id, asked.detected_lang, asked.detected_confidence)
        for _ in range(alternatives):
            alt = _drain(None, self.session.regenerate(caller.user_id, last.message_id, settings))
            out.alternatives.append(alt.text)
        return out

    def translate_many(self, caller: Caller, texts: list, src: str, tgt: str, hint: str | None = None,
                       alternatives: int = 0, glossary: str | None = None) -> list[Translated]:
        """A list of strings as one batch (`ChatSession.send_batch`): each string its own stored
        turn, detected on its own; blank strings and text already in the target language come
        back as they are. A string the model cannot take refuses the list, storing nothing."""
        out: list[Translated | None] = [None] * len(texts)
        todo: list[tuple[int, str]] = []
        for i, text in enumerate(texts):
            if isinstance(text, str) and not text.strip():
                out[i] = Translated(text)
                continue
            clean = _checked(text)
            out[i] = self.unchanged(clean, src, tgt)
            if out[i] is None:
                todo.append((i, clean))
        if not todo:
            return out
        settings = TurnSettings(src=src, tgt=tgt, hint=hint, mode="translate", unsure="guess",
                                glossary=glossary)
        replies = self._send_batch(caller, [clean for _, clean in todo], settings)
        for (i, _), reply in zip(todo, replies):
            last = _drain(reply, iter(()))
            asked = self.conversations.message(caller.user_id, last.user_message_id)
            self._count_tokens(caller, last.message_id)
            out[i] = Translated(last.text, last.message_id, asked.detected_lang, asked.detected_confidence)
            for _ in range(alternatives):
                alt = _drain(None, self.session.regenerate(caller.user_id, last.message_id, settings))
                out[i].alternatives.append(alt.text)
        return out

    def _count_tokens(self, caller: Caller, message_id: int) -> None:
        """The reply's prompt and generated tokens, for the request's log line."""
        msg = self.conversations.message(caller.user_id, message_id)
        request_log.add("tokens", (msg.prompt_tokens or 0) + (msg.completion_tokens or 0))

    def _send_batch(self, caller: Caller, texts: list[str], settings: TurnSettings) -> list[Reply]:
        """`ChatSession.send_batch` into today's conversation; refused input is a 400 with
        nothing stored (as `start`)."""
        return self._refusable(caller, lambda: self.daily_conversation(caller),
                               lambda conv_id: self.session.send_batch(caller.user_id, conv_id, texts, settings))

    def already_there(self, text: str, src: str, tgt: str) -> Translated | None:
        """``unchanged`` for raw text (checked as a turn's text is; 400 if empty or too long)."""
        return self.unchanged(_checked(text), src, tgt)

    def unchanged(self, clean: str, src: str, tgt: str) -> Translated | None:
        """The text as it is when it needs no translation: it has no letter (numbers,
        punctuation, symbols), `auto` detected it in the target language, or the source is the
        target; None otherwise."""
        if not has_letters(clean):
            return Translated(clean)
        if src == AUTO:
            preset = self.engine().preset
            found = detect_language(clean, candidates=preset.languages or None)
            if found.lang is not None and found.lang == tgt:  # already in the target language
                return Translated(clean, None, found.lang, found.confidence)
        elif src == tgt:
            return Translated(clean)
        return None

    def suggest(self, caller: Caller, text: str, suggestion: str, src: str | None, tgt: str) -> int:
        """The caller's better translation of `text`: a post-edit pair over the app's own
        translation for this key (chosen = suggestion); the number of pairs written."""
        clean = _checked(text)
        better = (suggestion or "").strip()
        if not better:
            raise ApiError(400, "Invalid request: missing s parameter")
        msg_id = self.conversations.latest_reply_to(caller.user_id, clean, src, tgt)
        if msg_id is None:
            raise ApiError(404, "No translation of this text into that language was made with "
                                "this key; translate it with /translate first.")
        reply = self.conversations.message(caller.user_id, msg_id)
        if (reply.params or {}).get("mode") == "chat":
            raise ApiError(400, "That reply was a chat answer, not a translation: corrections are "
                                "taken for translations only.")
        return self.feedback.edit(caller.user_id, msg_id, better).pairs

    def translate_document(self, caller: Caller, document, settings: TurnSettings) -> bytes:
        """A document as a conversation of the caller's own, titled with its name, a stored turn
        per segment (documents/job.py); the translated file. A document or segment the model
        cannot take is a 400 with nothing stored; the model failing midway, a 503 (the segments
        before it stay stored)."""
        self.engine()
        job = None
        try:
            job = DocumentJob.start(self.session, caller.user_id, document, settings)
            job.run()
        except (UserError, DocumentError) as err:
            if job is not None and job.conv_id:
                self.drop_if_empty(caller, job.conv_id)
            raise ApiError(400, f"Invalid request: {err}") from None
        except JobFailed as err:
            raise ApiError(503, str(err)) from None
        request_log.add("tokens", sum((r.prompt_tokens or 0) + (r.completion_tokens or 0)
                                      for _, r in job.turns().values()))
        return job.write()


def _checked(text) -> str:
    """The text as the page stores it (NUL removed, stripped); 400 if empty or too long."""
    if not isinstance(text, str):
        raise ApiError(400, "Invalid request: q must be text")
    try:
        return check_text(text)
    except UserError as err:
        raise ApiError(400, str(err)) from None


def _drain(first: Reply | None, rest: Iterator[Reply]) -> Reply:
    """The final update of a reply; a failed model is a 503."""
    last = first
    try:
        for last in rest:
            pass
    except UserError as err:
        raise ApiError(400, str(err)) from None
    if last is None or last.status == "error":
        raise ApiError(503, (last.note if last else None) or "The model failed.")
    return last
