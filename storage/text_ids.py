"""Migration step ``0004_text_model_ids``: columns that hold ids users choose (model ids,
revisions, adapter paths, user keys and names) become TEXT.

They were VARCHAR(255): SQLite never enforces a VARCHAR length (its type affinity is TEXT),
so a 300-character adapter path was stored there and refused by PostgreSQL. On SQLite the
step changes nothing; on other databases each column is altered to TEXT.
"""
from __future__ import annotations

from sqlalchemy import Connection

TEXT_COLUMNS = {
    "users": ("key", "name"),
    "messages": ("model_id", "model_revision", "adapter"),
    "preference_pairs": ("model",),
}


def text_model_ids(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        return
    for table, columns in TEXT_COLUMNS.items():
        for column in columns:
            conn.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT")
