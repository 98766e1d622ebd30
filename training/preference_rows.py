"""Preference rows for CPO training, read from any of the formats the project meets, into
TRL's standard form ``{"prompt", "chosen", "rejected"}`` (strings, the exact model prompt).

Accepted rows (JSON Lines, a JSON array, or Parquet):

* TRL standard: ``prompt``/``chosen``/``rejected`` strings (``python app.py export --format trl``
  and ``--format full``): used unchanged.
* TRL conversational: message lists. ``export --conversational`` puts the exact model prompt in
  one user message, so its content is the prompt as is when the style sends no chat template
  (alma, parrot, llamax) or the content already is a rendered chat prompt; otherwise (raw user
  text for a chat/x-alma model) the tokenizer's chat template renders prompt and answers, as TRL
  would.
* ALMA-R-Preference (``haoranxu/ALMA-R-Preference``, ``export --format alma-r``): a struct
  ``translation`` gives one pair per direction allowed by ``required_directions`` ("" = both).
  The prompt is ``prompts.build_prompt(style, …)``; a non-zero ``Delta`` (human label, > 0 means
  gpt4 is better) chooses between ``gpt4_<tgt>`` and ``alma_<tgt>``; otherwise chosen/rejected are
  the highest/lowest scored of reference, gpt4 and alma by ``{ref,gpt4,alma}_<tgt>_<scorer>``.

Pure Python: the tokenizer is only duck-typed (``apply_chat_template``).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from prompts import build_prompt
from prompts.styles import STYLE_NAMES, get_style

SCORERS = ("kiwi_xcomet", "kiwi", "xcomet")
_CODE = re.compile(r"^[a-z]{2,3}$")
_SENTINEL = "\u2063hintmt-sentinel\u2063"


@dataclass
class PreferenceRows:
    """Rows in TRL standard form, with what was read and what was left out (and why)."""

    rows: list[dict[str, str]] = field(default_factory=list)
    formats: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.formats.items())) or "none"
        text = f"{len(self.rows)} pair(s) ({kinds})"
        if self.skipped:
            text += "; skipped " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        return text


def read_records(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(row number, record) from a .jsonl, .json (array) or .parquet file."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ValueError(f"pairs file not found: {path}")
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise ValueError("reading Parquet needs pyarrow (pip install 'hintmt-chat[train]')") from None
        yield from enumerate(pq.read_table(path).to_pylist(), 1)
        return
    with open(path, encoding="utf-8") as fh:
        if path.suffix.lower() == ".json":
            try:
                data = json.load(fh)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: not valid JSON ({exc})") from None
            if not isinstance(data, list):
                raise ValueError(f"{path}: expected a JSON array of rows (or use JSON Lines, .jsonl)")
            yield from enumerate(data, 1)
            return
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}, line {number}: not valid JSON ({exc.msg})") from None


def to_standard(records: Iterable[tuple[int, Any]], style: str, tokenizer: Any = None,
                scorer: str = "kiwi_xcomet") -> PreferenceRows:
    """TRL standard rows from mixed ``records``; ``style``/``tokenizer`` build ALMA-R prompts."""
    if scorer not in SCORERS:
        raise ValueError(f"scorer must be one of {', '.join(SCORERS)}, got {scorer!r}")
    out = PreferenceRows()
    for number, record in records:
        if not isinstance(record, dict):
            raise ValueError(f"row {number}: expected a JSON object, got {type(record).__name__}")
        if isinstance(record.get("translation"), dict):
            fmt, (rows, undecided) = "ALMA-R", alma_r_pairs(record["translation"], style, tokenizer,
                                                            scorer, number)
            if undecided:
                out.skipped["ALMA-R direction(s) without a preference"] += undecided
        elif isinstance(record.get("prompt"), list):
            fmt, rows = "conversational", [conversational_pair(record, style, tokenizer, number)]
        elif isinstance(record.get("prompt"), str):
            fmt, rows = "standard", [{k: _text(record, k, number) for k in ("prompt", "chosen", "rejected")}]
        else:
            raise ValueError(f"row {number}: not a preference row: expected prompt/chosen/rejected "
                             "(TRL) or a 'translation' struct (ALMA-R-Preference)")
        out.formats[fmt] += 1
        for row in rows:
            if not (row["prompt"].strip() and row["chosen"].strip() and row["rejected"].strip()):
                out.skipped["with an empty field"] += 1
            elif row["chosen"] == row["rejected"]:
                out.skipped["with chosen = rejected"] += 1
            else:
                out.rows.append(row)
    return out


def read_pairs(path: str | Path, style: str, tokenizer: Any = None,
               scorer: str = "kiwi_xcomet") -> PreferenceRows:
    """``to_standard`` over the rows of a file."""
    return to_standard(read_records(path), style, tokenizer, scorer)


def _text(record: dict, key: str, number: int) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise ValueError(f"row {number}: '{key}' must be a string, got {type(value).__name__}")
    return value


# --- conversational rows -------------------------------------------------------------------

def _messages(record: dict, key: str, number: int) -> list[dict[str, str]]:
    value = record.get(key)
    if not (isinstance(value, list) and value and all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in value)):
        raise ValueError(f"row {number}: '{key}' must be a non-empty list of {{role, content}} messages")
    return value


def generation_suffix(tokenizer: Any) -> str | None:
    """What the chat template puts after a user message (e.g. ``<|im_end|>\\n<|im_start|>assistant\\n``),
    or None when the tokenizer has no chat template."""
    if tokenizer is None or not getattr(tokenizer, "chat_template", None):
        return None
    text = tokenizer.apply_chat_template([{"role": "user", "content": _SENTINEL}], tokenize=False,
                                         add_generation_prompt=True)
    return text.split(_SENTINEL, 1)[1] if _SENTINEL in text else None


def conversational_pair(record: dict, style: str, tokenizer: Any, number: int) -> dict[str, str]:
    """Standard strings from a conversational row (see the module docstring)."""
    prompt = _messages(record, "prompt", number)
    chosen, rejected = _messages(record, "chosen", number), _messages(record, "rejected", number)
    suffix = generation_suffix(tokenizer) if style in STYLE_NAMES and get_style(style).chat_template else None
    if len(prompt) == 1 and len(chosen) == 1 and len(rejected) == 1 and (
            suffix is None or prompt[0]["content"].rstrip().endswith(suffix.rstrip())):
        return {"prompt": prompt[0]["content"], "chosen": chosen[0]["content"],
                "rejected": rejected[0]["content"]}
    if suffix is None:
        raise ValueError(f"row {number}: a conversation of several messages needs a chat model "
                         f"(style chat or x-alma, with a chat template), not style {style!r}")
    text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    row = {"prompt": text}
    for key, answer in (("chosen", chosen), ("rejected", rejected)):
        full = tokenizer.apply_chat_template(prompt + answer, tokenize=False)
        if not full.startswith(text):
            raise ValueError(f"row {number}: the chat template does not render '{key}' as a "
                             "continuation of the prompt")
        row[key] = full[len(text):]
    return row


# --- ALMA-R-Preference rows -----------------------------------------------------------------

def _languages(t: dict, number: int) -> tuple[str, str]:
    pair = t.get("language_pair")
    if isinstance(pair, str) and re.fullmatch(r"[a-z]{2,3}-[a-z]{2,3}", pair):
        a, b = pair.split("-")
        return a, b
    codes = sorted(k for k in t if _CODE.match(k))
    if len(codes) != 2:
        raise ValueError(f"row {number}: can't tell the two languages of this ALMA-R row "
                         "(no 'language_pair' like 'de-en')")
    return codes[0], codes[1]


def _score(t: dict, key: str) -> float | None:
    value = t.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def choose(t: dict, tgt: str, scorer: str) -> tuple[str, str] | None:
    """(chosen, rejected) for target ``tgt`` as ALMA-R builds them, or None if undecidable."""
    gpt4, alma = t.get(f"gpt4_{tgt}"), t.get(f"alma_{tgt}")
    delta = _score(t, "Delta") or 0.0
    if delta and isinstance(gpt4, str) and isinstance(alma, str):
        return (gpt4, alma) if delta > 0 else (alma, gpt4)
    scored = [(s, text) for name, text in (("ref", t.get(tgt)), ("gpt4", gpt4), ("alma", alma))
              if isinstance(text, str) and text.strip()
              and (s := _score(t, f"{name}_{tgt}_{scorer}")) is not None]
    if len(scored) < 2:
        return None
    best = max(scored, key=lambda st: st[0])  # the first of equal scores wins, as in ALMA
    worst = min(scored, key=lambda st: st[0])
    return (best[1], worst[1]) if best[0] > worst[0] else None


def alma_r_pairs(t: dict, style: str, tokenizer: Any, scorer: str,
                 number: int) -> tuple[list[dict[str, str]], int]:
    """One standard row per allowed direction of an ALMA-R ``translation`` struct, and the
    number of allowed directions left out (no source, or no preference to learn)."""
    a, b = _languages(t, number)
    required = (t.get("required_directions") or "").strip()
    rows, undecided = [], 0
    for src, tgt in ((a, b), (b, a)):
        if required and required != f"{src}-{tgt}":
            continue
        source = t.get(src)
        picked = choose(t, tgt, scorer)
        if not isinstance(source, str) or not source.strip() or picked is None:
            undecided += 1
            continue
        try:
            prompt = build_prompt(style, source, src, tgt, tokenizer=tokenizer)
        except ValueError as exc:
            raise ValueError(f"row {number}: can't build the {style} prompt for {src}-{tgt}: {exc}") from None
        rows.append({"prompt": prompt, "chosen": picked[0], "rejected": picked[1]})
    return rows, undecided
