"""(being written) the `translate_file` command."""
from __future__ import annotations


def add_arguments(parser) -> None:
    """Arguments of the command."""


def run(args) -> int:
    raise NotImplementedError("translate_file is being written")
