"""OpenAI's chat completions under /v1: POST /v1/chat/completions (streamed as server-sent
events or not) and GET /v1/models. The last user message is translated (or, with the extra
field ``mode: "chat"``, answered) with the app's own prompt building; the target language
comes from the extra field ``target``, else a leading "Translate to French:" of the user message
(removed from the text), else a system message such as "Translate into German" (api/targets.py);
a translation with none is a 400 (chat mode: English)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from chat.settings import TurnSettings, is_auto

from api.bodies import bearer, client_of, read_fields
from api.errors import ApiError, guarded, openai_error
from api.keys import KeyGate
from api.service import ApiTurns, language_code
from api.streaming import ReplyStream, unchanged_reply
from api.targets import leading_instruction, target_from_system

NO_TARGET = ("no target language: name it in the request's extra field 'target' (a code such as "
             "'de'), in a system message such as \"Translate into German\", or at the start of the "
             "user message, as in \"Translate to German: Good night.\"")


def _content(message) -> str:
    """A message's text (a string, or OpenAI's list of content parts)."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if not all(isinstance(part, str) for part in parts):
            raise ApiError(400, "each text content part needs a string in 'text'")
        return "".join(parts)
    return ""


def _flag(fields: dict, name: str) -> bool:
    """A true/false field (JSON booleans; "true"/"false" from a form); 400 otherwise."""
    value = fields.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", ""):
        return value.strip().lower() in ("true", "1")
    raise ApiError(400, f"{name} must be true or false")


def _stream_usage(fields: dict) -> bool:
    """Whether ``stream_options`` asks for a usage chunk; 400 for a malformed value."""
    options = fields.get("stream_options")
    if options is None:
        return False
    if not isinstance(options, dict):
        raise ApiError(400, "stream_options must be an object such as {\"include_usage\": true}")
    return _flag(options, "include_usage")


def _number(fields: dict, name: str, kind=float):
    value = fields.get(name)
    if value is None:
        return None
    wrong = ApiError(400, f"{name} must be {'a whole number' if kind is int else 'a number'}")
    if isinstance(value, bool) or (kind is int and isinstance(value, float) and not value.is_integer()):
        raise wrong
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise wrong from None


class OpenAIRoutes:
    """The /v1 routes over one ApiTurns and KeyGate."""

    def __init__(self, turns: ApiTurns, gate: KeyGate):
        self.turns, self.gate = turns, gate

    def router(self) -> APIRouter:
        r = APIRouter(prefix="/v1")
        r.add_api_route("/chat/completions", self.completions, methods=["POST"])
        r.add_api_route("/models", self.models, methods=["GET"])
        r.add_api_route("/models/{model_id:path}", self.model, methods=["GET"])
        r.add_api_route("/{rest:path}", self.unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        return r

    @guarded(openai_error)
    async def unknown(self, request: Request, rest: str):
        """Any other /v1 route: OpenAI's error shape, naming what is served."""
        return openai_error(ApiError(404, f"{request.method} /v1/{rest} is not served here; this server "
                                          "has POST /v1/chat/completions and GET /v1/models."))

    @guarded(openai_error)
    async def model(self, request: Request, model_id: str):
        """GET /v1/models/{id}: the loaded model by its id or its preset's name (``smollm2``,
        as the README's examples call it), or 404."""
        try:
            self.gate.caller(bearer(request), client_of(request))
            engine = self.turns.engine()
            if model_id not in (engine.model_id, engine.preset.name):
                raise ApiError(404, f"The model {model_id!r} does not exist here; this server runs "
                                    f"{engine.preset.name!r} ({engine.model_id}).")
        except ApiError as err:
            return openai_error(err)
        return JSONResponse({**self._card(engine), "id": model_id})

    def _card(self, engine) -> dict:
        return {"id": engine.model_id, "object": "model", "created": 0, "owned_by": "hintmt",
                "style": engine.preset.style, "languages": self.turns.languages()}

    @guarded(openai_error)
    async def models(self, request: Request):
        try:
            self.gate.caller(bearer(request), client_of(request))
            engine = self.turns.engine()
        except ApiError as err:
            return openai_error(err)
        return JSONResponse({"object": "list", "data": [self._card(engine)]})

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
        text = _content(messages[last])
        lead = None if mode == "chat" else leading_instruction(text)  # "Translate to French: …"
        if lead is not None:
            text = lead.text
            if not text:
                raise ApiError(400, "there is no text to translate after the instruction in the user message")
        system = " ".join(_content(m) for m in messages if m["role"] in ("system", "developer"))
        target = fields.get("target") or fields.get("target_lang")
        tgt = language_code(target, "target") if target else (
            (lead and lead.tgt) or target_from_system(system) or ("en" if mode == "chat" else None))
        if tgt is None:
            raise ApiError(400, NO_TARGET)
        source = fields.get("source")
        if is_auto(source) and lead is not None and lead.src:
            source = lead.src
        src = "auto" if is_auto(source) else language_code(source, "source")
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
        return text, history, settings

    def _start(self, caller, text: str, history: list, settings: TurnSettings):
        """Begin the reply: in today's conversation (translate), or in a new one holding the
        client's history (chat; removed again when the request is refused)."""
        if settings.mode != "chat":
            return self.turns.start(caller, lambda: self.turns.daily_conversation(caller), text, settings)
        conv = self.turns.chat_conversation(caller, history)
        try:
            return self.turns.start(caller, lambda: conv, text, settings)
        except ApiError:
            self.turns.conversations.delete(caller.user_id, conv)
            raise

    @guarded(openai_error)
    async def completions(self, request: Request):
        try:
            fields = await read_fields(request)
            key = bearer(request) or fields.get("api_key")
            caller = self.gate.caller(None if key is None else str(key), client_of(request))
            text, history, settings = self._request(fields)
            streamed, usage = _flag(fields, "stream"), _stream_usage(fields)
            chat = settings.mode == "chat"
            self.gate.check_size(caller, [text] + ([t for _, t in history] if chat else []))
            model = self.turns.engine().model_id
            same = None if chat else await run_in_threadpool(
                self.turns.already_there, text, settings.src, settings.tgt)
            if same is not None:  # already in the target language: as /translate, sent back as it is
                body = unchanged_reply(same.text, model, streamed, usage)
                if streamed:
                    return StreamingResponse(body, media_type="text/event-stream",
                                             headers={"Cache-Control": "no-cache"})
                return JSONResponse(body)
            first, rest = await run_in_threadpool(self._start, caller, text, history, settings)
        except ApiError as err:
            return openai_error(err)
        stream = ReplyStream(self.turns, caller, first, rest, model)
        if streamed:
            return StreamingResponse(stream.events(usage), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        try:
            body = await run_in_threadpool(stream.complete)
        except ApiError as err:
            return openai_error(err)
        return JSONResponse(body)

