"""The serve command's options for the HTTP APIs (LibreTranslate's and OpenAI's, api/)."""
from __future__ import annotations

from api.keys import KEY_MODES, Limits
from models.environment import settings


def api_arguments(p) -> None:
    p.add_argument("--no-api", action="store_true", default=not settings().api,
                   help="serve the page only, without the LibreTranslate and OpenAI APIs "
                        "(env HINTMT_API=0)")
    p.add_argument("--api-keys", choices=KEY_MODES, default=settings().api_keys,
                   help="requests without an API key: auto = allowed when the server listens on "
                        "loopback only, refused otherwise (env HINTMT_API_KEYS)")
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

    limits = Limits(keys=args.api_keys, host=args.host, requests_per_minute=max(0, args.api_rpm),
                    chars_per_request=max(0, args.api_char_limit),
                    batch_limit=max(1, args.api_batch_limit))
    return build_routes(session, feedback, limits)
