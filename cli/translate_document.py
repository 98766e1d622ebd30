"""`translate-file` for documents (`.md`, `.html`, `.docx`, `.pptx`, `.srt`, `.vtt`, `.xlf`,
`.xliff`, `.po`; `.txt` stays a test set, one segment a line): the file read into segments
(documents/), translated as one conversation of the command line's user in the database
(documents/job.py: a stored turn per segment), written back in its own format.

Resumable: ``OUT.run.json`` records how the run began and its conversation; the same command
again continues with the segments that have no finished translation yet (they are in the
database, the output is written once at the end), and once all are done it writes the file
again from the stored turns (corrections made since included). ``--overwrite`` starts anew."""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from chat.session import ChatSession
from chat.settings import TurnSettings, UserError
from cli.common import load_host
from documents import SUPPORTED, DocumentError, open_document
from documents.job import DocumentJob, JobFailed, check_document
from storage import NotFound, open_store

DOCUMENTS = frozenset(ext for ext in SUPPORTED if ext != ".txt")
USER = "cli:translate-file"


def _ext(path: str) -> str:
    return Path(path).suffix.lower()


def is_document(source: str, out: str) -> bool:
    """Whether ``--in``/``--out`` name a document (by extension); a document is written in its
    own format, so both must have the same extension."""
    ins, outs = _ext(source), _ext(out)
    if ins not in DOCUMENTS and outs not in DOCUMENTS:
        return False
    if ins != outs:
        raise UserError(f"--in is {SUPPORTED.get(ins, ins or 'a file without extension')} and --out "
                        f"{SUPPORTED.get(outs, outs or 'a file without extension')}: a document is "
                        f"written in its own format, so --out must end in {ins or outs} too")
    return True


def _identity(args, digest: str) -> dict:
    """What decides the translations: a run is only continued when all of it is unchanged."""
    return {"model": args.model, "adapter": args.adapter, "style": args.style,
            "backend": getattr(args, "backend", None), "base_url": getattr(args, "base_url", None),
            "src": args.src, "tgt": args.tgt, "hint": args.hint, "beams": args.beams,
            "max_new_tokens": args.max_new_tokens, "temperature": args.temperature,
            "top_p": args.top_p, "input": digest}


def _resumed(run_path: Path, out: Path, identity: dict) -> int | None:
    """The conversation of the run ``run_path`` records, None for a new run."""
    if not run_path.exists():
        if out.exists():
            raise UserError(f"{out} already exists and was not written by translate-file (no "
                            f"{run_path.name}); pass --overwrite to replace it")
        return None
    try:
        record = json.loads(run_path.read_text(encoding="utf-8"))
        started, conv = record["identity"], int(record["conversation"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"{run_path} is damaged; pass --overwrite to start again") from None
    changed = [k for k in sorted(set(started) | set(identity)) if started.get(k) != identity.get(k)]
    if changed:
        details = "; ".join(f"{k}: {started.get(k)!r} then, {identity.get(k)!r} now" for k in changed)
        raise UserError(f"{out} was started with other settings ({details}); run the same command "
                        "to continue it, or pass --overwrite to start again")
    return conv


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` at once (a temporary file renamed), so ``path`` is never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _bar(total: int, done: int):
    from tqdm import tqdm

    tty = sys.stderr.isatty()
    return tqdm(total=total, initial=done, unit="seg", file=sys.stderr, dynamic_ncols=tty,
                mininterval=0.5 if tty else 10.0, smoothing=0.1, desc="translating")


def run_document(args) -> int:
    """Translate the document ``--in`` into ``--out`` (see the module's docstring)."""
    if args.limit is not None:
        raise UserError("--limit is for test sets (text or JSONL); a document is translated whole")
    source, out = Path(args.input), Path(args.out)
    if out.resolve() == source.resolve():
        raise UserError(f"--out {out} is the input file; write the output to another file")
    document = open_document(source)
    check_document(document)
    run_path = out.with_name(out.name + ".run.json")
    identity = _identity(args, hashlib.sha256(source.read_bytes()).hexdigest())
    if args.overwrite:
        for path in (out, run_path):
            path.unlink(missing_ok=True)
    conv = _resumed(run_path, out, identity)
    store = open_store(args.db)
    user = store.ensure_user(USER, "translate-file (command line)")
    if conv is not None:
        try:
            job = DocumentJob.open(ChatSession(store, None), user, conv, document)
        except (NotFound, DocumentError):
            raise UserError(f"{run_path} names conversation {conv}, which {store.where} does not "
                            "hold (another --db?); pass --overwrite to start again") from None
        if not job.todo():
            _write(out, job.write())
            print(f"all {len(job.segments)} segments were translated already: {out} written again "
                  f"from conversation {conv} (corrections included)", file=sys.stderr)
            return 0
    session = ChatSession(store, load_host(args))
    if conv is None:
        settings = TurnSettings(src=args.src, tgt=args.tgt, hint=args.hint, num_beams=args.beams,
                                max_new_tokens=args.max_new_tokens, temperature=args.temperature,
                                top_p=args.top_p)
        job = DocumentJob.start(session, user, document, settings)
        _write(run_path, (json.dumps({"identity": identity, "conversation": job.conv_id,
                                      "database": store.where}, indent=2) + "\n").encode())
    else:
        job = DocumentJob.open(session, user, conv, document)
    return _translate(job, out, store.where, args.batch_size)


def _translate(job: DocumentJob, out: Path, where: str, batch_size: int | None) -> int:
    total = len(job.segments)
    done = total - len(job.todo())
    if done:
        print(f"continuing {out}: {done}/{total} segments are stored in conversation {job.conv_id}",
              file=sys.stderr)
    bar = _bar(total, done)
    started = time.perf_counter()
    try:
        left = job.run(progress=lambda now, _: bar.update(now - bar.n), batch_size=batch_size)
    except (KeyboardInterrupt, JobFailed) as stop:
        bar.close()
        now = total - len(job.todo())
        how = "interrupted" if isinstance(stop, KeyboardInterrupt) else str(stop)
        print(f"{how}: {now}/{total} segments are stored in conversation {job.conv_id} of {where}; "
              "run the same command to continue", file=sys.stderr)
        if isinstance(stop, KeyboardInterrupt):
            raise
        return 1
    bar.close()
    _write(out, job.write())
    seconds = time.perf_counter() - started
    print(f"translated {total - done - left} segments in {seconds:.1f} s; {out} written "
          f"({total - left}/{total} segments translated, conversation {job.conv_id} of {where})",
          file=sys.stderr)
    return 0 if not left else 1
