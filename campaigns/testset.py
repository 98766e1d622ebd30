"""A campaign's items from a test set (the formats `translate-file` reads): each item's key
(the JSONL ``id`` field, else its 0-based line number), its source and the sentences around it."""
from __future__ import annotations

from chat.settings import UserError
from evaluation.columns import read_column
from prompts import normalize_code


def read_items(path: str, limit: int | None = None) -> tuple[list[tuple[str, str, str, str]], list[dict] | None]:
    """[(key, source, previous source, next source)] and the JSONL records (None for text)."""
    column = read_column(path, "source", "source segments")
    segments = column.segments
    keys = []
    for number, record in enumerate(column.records or [None] * len(segments)):
        key = record.get("id", number) if isinstance(record, dict) else number
        keys.append(str(key))
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise UserError(f"{column.label}: item id(s) appear twice: {', '.join(twice[:5])}")
    count = min(len(segments), limit) if limit else len(segments)
    items = [(keys[i], segments[i], segments[i - 1] if i else "",
              segments[i + 1] if i + 1 < len(segments) else "") for i in range(count)]
    if not any(source.strip() for _, source, _, _ in items):
        raise UserError(f"{column.label}: every source segment is blank")
    return items, column.records


def direction(src: str | None, tgt: str | None, records: list[dict] | None) -> tuple[str, str]:
    """--from/--to, else the test set's src_lang/tgt_lang fields."""
    first = (records or [{}])[0]
    src = src or first.get("src_lang")
    tgt = tgt or first.get("tgt_lang")
    if not src or not tgt:
        raise UserError("give the direction with --from and --to (the test set does not name it)")
    try:
        src, tgt = normalize_code(str(src)), normalize_code(str(tgt))
    except ValueError as err:
        raise UserError(str(err)) from None
    if src == tgt:
        raise UserError(f"--from and --to are both {src}")
    return src, tgt
