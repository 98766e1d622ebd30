"""`api-key create|list|revoke`: the keys of the HTTP APIs (stored hashed; a new key is
shown once)."""
from __future__ import annotations

import argparse
import sys

from cli.common import common_arguments

HELP = "create, list or revoke keys for the HTTP APIs"


def add_arguments(p) -> None:
    common_arguments(p, model=False)
    sub = p.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="a new key (printed once)")
    create.add_argument("name", help="who or what uses the key")
    create.add_argument("--rpm", type=int, help="requests per minute (default: the server's)")
    create.add_argument("--char-limit", type=int, help="characters per request (default: the server's)")
    sub.add_parser("list", help="the keys (never the keys themselves)")
    revoke = sub.add_parser("revoke", help="revoke a key; its stored data stays")
    revoke.add_argument("key", help="the key's id (see list) or the key itself")
    for action in (create, sub.choices["list"], revoke):  # --db also after the action
        action.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def run(args) -> int:
    from storage import open_store
    from storage.api_keys import ApiKeys

    with open_store(args.db, must_exist=args.action != "create") as store:
        keys = ApiKeys(store)
        if args.action == "create":
            key, info = keys.create(args.name, args.rpm, args.char_limit)
            print(key)
            print(f"key {info.id} ({info.name}) created; it is shown only now", file=sys.stderr)
        elif args.action == "list":
            for info in keys.list():
                state = "active" if info.active else f"revoked {info.revoked:%Y-%m-%d %H:%M}"
                print(f"{info.id}\t{info.shown}…\t{info.name}\t{state}\t"
                      f"rpm={info.requests_per_minute or 'default'}\t"
                      f"chars={info.chars_per_request or 'default'}\tcreated {info.created:%Y-%m-%d %H:%M}")
        else:
            info = keys.revoke(args.key)
            print(f"key {info.id} ({info.name}) revoked")
    return 0
