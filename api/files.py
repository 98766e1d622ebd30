"""Files for LibreTranslate's `/translate_file`: reading the upload, and the translated files
waiting for `GET /download_file/<token>/<name>`.

A translated file is kept under the data folder (``files/<token>/<name>``, beside the
database) for `LIFETIME_S` (one hour), then deleted (a sweep runs at every upload and download);
its token is random (24 bytes, URL-safe) and it is served only to the caller who uploaded it
(the same key; without a key, the same address). The upload itself is never written to disk:
the document is read from the request's bytes, translated, and only the result is kept."""
from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from urllib.parse import quote

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse

from chat.settings import TurnSettings
from documents import SUPPORTED, DocumentError, open_document, safe_stem, supported_text

from api.bodies import bearer, client_of
from api.errors import ApiError, guarded, libretranslate_error
from api.guard import MAX_FILE_BODY

LIFETIME_S = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_META = "meta.json"
GONE = ("This file does not exist: it has expired (translated files are kept 1 hour), or it "
        "was translated with another key.")


def safe_name(filename: str) -> str:
    """The upload's name as a file name of its own: no folders, only letters, digits, spaces,
    dots, dashes and underscores (others become ``_``), its extension kept."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    stem, dot, ext = name.rpartition(".")
    stem = safe_stem(stem if dot else name)
    ext = re.sub(r"[^\w]", "", ext)[:10] if dot else ""
    return f"{stem}.{ext}" if ext else stem


async def read_upload(request: Request) -> tuple[dict, tuple[str, bytes] | None]:
    """(the request's text fields, (file name, bytes) of its ``file`` or None). 413 over
    `MAX_FILE_BODY`; a body that is not multipart has fields but no file."""
    fields: dict = dict(request.query_params)
    body = await request.body()
    if len(body) > MAX_FILE_BODY:
        raise ApiError(413, f"The request body is {len(body):,} bytes; the limit for files is "
                            f"{MAX_FILE_BODY:,}.")
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        return fields, None
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - a malformed multipart body is the client's
        raise ApiError(400, "Invalid request: the multipart body could not be read") from None
    upload = None
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields[key] = value
        elif key == "file" and upload is None:
            upload = (value.filename or "", await value.read())
    return fields, upload


def key_of(fields: dict, request: Request) -> str | None:
    key = fields.get("api_key") or bearer(request)
    return None if key is None else str(key)


class Downloads:
    """Translated files waiting to be fetched, in ``folder`` (one folder per token)."""

    def __init__(self, folder: Path, lifetime_s: float = LIFETIME_S):
        self.folder, self.lifetime_s = Path(folder), lifetime_s

    def put(self, owner: str, name: str, data: bytes) -> str:
        """Keep ``data`` as ``name`` for ``owner`` (a caller's bucket); its token."""
        self.sweep()
        token = secrets.token_urlsafe(24)
        place = self.folder / token
        place.mkdir(parents=True)
        (place / name).write_bytes(data)
        meta = {"owner": owner, "name": name, "expires": time.time() + self.lifetime_s}
        (place / _META).write_text(json.dumps(meta), encoding="utf-8")
        return token

    def response(self, token: str, name: str, owner: str) -> FileResponse:
        """The file as an attachment; 404 for an unknown or expired token, another name, or
        another owner (one answer for all, so a token's existence is not told)."""
        self.sweep()
        place = self.folder / token if _TOKEN.match(token or "") else None
        try:
            meta = json.loads((place / _META).read_text(encoding="utf-8")) if place else None
        except (OSError, ValueError):
            meta = None
        if not meta or meta.get("name") != name or meta.get("owner") != owner \
                or meta.get("expires", 0) < time.time():
            raise ApiError(404, GONE)
        return FileResponse(place / name, filename=name, media_type="application/octet-stream")

    def sweep(self) -> int:
        """Delete the files past their time; how many."""
        if not self.folder.is_dir():
            return 0
        gone, now = 0, time.time()
        for place in self.folder.iterdir():
            try:
                expires = json.loads((place / _META).read_text(encoding="utf-8"))["expires"]
            except (OSError, ValueError, KeyError, TypeError):
                expires = place.stat().st_mtime + self.lifetime_s  # half-written: by its age
            if expires < now:
                shutil.rmtree(place, ignore_errors=True)
                gone += 1
        return gone


class FileRoutes:
    """LibreTranslate's file routes and its spec, a part of `LibreTranslateRoutes` (which has
    ``turns``, ``gate``, ``downloads``, ``_direction`` and the router's ``_routes``)."""

    @guarded(libretranslate_error)
    async def translate_file(self, request: Request):
        """A document (`documents.SUPPORTED`) translated segment by segment as a conversation of
        the caller's (documents/job.py); its segments' characters count against the limit."""
        try:
            fields, upload = await read_upload(request)
            caller = self.gate.caller(key_of(fields, request), client_of(request))
            if upload is None:
                raise ApiError(400, "Invalid request: missing file parameter")
            filename, data = upload
            for what in ("source", "target"):
                if not fields.get(what):
                    raise ApiError(400, f"Invalid request: missing {what} parameter")
            ext = Path(filename).suffix.lower()
            if not filename.strip() or not data:
                raise ApiError(400, "Invalid request: empty file")
            if ext not in SUPPORTED:
                raise ApiError(400, f"Invalid request: file format not supported ({ext or 'no extension'}); "
                                    f"supported: {supported_text()}")
            source, target = self._direction(fields)
            try:
                document = await run_in_threadpool(open_document, data, filename)
            except DocumentError as err:
                raise ApiError(400, f"Invalid request: {err}") from None
            self.gate.check_size(caller, [s.text for s in document.pending], strings=1)
            glossary = await run_in_threadpool(self.turns.glossary, caller, fields.get("glossary"))
            settings = TurnSettings(src=source, tgt=target, hint=self.turns.hint(fields.get("hint")),
                                    mode="translate", unsure="guess", glossary=glossary)
            output = await run_in_threadpool(self.turns.translate_document, caller, document, settings)
            name = safe_name(filename)
            token = await run_in_threadpool(self.downloads.put, caller.bucket, name, output)
        except ApiError as err:
            return libretranslate_error(err)
        url = f"{str(request.base_url).rstrip('/')}/download_file/{token}/{quote(name)}"
        return JSONResponse({"translatedFileUrl": url})

    @guarded(libretranslate_error)
    async def download_file(self, request: Request, token: str, name: str):
        """The translated file, to the caller who sent it (its key as ``api_key`` or a bearer
        header), while it is kept."""
        try:
            caller = self.gate.caller(key_of(dict(request.query_params), request), client_of(request))
            return await run_in_threadpool(self.downloads.response, token, name, caller.bucket)
        except ApiError as err:
            return libretranslate_error(err)

    @guarded(libretranslate_error)
    async def spec(self, request: Request):
        """A minimal OpenAPI description of the LibreTranslate routes (LibreTranslate serves its
        Swagger here)."""
        if getattr(self, "_spec", None) is None:
            self._spec = get_openapi(
                title="LibreTranslate-compatible API", version="1.0", routes=self._routes,
                description="LibreTranslate's endpoints as hintmt serves them (see the README's API "
                            "section): fields as JSON, a form or multipart; errors as {\"error\": …}.")
        return JSONResponse(self._spec)
