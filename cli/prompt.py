"""`prompt`: print the exact prompt string that would be sent, nothing else."""
from __future__ import annotations

import sys

from cli.common import DEFAULT_MODEL, read_text
from models import load_tokenizer, resolve_preset
from prompts import build_prompt
from prompts.styles import STYLE_NAMES, get_style

HELP = "print the exact prompt that would be sent"


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
    sys.stdout.write(build_prompt(args.style, read_text(args), args.src, args.tgt,
                                  hint=args.hint, tokenizer=tokenizer))
    sys.stdout.flush()
    return 0
