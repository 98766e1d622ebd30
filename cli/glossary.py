"""`python app.py glossary import|list|export|delete`: glossaries of users, API keys and campaigns.

import  a CSV (source,target[,note]; header optional) or TBX file as NAME for --from → --to
list    the glossaries (every owner's, or one owner's)
export  a glossary as CSV
delete  a glossary and its terms

The owner: --user KEY (``hf:NAME``, ``anon:…``), --key ID (an API key's id, see ``api-key list``)
or --campaign NAME. ``export``/``delete`` without one find NAME (or an id) among all glossaries.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HELP = "import, list, export or delete glossaries (terms a translation must use)"


def _db(p) -> None:
    p.add_argument("--db", default=os.environ.get("CHAT_DB_URL"),
                   help="SQLAlchemy URL or file path of the database (default: data/chat.db)")


def _owner(p) -> None:
    who = p.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="KEY", help="a user's key: hf:NAME, or anon:… from the page")
    who.add_argument("--key", metavar="ID", type=int, help="an API key's id (see api-key list)")
    who.add_argument("--campaign", metavar="NAME", help="a campaign's name")
    _db(p)


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="glossary_command", metavar="import|list|export|delete",
                                required=True)
    i = sub.add_parser("import", help="store a CSV or TBX file as a glossary")
    i.add_argument("name")
    i.add_argument("file", help=".csv (source,target[,note]) or .tbx")
    i.add_argument("--from", dest="src", required=True, help="source language code")
    i.add_argument("--to", dest="tgt", required=True, help="target language code")
    i.add_argument("--replace", action="store_true", help="replace the owner's glossary of that name")
    _owner(i)
    _owner(sub.add_parser("list", help="the glossaries, with their owners"))
    e = sub.add_parser("export", help="a glossary as CSV")
    e.add_argument("name", help="its name (or id)")
    e.add_argument("--out", required=True, help="the CSV file to write ('-': standard output)")
    _owner(e)
    d = sub.add_parser("delete", help="delete a glossary and its terms")
    d.add_argument("name", help="its name (or id)")
    _owner(d)


def _owner_of(store, args, create: bool = False) -> dict:
    """Keyword arguments naming the owner for storage.glossaries; {"anyone": True} for none."""
    from storage.campaigns import CampaignStore
    from storage.glossaries import Glossaries

    if args.campaign:
        return {"campaign_id": CampaignStore(store).get(args.campaign).id}
    key = f"api:{args.key}" if args.key is not None else args.user
    if key:
        return {"user_id": Glossaries(store).user_id(key, create=create and key.startswith("hf:"))}
    return {"anyone": True}


def _owner_name(store, info) -> str:
    if info.campaign_id is not None:
        from storage.campaigns import CampaignStore

        return f"campaign {CampaignStore(store).by_id(info.campaign_id).name}"
    return f"user {store.get_user(info.user_id).key}"


def run(args) -> int:
    from chat.glossary_files import read_glossary_file, write_csv
    from chat.glossaries import language_pair
    from storage import open_store
    from storage.glossaries import Glossaries

    command = args.glossary_command
    with open_store(args.db, must_exist=command != "import") as store:
        glossaries = Glossaries(store)
        owner = _owner_of(store, args, create=command == "import")
        if command == "import":
            if owner.get("anyone"):
                raise ValueError("say whose glossary it is: --user KEY, --key ID (an API key) "
                                 "or --campaign NAME")
            src, tgt = language_pair(args.src, args.tgt)
            terms = read_glossary_file(args.file, src, tgt)
            info = glossaries.create(args.name, src, tgt, [(t.source, t.target, t.note) for t in terms],
                                     replace=args.replace, **owner)
            print(f"glossary {info.id} {info.name!r} ({info.src} → {info.tgt}): {info.terms} terms "
                  f"for {_owner_name(store, info)}")
        elif command == "list":
            for info in glossaries.list(**owner):
                print(f"{info.id}\t{info.name}\t{info.src}-{info.tgt}\t{info.terms} terms\t"
                      f"{_owner_name(store, info)}\tcreated {info.created:%Y-%m-%d %H:%M}")
        elif command == "export":
            info, rows = glossaries.terms(args.name, **owner)
            text = write_csv(rows)
            if args.out == "-":
                sys.stdout.write(text)
            else:
                Path(args.out).write_text(text, encoding="utf-8")
                print(f"{len(rows)} terms of {info.name!r} written to {args.out}", file=sys.stderr)
        else:
            info = glossaries.delete(args.name, **owner)
            print(f"glossary {info.id} {info.name!r} deleted ({info.terms} terms)")
    return 0
