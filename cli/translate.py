"""`translate`: stream one text's translation to stdout; direction and timings on stderr."""
from __future__ import annotations

import sys

from chat.pipeline import check_text, plan_turn, run_plan
from chat.session import direction_header
from chat.settings import AUTO, SourceUnknown, TurnSettings, UserError
from cli.common import common_arguments, load_engine, read_text
from prompts import detect_language, lang_name, normalize_code

HELP = "translate text (or stdin) to stdout, streamed"


def add_arguments(p) -> None:
    common_arguments(p, db=False)
    p.add_argument("--from", dest="src", default="auto", help="source language code (default: detect)")
    p.add_argument("--to", dest="tgt", default="en", help="target language code (default: en)")
    p.add_argument("--hint", help="ParroT hint kind, or free text for chat models")
    p.add_argument("--beams", type=int, help="beam size (default: the preset's)")
    p.add_argument("--max-new-tokens", type=int)
    p.add_argument("text", nargs="?", help="text to translate (default: read stdin)")


def check_direction(text: str, src: str, tgt: str) -> None:
    """What can be refused before the (slow) model load: unknown codes, the same language on
    both sides, text with no letters to detect a language from."""
    tgt = normalize_code(tgt)
    if src in (None, "", AUTO):
        if detect_language(text).script is None:
            raise UserError("The text has no letters to tell its language from: give it with --from.")
    elif normalize_code(src) == tgt:
        raise UserError(f"Source and target are both {lang_name(tgt)}: pick another --to.")


def run(args) -> int:
    text = check_text(read_text(args))
    check_direction(text, args.src, args.tgt)
    engine = load_engine(args)
    settings = TurnSettings(src=args.src, tgt=args.tgt, hint=args.hint, num_beams=args.beams,
                            max_new_tokens=args.max_new_tokens)
    try:
        plan = plan_turn(engine, text, settings)
    except SourceUnknown as err:  # auto detection unsure: the user names the source
        raise UserError(f"{err.reason} Give the source language with --from.") from None
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
    if outcome.note:  # e.g. the runaway guard cut the output
        print(outcome.note, file=sys.stderr)
    if outcome.status == "error":
        raise ValueError(outcome.error)
    return 0
