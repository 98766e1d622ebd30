"""The commands behind `python app.py …` (see chat/cli.py for their arguments)."""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from .settings import UserError


def _read_text(args) -> str:
    if args.text is not None:
        return args.text
    if sys.stdin.isatty():
        raise ValueError("give the text as an argument or on standard input")
    return sys.stdin.read()


def _backend(args) -> dict:
    """ModelHost's backend options from --backend/--base-url/--api-key."""
    return {"backend": getattr(args, "backend", None), "base_url": getattr(args, "base_url", None),
            "api_key": getattr(args, "api_key", None)}


def load_host(args):
    """The app's ModelHost with the model of --model/--adapter/--style/--backend loaded
    (progress on stderr); a model that fails to load is a UserError."""
    from .model_host import ModelHost

    host = ModelHost(args.model, adapter=args.adapter, style=args.style, **_backend(args))
    host.start()
    last = None
    while (status := host.wait(0.5)).state == "loading":
        if status.message != last:
            print(f"[{round(100 * status.fraction):3d}%] {status.message}", file=sys.stderr)
            last = status.message
    if status.state == "error":
        raise UserError(status.message)
    print(status.message, file=sys.stderr)
    return host


def load_engine(args):
    """The loaded engine of `load_host`."""
    return load_host(args).engine


def _check_direction(text: str, src: str, tgt: str) -> None:
    """What can be refused before the (slow) model load: unknown codes, the same language on
    both sides, text with no letters to detect a language from."""
    from prompts import detect_language, lang_name, normalize_code

    from .settings import AUTO, UserError

    tgt = normalize_code(tgt)
    if src in (None, "", AUTO):
        if detect_language(text).script is None:
            raise UserError("The text has no letters to tell its language from: give it with --from.")
    elif normalize_code(src) == tgt:
        raise UserError(f"Source and target are both {lang_name(tgt)}: pick another --to.")


def translate(args) -> int:
    """Stream a translation to stdout; the direction and timings go to stderr."""
    from .pipeline import check_text, plan_turn, run_plan
    from .session import direction_header
    from .settings import TurnSettings

    text = check_text(_read_text(args))
    _check_direction(text, args.src, args.tgt)
    engine = load_engine(args)
    settings = TurnSettings(src=args.src, tgt=args.tgt, hint=args.hint, num_beams=args.beams,
                            max_new_tokens=args.max_new_tokens)
    plan = plan_turn(engine, text, settings)
    print(direction_header(plan), file=sys.stderr)
    shown = ""
    for event in run_plan(engine, plan):
        if event.final is not None:
            outcome = event.final
            break
        if event.text.startswith(shown):
            sys.stdout.write(event.text[len(shown):])
            sys.stdout.flush()
            shown = event.text
    if outcome.text != shown:  # beam result or cleaned output differs from the stream
        sys.stdout.write(("\n" if shown else "") + outcome.text if not outcome.text.startswith(shown)
                         else outcome.text[len(shown):])
    sys.stdout.write("\n")
    _, completion = outcome.token_counts()
    print(f"[{outcome.status}: {completion} tokens in {outcome.duration_s:.2f} s, "
          f"first token {outcome.ttft_s or 0:.2f} s]", file=sys.stderr)
    if outcome.status == "error":
        raise ValueError(outcome.error)
    return 0


def prompt(args) -> int:
    """Print the exact prompt string, nothing else (no trailing newline added)."""
    from prompts import build_prompt

    tokenizer = None
    if args.style in ("x-alma", "chat"):
        from models import load_tokenizer, resolve_preset
        tokenizer = load_tokenizer(resolve_preset(args.model))
    sys.stdout.write(build_prompt(args.style, _read_text(args), args.src, args.tgt,
                                  hint=args.hint, tokenizer=tokenizer))
    sys.stdout.flush()
    return 0


def models(args) -> int:
    """A table of the presets with their style, size and languages."""
    from models import describe_presets

    rows = describe_presets()
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        langs = row["languages"]
        langs = "any" if not langs else (" ".join(langs) if len(langs) <= 12 else f"{len(langs)} languages")
        print(f"{row['name']:<{width}}  {row['size']:>5}  {row['style']:<7} {row['model']}  [{langs}]")
    return 0


def export(args) -> int:
    """Preference pairs from the database to JSONL (TRL, ALMA-R-like or full)."""
    from storage import export_pairs, open_store

    store = open_store(args.db)
    out = sys.stdout if args.out == "-" else args.out

    def progress(done: int, total: int) -> None:
        if total >= 1000 and (done % 1000 == 0 or done == total):
            print(f"\r{done}/{total} pairs", end="" if done < total else "\n", file=sys.stderr)

    rows = export_pairs(store, out, fmt=args.format, since=args.since, pair=args.pair,
                        kind=args.kind, conversational=args.conversational, progress=progress)
    print(f"exported {rows} pair(s) as {args.format} to {args.out}", file=sys.stderr)
    return 0


def serve(args) -> int:
    """The web app: the page is served at once, the model loads in the background."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    from storage import open_store

    from .feedback import Feedback
    from .identity import browser_secret
    from .model_host import ModelHost
    from .session import ChatSession

    store = open_store(args.db)
    host = ModelHost(args.model, adapter=args.adapter, style=args.style, **_backend(args))
    host.start()
    from .ui import build_ui, launch

    data_dir = Path(getattr(store, "path", None) or "data").resolve()
    data_dir = data_dir.parent if data_dir.suffix else data_dir
    demo = build_ui(ChatSession(store, host), Feedback(store), host, browser_secret(data_dir),
                    allow_any_model=args.allow_any_model)
    logging.getLogger("hintmt").info("UI built in %.1f s; database %s", time.perf_counter() - started,
                                     store.url)
    launch(demo, args.host, args.port, share=args.share)
    return 0
