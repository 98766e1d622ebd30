"""What the commands share: the model and database arguments, loading a model for a
command (progress on stderr), reading the text argument or stdin."""
from __future__ import annotations

import argparse
import os
import sys

from chat.model_host import ModelHost
from chat.settings import UserError
from models.backends import BACKENDS
from prompts.styles import STYLE_NAMES
from models.environment import settings

DEFAULT_MODEL = "smollm2"


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1 (refused before any model loads)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def common_arguments(p: argparse.ArgumentParser, db: bool = True, model: bool = True) -> None:
    """--model/--adapter/--style/--backend/--base-url/--api-key and --db, as every model or
    database command takes them. A command may redefine one of them after this call (its
    parser resolves the conflict in favour of the later definition)."""
    if model:
        p.add_argument("--model", default=settings().model,
                       help="preset name (see `models`), hub id, local folder or .gguf file "
                            "(default: the embedded SmolLM2; env HINTMT_MODEL)")
        p.add_argument("--adapter", default=settings().adapter,
                       help="PEFT LoRA adapter (hub id or folder) to put on the model")
        p.add_argument("--style", choices=STYLE_NAMES,
                       help="prompt style for a model that is not a preset")
        p.add_argument("--backend", choices=BACKENDS,
                       default=settings().backend,
                       help="what runs the model: auto = llama.cpp for a .gguf model when "
                            "llama-cpp-python is installed, else transformers; openai = an "
                            "OpenAI-compatible server at --base-url (env HINTMT_BACKEND)")
        p.add_argument("--base-url", default=settings().base_url,
                       help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 "
                            "(vLLM, TGI, SGLang; env HINTMT_BASE_URL)")
        p.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"),
                       help="API key for --base-url (env OPENAI_API_KEY)")
    if db:
        p.add_argument("--db", default=os.environ.get("CHAT_DB_URL"),
                       help="SQLAlchemy URL or file path of the database "
                            "(default: data/chat.db; env CHAT_DB_URL)")


def backend_options(args) -> dict:
    """ModelHost's backend options from --backend/--base-url/--api-key."""
    return {"backend": getattr(args, "backend", None), "base_url": getattr(args, "base_url", None),
            "api_key": getattr(args, "api_key", None)}


def read_text(args) -> str:
    """The text argument, else standard input (not a terminal)."""
    if args.text is not None:
        return args.text
    if sys.stdin.isatty():
        raise ValueError("give the text as an argument or on standard input")
    return sys.stdin.read()


def load_host(args):
    """The app's ModelHost with the model of --model/--adapter/--style/--backend loaded
    (progress on stderr); a model that fails to load is a UserError."""

    host = ModelHost(args.model, adapter=args.adapter, style=args.style, **backend_options(args))
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
