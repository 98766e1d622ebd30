"""Parsing ``--system LABEL=MODEL[,adapter=PATH][,hint=TEXT][,beams=N][,style=NAME][,max_new_tokens=N]``."""
from __future__ import annotations

import re

from chat.settings import UserError

OPTIONS = ("adapter", "hint", "beams", "style", "max_new_tokens")
NUMBERS = ("beams", "max_new_tokens")
_SPLIT = re.compile(r",(?=(?:%s)=)" % "|".join(OPTIONS))
HF_USERNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?")  # an hf:NAME annotator


def parse_system(text: str) -> tuple[str, dict]:
    """(label, spec) from one ``--system`` value; a hint may itself contain commas."""
    label, eq, rest = (text or "").partition("=")
    label = label.strip()
    if not eq or not label or not rest.strip():
        raise UserError(f"--system {text!r}: expected LABEL=MODEL[,adapter=PATH][,hint=TEXT][,beams=N]")
    model, *options = _SPLIT.split(rest)
    spec: dict = {"model": model.strip(), "adapter": None, "hint": None, "beams": None,
                  "style": None, "max_new_tokens": None}
    if not spec["model"]:
        raise UserError(f"--system {text!r}: no model after {label}=")
    for option in options:
        key, _, value = option.partition("=")
        if spec[key] is not None:
            raise UserError(f"--system {label}: {key} is given twice")
        spec[key] = value.strip() or None
    for key in NUMBERS:
        if spec[key] is None:
            continue
        try:
            spec[key] = int(spec[key])
        except ValueError:
            raise UserError(f"--system {label}: {key} must be a whole number, got "
                            f"{spec[key]!r}") from None
        if spec[key] < 1:
            raise UserError(f"--system {label}: {key} must be at least 1")
    return label, spec


def parse_systems(values: list[str] | None) -> list[tuple[str, dict]]:
    """All ``--system`` values: at least two, labels unique."""
    systems = [parse_system(v) for v in values or []]
    if len(systems) < 2:
        raise UserError(f"a campaign compares at least two systems; got {len(systems)} "
                        "(give --system LABEL=MODEL twice or more)")
    labels = [label for label, _ in systems]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise UserError(f"system label(s) given twice: {', '.join(twice)}")
    return systems


def parse_annotators(text: str | None) -> list[str]:
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    if not names:
        raise UserError("give the annotators with --annotators a,b,c")
    bad = [n for n in names if n.startswith("hf:") and not HF_USERNAME.fullmatch(n[3:])]
    if bad:
        raise UserError(f"not a Hugging Face username: {bad[0]!r} (write hf:USERNAME)")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UserError(f"annotator(s) given twice: {', '.join(twice)}")
    return names
