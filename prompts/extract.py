"""Turn a raw completion (the decoded text generated after the prompt) into the translation."""

from __future__ import annotations

from prompts.languages import LANGUAGES, normalize_code
from prompts.styles import ALPACA, LINE, get_style

# End-of-turn / end-of-text markers of common chat templates, and the start of a
# new turn: the reply ends at the first of these.
END_MARKERS: tuple[str, ...] = (
    "<|im_end|>", "<|im_start|>", "<|eot_id|>", "<|eom_id|>", "<|start_header_id|>",
    "<|endoftext|>", "<|end|>", "<end_of_turn>", "<start_of_turn>", "</s>",
    "<｜end▁of▁sentence｜>",
)


def cut_at_end_marker(text: str) -> str:
    """Drop everything from the first end-of-turn marker on."""
    cut = len(text)
    for marker in END_MARKERS:
        pos = text.find(marker, 0, cut)
        if pos != -1:
            cut = pos
    return text[:cut]


def _first_nonempty_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _target_name(tgt: str | None) -> str | None:
    if tgt is None:
        return None
    try:
        return LANGUAGES[normalize_code(tgt)]
    except ValueError:
        return None


def _extract_alma(text: str, tgt: str | None) -> str:
    name = _target_name(tgt)
    if name:
        marker = f"\n{name}:"
        pos = text.rfind(marker)
        if pos != -1:
            after = text[pos + len(marker):]
        elif text.lstrip().startswith(f"{name}:"):
            after = text.lstrip()[len(name) + 1:]
        else:
            after = text
        line = _first_nonempty_line(after)
        if line:
            return line
    return _first_nonempty_line(text)


_ALPACA_PREAMBLE = "Below is an instruction that describes a task"


def _extract_alpaca(text: str) -> str:
    """Answer of an Alpaca-style completion.

    A completion normally holds the answer, possibly followed by runaway
    ``### Instruction:`` blocks: keep what precedes the first ``###``. When the
    text starts with ``### Response:`` or is the whole decoded prompt + answer
    (it begins with the Alpaca preamble), take what follows the first
    ``### Response:`` instead.
    """
    before = text.split("###", 1)[0]
    if before.strip() and not before.lstrip().startswith(_ALPACA_PREAMBLE):
        return before.strip()
    _, found, tail = text.partition("### Response:")
    if not found:
        return ""
    return tail.split("###", 1)[0].strip()


def extract_translation(style: str, completion: str, src: str | None = None, tgt: str | None = None) -> str:
    """Translation contained in ``completion`` for ``style``; never raises on the completion.

    alma / x-alma: text after the last ``"\\n{Target}:"`` (or a leading
    ``"{Target}:"``), first non-empty line. parrot / llamax: the text before the
    first ``###`` (runaway blocks dropped), or after ``### Response:`` when the
    completion includes the prompt, up to the next ``###``. chat: the reply up to
    the first end marker. End markers (``<|im_end|>``, ``</s>``, ...) are removed
    in every style and the result is stripped. ``src`` is accepted for symmetry.
    ValueError only for an unknown ``style``.
    """
    return clean_completion(get_style(style).extract, completion, tgt)


def extract_chat_reply(style: str, completion: str) -> str:
    """A free-chat reply in ``completion``: Alpaca-layout styles cut runaway ``###`` blocks,
    the others keep the reply up to the first end marker."""
    return clean_completion(get_style(style).chat_extract, completion, None)


def clean_completion(kind: str, completion: str, tgt: str | None) -> str:
    """``completion`` cleaned the ``kind`` way (prompts.styles LINE, ALPACA or PLAIN)."""
    if not isinstance(completion, str):
        completion = "" if completion is None else str(completion)
    text = cut_at_end_marker(completion)
    if kind == LINE:
        return _extract_alma(text, tgt)
    if kind == ALPACA:
        return _extract_alpaca(text)
    return text.strip()
