"""`python app.py [serve|translate|prompt|models|export|…] …` — one entry point for the web
app and the terminal.

Each command is one module of this package with `HELP`, `add_arguments(parser)` and
`run(args) -> int`; COMMANDS maps the command's name to its module. A module imports its
heavy packages (torch, gradio, trl) only inside `run`."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from chat.settings import UserError
from cli.shared_options import apply_deferred, defer_shared
from models import environment
from models.errors import ModelError
from storage.errors import StorageError

COMMANDS: dict[str, str] = {
    "serve": "cli.serve", "translate": "cli.translate", "prompt": "cli.prompt",
    "models": "cli.list_models", "export": "cli.export", "translate-file": "cli.translate_file",
    "score": "cli.score", "compare": "cli.compare", "train-cpo": "cli.train_cpo", "bench": "cli.bench",
    "api-key": "cli.api_key", "glossary": "cli.glossary",
    "campaign": "cli.campaign", "doctor": "cli.doctor",
}


def command_module(name: str):
    return importlib.import_module(COMMANDS[name])


class Parser(argparse.ArgumentParser):
    """The root parser: options shared with a command work before or after it."""

    def parse_known_args(self, args=None, namespace=None):
        parsed, rest = super().parse_known_args(args, namespace)
        return apply_deferred(parsed, getattr(self, "deferred", [])), rest


def parser() -> argparse.ArgumentParser:
    root = Parser(
        prog="app.py", description="Chat assistant for hint-regulated machine translation. "
        "Without a command it serves the web app.")
    command_module("serve").add_arguments(root)
    sub = root.add_subparsers(dest="command")
    for name in COMMANDS:
        module = command_module(name)
        module.add_arguments(sub.add_parser(name, help=module.HELP, conflict_handler="resolve"))
    root.deferred = defer_shared(root)
    return root


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        environment.load()  # the HINTMT_* settings, read once; a bad value stops here
    except ModelError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args = parser().parse_args(argv)
    try:
        return command_module(args.command or "serve").run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except (ModelError, StorageError, UserError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)  # the terminal gets a message, not a traceback
        return 2
