"""One chat completion's reply, as OpenAI's JSON or as server-sent events.

The reply runs in a thread of its own; the events are read from it asynchronously, so a
client that goes away is noticed at once: its reply is cancelled (the engine stops) and
ends stored as "stopped" with the text and token counts generated so far.

A stream sends only text that is final (chat/settled.py: what the cleaning at the end cannot
cut any more), then the rest of the stored text, so its deltas joined are the stored text and
the non-streamed ``message.content``; its finish reason is the non-streamed one too."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from typing import Iterator

from chat.session import Reply
from chat.settings import UserError
from chat.settled import ReplyText
from models.engines.base import LLAMACPP, OPENAI

from api import request_log
from api.errors import ApiError
from api.keys import Caller

_END = object()
log = logging.getLogger(__name__)


def sse(data: dict | str) -> str:
    """One server-sent event."""
    return "data: " + (data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)) + "\n\n"


def unchanged_reply(text: str, model: str, stream: bool, include_usage: bool):
    """A completion for text that needed no translation (already in the target language; as
    LibreTranslate's /translate answers it, nothing is generated or stored): OpenAI's
    chat.completion object, or its events."""
    ident, created = f"chatcmpl-unchanged-{time.time_ns()}", int(time.time())
    usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    if not stream:
        return {"id": ident, "object": "chat.completion", "created": created, "model": model,
                "usage": usage, "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                             "message": {"role": "assistant", "content": text}}]}

    def chunk(delta: dict, finish: str | None = None) -> str:
        return sse({"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    **({"usage": None} if include_usage else {})})

    async def events():
        yield chunk({"role": "assistant", "content": ""})
        yield chunk({"content": text})
        yield chunk({}, "stop")
        if include_usage:
            yield sse({"id": ident, "object": "chat.completion.chunk", "created": created,
                       "model": model, "choices": [], "usage": usage})
        yield sse("[DONE]")
    return events()


class ReplyStream:
    """The rest of a started reply (`first` came from ApiTurns.start)."""

    def __init__(self, turns, caller: Caller, first: Reply, rest: Iterator[Reply], model: str):
        self.turns, self.caller, self.first, self.rest = turns, caller, first, rest
        self.model = model
        self.include_usage = False
        self.id = f"chatcmpl-{first.message_id}"
        self.created = int(time.time())

    # -- the stored result -----------------------------------------------------------
    def _usage_and_finish(self, last: Reply) -> tuple[dict, str]:
        """Usage and finish reason (the same streamed or not): "length" where the reply ran
        to its token limit, "stop" otherwise (also when it was stopped)."""
        msg = self.turns.conversations.message(self.caller.user_id, self.first.message_id)
        prompt, completion = msg.prompt_tokens or 0, msg.completion_tokens or 0
        request_log.note(tokens=prompt + completion)
        limit = (msg.params or {}).get("max_new_tokens")
        finish = "length" if limit and completion >= int(limit) and last.status != "stopped" else "stop"
        return ({"prompt_tokens": prompt, "completion_tokens": completion,
                 "total_tokens": prompt + completion}, finish)

    def complete(self) -> dict:
        """Run the reply to its end (blocking); OpenAI's chat.completion object."""
        last = self.first
        try:
            for last in self.rest:
                pass
        except UserError as err:
            raise ApiError(400, str(err)) from None
        if last.status == "error":
            raise ApiError(503, last.note or "The model failed.")
        usage, finish = self._usage_and_finish(last)
        return {"id": self.id, "object": "chat.completion", "created": self.created,
                "model": self.model, "usage": usage,
                "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                             "message": {"role": "assistant", "content": last.text}}]}

    # -- streaming -------------------------------------------------------------------
    def _follower(self) -> ReplyText | None:
        """What of the growing reply is final; None: the text is sent whole at its end."""
        try:
            msg = self.turns.conversations.message(self.caller.user_id, self.first.message_id)
            asked = self.turns.conversations.message(self.caller.user_id, self.first.user_message_id)
            drafts = self.turns.engine().backend not in (LLAMACPP, OPENAI)  # beam search replaces
            return ReplyText.of(msg.params or {}, msg.tgt, asked.content, drafts)
        except Exception:  # noqa: BLE001 - still correct, only not streamed
            log.exception("stream %s: its text is sent at the end", self.id)
            return None

    def _chunk(self, delta: dict, finish: str | None = None) -> str:
        """One chunk; with ``include_usage`` each carries ``"usage": null``, as OpenAI's do,
        until the last one carries the usage."""
        return sse({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                    "model": self.model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    **({"usage": None} if self.include_usage else {})})

    async def events(self, include_usage: bool = False):
        """Server-sent events: the role, text deltas, the finish reason, (usage), [DONE]."""
        self.include_usage = include_usage
        loop = asyncio.get_running_loop()
        updates: asyncio.Queue = asyncio.Queue()
        gone = threading.Event()
        put = lambda item: loop.call_soon_threadsafe(updates.put_nowait, item)  # noqa: E731

        def work() -> None:
            try:
                follow = self._follower()
                for reply in self.rest:
                    if gone.is_set():
                        self.turns.session.stop_message(self.caller.user_id, reply.message_id)
                    if reply.done:  # the stored text: the rest of it is sent now
                        put((reply, reply.text))
                        continue
                    try:
                        put((reply, follow.update(reply.text, reply.note) if follow else ""))
                    except Exception:  # noqa: BLE001 - a fault here only holds the text to the end
                        log.exception("stream %s: its text is sent at the end", self.id)
                        follow = None
                        put((reply, ""))
            except Exception as err:  # noqa: BLE001 - reported to the client as an event
                put(err)
            finally:
                put(_END)

        threading.Thread(target=work, name=f"api-{self.id}", daemon=True).start()
        sent, finished, last = "", False, self.first
        try:
            yield self._chunk({"role": "assistant", "content": ""})
            while (item := await updates.get()) is not _END:
                if isinstance(item, Exception):
                    yield _error_event(str(item))
                    continue
                last, text = item
                if last.status == "error":
                    continue
                if len(text) > len(sent) and text.startswith(sent):
                    yield self._chunk({"content": text[len(sent):]})
                    sent = text
            if last.done and last.status != "error" and last.text != sent:
                log.error("stream %s sent %r, not a prefix of the stored %r", self.id, sent, last.text)
            if last.status == "error":  # as complete()'s 503: the client is told, not sent a clean finish
                yield _error_event(last.note or "The model failed.")
            else:
                usage, finish = self._usage_and_finish(last)
                yield self._chunk({}, finish)
                if include_usage:
                    yield sse({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                               "model": self.model, "choices": [], "usage": usage})
            yield sse("[DONE]")
            finished = True
        finally:
            if not finished:  # the client went away: stop the engine, keep what was made
                gone.set()
                self.turns.session.stop_message(self.caller.user_id, self.first.message_id)


def _error_event(message: str) -> str:
    """An error in a stream already under way (OpenAI's SDK raises it as an APIError)."""
    return sse({"error": {"message": message, "type": "server_error"}})
