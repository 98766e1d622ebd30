"""Reading a request's fields as LibreTranslate (Flask) does: a JSON object for a JSON content
type (``application/json``, ``application/*+json``; also a body with no content type, as older
clients send JSON), or a form (url-encoded or multipart; a repeated field becomes a list, and a
name ending in ``[]``, PHP/Rails style ``q[]=a&q[]=b``, is always a list under the bare name),
plus the query string. Any other content type (``text/plain``, ...) gives no body fields, as
Flask's ``request.values`` gives none: the request is then answered for what it lacks
("missing q parameter")."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

from fastapi import Request

from api.errors import ApiError

MAX_BODY = 4 * 1024 * 1024  # bytes; larger bodies are refused before parsing


async def read_fields(request: Request) -> dict:
    """The request's fields; ApiError 400 for a body that is not a JSON object or a form."""
    fields: dict = _grouped(request.query_params.multi_items(), last=True)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(413, f"The request body is {len(body):,} bytes; the limit is {MAX_BODY:,}.")
    if not body.strip():
        return fields
    if "x-www-form-urlencoded" in ctype:  # UTF-8, raw or %-escaped, as Flask reads it
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "The form body is not UTF-8 text.") from None
        fields.update(_grouped(pairs))
        return fields
    if "form" in ctype:  # multipart (files are not fields)
        form = await request.form()
        fields.update(_grouped((k, v) for k, v in form.multi_items() if isinstance(v, str)))
        return fields
    if ctype and not _is_json(ctype):  # text/plain and the like: no fields, as Flask reads them
        return fields
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, f"Malformed JSON body: {err}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The JSON body must be an object with the request's fields.")
    fields.update(data)
    return fields


def _is_json(media_type: str) -> bool:
    """Flask's ``is_json``: application/json or an application/*+json type."""
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json"))


def _grouped(pairs, last: bool = False) -> dict:
    """Name → value from (name, value) pairs in order: a repeated name gives a list (``last``:
    its last value, as the query string always read), and ``name[]`` a list under ``name``."""
    values: dict[str, list] = {}
    listed: set[str] = set()
    for key, value in pairs:
        if key.endswith("[]") and len(key) > 2:
            key = key[:-2]
            listed.add(key)
        values.setdefault(key, []).append(value)
    return {k: v if k in listed else (v[-1] if last or len(v) == 1 else v)
            for k, v in values.items()}


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def bearer(request: Request) -> str | None:
    """The key of an 'Authorization: Bearer KEY' header."""
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None
