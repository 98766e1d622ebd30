"""Building prompts: a translation request (`build_prompt`), a free-chat turn with its
history (`build_chat_prompt`) and the stop strings (`stop_strings`), for any style of the
registry in prompts/styles.py (byte-exact with the families' training formats).
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from prompts.languages import lang_name
from prompts.styles import STYLE_NAMES, get_style

STYLES: tuple[str, ...] = STYLE_NAMES
TEMPLATES: tuple[str, ...] = ("input", "no_input")


def _note(hint: Any) -> str | None:
    """A chat turn's hint is free text whatever the style (a system message or a Note line):
    None and blank alike; other non-strings are an error."""
    if hint is not None and not isinstance(hint, str):
        raise ValueError(f"The hint must be text, not {type(hint).__name__}.")
    return (hint or "").strip() or None


def _require_chat_template(tokenizer: Any, style: str) -> None:
    if tokenizer is None:
        raise ValueError(f"style {style!r} needs a tokenizer with a chat template (got tokenizer=None)")
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError(f"style {style!r} needs a tokenizer with a chat template; this tokenizer has none")


def apply_chat_template(tokenizer: Any, messages: list[dict[str, str]], style: str) -> str:
    """Render ``messages`` with the tokenizer's chat template, ending with the assistant header."""
    _require_chat_template(tokenizer, style)
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


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
    """Translation prompt for ``style``.

    ``hint``: a PARROT_HINTS value for parrot, free text for chat, None otherwise.
    ``tokenizer``: required (with a chat template) for the styles that use one (x-alma, chat).
    ``shots``: few-shot (source, target) pairs, alma and x-alma only.
    ``template``: "input" or "no_input", parrot only.
    Raises ValueError for unknown styles, codes, hints or misplaced options.
    """
    entry = get_style(style)
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    hint = entry.normalize_hint(hint)
    lang_name(src)  # validate both codes before anything else
    lang_name(tgt)
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; expected one of {TEMPLATES}")
    if template not in entry.templates:
        raise ValueError(f"template {template!r} is only available for style 'parrot'")
    if shots and not entry.shots:
        raise ValueError(f"few-shot examples are only supported for 'alma' and 'x-alma', not {style!r}")
    request = entry.translate(text, src, tgt, hint=hint, shots=shots, template=template)
    if not entry.chat_template:
        return request
    return apply_chat_template(tokenizer, [{"role": "user", "content": request}], style)


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
    Styles with a chat template (chat, x-alma): the tokenizer's template over all turns; a
    free-text ``hint`` becomes a system message (merged into the first user turn when the
    template rejects system messages).
    Others fill in their ``chat_layout``: ParroT's ``prompt_no_input`` (parrot, and alma,
    whose models were never trained to chat), LLaMAX's with single newlines (llamax). The
    instruction is the last user text; earlier turns are prepended as ``User: ...`` /
    ``Assistant: ...`` lines followed by a blank line, and a hint is appended as a
    ``Note: ...`` line.
    """
    entry = get_style(style)
    checked = _check_turns(turns)
    hint = _note(hint)
    if entry.chat_layout is None:
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
    return entry.chat_layout.format(instruction=instruction)


def stop_strings(style: str, tgt: str | None = None) -> list[str]:
    """Strings at which generation should stop for ``style``.

    alma / x-alma translate one line ("\\n"); parrot / llamax tend to run on into
    new ``###`` blocks; chat models end with their EOS token (no stop string).
    ``tgt`` is accepted for symmetry and validated when given.
    """
    entry = get_style(style)
    if tgt is not None:
        lang_name(tgt)
    return list(entry.stop)
