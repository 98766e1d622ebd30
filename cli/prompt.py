"""`prompt`: print the exact prompt string for one segment, nothing else (the page and
`translate` split longer text into sentences, one such prompt each, and send X-ALMA's
non-English pairs through English)."""
from __future__ import annotations

import sys

from chat.pipeline import check_text
from cli.common import DEFAULT_MODEL, read_text
from models import load_tokenizer, resolve_preset
from prompts import build_prompt
from prompts.styles import STYLE_NAMES, get_style

HELP = "print the exact prompt for one segment of text"


def add_arguments(p) -> None:
    p.add_argument("--style", required=True, choices=STYLE_NAMES)
    p.add_argument("--from", dest="src", required=True)
    p.add_argument("--to", dest="tgt", required=True)
    p.add_argument("--hint")
    p.add_argument("--model", default=DEFAULT_MODEL,
                   help="model whose chat template wraps x-alma/chat prompts (default: smollm2)")
    p.add_argument("text", nargs="?")


def run(args) -> int:
    tokenizer = None
    if get_style(args.style).chat_template:
        tokenizer = load_tokenizer(resolve_preset(args.model))
    sys.stdout.write(build_prompt(args.style, check_text(read_text(args)), args.src, args.tgt,
                                  hint=args.hint, tokenizer=tokenizer))
    sys.stdout.flush()
    return 0
