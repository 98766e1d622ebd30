"""Export speed: a real SQLite file with many preference pairs, exported as TRL JSON Lines."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from prompts import build_prompt
from storage import export_pairs, open_store
from storage.pairs import pair_hash
from storage.schema import PreferencePair

from bench.report import rounded

API_SAMPLE = 200  # pairs written one by one through Store.add_pair (one transaction each)


def export_speed(rows: list[tuple[str, str, str, str, str]]) -> dict:
    """Insert `rows` (src, tgt, source, chosen, rejected) as pairs: a sample through
    ``Store.add_pair`` (timed per pair), the rest in one bulk SQLAlchemy insert; then time
    ``storage.export_pairs`` of all of them to a file."""
    with tempfile.TemporaryDirectory(prefix="hintmt-bench-") as tmp:
        store = open_store(Path(tmp) / "export.db")
        try:
            user = store.ensure_user("bench:export")
            pairs = [dict(prompt=build_prompt("alma", source, src, tgt), source=source, chosen=chosen,
                          rejected=rejected, src=src, tgt=tgt, style="alma", model="bench", kind="pick")
                     for src, tgt, source, chosen, rejected in rows]
            sample = min(API_SAMPLE, len(pairs))
            t0 = time.perf_counter()
            for p in pairs[:sample]:
                store.add_pair(user, **p)
            add_pair_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            bulk = [dict(p, user_id=user, pair_hash=pair_hash(p["prompt"], p["chosen"], p["rejected"]))
                    for p in pairs[sample:]]
            if bulk:
                with store.engine.begin() as conn:
                    conn.execute(PreferencePair.__table__.insert(), bulk)
            bulk_s = time.perf_counter() - t0
            stored = store.count_pairs()
            if stored != len(pairs):
                raise RuntimeError(f"{len(pairs)} pairs inserted but {stored} stored (duplicates?)")
            out = Path(tmp) / "pairs.jsonl"
            t0 = time.perf_counter()
            written = export_pairs(store, out, fmt="trl")
            export_s = time.perf_counter() - t0
            size = out.stat().st_size
        finally:
            store.close()
    return {"pairs": len(pairs), "written": written, "export_s": rounded(export_s),
            "export_rows_per_s": rounded(written / export_s, 1), "file_mb": rounded(size / 2**20, 2),
            "add_pair_ms": rounded(1000 * add_pair_s / sample) if sample else None,
            "add_pair_sample": sample, "bulk_insert_s": rounded(bulk_s)}
