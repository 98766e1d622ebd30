"""(being written) the `scoring` command."""
from __future__ import annotations


def add_arguments(parser) -> None:
    """Arguments of the command."""


def run(args) -> int:
    raise NotImplementedError("scoring is being written")
