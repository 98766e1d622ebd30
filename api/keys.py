"""Who is calling and how much they may ask: API keys (hashed in the database), requests
without a key (allowed or refused by a setting; under ``auto``, allowed for a caller on this
machine, as api/guard.py tells it), requests per minute and characters per request (per key;
per client address without a key), and the batch size of /translate. Where no key is required,
a key the server does not know counts as no key (clients always send one: ``DUMMY_KEY``,
``EMPTY``, ``sk-no-key``), as LibreTranslate ignores ``api_key`` when keys are off."""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from storage.api_keys import ApiKeys

from api import request_log
from api.errors import ApiError
from api.guard import Peer, current_peer, is_loopback

ANONYMOUS_USER = "api:anonymous"
KEY_MODES = ("auto", "required", "optional")



@dataclass(frozen=True)
class Limits:
    """The server's API settings (`python app.py --api-…`)."""

    keys: str = "auto"                 # auto: keys required unless the caller is on this machine
    requests_per_minute: int = 60      # per key (0 = no limit)
    chars_per_request: int = 5000      # characters of q in one request (0 = the app's own limit)
    batch_limit: int = 50              # strings in one /translate list
    max_alternatives: int = 3

    def key_required(self, peer: Peer) -> bool:
        """Whether a request from ``peer`` must carry a valid key."""
        if self.keys == "auto":
            return not peer.loopback
        return self.keys == "required"


@dataclass(frozen=True)
class Caller:
    """An authenticated request's owner: the user its data is stored under, and its limits."""

    user_id: int
    key_id: int | None
    bucket: str
    requests_per_minute: int
    chars_per_request: int


class KeyGate:
    """Checks keys and limits for every API request (thread-safe)."""

    def __init__(self, store, limits: Limits):
        self.store = store
        self.keys = ApiKeys(store)
        self.limits = limits
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()
        self._anonymous: int | None = None

    def caller(self, key: str | None, client: str | None) -> Caller:
        """The caller for `key` (None or empty: no key); ApiError 403 for a wrong or revoked
        key, or no key where one is required; 429 over the requests-per-minute limit."""
        limits, peer = self.limits, self.peer(client)
        required = limits.key_required(peer)
        key = (key or "").strip()
        info = self.keys.lookup(key) if key else None
        if key and info is None and required:
            raise ApiError(403, "Invalid API key (unknown or revoked).")
        if info is not None:
            caller = Caller(info.user_id, info.id, f"key:{info.id}",
                            info.requests_per_minute or limits.requests_per_minute,
                            info.chars_per_request or limits.chars_per_request)
        elif required:
            raise ApiError(403, "An API key is required: pass api_key (or an "
                                "'Authorization: Bearer' header); create one with "
                                "`python app.py api-key create NAME`.")
        else:
            if self._anonymous is None:
                self._anonymous = self.store.ensure_user(ANONYMOUS_USER, "API without a key")
            caller = Caller(self._anonymous, None, f"ip:{peer.address or '?'}",
                            limits.requests_per_minute, limits.chars_per_request)
        request_log.note(who=caller.bucket if info is not None else ("loopback" if peer.loopback else "ip"))
        self._count(caller)
        return caller

    @staticmethod
    def peer(client: str | None) -> Peer:
        """The request's caller as the guard resolved it (or, without the guard, ``client``)."""
        return current_peer() or Peer(client, is_loopback(client))

    def key_required(self, client: str | None) -> bool:
        return self.limits.key_required(self.peer(client))

    def _count(self, caller: Caller) -> None:
        if caller.requests_per_minute <= 0:
            return
        now, limit = time.monotonic(), caller.requests_per_minute
        with self._lock:
            if len(self._hits) > 10_000:  # forget callers idle for a minute
                self._hits = {k: h for k, h in self._hits.items() if h and now - h[-1] < 60}
            hits = self._hits.setdefault(caller.bucket, deque())
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= caller.requests_per_minute:
                wait = max(1, math.ceil(60 - (now - hits[0])))
                request_log.note(rate_limit=(limit, 0, wait))
                raise ApiError(429, f"Slowdown: {caller.requests_per_minute} requests per minute "
                                    f"for this key; try again in {wait} s.", {"Retry-After": str(wait)})
            hits.append(now)
            reset = max(1, math.ceil(60 - (now - hits[0])))
            request_log.note(rate_limit=(limit, limit - len(hits), reset))

    def check_size(self, caller: Caller, texts: list[str], strings: int | None = None) -> None:
        """400 when a request carries too many strings (``strings``, default ``len(texts)``) or
        characters (of ``texts``: for HTML, the text between its tags)."""
        strings = len(texts) if strings is None else strings
        if strings > self.limits.batch_limit:
            raise ApiError(400, f"Too many texts: {strings:,} in one request; the limit is "
                                f"{self.limits.batch_limit}.")
        chars = sum(len(t) for t in texts)
        request_log.note(chars=chars)
        if caller.chars_per_request > 0 and chars > caller.chars_per_request:
            raise ApiError(400, f"Invalid request: request ({chars:,} characters) exceeds the "
                                f"text limit ({caller.chars_per_request:,} characters).")
