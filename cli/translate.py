"""`translate`: stream one text's translation to stdout; direction and timings on stderr."""
from __future__ import annotations

import sys

from chat.pipeline import check_text, plan_turn, run_plan
from chat.session import direction_header
from chat.settings import AUTO, SourceUnknown, TurnSettings, UserError, is_auto
from cli.common import common_arguments, load_engine, positive_int, read_text
from prompts import detect_language, lang_name, normalize_code

HELP = "translate text (or stdin) to stdout, streamed"


def add_arguments(p) -> None:
    common_arguments(p, db=False)
    p.add_argument("--from", dest="src", default="auto", help="source language code (default: detect)")
    p.add_argument("--to", dest="tgt", default=None,
                   help="target language code (default: en; English text then goes into German)")
    p.add_argument("--hint", help="ParroT hint kind, or free text for chat models")
    p.add_argument("--beams", type=positive_int, help="beam size (default: the preset's)")
    p.add_argument("--max-new-tokens", type=positive_int)
    p.add_argument("text", nargs="?", help="text to translate (default: read stdin)")


def check_direction(text: str, src: str, tgt: str) -> None:
    """What can be refused before the (slow) model load: unknown codes, the same language on
    both sides, text with no letters to detect a language from."""
    tgt = normalize_code(tgt)
    if is_auto(src):
        if detect_language(text).script is None:
            raise UserError("The text has no letters to tell its language from: give it with --from.")
    elif normalize_code(src) == tgt:
        raise UserError(f"Source and target are both {lang_name(tgt)}: pick another --to.")


def run(args) -> int:
    text = check_text(read_text(args))
    tgt = args.tgt or "en"
    src = AUTO if is_auto(args.src) else args.src
    check_direction(text, src, tgt)
    engine = load_engine(args)
    settings = TurnSettings(src=src, tgt=tgt, hint=args.hint, num_beams=args.beams,
                            max_new_tokens=args.max_new_tokens)
    try:
        plan = plan_turn(engine, text, settings)
    except SourceUnknown as err:  # auto detection unsure: the user names the source
        raise UserError(f"{err.reason} Give the source language with --from.") from None
    if args.tgt and plan.tgt != normalize_code(args.tgt):  # detected in the asked-for target
        print(f"The text is already {lang_name(plan.src)}: written out unchanged.", file=sys.stderr)
        sys.stdout.write(text + "\n")
        return 0
    print(direction_header(plan), file=sys.stderr)
    if plan.notice:
        print(plan.notice, file=sys.stderr)
    outcome = _write(run_plan(engine, plan), live=sys.stdout.isatty())
    _, completion = outcome.token_counts()
    print(f"[{outcome.status}: {completion} tokens in {outcome.duration_s:.2f} s, "
          f"first token {outcome.ttft_s or 0:.2f} s]", file=sys.stderr)
    if outcome.note:  # e.g. the runaway guard cut the output
        print(outcome.note, file=sys.stderr)
    if outcome.status == "error":
        raise ValueError(outcome.error)
    return 0


def _write(events, live: bool):
    """Write the translation to stdout once; on a terminal (``live``) it streams, and a final
    text that is not the streamed one continued (a beam result, a cut) follows under a note on
    stderr. Piped output gets the final text only. Returns the final outcome."""
    shown = ""
    for event in events:
        if event.final is not None:
            outcome = event.final
            break
        if live and event.text.startswith(shown):
            sys.stdout.write(event.text[len(shown):])
            sys.stdout.flush()
            shown = event.text
    if outcome.text.startswith(shown):
        sys.stdout.write(outcome.text[len(shown):])
    else:
        sys.stdout.write("\n")
        sys.stdout.flush()
        print("[the final translation, which replaces the draft above:]", file=sys.stderr)
        sys.stdout.write(outcome.text)
    sys.stdout.write("\n")
    return outcome
