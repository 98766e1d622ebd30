"""Prompt builders for the supported model families (byte-exact with their training formats).

Styles:
  parrot  ParroT (Alpaca layout, ``### Hint:`` field for hint-regulated translation)
  alma    ALMA / ALMA-R plain prompt, optional few-shot examples
  x-alma  the ALMA prompt as one user turn in the tokenizer's chat template
  llamax  LLaMAX's single-newline Alpaca layout
  chat    any instruction-tuned chat model, through its chat template

Source text is stripped of surrounding whitespace in every style (ParroT does
``source.strip()``; ALMA keeps inner text as given, only the ends are trimmed).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from .languages import lang_name

STYLES: tuple[str, ...] = ("parrot", "alma", "x-alma", "llamax", "chat")
TEMPLATES: tuple[str, ...] = ("input", "no_input")

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


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


def _clean_hint(hint: Any) -> str | None:
    """Treat None and blank strings alike; other non-strings are an error."""
    if hint is None:
        return None
    if not isinstance(hint, str):
        raise ValueError(f"hint must be a string or None, got {hint!r}")
    return hint.strip() or None


def _check_hint(style: str, hint: str | None) -> None:
    if hint is None:
        return
    if style == "parrot":
        if hint not in PARROT_HINTS:
            raise ValueError(f"unknown ParroT hint {hint!r}; expected one of {PARROT_HINTS}")
    elif style != "chat":
        raise ValueError(f"style {style!r} takes no hint (got {hint!r}); pass hint=None")


def _require_chat_template(tokenizer: Any, style: str) -> None:
    if tokenizer is None:
        raise ValueError(f"style {style!r} needs a tokenizer with a chat template (got tokenizer=None)")
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError(f"style {style!r} needs a tokenizer with a chat template; this tokenizer has none")


def apply_chat_template(tokenizer: Any, messages: list[dict[str, str]], style: str) -> str:
    """Render ``messages`` with the tokenizer's chat template, ending with the assistant header."""
    _require_chat_template(tokenizer, style)
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


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
    line = f"Translate the following sentences from {lang_name(src, 'parrot')} to {lang_name(tgt, 'parrot')}."
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


def build_prompt(
    style: str,
    text: str,
    src: str,
    tgt: str,
    hint: str | None = None,
    tokenizer: Any = None,
    shots: Sequence[tuple[str, str]] | None = None,
    template: str = "input",
) -> str:
    """Translation prompt for ``style`` (see module docstring).

    ``hint``: a PARROT_HINTS value for parrot, free text for chat, None otherwise.
    ``tokenizer``: required (with a chat template) for x-alma and chat.
    ``shots``: few-shot (source, target) pairs, alma and x-alma only.
    ``template``: "input" or "no_input", parrot only.
    Raises ValueError for unknown styles, codes, hints or misplaced options.
    """
    _check_style(style)
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    hint = _clean_hint(hint)
    _check_hint(style, hint)
    lang_name(src)  # validate both codes before anything else
    lang_name(tgt)
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; expected one of {TEMPLATES}")
    if template != "input" and style != "parrot":
        raise ValueError(f"template {template!r} is only available for style 'parrot'")
    if shots and style not in ("alma", "x-alma"):
        raise ValueError(f"few-shot examples are only supported for 'alma' and 'x-alma', not {style!r}")

    if style == "parrot":
        return parrot_prompt(text, src, tgt, hint, template)
    if style == "llamax":
        return llamax_prompt(text, src, tgt)
    if style == "alma":
        return alma_prompt(text, src, tgt, shots)
    if style == "x-alma":
        user = alma_prompt(text, src, tgt, shots)
        return apply_chat_template(tokenizer, [{"role": "user", "content": user}], style)
    user = chat_translation_request(text, src, tgt, hint)
    return apply_chat_template(tokenizer, [{"role": "user", "content": user}], style)


def _check_turns(turns: Iterable[Any]) -> list[tuple[str, str]]:
    """(role, content) pairs; ``{"role", "content"}`` dicts are accepted too."""
    checked = []
    for turn in turns:
        role, content = (turn["role"], turn["content"]) if isinstance(turn, dict) else turn
        if role not in ("user", "assistant"):
            raise ValueError(f"turn role must be 'user' or 'assistant', got {role!r}")
        checked.append((role, str(content)))
    if not checked or checked[-1][0] != "user":
        raise ValueError("turns must be non-empty and end with a user turn")
    return checked


def build_chat_prompt(
    style: str, turns: Iterable[tuple[str, str]], tokenizer: Any = None, hint: str | None = None
) -> str:
    """Prompt for free chat (no translation framing) with conversation context.

    ``turns``: (role, content) pairs (or role/content dicts), role "user" or
    "assistant", ending with a user turn.
    chat / x-alma: the tokenizer's chat template over all turns; a free-text
    ``hint`` becomes a system message (merged into the first user turn when the
    template rejects system messages).
    parrot / alma: ParroT's ``prompt_no_input``; llamax: the same with LLaMAX's
    single newlines. ALMA models were never trained to chat, so alma reuses the
    ParroT layout. The instruction is the last user text; earlier turns are
    prepended as ``User: ...`` / ``Assistant: ...`` lines followed by a blank
    line, and a hint is appended as a ``Note: ...`` line.
    """
    _check_style(style)
    checked = _check_turns(turns)
    hint = _clean_hint(hint)
    if style in ("chat", "x-alma"):
        messages = [{"role": role, "content": content} for role, content in checked]
        if hint is None:
            return apply_chat_template(tokenizer, messages, style)
        _require_chat_template(tokenizer, style)
        try:
            return apply_chat_template(tokenizer, [{"role": "system", "content": hint}] + messages, style)
        except Exception:  # templates such as Gemma's refuse the system role
            merged = [dict(m) for m in messages]
            merged[0]["content"] = f"{hint}\n\n{merged[0]['content']}"
            return apply_chat_template(tokenizer, merged, style)

    history = "\n".join(
        f"{'User' if role == 'user' else 'Assistant'}: {content.strip()}" for role, content in checked[:-1]
    )
    instruction = checked[-1][1].strip()
    if history:
        instruction = f"{history}\n\n{instruction}"
    if hint:
        instruction += f"\nNote: {hint}"
    layout = LLAMAX_PROMPT_NO_INPUT if style == "llamax" else PARROT_PROMPT_NO_INPUT
    return layout.format(instruction=instruction)


def stop_strings(style: str, tgt: str | None = None) -> list[str]:
    """Strings at which generation should stop for ``style``.

    alma / x-alma translate one line ("\\n"); parrot / llamax tend to run on into
    new ``###`` blocks; chat models end with their EOS token (no stop string).
    ``tgt`` is accepted for symmetry and validated when given.
    """
    _check_style(style)
    if tgt is not None:
        lang_name(tgt)
    if style in ("alma", "x-alma"):
        return ["\n"]
    if style in ("parrot", "llamax"):
        return ["###"]
    return []
