"""Export preference pairs as JSON Lines for CPO/DPO training.

Formats (one JSON object a line, UTF-8):

``trl``     TRL's preference format for ``CPOTrainer``: ``{"prompt", "chosen", "rejected"}``
            strings, chosen/rejected being completions of the exact model prompt. With
            ``conversational=True`` each is a message list: prompt
            ``[{"role": "user", "content": prompt}]``, chosen/rejected
            ``[{"role": "assistant", "content": text}]``.
``alma-r``  rows shaped like ``haoranxu/ALMA-R-Preference``, one per pair and direction
            ``src-tgt``: ``{"translation": {...}}`` with
              ``<src>``                 the user's source text (pair.source)
              ``<tgt>``                 the chosen translation (the reference slot)
              ``gpt4_<tgt>``            the chosen translation
              ``alma_<tgt>``            the rejected translation
              ``Delta``                 1: the human label prefers the gpt4 slot (= chosen),
                                        which ALMA's loader honours before any score
              ``{ref,gpt4,alma}_<tgt>_{kiwi,xcomet,kiwi_xcomet}``  1.0, 1.0, 0.0, so a
                                        score-based reading picks the same pair
              ``language_pair``, ``required_directions``  both ``"src-tgt"``
            Pairs without src/tgt or source text are skipped (not counted).
``full``    every column with metadata; timestamps ISO 8601.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from storage.errors import StorageError
from storage.info import PairInfo

FORMATS = ("trl", "alma-r", "full")
SCORERS = ("kiwi", "xcomet", "kiwi_xcomet")


def trl_row(p: PairInfo, conversational: bool = False) -> dict[str, Any]:
    if not conversational:
        return {"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected}
    return {"prompt": [{"role": "user", "content": p.prompt}],
            "chosen": [{"role": "assistant", "content": p.chosen}],
            "rejected": [{"role": "assistant", "content": p.rejected}]}


def alma_r_row(p: PairInfo) -> dict[str, Any] | None:
    if not (p.src and p.tgt and p.source.strip()) or p.src == p.tgt:
        return None
    src, tgt = p.src, p.tgt
    row: dict[str, Any] = {src: p.source, tgt: p.chosen,
                           f"gpt4_{tgt}": p.chosen, f"alma_{tgt}": p.rejected}
    for scorer in SCORERS:
        row[f"ref_{tgt}_{scorer}"] = 1.0
        row[f"gpt4_{tgt}_{scorer}"] = 1.0
        row[f"alma_{tgt}_{scorer}"] = 0.0
    row.update({"Delta": 1, "language_pair": f"{src}-{tgt}", "required_directions": f"{src}-{tgt}"})
    return {"translation": row}


@contextmanager
def _open_out(out: str | os.PathLike | IO[str]) -> Iterator[IO[str]]:
    if hasattr(out, "write"):
        yield out  # type: ignore[misc]
        return
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            yield fh
    except OSError as exc:  # a folder, no permission, disk full: a message, not a traceback
        raise StorageError(f"Cannot write the export to {path}: {exc.strerror or exc}.") from exc


def export_pairs(store, out_path_or_file: str | os.PathLike | IO[str], fmt: str = "trl", *,
                 user_id: int | None = None, since: Any = None, pair: str | None = None,
                 kind: str | None = None, conversational: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Write the matching pairs to a path (parents created) or an open text file.

    Filters: `user_id` (annotator), `since` (datetime, date or ISO string, inclusive),
    `pair` ("de-en"), `kind`. Malformed filters raise ValueError before anything is written.
    `progress(done, total)` is called as pairs are read. Returns the number of rows written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    total = store.count_pairs(user_id, since=since, pair=pair, kind=kind)  # validates filters
    rows = store.pairs(user_id, since=since, pair=pair, kind=kind)
    written = done = 0
    if progress is not None:
        progress(0, total)
    with _open_out(out_path_or_file) as fh:
        for p in rows:
            done += 1
            if fmt == "trl":
                row = trl_row(p, conversational)
            elif fmt == "alma-r":
                row = alma_r_row(p)
            else:
                row = p.as_dict()
            if row is not None:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
            if progress is not None and (done % 100 == 0 or done == total):
                progress(done, total)
    if progress is not None and done != total:
        progress(done, done)
    return written
