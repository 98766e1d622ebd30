"""Errors the APIs answer with: LibreTranslate's shape ``{"error": "..."}`` at the root,
OpenAI's ``{"error": {"message", "type", "code"}}`` under /v1; never a traceback."""
from __future__ import annotations

import functools
import logging

from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)

_OPENAI_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                 403: "permission_error", 404: "not_found_error", 413: "invalid_request_error",
                 429: "rate_limit_error", 500: "server_error", 503: "server_error"}


class ApiError(Exception):
    """A request the API refuses: HTTP status and a one-line message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}  # e.g. Retry-After on a 429


def libretranslate_error(err: ApiError) -> JSONResponse:
    return JSONResponse({"error": err.message}, status_code=err.status, headers=err.headers)


def openai_error(err: ApiError) -> JSONResponse:
    status = 401 if err.status == 403 else err.status  # OpenAI's status for a missing/wrong key
    kind = _OPENAI_TYPES.get(status, "invalid_request_error")
    return JSONResponse({"error": {"message": err.message, "type": kind, "param": None,
                                   "code": kind}}, status_code=status, headers=err.headers)


def guarded(shape):
    """A route that answers an unexpected failure in its API's error shape (``shape``:
    ``libretranslate_error`` or ``openai_error``), status 500, logged with its traceback."""
    def wrap(route):
        @functools.wraps(route)
        async def answer(*args, **kwargs):
            try:
                return await route(*args, **kwargs)
            except Exception:  # noqa: BLE001 - the client gets one line, the log the traceback
                log.exception("API route %s failed", route.__name__)
                return shape(ApiError(500, "The server failed on this request (logged); "
                                           "please report it if it happens again."))
        return answer
    return wrap
