"""`campaign import`: judgements made elsewhere, from a CSV file.

Columns ``annotator,item_id,system_a,system_b,choice`` (choice ``a|b|tie|both-bad``), optional
``seconds`` and ``post_edit``. ``item_id`` is the item's key (the JSONL ``id``, or the 0-based
line number of a text test set); systems are the campaign's labels. Every row is checked
before any is stored: a bad row is named by its line and nothing is imported. Rows already
imported are skipped by `CampaignStore.import_judgements`, so importing a file again is safe.
"""
from __future__ import annotations

import csv
from pathlib import Path

from chat.settings import UserError
from storage.campaign_schema import CHOICES

REQUIRED = ("annotator", "item_id", "system_a", "system_b", "choice")


def read_judgements(path: str | Path, campaigns, campaign) -> list[dict]:
    """Rows ready for `CampaignStore.import_judgements`."""
    path = Path(path)
    items = {i.key: i.id for i in campaigns.items(campaign.id)}
    systems = {s.label: s.id for s in campaigns.systems(campaign.id)}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise UserError(f"{path}, line 1: missing column(s) {', '.join(missing)} (needs "
                                f"{','.join(REQUIRED)}[,seconds,post_edit])")
            rows = [_row(path, reader.line_num, raw, items, systems) for raw in reader]
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text ({err.reason})") from None
    except csv.Error as err:
        raise UserError(f"{path}: not a readable CSV file ({err})") from None
    except OSError as err:
        raise UserError(f"{path}: {err.strerror or err}") from None
    if not rows:
        raise UserError(f"{path}: no judgements in the file")
    return rows


def _row(path: Path, line: int, raw: dict, items: dict, systems: dict) -> dict:
    where = f"{path}, line {line}"
    if None in raw or any(raw.get(c) is None for c in REQUIRED):
        raise UserError(f"{where}: wrong number of fields")
    value = {k: (v or "").strip() for k, v in raw.items() if k is not None}
    if not value["annotator"]:
        raise UserError(f"{where}: the annotator is empty")
    if value["item_id"] not in items:
        raise UserError(f"{where}: item_id {value['item_id']!r} is not an item of this campaign")
    for side in ("system_a", "system_b"):
        if value[side] not in systems:
            raise UserError(f"{where}: {side} {value[side]!r} is not a system of this campaign "
                            f"({', '.join(systems)})")
    if value["system_a"] == value["system_b"]:
        raise UserError(f"{where}: system_a and system_b are the same system")
    if value["choice"] not in CHOICES:
        raise UserError(f"{where}: choice must be one of {'|'.join(CHOICES)}, got {value['choice']!r}")
    seconds = None
    if value.get("seconds"):
        try:
            seconds = float(value["seconds"])
        except ValueError:
            raise UserError(f"{where}: seconds must be a number, got {value['seconds']!r}") from None
        if not seconds >= 0:
            raise UserError(f"{where}: seconds must not be negative")
    return {"annotator": value["annotator"], "item_id": items[value["item_id"]],
            "system_a": systems[value["system_a"]], "system_b": systems[value["system_b"]],
            "choice": value["choice"], "seconds": seconds,
            "post_edit": raw.get("post_edit") or None}
