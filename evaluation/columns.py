"""Read test-set columns: plain text (one segment a line) or a JSONL field (``file.jsonl:gpt4``).

Lines are read as sacreBLEU's command line reads them (UTF-8, only ``\\n`` ends a line,
trailing whitespace dropped), so scores computed here match ``sacrebleu`` on the same files.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from prompts import detect_language, normalize_code

from chat.settings import UserError

JSONL_SUFFIXES = (".jsonl", ".jsonlines", ".ndjson")
_TOKENIZER_SCRIPTS = ("Han", "Kana", "Hangul")
_PAIR_IN_NAME = re.compile(r"(?:^|[^a-z])([a-z]{2,3})[-_]([a-z]{2,3})(?:[^a-z]|$)")


def is_jsonl(path: str | Path) -> bool:
    return Path(path).suffix.lower() in JSONL_SUFFIXES


@dataclass(frozen=True)
class Column:
    """One column of a test set: its segments and where they came from."""

    label: str                 # "hyp.txt" or "de-en.jsonl:gpt4", for messages and tables
    path: Path
    field: str | None          # None for plain text
    segments: list[str]
    records: list[dict] | None = None   # the JSONL objects, when read from JSONL

    def __len__(self) -> int:
        return len(self.segments)


def split_spec(spec: str, default_field: str | None) -> tuple[Path, str | None]:
    """``path`` or ``path:field``: an existing path wins over a field suffix."""
    path = Path(spec).expanduser()
    if path.exists() or ":" not in spec:
        return path, (default_field if is_jsonl(path) else None)
    name, _, field = spec.rpartition(":")
    if not field or not Path(name).expanduser().exists():
        raise UserError(f"{spec}: no such file")
    return Path(name).expanduser(), field  # an explicit field: the file is read as JSONL


def read_lines(path: Path) -> list[str]:
    """Segments of a plain-text file, one a line (a final newline ends the last one)."""
    try:
        with path.open(encoding="utf-8", newline="\n") as handle:
            return [line.rstrip() for line in handle]
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise UserError(f"{path}: {err.strerror or err}") from None


def read_records(path: Path) -> list[dict]:
    """The JSON objects of a JSONL file, one a line; blank lines at the end are ignored."""
    lines = read_lines(path)
    while lines and not lines[-1]:
        lines.pop()
    records = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise UserError(f"{path}, line {number}: not JSON ({err.msg})") from None
        if not isinstance(record, dict):
            raise UserError(f"{path}, line {number}: expected a JSON object, got {type(record).__name__}")
        records.append(record)
    return records


def read_column(spec: str, default_field: str | None = None, what: str = "segments",
                allow_empty: bool = False) -> Column:
    """Read ``spec`` (``path`` or ``path.jsonl:field``); an empty column is an error."""
    path, field = split_spec(spec, default_field)
    if not path.is_file():
        raise UserError(f"{spec}: no such file" if not path.exists() else f"{spec}: not a file")
    if field is None:
        segments, records = read_lines(path), None
    else:
        records = read_records(path)
        segments = []
        for number, record in enumerate(records, 1):
            if field not in record:
                fields = ", ".join(sorted(record)) or "none"
                raise UserError(f"{path}, line {number}: no field {field!r} (fields: {fields}); "
                                f"choose one with {path.name}:FIELD")
            value = record[field]
            segments.append("" if value is None else str(value).rstrip())
    label = f"{path.name}:{field}" if field else path.name
    if not segments and not allow_empty:
        raise UserError(f"{label} is empty: no {what} to read")
    return Column(label, path, field, segments, records)


def check_aligned(first: Column, *others: Column) -> None:
    """Every column must have one segment per line of the first."""
    for other in others:
        if len(other) != len(first):
            raise UserError(f"{other.label} has {len(other)} segments but {first.label} has "
                            f"{len(first)}: they must be line-aligned (same test set, same order)")


def target_language(lang: str | None, references: Column) -> tuple[str | None, str]:
    """Target language code and how it was found: given, from the file, or detected.

    Detection is trusted when it is sure, or when the script (Han, Kana, Hangul) is what
    picks the BLEU tokenizer anyway; otherwise the language is None (BLEU uses 13a)."""
    if lang:
        return normalize_code(lang), "given"
    if references.records:
        code = references.records[0].get("tgt_lang")
        if isinstance(code, str):
            try:
                return normalize_code(code), f"tgt_lang field of {references.path.name}"
            except ValueError:
                pass
    match = _PAIR_IN_NAME.search(references.path.stem.lower())
    if match:
        try:
            return normalize_code(match.group(2)), f"file name {references.path.name}"
        except ValueError:
            pass
    sample = "\n".join(s for s in references.segments[:200] if s)
    detection = detect_language(sample)
    if detection.lang and (detection.confidence >= 0.9 or detection.script in _TOKENIZER_SCRIPTS):
        return detection.lang, f"detected from {references.label}"
    return None, f"not given and not recognised in {references.label}"
