"""`python app.py train-cpo`: train a CPO LoRA adapter from collected preference pairs — from a
JSONL/Parquet file (TRL export, ALMA-R-Preference rows) or straight from the database with the
filters of `export` — then chat with it: `python app.py --model X --adapter OUT`."""
from __future__ import annotations

import argparse
import shlex
import sys

from cli.common import common_arguments
from models import resolve_preset
from storage import open_store
from storage.export import trl_row
from storage.schema import PAIR_KINDS
from training.cpo import CPOSettings, prepare_training, train_cpo
from training.preference_rows import read_pairs, to_standard

D = CPOSettings()  # the defaults (ALMA-R's recipe) live in one place

HELP = "train a CPO LoRA adapter from collected preference pairs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the command."""
    common_arguments(parser)
    parser.add_argument("--out", required=True, help="folder for the trained adapter (and its checkpoints)")
    data = parser.add_argument_group("pairs (a file, or the database given by --db)")
    data.add_argument("--pairs", help="JSONL, JSON or Parquet file: `export --format trl` (standard or "
                                      "--conversational), `--format alma-r`, or ALMA-R-Preference rows")
    data.add_argument("--since", help="database only: pairs created on/after this date (YYYY-MM-DD)")
    data.add_argument("--pair", help="database only: this language pair, e.g. de-en")
    data.add_argument("--kind", choices=PAIR_KINDS, help="database only")
    data.add_argument("--user", type=int, help="database only: pairs of this user id")
    data.add_argument("--scorer", choices=("kiwi_xcomet", "kiwi", "xcomet"), default="kiwi_xcomet",
                      help="score that ranks ALMA-R candidates without a human label (default: kiwi_xcomet)")
    hp = parser.add_argument_group("training (defaults: ALMA-R's recipe)")
    hp.add_argument("--epochs", type=float, default=D.epochs, help=f"passes over the pairs (default {D.epochs:g})")
    hp.add_argument("--max-steps", type=int, default=D.max_steps, help="stop after this many optimizer steps")
    hp.add_argument("--lr", type=float, default=D.lr, help=f"learning rate (default {D.lr:g})")
    hp.add_argument("--beta", type=float, default=D.beta, help=f"CPO beta (default {D.beta:g})")
    hp.add_argument("--cpo-alpha", type=float, default=D.cpo_alpha, help=f"weight of the NLL term (default {D.cpo_alpha:g})")
    hp.add_argument("--lora-r", type=int, default=D.lora_r, help=f"LoRA rank of a new adapter (default {D.lora_r})")
    hp.add_argument("--lora-alpha", type=int, default=D.lora_alpha, help=f"LoRA alpha of a new adapter (default {D.lora_alpha})")
    hp.add_argument("--batch-size", type=int, default=D.batch_size, help=f"pairs per device step (default {D.batch_size})")
    hp.add_argument("--grad-accum", type=int, default=D.grad_accum, help=f"gradient accumulation steps (default {D.grad_accum})")
    hp.add_argument("--max-length", type=int, default=D.max_length, help=f"tokens of prompt + answer (default {D.max_length})")
    hp.add_argument("--drop-long", action="store_true", help="leave out pairs whose prompt exceeds --max-length")
    hp.add_argument("--save-steps", type=int, default=D.save_steps, help=f"checkpoint every N steps (default {D.save_steps})")
    hp.add_argument("--logging-steps", type=int, default=D.logging_steps, help="log loss/margins every N steps")
    hp.add_argument("--seed", type=int, default=D.seed)
    hp.add_argument("--gradient-checkpointing", action=argparse.BooleanOptionalAction, default=None,
                    help="trade compute for memory (default: on with a GPU)")
    run_group = parser.add_argument_group("run")
    run_group.add_argument("--resume", action="store_true", help="continue from the last checkpoint in OUT")
    run_group.add_argument("--overwrite", action="store_true", help="replace what OUT holds")
    run_group.add_argument("--keep-checkpoints", action="store_true",
                           help="keep OUT/checkpoints after a successful run")
    run_group.add_argument("--allow-cpu", action="store_true", help="train a model over 1B parameters on CPU anyway")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _rows(args, setup):
    """Standard TRL rows from --pairs, or from the database through the export's own rows."""

    filters = {k: getattr(args, k) for k in ("since", "pair", "kind", "user") if getattr(args, k) is not None}
    if args.pairs:
        if filters:
            raise ValueError(f"--{', --'.join(filters)} filter the database; with --pairs, filter the file "
                             "when exporting it (python app.py export …)")
        read = read_pairs(args.pairs, setup.style, setup.tokenizer, args.scorer)
        where = args.pairs
    else:

        store = open_store(args.db)
        try:
            found = store.pairs(args.user, since=args.since, pair=args.pair, kind=args.kind)
            read = to_standard(((i, trl_row(p)) for i, p in enumerate(found, 1)), setup.style, setup.tokenizer)
        finally:
            store.close()
        where = f"the database {store.url}" + (f" ({', '.join(f'{k}={v}' for k, v in filters.items())})"
                                                if filters else "")
    _say(f"read {read.summary()} from {where}")
    return read.rows


def chat_command(args) -> str:
    """The command that chats with the trained adapter."""
    parts = ["python", "app.py", "--model", args.model, "--adapter", args.out]
    if args.style:
        parts += ["--style", args.style]
    return shlex.join(parts)


def run(args) -> int:
    """Train, save, and say how to chat with the adapter."""

    settings = CPOSettings(
        epochs=args.epochs, max_steps=args.max_steps, lr=args.lr, beta=args.beta, cpo_alpha=args.cpo_alpha,
        lora_r=args.lora_r, lora_alpha=args.lora_alpha, batch_size=args.batch_size, grad_accum=args.grad_accum,
        max_length=args.max_length, save_steps=args.save_steps, logging_steps=args.logging_steps,
        seed=args.seed, gradient_checkpointing=args.gradient_checkpointing)
    settings.check()
    if getattr(args, "backend", None) == "openai" or getattr(args, "base_url", None):
        raise ValueError("train-cpo trains the model's own weights (with transformers); a model behind "
                         "--backend openai/--base-url can't be trained: pass its weights with --model")
    preset = resolve_preset(args.model, adapter=args.adapter, style=args.style)
    setup = prepare_training(preset, allow_cpu=args.allow_cpu, say=_say)
    if preset.adapter:
        _say(f"continuing the adapter {preset.adapter} (its own rank and alpha; --lora-r/--lora-alpha unused)")
    rows = _rows(args, setup)
    result = train_cpo(setup, rows, args.out, settings, resume=args.resume, overwrite=args.overwrite,
                       drop_long=args.drop_long, keep_checkpoints=args.keep_checkpoints, say=_say)
    loss = f", final loss {result.train_loss:.3f}" if result.train_loss is not None else ""
    _say(f"trained {result.steps} step(s) on {result.pairs} pair(s) in {result.seconds:.0f} s{loss}; "
         f"log-prob margin chosen − rejected on the training pairs: "
         f"{result.margin_before:+.2f} → {result.margin_after:+.2f} nats")
    _say(f"adapter saved in {result.out_dir}")
    print(f"chat with it: {chat_command(args)}")
    return 0
