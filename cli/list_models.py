"""`models`: a table of the presets with their style, size and languages."""
from __future__ import annotations

from models import describe_presets

HELP = "list the model presets"


def add_arguments(p) -> None:
    """No options."""


def run(args) -> int:
    rows = describe_presets()
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        langs = row["languages"]
        langs = "any" if not langs else (" ".join(langs) if len(langs) <= 12 else f"{len(langs)} languages")
        print(f"{row['name']:<{width}}  {row['size']:>5}  {row['style']:<7} {row['model']}  [{langs}]")
    return 0
