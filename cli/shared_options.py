"""Options that work on either side of a command: ``python app.py --db X campaign status demo``
and ``python app.py campaign status demo --db X`` mean the same. argparse alone lets a
sub-command's default overwrite a value given before it (the root parser has the serve
options, ``--db`` and ``--model`` among them, and so does each command); ``defer_shared``
makes those sub-command defaults apply only where nothing was given on either side."""
from __future__ import annotations

import argparse

Deferred = list[tuple[tuple[tuple[str, str], ...], str, object, object]]


def defer_shared(parser: argparse.ArgumentParser) -> Deferred:
    """Suppress the defaults of sub-command options that an enclosing parser also has, and
    return what ``apply_deferred`` needs to put them back where nothing was given."""
    deferred: Deferred = []
    _walk(parser, (), {}, deferred)
    return deferred


def _walk(parser, path, outer: dict, deferred: Deferred) -> None:
    own = {a.dest: a.default for a in parser._actions if a.dest not in (argparse.SUPPRESS, "help")}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                inner = {**outer, **own}
                for sub_action in sub._actions:
                    if sub_action.dest in inner and sub_action.option_strings:
                        deferred.append((path + ((action.dest, name),), sub_action.dest,
                                         sub_action.default, inner[sub_action.dest]))
                        sub_action.default = argparse.SUPPRESS
                _walk(sub, path + ((action.dest, name),), inner, deferred)


def apply_deferred(args: argparse.Namespace, deferred: Deferred) -> argparse.Namespace:
    """Give each deferred option of the chosen sub-commands its own default where it was given
    nowhere (its value is still the enclosing parser's default, or missing)."""
    for path, dest, default, outer_default in deferred:
        if all(getattr(args, d, None) == name for d, name in path):
            if not hasattr(args, dest) or getattr(args, dest) == outer_default:
                setattr(args, dest, default)
    return args
