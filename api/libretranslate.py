"""LibreTranslate's API at the server root: POST /translate, /detect, /suggest, /translate_file,
GET /languages, /frontend/settings, /download_file/…, /spec; answers and errors (`{"error": "..."}`) in LibreTranslate's shapes.

Extensions: ``hint`` (the style's hint) and ``glossary`` (the name of one of the key's glossaries,
as DeepL's ``glossary_id`` names one; an unknown name is a 400)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from prompts import language_name
from chat.settings import is_auto
from documents import SUPPORTED
from prompts import LANGUAGES, detect_language

from api.bodies import bearer, client_of, read_fields
from api.errors import ApiError, guarded, libretranslate_error
from api.files import Downloads, FileRoutes
from api.html_text import node_texts, translate_html
from api.keys import KeyGate
from api.service import ApiTurns, Translated, language_code

FORMATS = ("text", "html")


def _percent(confidence: float | None) -> float:
    return round(100.0 * (confidence or 0.0), 1)


def _texts(q) -> tuple[list[str], bool]:
    """(the strings of q, whether q was a list); 400 for a missing or malformed q."""
    if q is None or q == "" or q == []:
        raise ApiError(400, "Invalid request: missing q parameter")
    batch = isinstance(q, list)
    texts = q if batch else [q]
    if not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "Invalid request: q must be a string or a list of strings")
    return texts, batch


def _int(value, what: str, low: int, high: int) -> int:
    """A whole number (JSON integer, or digits from a form); 400 for anything else (1.7, true)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdecimal():
        raise ApiError(400, f"Invalid request: {what} must be a whole number")
    number = int(value)
    if not low <= number <= high:
        raise ApiError(400, f"Invalid request: {what} must be between {low} and {high}")
    return number


SUMMARIES = {
    "/translate": "Translate text (q: a string or a list; format text or html)",
    "/detect": "Detect the language of a text", "/suggest": "Suggest a better translation",
    "/languages": "The languages the loaded model translates",
    "/frontend/settings": "The server's settings and limits",
    "/translate_file": "Translate a file (multipart: file, source, target, api_key); "
                       "answers translatedFileUrl",
    "/download_file/{token}/{name}": "Download a translated file (same key; kept 1 hour)",
}


class LibreTranslateRoutes(FileRoutes):
    """The routes over one ApiTurns and KeyGate (/translate_file, /download_file and /spec:
    api/files.py); translated files wait in ``downloads``."""

    def __init__(self, turns: ApiTurns, gate: KeyGate, downloads: Downloads | None = None):
        self.turns, self.gate = turns, gate
        self.downloads = downloads or Downloads(turns.conversations.data_folder() / "files")
        self._spec: dict | None = None
        self._routes: list = []

    PATHS = {"/translate": ["POST"], "/detect": ["POST"], "/suggest": ["POST"],
             "/languages": ["GET", "POST"], "/frontend/settings": ["GET"],
             "/translate_file": ["POST"], "/download_file/{token}/{name}": ["GET"], "/spec": ["GET"]}

    def router(self) -> APIRouter:
        r = APIRouter()
        named = {"/frontend/settings": self.settings, "/download_file/{token}/{name}": self.download_file}
        for path, methods in self.PATHS.items():
            handler = named.get(path) or getattr(self, path.strip("/"))
            for method in methods:  # a route each: /spec's operation ids stay unique
                r.add_api_route(path, handler, methods=[method], summary=SUMMARIES.get(path),
                                include_in_schema=path != "/spec")
        self._routes = r.routes
        return r

    async def _caller(self, request: Request):
        fields = await read_fields(request)
        key = fields.get("api_key") or bearer(request)
        return fields, self.gate.caller(None if key is None else str(key), client_of(request))

    def _direction(self, fields: dict, auto: bool = True) -> tuple[str, str]:
        langs = self.turns.languages()
        raw_source = fields.get("source")
        source = "auto" if auto and is_auto(raw_source) else language_code(raw_source, "source")
        target = language_code(fields.get("target"), "target")
        model = self.turns.engine().preset.name
        for code, what in ((source, "from"), (target, "into")):
            if code != "auto" and code not in langs:
                raise ApiError(400, f"{model} cannot translate {what} {language_name(code)} "
                                    f"({code}); see GET /languages")
        return source, target

    @guarded(libretranslate_error)
    async def translate(self, request: Request):
        try:
            fields, caller = await self._caller(request)
            texts, batch = _texts(fields.get("q"))
            fmt = str(fields.get("format") or "text").lower()
            if fmt not in FORMATS:
                raise ApiError(400, f"Invalid request: format must be one of {', '.join(FORMATS)}")
            nodes = [n for t in texts for n in node_texts(t)] if fmt == "html" else texts
            self.gate.check_size(caller, nodes, strings=len(texts))
            source, target = self._direction(fields)
            alternatives = _int(fields.get("alternatives"), "alternatives", 0,
                                self.gate.limits.max_alternatives)
            hint = self.turns.hint(fields.get("hint"))
            glossary = await run_in_threadpool(self.turns.glossary, caller, fields.get("glossary"))

            def one(text: str) -> Translated:
                if not text.strip():
                    return Translated(text)
                return self.turns.translate(caller, text, source, target, hint, alternatives, glossary)

            if fmt == "html":
                results = await run_in_threadpool(self._html, caller, texts, source, target, hint, glossary)
            elif batch:  # one model batch, each string its own stored turn
                results = await run_in_threadpool(lambda: self.turns.translate_many(
                    caller, texts, source, target, hint, alternatives, glossary))
            else:
                results = await run_in_threadpool(lambda: [one(t) for t in texts])
        except ApiError as err:
            return libretranslate_error(err)
        return JSONResponse(self._answer(results, batch, source == "auto", alternatives))

    def _html(self, caller, texts: list[str], source: str, target: str, hint,
              glossary: str | None = None) -> list[Translated]:
        """`format=html`: the text nodes of every string as one list (`translate_many`: all
        are planned before any is stored, so a node the model cannot take refuses the request
        with nothing stored); each string rebuilt around its nodes' translations, detected
        as its first node."""
        nodes = [node_texts(t) for t in texts]
        done = iter(self.turns.translate_many(caller, [n for ns in nodes for n in ns], source, target, hint,
                                              glossary=glossary))
        results = []
        for text, own in zip(texts, nodes):
            found = [next(done) for _ in own]
            pieces = iter(found)
            out = Translated(translate_html(text, lambda _: next(pieces).text))
            if found:
                out.detected, out.confidence = found[0].detected, found[0].confidence
            results.append(out)
        return results

    @staticmethod
    def _answer(results: list[Translated], batch: bool, auto: bool, alternatives: int) -> dict:
        def detected(t: Translated) -> dict:
            return {"confidence": _percent(t.confidence), "language": t.detected or "en"}

        if not batch:
            out: dict = {"translatedText": results[0].text}
            if auto:
                out["detectedLanguage"] = detected(results[0])
            if alternatives:
                out["alternatives"] = results[0].alternatives
            return out
        out = {"translatedText": [t.text for t in results]}
        if auto:
            out["detectedLanguage"] = [detected(t) for t in results]
        if alternatives:
            out["alternatives"] = [t.alternatives for t in results]
        return out

    @guarded(libretranslate_error)
    async def detect(self, request: Request):
        try:
            fields, caller = await self._caller(request)
            texts, batch = _texts(fields.get("q"))
            if batch:
                raise ApiError(400, "Invalid request: /detect takes one string in q")
            self.gate.check_size(caller, texts)
            langs = self.turns.languages()
            found = detect_language(texts[0], candidates=langs)
        except ApiError as err:
            return libretranslate_error(err)
        if found.lang is None:  # no letters, or a script none of the languages writes: as
            # LibreTranslate, still one candidate, the best guess with confidence 0
            return JSONResponse([{"confidence": 0.0, "language": "en" if "en" in langs else langs[0]}])
        return JSONResponse([{"confidence": _percent(found.confidence), "language": found.lang}])

    @guarded(libretranslate_error)
    async def suggest(self, request: Request):
        try:
            fields, caller = await self._caller(request)
            texts, batch = _texts(fields.get("q"))
            if batch or not isinstance(fields.get("s"), str):
                raise ApiError(400, "Invalid request: q and s must be strings")
            self.gate.check_size(caller, [texts[0], fields["s"]])
            source, target = self._direction(fields, auto=True)
            src = None if source == "auto" else source
            pairs = await run_in_threadpool(self.turns.suggest, caller, texts[0], fields["s"],
                                            src, target)
        except ApiError as err:
            return libretranslate_error(err)
        return JSONResponse({"success": True, "pairs": pairs})

    @guarded(libretranslate_error)
    async def languages(self, request: Request):
        try:
            langs = self.turns.languages()
        except ApiError as err:
            return libretranslate_error(err)
        return JSONResponse([{"code": c, "name": LANGUAGES.get(c, c),
                              "targets": [t for t in langs if t != c]} for c in langs])

    @guarded(libretranslate_error)
    async def settings(self, request: Request):
        limits = self.gate.limits
        try:
            langs = self.turns.languages()
        except ApiError:
            langs = ["en"]
        target = "en" if "en" in langs else langs[0]
        return JSONResponse({
            "charLimit": limits.chars_per_request or -1, "frontendTimeout": 500,
            "apiKeys": True, "keyRequired": self.gate.key_required(client_of(request)), "suggestions": True,
            "filesTranslation": True, "supportedFilesFormat": list(SUPPORTED),
            "language": {"source": {"code": "auto", "name": "Auto Detect"},
                         "target": {"code": target, "name": LANGUAGES.get(target, target)}},
        })
