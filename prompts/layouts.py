"""The prompt layouts of the model families, byte-exact with their training formats, and
the functions that fill them in for one translation request.

Source text is stripped of surrounding whitespace in every layout (ParroT does
``source.strip()``; ALMA keeps inner text as given, only the ends are trimmed).
"""
from __future__ import annotations

from typing import Sequence

from prompts.languages import lang_name

PARROT_HINTS: tuple[str | None, ...] = (None, "no-errors", "minor-errors", "major-errors", "preferred")
HINT_LABELS: dict[str | None, str] = {
    None: "no hint",
    "no-errors": "no errors",
    "minor-errors": "minor errors",
    "major-errors": "major errors",
    "preferred": "preferred",
}
# Text after ``###`` in ParroT's instruction line, per hint.
_PARROT_HINT_TEXT = {
    "no-errors": "A translation with no errors could be",
    "minor-errors": "A translation with minor errors could be",
    "major-errors": "A translation with major errors could be",
    "preferred": "We prefer to translate it to",
}

PARROT_PROMPT_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides "
    "further context. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"
)
PARROT_PROMPT_NO_INPUT = (
    "Below is an instruction that describes a task. Write a response that appropriately "
    "completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:"
)
LLAMAX_PROMPT_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides "
    "further context. Write a response that appropriately completes the request.\n"
    "### Instruction:\n{instruction}\n### Input:\n{input}\n### Response:"
)
LLAMAX_PROMPT_NO_INPUT = (
    "Below is an instruction that describes a task. Write a response that appropriately "
    "completes the request.\n### Instruction:\n{instruction}\n### Response:"
)
CHAT_INSTRUCTION = "Translate the following text from {src} to {tgt}. Reply with the translation only."


def alma_prompt(text: str, src: str, tgt: str, shots: Sequence[tuple[str, str]] | None = None) -> str:
    """ALMA's ``get_prompt`` layout; ``shots`` are (source, target) example pairs."""
    s, t = lang_name(src), lang_name(tgt)
    parts = [f"Translate this from {s} to {t}:"]
    for shot_src, shot_tgt in shots or ():
        parts.append(f"\n{s}: {shot_src.strip()}\n{t}: {shot_tgt.strip()}")
    parts.append(f"\n{s}: {text.strip()}\n{t}:")
    return "".join(parts)


def parrot_prompt(text: str, src: str, tgt: str, hint: str | None = None, template: str = "input") -> str:
    """ParroT's ``train/inference.py`` assembly of instruction, input and ``### Hint:``."""
    line = f"Translate the following sentences from {lang_name(src, parrot_names=True)} to {lang_name(tgt, parrot_names=True)}."
    if hint is not None:
        line += "###" + _PARROT_HINT_TEXT[hint]
    instruction, _, hint_text = line.partition("###")
    hint_block = "\n\n### Hint: " + hint_text if hint_text else ""
    source = text.strip() + hint_block
    if template == "input":
        return PARROT_PROMPT_INPUT.format(instruction=instruction, input=source)
    merged = (instruction + "\n\n" + source).strip()
    return PARROT_PROMPT_NO_INPUT.format(instruction=merged)


def llamax_prompt(text: str, src: str, tgt: str) -> str:
    """LLaMAX's Alpaca layout with single newlines."""
    instruction = f"Translate the following sentences from {lang_name(src)} to {lang_name(tgt)}."
    return LLAMAX_PROMPT_INPUT.format(instruction=instruction, input=text.strip())


def chat_translation_request(text: str, src: str, tgt: str, hint: str | None = None) -> str:
    """User turn for generic chat models; a free-text hint becomes a ``Note:`` line."""
    request = CHAT_INSTRUCTION.format(src=lang_name(src), tgt=lang_name(tgt))
    if hint:
        request += f"\nNote: {hint}"
    return f"{request}\n\n{text.strip()}"




def parrot_request(text, src, tgt, hint=None, shots=None, template="input") -> str:
    return parrot_prompt(text, src, tgt, hint, template)


def alma_request(text, src, tgt, hint=None, shots=None, template="input") -> str:
    return alma_prompt(text, src, tgt, shots)


def llamax_request(text, src, tgt, hint=None, shots=None, template="input") -> str:
    return llamax_prompt(text, src, tgt)


def chat_request(text, src, tgt, hint=None, shots=None, template="input") -> str:
    return chat_translation_request(text, src, tgt, hint)
