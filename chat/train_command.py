"""(being written) the `train_command` command."""
from __future__ import annotations


def add_arguments(parser) -> None:
    """Arguments of the command."""


def run(args) -> int:
    raise NotImplementedError("train_command is being written")
