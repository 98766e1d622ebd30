"""Write tests/data/chat_v1.db: a database made by migration step 1 only, with a few rows.

Run from the repository root: .venv/bin/python tests/data/make_chat_v1.py
The file is committed; test_storage.py opens a copy and checks the upgrade keeps every row.
"""
from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from storage.migrations import migrate  # noqa: E402

OUT = Path(__file__).with_name("chat_v1.db")

ROWS = [
    "INSERT INTO users (id, key, name, created) VALUES "
    "(1, 'anon:alice', 'Alice', '2026-01-02 10:00:00.000000'), "
    "(2, 'hf:bob', 'Bob', '2026-01-03 10:00:00.000000')",
    "INSERT INTO conversations (id, user_id, title, created, updated, settings) VALUES "
    "(1, 1, 'Guten Morgen', '2026-01-02 10:01:00.000000', '2026-01-02 10:05:00.000000', "
    "'{\"style\": \"formal\", \"src\": \"de\", \"tgt\": \"en\"}'), "
    "(2, 2, 'Bob''s chat', '2026-01-03 10:01:00.000000', '2026-01-03 10:02:00.000000', NULL)",
    "INSERT INTO messages (id, conversation_id, role, content, parent_id, detected_lang, "
    "detected_confidence, src, tgt, prompt, model_id, params, status, created) VALUES "
    "(1, 1, 'user', 'Guten Morgen, Welt', NULL, 'de', 0.99, 'de', 'en', NULL, NULL, NULL, "
    "'complete', '2026-01-02 10:01:00.000000'), "
    "(2, 1, 'assistant', 'Good morning, world', 1, NULL, NULL, 'de', 'en', "
    "'Translate this from German to English:\nGerman: Guten Morgen, Welt\nEnglish:', "
    "'haoranxu/ALMA-7B-R', '{\"num_beams\": 5}', 'complete', '2026-01-02 10:02:00.000000'), "
    "(3, 1, 'assistant', 'Morning world', 1, NULL, NULL, 'de', 'en', NULL, "
    "'haoranxu/ALMA-7B-R', NULL, 'complete', '2026-01-02 10:03:00.000000'), "
    "(4, 1, 'assistant', 'Good mor', 1, NULL, NULL, 'de', 'en', NULL, NULL, NULL, "
    "'streaming', '2026-01-02 10:04:00.000000'), "
    "(5, 2, 'user', 'Hello there', NULL, 'en', 0.9, NULL, NULL, NULL, NULL, NULL, 'complete', "
    "'2026-01-03 10:02:00.000000')",
    "INSERT INTO feedback (id, message_id, user_id, rating, reasons, comment, created) VALUES "
    "(1, 3, 1, -1, '[\"too literal\"]', '', '2026-01-02 10:04:30.000000')",
    "INSERT INTO preference_pairs (id, user_id, pair_hash, prompt, chosen, rejected, src, tgt, "
    "style, hint, model, kind, chosen_message_id, rejected_message_id, conversation_id, "
    "decision_seconds, created) VALUES (1, 1, 'v1-fixture-hash', "
    "'Translate this from German to English:\nGerman: Guten Morgen, Welt\nEnglish:', "
    "'Good morning, world', 'Morning world', 'de', 'en', NULL, NULL, 'haoranxu/ALMA-7B-R', "
    "'pick', 2, 3, 1, 4.5, '2026-01-02 10:04:40.000000')",
]


def build(out: Path = OUT) -> Path:
    out.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{out}")
    migrate(engine, upto=1)
    with engine.begin() as conn:
        for sql in ROWS:
            conn.execute(text(sql))
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM")
    engine.dispose()
    return out


if __name__ == "__main__":
    path = build()
    print(f"wrote {path} ({path.stat().st_size} bytes)")
