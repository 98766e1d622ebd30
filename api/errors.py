"""Errors the APIs answer with: LibreTranslate's shape ``{"error": "..."}`` at the root,
OpenAI's ``{"error": {"message", "type", "code"}}`` under /v1; never a traceback."""
from __future__ import annotations

from fastapi.responses import JSONResponse

_OPENAI_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                 403: "permission_error", 404: "not_found_error", 413: "invalid_request_error",
                 429: "rate_limit_error", 503: "server_error"}


class ApiError(Exception):
    """A request the API refuses: HTTP status and a one-line message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def libretranslate_error(err: ApiError) -> JSONResponse:
    return JSONResponse({"error": err.message}, status_code=err.status)


def openai_error(err: ApiError) -> JSONResponse:
    status = 401 if err.status == 403 else err.status  # OpenAI's status for a missing/wrong key
    kind = _OPENAI_TYPES.get(status, "invalid_request_error")
    return JSONResponse({"error": {"message": err.message, "type": kind, "param": None,
                                   "code": kind}}, status_code=status)
