"""The serve command's options for the HTTP APIs (LibreTranslate's and OpenAI's, api/)."""
from __future__ import annotations

from api.keys import KEY_MODES, Limits
from models.environment import settings


def api_arguments(p) -> None:
    p.add_argument("--no-api", action="store_true", default=not settings().api,
                   help="serve the page only, without the LibreTranslate and OpenAI APIs "
                        "(env HINTMT_API=0)")
    p.add_argument("--api-keys", choices=KEY_MODES, default=settings().api_keys,
                   help="requests without an API key: auto = allowed from this machine (the "
                        "caller's real address, see --forwarded-allow-ips), refused from any other; "
                        "required; optional (env HINTMT_API_KEYS)")
    p.add_argument("--api-cors-origins", default="",
                   help="comma-separated origins of web pages that may call the API from a browser "
                        "(e.g. https://tools.example.org; * for any): they get CORS headers, and only "
                        "they and the server's own page may send requests that write")
    p.add_argument("--forwarded-allow-ips", default="",
                   help="addresses or networks of reverse proxies whose X-Forwarded-For is believed "
                        "(uvicorn's setting; default none: the socket's peer is the caller)")
    p.add_argument("--api-rpm", type=int, default=settings().api_rpm,
                   help="requests per minute per key (per address without a key; 0 = no limit; "
                        "a key's own limit wins)")
    p.add_argument("--api-char-limit", type=int,
                   default=settings().api_char_limit,
                   help="characters of text in one request (0 = only the app's 20,000)")
    p.add_argument("--api-batch-limit", type=int,
                   default=settings().api_batch_limit,
                   help="strings in one /translate list")


def api_routes(args, session, feedback) -> list | None:
    """The API routes for `serve`, or None with --no-api."""
    if getattr(args, "no_api", False):
        return None
    from api.app import build_routes

    if args.api_keys not in KEY_MODES:
        raise ValueError(f"--api-keys (env HINTMT_API_KEYS) must be one of {', '.join(KEY_MODES)}, "
                         f"not {args.api_keys!r}")

    limits = Limits(keys=args.api_keys, requests_per_minute=max(0, args.api_rpm),
                    chars_per_request=max(0, args.api_char_limit),
                    batch_limit=max(1, args.api_batch_limit))
    return build_routes(session, feedback, limits)


def api_middleware(args, routes: list | None) -> list:
    """The middleware in front of the whole server: CORS for the listed origins, then the API's
    guard (caller's address, cross-site writes, body size, error shapes, the request log)."""
    import os

    from starlette.middleware import Middleware

    from api.cors import cors_middleware
    from api.guard import ApiGuard, TrustedProxies

    TrustedProxies(args.forwarded_allow_ips)  # a bad address stops the start, with its name
    os.environ["FORWARDED_ALLOW_IPS"] = ""  # uvicorn trusts no proxy itself: the guard does, as told
    if routes is None:
        return []
    origins = [o.strip() for o in (args.api_cors_origins or "").split(",") if o.strip()]
    from api.app import root_paths

    paths = root_paths()
    stack = []
    if origins:
        stack.append(cors_middleware(origins))  # moved in front of Gradio's at start (api/cors.py)
    stack.append(Middleware(ApiGuard, api_paths=paths, cors_origins=origins,
                            trusted_proxies=args.forwarded_allow_ips))
    return stack
