"""`python app.py [serve|translate|prompt|models|export|…] …` — one entry point for the web
app and the terminal. Heavy imports (torch, gradio) happen only in the commands that need them.

Commands with their own module are listed in PLUGGED: each module has
`add_arguments(parser)` and `run(args) -> int` and imports heavy packages only inside `run`."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

DEFAULT_MODEL = "smollm2"

# command → (module under chat/, one-line help)
PLUGGED: dict[str, tuple[str, str]] = {
    "translate-file": ("translate_file", "translate a test set (text or JSONL) in batches, resumable"),
    "score": ("scoring", "score hypotheses against references (sacreBLEU BLEU/chrF, COMET)"),
    "compare": ("compare", "compare several systems on one test set, with significance"),
    "train-cpo": ("train_command", "train a CPO LoRA adapter from collected preference pairs"),
    "bench": ("bench", "measure speed: first token, tokens/s, cold start, batching, export"),
}


def common_arguments(p: argparse.ArgumentParser, db: bool = True, model: bool = True) -> None:
    """--model/--adapter/--style/--backend/--base-url/--api-key and --db, as every model or
    database command takes them. A command may redefine one of them after this call (its
    parser resolves the conflict in favour of the later definition)."""
    _common(p, db=db, model=model)


def _common(p: argparse.ArgumentParser, db: bool = True, model: bool = True) -> None:
    if model:
        p.add_argument("--model", default=os.environ.get("HINTMT_MODEL", DEFAULT_MODEL),
                       help="preset name (see `models`), hub id, local folder or .gguf file "
                            "(default: the embedded SmolLM2; env HINTMT_MODEL)")
        p.add_argument("--adapter", default=os.environ.get("HINTMT_ADAPTER"),
                       help="PEFT LoRA adapter (hub id or folder) to put on the model")
        p.add_argument("--style", choices=("parrot", "alma", "x-alma", "llamax", "chat"),
                       help="prompt style for a model that is not a preset")
        p.add_argument("--backend", choices=("auto", "transformers", "llamacpp", "openai"),
                       default=os.environ.get("HINTMT_BACKEND", "auto"),
                       help="what runs the model: auto = llama.cpp for a .gguf model when "
                            "llama-cpp-python is installed, else transformers; openai = an "
                            "OpenAI-compatible server at --base-url (env HINTMT_BACKEND)")
        p.add_argument("--base-url", default=os.environ.get("HINTMT_BASE_URL"),
                       help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 "
                            "(vLLM, TGI, SGLang; env HINTMT_BASE_URL)")
        p.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"),
                       help="API key for --base-url (env OPENAI_API_KEY)")
    if db:
        p.add_argument("--db", default=os.environ.get("CHAT_DB_URL"),
                       help="SQLAlchemy URL or file path of the database "
                            "(default: data/chat.db; env CHAT_DB_URL)")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="app.py", description="Chat assistant for hint-regulated machine translation. "
        "Without a command it serves the web app.")
    sub = root.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve the Gradio chat (the default)")
    _serve_args(serve)
    _serve_args(root)
    tr = sub.add_parser("translate", help="translate text (or stdin) to stdout, streamed")
    _common(tr, db=False)
    tr.add_argument("--from", dest="src", default="auto", help="source language code (default: detect)")
    tr.add_argument("--to", dest="tgt", default="en", help="target language code (default: en)")
    tr.add_argument("--hint", help="ParroT hint kind, or free text for chat models")
    tr.add_argument("--beams", type=int, help="beam size (default: the preset's)")
    tr.add_argument("--max-new-tokens", type=int)
    tr.add_argument("text", nargs="?", help="text to translate (default: read stdin)")
    pr = sub.add_parser("prompt", help="print the exact prompt that would be sent")
    pr.add_argument("--style", required=True, choices=("parrot", "alma", "x-alma", "llamax", "chat"))
    pr.add_argument("--from", dest="src", required=True)
    pr.add_argument("--to", dest="tgt", required=True)
    pr.add_argument("--hint")
    pr.add_argument("--model", default=DEFAULT_MODEL,
                    help="model whose chat template wraps x-alma/chat prompts (default: smollm2)")
    pr.add_argument("text", nargs="?")
    sub.add_parser("models", help="list the model presets")
    ex = sub.add_parser("export", help="export preference pairs for CPO training")
    _common(ex, model=False)
    ex.add_argument("--format", choices=("trl", "alma-r", "full"), default="trl")
    ex.add_argument("--out", required=True, help="output .jsonl file ('-' for stdout)")
    ex.add_argument("--conversational", action="store_true", help="TRL conversational format")
    ex.add_argument("--since", help="only pairs created on/after this date (YYYY-MM-DD)")
    ex.add_argument("--pair", help="only this language pair, e.g. de-en")
    ex.add_argument("--kind", choices=("pick", "edit", "rating", "hint-contrast"))
    for name, (module, help_text) in PLUGGED.items():
        plugged = sub.add_parser(name, help=help_text, conflict_handler="resolve")
        _plugged_module(name).add_arguments(plugged)
    return root


def _plugged_module(name: str):
    return importlib.import_module(f"{__package__}.{PLUGGED[name][0]}")


def _serve_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    p.add_argument("--share", action="store_true", help="also serve on a public gradio.live link")
    p.add_argument("--allow-any-model", action="store_true",
                   default=os.environ.get("HINTMT_ALLOW_ANY_MODEL") == "1",
                   help="let the page load hub ids and server folders, not only presets "
                        "(env HINTMT_ALLOW_ANY_MODEL=1)")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    args = parser().parse_args(argv)
    command = args.command or "serve"
    try:
        if command in PLUGGED:
            return _plugged_module(command).run(args)
        from . import commands
        return getattr(commands, command.replace("-", "_"))(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # noqa: BLE001 - the terminal gets a message, not a traceback
        from models import ModelError
        from storage import StorageError
        from .settings import UserError
        if isinstance(err, (ModelError, StorageError, UserError, ValueError)):
            print(f"error: {err}", file=sys.stderr)
            return 2
        raise
