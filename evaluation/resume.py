"""The output file of ``translate-file`` is its own resume state.

Each batch is appended with one write, flushed and fsync'ed; a run that is killed mid-write
can leave at most a partial last line, which the next run cuts off before it counts the
finished lines. A small ``<out>.run.json`` beside the output records how the run was started
(model, adapter, direction, decoding, a hash of the input), so a run is only ever continued
with the settings it began with.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from evaluation.columns import Column, is_jsonl
from chat.settings import UserError

RUN_SUFFIX = ".run.json"


def input_digest(segments: list[str]) -> str:
    """A hash of the source segments (so an edited input is not continued into)."""
    digest = hashlib.sha256()
    for segment in segments:
        digest.update(segment.encode("utf-8") + b"\n")
    return digest.hexdigest()


def one_line(text: str) -> str:
    """A hypothesis as one line of a text file: internal line breaks become spaces."""
    return " ".join(part.strip() for part in text.splitlines()) if text else ""


class ResumableOutput:
    """Appends translations to ``path`` (plain text, or JSONL when it ends in .jsonl)."""

    def __init__(self, path: Path, column: Column, identity: dict, hyp_field: str = "hypothesis"):
        self.path = Path(path)
        self.run_path = self.path.with_name(self.path.name + RUN_SUFFIX)
        self.column = column
        self.identity = identity
        self.hyp_field = hyp_field
        self.jsonl = is_jsonl(self.path)
        if self.path.resolve() == column.path.resolve():
            raise UserError(f"--out {self.path} is the input file; write the output to another file")

    # --- starting or continuing ------------------------------------------------------------
    def prepare(self, overwrite: bool = False) -> int:
        """Check the existing output (if any) and return how many segments it already holds."""
        if overwrite:
            for path in (self.path, self.run_path):
                path.unlink(missing_ok=True)
        if self.path.exists() and self.path.stat().st_size:
            self._check_run_record()
        done = self._complete_lines()
        if done > len(self.column):
            raise UserError(f"{self.path} has {done} lines but the input has only {len(self.column)} "
                            "segments: it belongs to another input; pass --overwrite to start again")
        if self.jsonl and done:
            self._check_rows(done)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()
        self.record()
        return done

    def record(self, **details) -> None:
        """Write the run record (identity plus any details, e.g. the resolved decoding)."""
        data = {"identity": self.identity, **details}
        tmp = self.run_path.with_name(self.run_path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.run_path)

    def _check_run_record(self) -> None:
        try:
            started = json.loads(self.run_path.read_text(encoding="utf-8"))["identity"]
        except FileNotFoundError:
            raise UserError(f"{self.path} already exists and was not written by translate-file "
                            f"(no {self.run_path.name}); pass --overwrite to replace it") from None
        except (ValueError, KeyError, TypeError):
            raise UserError(f"{self.run_path} is damaged; pass --overwrite to start again") from None
        now = self.identity
        changed = [k for k in sorted(set(started) | set(now)) if started.get(k) != now.get(k)]
        if changed:
            details = "; ".join(f"{k}: {started.get(k)!r} then, {now.get(k)!r} now" for k in changed)
            raise UserError(f"{self.path} was started with other settings ({details}); run the same "
                            "command to continue it, or pass --overwrite to start again")

    def _complete_lines(self) -> int:
        """Cut a partial last line (left by a kill mid-write) and count the finished lines."""
        if not self.path.exists():
            return 0
        with self.path.open("rb+") as handle:
            data = handle.read()
            keep = data.rfind(b"\n") + 1
            if keep < len(data):
                handle.truncate(keep)
                handle.flush()
                os.fsync(handle.fileno())
        return data.count(b"\n", 0, keep)

    def _check_rows(self, done: int) -> None:
        field = self.column.field or "source"
        with self.path.open(encoding="utf-8", newline="\n") as handle:
            for index, line in zip(range(done), handle):
                try:
                    row = json.loads(line)
                    source = row[field]
                except (ValueError, KeyError, TypeError):
                    raise UserError(f"{self.path}, line {index + 1}: not a row written by translate-file; "
                                    "pass --overwrite to start again") from None
                if str(source).rstrip() != self.column.segments[index]:
                    raise UserError(f"{self.path}, line {index + 1}: its {field!r} differs from the "
                                    "input's; pass --overwrite to start again")

    # --- appending -------------------------------------------------------------------------
    def row(self, index: int, text: str) -> str:
        """The output line (without newline) for segment ``index`` translated as ``text``."""
        if not self.jsonl:
            return one_line(text)
        records = self.column.records
        base = dict(records[index]) if records else {"source": self.column.segments[index]}
        for key, lang in (("src_lang", self.identity.get("src")), ("tgt_lang", self.identity.get("tgt"))):
            if key in base and lang:  # the run's direction, not the input file's (--in FILE:reference)
                base[key] = lang
        base[self.hyp_field] = text
        return json.dumps(base, ensure_ascii=False)

    def append(self, start: int, texts: list[str]) -> None:
        """Add the translations of segments ``start..``: one write, flushed to disk."""
        payload = "".join(self.row(start + i, t) + "\n" for i, t in enumerate(texts)).encode("utf-8")
        with self.path.open("ab") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
