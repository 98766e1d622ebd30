"""OpenAI's chat completions under /v1: POST /v1/chat/completions (streamed as server-sent
events or not) and GET /v1/models. The last user message is translated (or, with the extra
field ``mode: "chat"``, answered) with the app's own prompt building; the target language
comes from the extra field ``target`` or a system message such as "Translate into German"."""
from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from chat.settings import TurnSettings
from prompts import LANGUAGES

from api.bodies import bearer, client_of, read_fields
from api.errors import ApiError, openai_error
from api.keys import KeyGate
from api.service import ApiTurns, language_code
from api.streaming import ReplyStream

_NAMES = {name.lower(): code for code, name in LANGUAGES.items()}
_WORDS = r"\s+([A-Za-z][A-Za-z-]*(?:\s+[A-Za-z][A-Za-z-]*)?)"
_INTO = (re.compile(r"\b(?:into|to)" + _WORDS, re.I), re.compile(r"\bin" + _WORDS, re.I))


def target_from_system(text: str) -> str | None:
    """The language a system message asks for ("Translate into German", "… to de")."""
    matches = [m for pattern in _INTO for m in pattern.finditer(text or "")]  # "into" before "in"
    for match in matches:
        words = match.group(1).split()
        for start, n in ((0, 2), (0, 1), (1, 1)):  # "German", "Northern Sotho", "Simplified Chinese"
            phrase = " ".join(words[start:start + n]).lower()
            if phrase in _NAMES:
                return _NAMES[phrase]
        code = words[0].lower() if words else ""
        if code in LANGUAGES and "translat" in text.lower():  # "to de"; not "to be" in prose
            return code
    return None


def _content(message) -> str:
    """A message's text (a string, or OpenAI's list of content parts)."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _number(fields: dict, name: str, kind=float):
    value = fields.get(name)
    if value is None:
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be a number") from None


class OpenAIRoutes:
    """The /v1 routes over one ApiTurns and KeyGate."""

    def __init__(self, turns: ApiTurns, gate: KeyGate):
        self.turns, self.gate = turns, gate

    def router(self) -> APIRouter:
        r = APIRouter(prefix="/v1")
        r.add_api_route("/chat/completions", self.completions, methods=["POST"])
        r.add_api_route("/models", self.models, methods=["GET"])
        return r

    async def models(self, request: Request):
        try:
            self.gate.caller(bearer(request), client_of(request))
            engine = self.turns.engine()
        except ApiError as err:
            return openai_error(err)
        return JSONResponse({"object": "list", "data": [
            {"id": engine.model_id, "object": "model", "created": 0, "owned_by": "hintmt",
             "style": engine.preset.style, "languages": self.turns.languages()}]})

    def _request(self, fields: dict) -> tuple[str, list[tuple[str, str]], TurnSettings]:
        """(the text, the earlier messages, the turn's settings) of a completion request."""
        messages = fields.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, "messages must be a non-empty list")
        if any(not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user",
                                                                "assistant") for m in messages):
            raise ApiError(400, "each message needs a role: system, user or assistant")
        if (_number(fields, "n", int) or 1) != 1:
            raise ApiError(400, "n must be 1 (ask again for another translation)")
        users = [i for i, m in enumerate(messages) if m["role"] == "user"]
        if not users or not _content(messages[users[-1]]).strip():
            raise ApiError(400, "there is no user message to translate")
        last = users[-1]
        mode = str(fields.get("mode") or "translate")
        if mode not in ("translate", "chat"):
            raise ApiError(400, "mode must be translate or chat")
        system = " ".join(_content(m) for m in messages if m["role"] in ("system", "developer"))
        target = fields.get("target") or fields.get("target_lang")
        tgt = language_code(target, "target") if target else (target_from_system(system) or "en")
        source = fields.get("source")
        src = "auto" if source in (None, "", "auto") else language_code(source, "source")
        history = [(m["role"], _content(m)) for m in messages[:last] if m["role"] in ("user", "assistant")]
        max_new = _number(fields, "max_completion_tokens", int) or _number(fields, "max_tokens", int)
        if max_new is not None and not 1 <= max_new <= 4096:
            raise ApiError(400, "max_tokens must be between 1 and 4096")
        temperature, top_p = _number(fields, "temperature"), _number(fields, "top_p")
        if temperature is not None and not 0 <= temperature <= 2:
            raise ApiError(400, "temperature must be between 0 and 2")
        if top_p is not None and not 0 < top_p <= 1:
            raise ApiError(400, "top_p must be above 0 and at most 1")
        settings = TurnSettings(src=src, tgt=tgt, hint=self.turns.hint(fields.get("hint")),
                                mode=mode, max_new_tokens=max_new, temperature=temperature,
                                top_p=top_p, unsure="guess")
        return _content(messages[last]), history, settings

    def _start(self, caller, text: str, history: list, settings: TurnSettings):
        """Begin the reply: in today's conversation (translate), or in a new one holding the
        client's history (chat; removed again when the request is refused)."""
        if settings.mode != "chat":
            return self.turns.start(caller, lambda: self.turns.daily_conversation(caller), text, settings)
        conv = self.turns.chat_conversation(caller, history)
        try:
            return self.turns.start(caller, lambda: conv, text, settings)
        except ApiError:
            self.turns.store.delete_conversation(caller.user_id, conv)
            raise

    async def completions(self, request: Request):
        try:
            fields = await read_fields(request)
            key = bearer(request) or fields.get("api_key")
            caller = self.gate.caller(None if key is None else str(key), client_of(request))
            text, history, settings = self._request(fields)
            chat = settings.mode == "chat"
            self.gate.check_size(caller, [text] + ([t for _, t in history] if chat else []))
            self.turns.engine()
            first, rest = await run_in_threadpool(self._start, caller, text, history, settings)
        except ApiError as err:
            return openai_error(err)
        stream = ReplyStream(self.turns, caller, first, rest, self.turns.engine().model_id)
        if fields.get("stream"):
            usage = bool((fields.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(stream.events(usage), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        try:
            body = await run_in_threadpool(stream.complete)
        except ApiError as err:
            return openai_error(err)
        return JSONResponse(body)

