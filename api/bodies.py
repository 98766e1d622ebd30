"""Reading a request's fields as LibreTranslate does: a JSON object, or a form
(url-encoded or multipart; a repeated field becomes a list), plus the query string."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

from fastapi import Request

from api.errors import ApiError

MAX_BODY = 4 * 1024 * 1024  # bytes; larger bodies are refused before parsing


async def read_fields(request: Request) -> dict:
    """The request's fields; ApiError 400 for a body that is not a JSON object or a form."""
    fields: dict = dict(request.query_params)
    ctype = request.headers.get("content-type", "").lower()
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
        for key in dict.fromkeys(k for k, _ in pairs):
            values = [v for k, v in pairs if k == key]
            fields[key] = values if len(values) > 1 else values[0]
        return fields
    if "form" in ctype:  # multipart
        form = await request.form()
        for key in form.keys():
            values = [v for v in form.getlist(key) if isinstance(v, str)]
            fields[key] = values if len(values) > 1 else (values[0] if values else "")
        return fields
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, f"Malformed JSON body: {err}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The JSON body must be an object with the request's fields.")
    fields.update(data)
    return fields


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def bearer(request: Request) -> str | None:
    """The key of an 'Authorization: Bearer KEY' header."""
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None
