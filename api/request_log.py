"""One log line per API request: time, method, route, status, who (``key:ID``, ``loopback`` or
``ip``), characters, tokens, duration, and for a refusal its reason; never the text or the
key. The guard (api/guard.py) opens a record per request; the key gate, the size check and the
turns add to it through ``note``/``add`` (a context variable, so no call site passes it on)."""
from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar

log = logging.getLogger("hintmt.api")
_current: ContextVar[dict | None] = ContextVar("hintmt_api_request", default=None)


def begin(method: str, route: str) -> dict:
    """A new record for this request (the current context's)."""
    record = {"method": method, "route": route, "status": None, "who": "-", "chars": 0, "tokens": 0,
              "started": time.perf_counter()}
    _current.set(record)
    return record


def current() -> dict | None:
    return _current.get()


def note(**fields) -> None:
    """Set fields of the current request's record (nothing outside a request)."""
    record = _current.get()
    if record is not None:
        record.update(fields)


def add(name: str, amount: int) -> None:
    """Add to a counter (``chars``, ``tokens``) of the current request's record."""
    record = _current.get()
    if record is not None:
        record[name] = record.get(name, 0) + int(amount or 0)


def fields_of(record: dict) -> dict:
    """The logged fields of a finished record (duration in ms)."""
    out = {"method": record["method"], "route": record["route"], "status": record["status"],
           "who": record["who"], "chars": record["chars"], "tokens": record["tokens"],
           "ms": round((time.perf_counter() - record["started"]) * 1000)}
    if record.get("reason"):
        out["reason"] = record["reason"]
    return out


def write(record: dict) -> None:
    """Log the finished request: INFO, WARNING for 4xx, ERROR for 5xx."""
    fields = fields_of(record)
    status = fields["status"] or 0
    level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
    text = (f"{fields['method']} {fields['route']} {status} {fields['who']} chars={fields['chars']} "
            f"tokens={fields['tokens']} {fields['ms']}ms")
    if fields.get("reason"):
        text += f" reason={json.dumps(fields['reason'], ensure_ascii=False)}"
    log.log(level, text, extra={"fields": fields})


def reason_of(body: bytes) -> str | None:
    """The message of an error body in either API's shape (or FastAPI's ``detail``)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error", data.get("detail"))
    if isinstance(error, dict):
        error = error.get("message")
    return str(error)[:300] if error is not None else None


class JsonLines(logging.Formatter):
    """Every log record as one JSON object a line (``--log-format json``); an API request's
    fields are top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        out.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)
