"""Building campaigns in a real SQLite database without a model (outputs written directly),
for the campaign tests."""
from __future__ import annotations

from pathlib import Path

from campaigns.assign import build_assignment
from storage import CampaignStore, open_store

WORDS = ("the cat sat on a warm mat while we translate every sentence into many languages "
         "today and tomorrow the dog runs quickly through the green park near our old house").split()


def sentence(i: int, length: int = 9) -> str:
    return " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(length)).capitalize() + "."


def make_campaign(db: Path, name: str = "demo", n_items: int = 10,
                  systems: tuple[str, ...] = ("base", "cpo"), annotators=("ann", "bob"),
                  redundancy: int = 2, repeat: float = 0.0, qc: float = 0.0, assign: bool = True):
    """(store, CampaignStore, CampaignInfo) with outputs for every item and system."""
    store = open_store(db)
    campaigns = CampaignStore(store)
    sources = [f"Quelle {i}: Die Katze sitzt." for i in range(n_items)]
    items = [(str(i), s, sources[i - 1] if i else "", sources[i + 1] if i + 1 < n_items else "")
             for i, s in enumerate(sources)]
    info = campaigns.create(name, "six.jsonl", "de", "en", {}, [(s, {"model": s}) for s in systems],
                            items, list(annotators))
    for k, system in enumerate(campaigns.systems(info.id)):
        campaigns.add_outputs(system.id, [
            (item.id, f"Translate this from German to English:\nGerman: {item.source}\nEnglish:",
             sentence(item.position * 3 + k)) for item in campaigns.items(info.id)])
    if assign:
        rows = build_assignment(campaigns.items(info.id), campaigns.systems(info.id),
                                campaigns.annotators(info.id), campaigns.outputs(info.id),
                                redundancy, repeat, qc, seed=1)
        campaigns.set_assignments(info.id, rows)
    return store, campaigns, campaigns.get(name)
