"""The API's doorman, an ASGI middleware in front of the whole server (``cli/serve.py``):

- **who is calling**: the socket's peer, or, where the peer is a trusted proxy
  (``--forwarded-allow-ips``), the client its ``X-Forwarded-For`` names (uvicorn's own rule);
  a request from an untrusted peer that carries forwarding headers is not counted as this
  machine's (the key gate decides "loopback" from this, never from the bind address);
- **cross-site writes**: a state-changing API request whose ``Origin`` (or ``Referer``) is
  neither the server's own nor in ``--api-cors-origins`` gets 403 before anything runs;
- **body size**: a ``Content-Length`` over the limit (4 MiB; 16 MiB for an upload to
  ``/translate_file``) is refused at once, and a body without one is read only up to the limit;
- **shapes and headers**: FastAPI's ``{"detail": …}`` for a route or method the API does not
  have is answered in the API's own error shape; ``X-RateLimit-*`` where a limit applies;
- **the log**: one line per API request (api/request_log.py)."""
from __future__ import annotations

import ipaddress
import json
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers

from api import request_log
from api.bodies import MAX_BODY
from api.errors import ApiError, libretranslate_error, openai_error

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FILE_BODY = 16 * 1024 * 1024  # bytes of an upload to one of UPLOAD_PATHS (a document)
UPLOAD_PATHS = frozenset({"/translate_file"})
FORWARDING = (b"x-forwarded-for", b"forwarded", b"x-real-ip", b"x-forwarded-host")
_peer: ContextVar["Peer | None"] = ContextVar("hintmt_peer", default=None)


@dataclass(frozen=True)
class Peer:
    """The caller: its address, whether it is on this machine, and whether a trusted proxy
    forwarded the request."""
    address: str | None
    loopback: bool
    proxied: bool = False


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False


class TrustedProxies:
    """``--forwarded-allow-ips``: addresses or networks, comma-separated, or ``*``; empty: none."""

    def __init__(self, spec: str | None):
        items = [s.strip() for s in (spec or "").split(",") if s.strip()]
        self.everyone = "*" in items
        self.networks = []
        for item in items:
            if item != "*":
                try:
                    self.networks.append(ipaddress.ip_network(item, strict=False))
                except ValueError:
                    raise ValueError(f"--forwarded-allow-ips: {item!r} is not an address or network") from None

    def __contains__(self, address: str | None) -> bool:
        if self.everyone:
            return address is not None
        try:
            ip = ipaddress.ip_address((address or "").split("%")[0])
        except ValueError:
            return False
        return any(ip in net for net in self.networks)


def resolve_peer(client: str | None, headers: list[tuple[bytes, bytes]], trusted: TrustedProxies) -> Peer:
    """The caller behind ``client`` (the socket's peer address) given the request's headers."""
    forwarded_for = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
    if client in trusted and forwarded_for:
        hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
        for hop in reversed(hops):  # the nearest hop that is not itself a trusted proxy
            if hop not in trusted:
                return Peer(hop, is_loopback(hop), proxied=True)
        first = hops[0] if hops else client
        return Peer(first, is_loopback(first), proxied=True)
    claims_forwarded = any(k in FORWARDING for k, _ in headers)
    return Peer(client, is_loopback(client) and not (claims_forwarded and client not in trusted))


def current_peer() -> Peer | None:
    """The caller of the request being served (None outside the guard, e.g. in-process tests)."""
    return _peer.get()


class ApiGuard:
    """See the module's docstring. ``api_paths``: the LibreTranslate routes' paths (a path
    with parameters, ``/download_file/{token}/{name}``, covers every path under its fixed
    start; everything under /v1/ is the OpenAI API's)."""

    def __init__(self, app, *, api_paths, cors_origins=(), trusted_proxies: str | None = None,
                 max_body: int = MAX_BODY, max_file_body: int = MAX_FILE_BODY):
        self.app, self.api_paths = app, frozenset(p for p in api_paths if "{" not in p)
        self.prefixes = tuple(p[:p.index("{")] for p in api_paths if "{" in p)
        self.origins = {o.rstrip("/").lower() for o in cors_origins}
        self.trusted, self.max_body = TrustedProxies(trusted_proxies), max_body
        self.max_file_body = max(max_body, max_file_body)

    def is_api(self, path: str) -> bool:
        return (path.startswith("/v1/") or path == "/v1" or path in self.api_paths
                or path.startswith(self.prefixes))

    def body_limit(self, path: str) -> int:
        return self.max_file_body if path in UPLOAD_PATHS else self.max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        client = scope.get("client")
        peer = resolve_peer(client[0] if client else None, scope.get("headers", []), self.trusted)
        if client and peer.address != client[0]:
            scope["client"] = (peer.address, client[1])
        token = _peer.set(peer)
        try:
            if scope["type"] == "http" and self.is_api(scope["path"]):
                return await self._api(scope, receive, send, peer)
            return await self.app(scope, receive, send)
        finally:
            _peer.reset(token)

    async def _api(self, scope, receive, send, peer: Peer):
        headers = Headers(scope=scope)
        openai = scope["path"].startswith("/v1")
        record = request_log.begin(scope["method"], scope["path"])
        record["who"] = "loopback" if peer.loopback else "ip"
        try:
            refusal = self._refusal(scope, headers, peer)
            if refusal is not None:
                return await self._answer(send, refusal, openai, record)
            await self.app(scope, self._capped(receive, self.body_limit(scope["path"])),
                           _Reply(send, record, openai))
        finally:
            request_log.write(record)

    def _refusal(self, scope, headers: Headers, peer: Peer) -> ApiError | None:
        if scope["method"] in WRITES and not self.origin_allowed(headers, peer):
            return ApiError(403, "Cross-site request refused: this page's origin may not send requests "
                                 "to this API (the server's --api-cors-origins lists the ones that may).")
        length, limit = headers.get("content-length"), self.body_limit(scope["path"])
        if length and length.isdigit() and int(length) > limit:
            return ApiError(413, f"The request body is {int(length):,} bytes; the limit is {limit:,}.")
        return None

    def origin_allowed(self, headers: Headers, peer: Peer) -> bool:
        """No Origin/Referer (curl, SDKs), the server's own origin, or one listed."""
        origin = headers.get("origin")
        if origin is None and headers.get("referer"):
            parts = urlsplit(headers["referer"])
            origin = f"{parts.scheme}://{parts.netloc}"
        if origin is None:
            return True
        origin = origin.rstrip("/").lower()
        if origin in self.origins or "*" in self.origins:
            return True
        own = {headers.get("host", "").lower()}
        if peer.proxied and headers.get("x-forwarded-host"):
            own.add(headers["x-forwarded-host"].lower())  # the host the trusted proxy was asked for
        return origin != "null" and urlsplit(origin).netloc in own

    def _capped(self, receive, limit: int):
        seen = 0

        async def read():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise ApiError(413, f"The request body is over {limit:,} bytes, the limit.")
            return message
        return read

    async def _answer(self, send, err: ApiError, openai: bool, record: dict):
        response = (openai_error if openai else libretranslate_error)(err)
        status = err.status  # 403 stays 403 (openai_error makes a key's 403 a 401; these are not keys)
        record.update(status=status, reason=err.message)
        await send({"type": "http.response.start", "status": status,
                    "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


class _Reply:
    """The response's ``send``: records the status, adds the rate-limit headers, and for an
    error keeps the body to log its reason (and to reshape FastAPI's ``detail``)."""

    def __init__(self, send, record: dict, openai: bool):
        self.send, self.record, self.openai = send, record, openai
        self.start: dict | None = None
        self.body = b""

    async def __call__(self, message):
        if message["type"] == "http.response.start":
            self.record["status"] = message["status"]
            message = {**message, "headers": list(message.get("headers", [])) + self._limit_headers()}
            if message["status"] < 400:
                return await self.send(message)
            self.start = message
            return None
        if message["type"] == "http.response.body" and self.start is not None:
            self.body += message.get("body", b"")
            if message.get("more_body"):
                return None
            return await self._send_error()
        return await self.send(message)

    def _limit_headers(self) -> list[tuple[bytes, bytes]]:
        limit = self.record.get("rate_limit")
        if not limit:
            return []
        names = (b"x-ratelimit-limit", b"x-ratelimit-remaining", b"x-ratelimit-reset")
        return [(name, str(value).encode()) for name, value in zip(names, limit)]

    async def _send_error(self):
        start, body = self.start, self.body
        self.record["reason"] = request_log.reason_of(body)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and set(data) == {"detail"}:  # FastAPI's, for a route we lack
            message = data["detail"] if isinstance(data["detail"], str) else "Invalid request"
            if start["status"] == 404:
                message = "Not found: this API has no such route (see /spec and the README's API section)."
            elif start["status"] == 405:
                message = "Method not allowed on this route."
            shape = ({"error": {"message": message, "type": "invalid_request_error", "param": None,
                                "code": "not_found" if start["status"] == 404 else "method_not_allowed"}}
                     if self.openai else {"error": message})
            body = json.dumps(shape).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"content-type")]
            start = {**start, "headers": headers + [(b"content-length", str(len(body)).encode()),
                                                    (b"content-type", b"application/json")]}
        await self.send(start)
        await self.send({"type": "http.response.body", "body": body})
