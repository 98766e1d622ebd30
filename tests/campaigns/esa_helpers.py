"""Error-span campaigns in a real SQLite (or test PostgreSQL) database without a model: outputs
written directly, the assignment built by `campaigns.esa_assign`; and JSONL import rows."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from campaigns.esa_assign import build_esa_assignment
from storage import CampaignStore, open_store
from tests.campaign_helpers import sentence


def make_esa_campaign(db, protocol: str = "esa", name: str = "demo", n_items: int = 8,
                      systems: tuple[str, ...] = ("base", "cpo"), annotators=("ann", "bob"),
                      redundancy: int = 2, repeat: float = 0.0, qc: float = 0.0,
                      assign: bool = True, text: Callable[[int, int], str] | None = None,
                      sources: list[str] | None = None):
    """(store, CampaignStore, CampaignInfo); ``text(item position, system index)`` gives the
    outputs (default: distinct sentences of nine words), ``sources`` the source sentences."""
    store = open_store(db)
    campaigns = CampaignStore(store)
    sources = sources or [f"Quelle {i}: Die Katze sitzt." for i in range(n_items)]
    n_items = len(sources)
    items = [(str(i), s, sources[i - 1] if i else "", sources[i + 1] if i + 1 < n_items else "")
             for i, s in enumerate(sources)]
    info = campaigns.create(name, "six.jsonl", "de", "en", {}, [(s, {"model": s}) for s in systems],
                            items, list(annotators), protocol)
    text = text or (lambda position, k: sentence(position * 3 + k))
    for k, system in enumerate(campaigns.systems(info.id)):
        campaigns.add_outputs(system.id, [
            (item.id, f"Translate this from German to English:\nGerman: {item.source}\nEnglish:",
             text(item.position, k)) for item in campaigns.items(info.id)])
    if assign:
        rows = build_esa_assignment(campaigns.items(info.id), campaigns.systems(info.id),
                                    campaigns.annotators(info.id), campaigns.outputs(info.id),
                                    protocol, redundancy, repeat, qc, seed=1)
        campaigns.set_assignments(info.id, rows)
    return store, campaigns, campaigns.get(name)


def span(start: int, end: int, severity: str = "minor") -> dict:
    return {"start": start, "end": end, "severity": severity}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path
