"""`campaign import NAME --judgements FILE.jsonl` for an error-span campaign: one JSON object a
line, ``{"annotator": "p", "item_id": 0, "system": "A", "score": 72, "spans": [{"start": 0,
"end": 5, "severity": "major"}]}``, optional ``seconds`` and ``post_edit``.

``item_id`` is the item's key (the JSONL ``id``, or the 0-based line number of a text test
set), ``system`` a label of the campaign; ``start``/``end`` are character offsets (Python
``str`` indices, code points) into that system's stored output for that item, ``end == start``
a missing-content marker. Every row is checked before any is stored: a bad row (unknown item
or system, a span outside the text, a score outside 0–100, start > end, an unknown severity) is
named by its line and nothing is imported. Rows already imported are skipped
(`CampaignStore.import_esa`), so importing a file again adds nothing.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from chat.settings import UserError
from storage.campaign_esa import check_mark


def read_esa_rows(path: str | Path, campaigns, campaign) -> list[dict]:
    """Rows ready for `CampaignStore.import_esa`."""
    path = Path(path)
    items = {i.key: i.id for i in campaigns.items(campaign.id)}
    systems = {s.label: s.id for s in campaigns.systems(campaign.id)}
    outputs = campaigns.outputs(campaign.id)
    rows = []
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    rows.append(_row(f"{path}, line {number}", line, items, systems, outputs))
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text ({err.reason})") from None
    except OSError as err:
        raise UserError(f"{path}: {err.strerror or err}") from None
    if not rows:
        raise UserError(f"{path}: no judgements in the file")
    return rows


def _row(where: str, line: str, items: dict, systems: dict, outputs: dict) -> dict:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as err:
        raise UserError(f"{where}: not JSON ({err.msg})") from None
    if not isinstance(raw, dict):
        raise UserError(f"{where}: expected a JSON object")
    missing = [k for k in ("annotator", "item_id", "system", "score", "spans") if k not in raw]
    if missing:
        raise UserError(f"{where}: missing {', '.join(missing)}")
    annotator = str(raw["annotator"]).strip()
    if not annotator:
        raise UserError(f"{where}: the annotator is empty")
    key = str(raw["item_id"])
    if key not in items:
        raise UserError(f"{where}: item_id {raw['item_id']!r} is not an item of this campaign")
    if raw["system"] not in systems:
        raise UserError(f"{where}: system {raw['system']!r} is not a system of this campaign "
                        f"({', '.join(systems)})")
    item_id, system_id = items[key], systems[raw["system"]]
    if (item_id, system_id) not in outputs:
        raise UserError(f"{where}: system {raw['system']!r} has no output for item {key!r} yet")
    try:
        score, spans = check_mark(outputs[(item_id, system_id)][1], raw["score"], raw["spans"])
    except ValueError as err:
        raise UserError(f"{where}: {err}") from None
    seconds = raw.get("seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                or not math.isfinite(seconds) or seconds < 0):
        raise UserError(f"{where}: seconds must be a number, not negative; got {seconds!r}")
    post_edit = raw.get("post_edit")
    if post_edit is not None and not isinstance(post_edit, str):
        raise UserError(f"{where}: post_edit must be a string")
    return {"annotator": annotator, "item_id": item_id, "system_id": system_id, "score": score,
            "spans": spans, "seconds": float(seconds) if seconds is not None else None,
            "post_edit": post_edit or None}
