"""`export`: preference pairs from the database to JSONL (TRL, ALMA-R-like or full)."""
from __future__ import annotations

import sys

from tqdm import tqdm

from cli.common import common_arguments
from storage import export_pairs, open_store
from storage.schema import PAIR_KINDS

HELP = "export preference pairs for CPO training"


def add_arguments(p) -> None:
    common_arguments(p, model=False)
    p.add_argument("--format", choices=("trl", "alma-r", "full"), default="trl")
    p.add_argument("--out", required=True, help="output .jsonl file ('-' for stdout)")
    p.add_argument("--conversational", action="store_true", help="TRL conversational format")
    p.add_argument("--since", help="only pairs created on/after this date (YYYY-MM-DD)")
    p.add_argument("--pair", help="only this language pair, e.g. de-en")
    p.add_argument("--kind", choices=PAIR_KINDS)


def run(args) -> int:
    store = open_store(args.db, must_exist=True)
    out = sys.stdout if args.out == "-" else args.out
    with tqdm(unit="pair", file=sys.stderr, disable=None, mininterval=0.5) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        rows = export_pairs(store, out, fmt=args.format, since=args.since, pair=args.pair,
                            kind=args.kind, conversational=args.conversational, progress=progress)
    print(f"exported {rows} pair(s) as {args.format} to {args.out}", file=sys.stderr)
    return 0
