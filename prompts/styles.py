"""The prompt styles, one entry each: everything the rest of the app needs to know about a
model family's prompt, asked here instead of branching on the style's name.

Adding a style is one `Style(...)` in `_REGISTRY` (with its builder in prompts/layouts.py)
plus its golden tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

from prompts import layouts
from prompts.layouts import PARROT_HINTS
from prompts.languages import ALMA_LANGUAGES, ALMA_TABLE_LANGUAGES, LANGUAGES, LLAMAX_LANGUAGES, XALMA_LANGUAGES

PARROT_HINT, FREE_HINT = "parrot", "free"        # Style.hints: which hints a style takes
CONTRAST_HINT = "major-errors"  # the ParroT hint whose output is the "rejected" side of a hint contrast
NO_HINT_WORDS = ("", "none", "no hint")  # what a picker or a client sends for "no hint"
LINE, ALPACA, PLAIN = "line", "alpaca", "plain"  # Style.extract: how a completion is cleaned


@dataclass(frozen=True)
class Style:
    """One prompt style.

    ``translate(text, src, tgt, hint, shots, template)`` builds the translation request: the
    whole prompt, or (``chat_template``) the user turn that the tokenizer's chat template wraps.
    ``chat_layout``: the Alpaca layout a free-chat turn fills in, None for the chat template.
    ``hints``: PARROT_HINT (the ParroT kinds), FREE_HINT (free text) or None.
    ``extract`` / ``chat_extract``: how a translation / a chat reply is cleaned.
    ``stop``: where generation ends; the single-line styles (alma, x-alma) stop at the first
    newline, and their output is cut to its first line (``extract=LINE``).
    ``group_routing``: a language-group adapter is chosen per request. ``decoding``: the authors' evaluation settings (GenParams fields).
    """

    name: str
    description: str
    translate: Callable[..., str]
    languages: tuple[str, ...]
    stop: tuple[str, ...] = ()
    chat_template: bool = False
    chat_layout: str | None = None
    hints: str | None = None
    extract: str = PLAIN
    chat_extract: str = PLAIN
    shots: bool = False
    templates: tuple[str, ...] = ("input",)
    group_routing: bool = False
    decoding: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({"max_new_tokens": 256}))

    def normalize_hint(self, hint: object) -> str | None:
        """The hint this style's prompt gets for ``hint`` (None for none), or ValueError with the
        one message every caller shows: the page, both APIs, the CLI and campaigns."""
        if hint is None:
            return None
        if not isinstance(hint, str):
            raise ValueError(f"The hint must be text, not {type(hint).__name__}.")
        hint = hint.strip()
        if self.hints == PARROT_HINT:
            hint = None if hint.lower() in NO_HINT_WORDS else hint.lower().replace(" ", "-")
            if hint is not None and hint not in PARROT_HINTS:
                raise ValueError(f"'{hint}' is not a ParroT hint; the kinds are: "
                                 f"{', '.join(layouts.HINT_LABELS[k] for k in PARROT_HINTS if k)} (or no hint).")
            return hint
        if not hint:
            return None
        if self.hints == FREE_HINT:
            return hint
        raise ValueError(f"The {self.name} prompt takes no hint; leave the hint out.")

    def chat_hint(self, hint: object) -> str | None:
        """The hint a free-chat turn gets: free text for styles that take it; ParroT's kinds
        regulate translations only, so a chat turn goes without."""
        hint = self.normalize_hint(hint)
        return hint if self.hints == FREE_HINT else None


def _beams(n: int) -> Mapping[str, int]:
    return MappingProxyType({"max_new_tokens": 256, "num_beams": n})


_REGISTRY: dict[str, Style] = {s.name: s for s in (
    Style("parrot", "ParroT: Alpaca instruction + input, optional ### Hint:",
          layouts.parrot_request, ALMA_TABLE_LANGUAGES, stop=("###",), chat_layout=layouts.PARROT_PROMPT_NO_INPUT,
          hints=PARROT_HINT, extract=ALPACA, chat_extract=ALPACA, templates=("input", "no_input"),
          decoding=_beams(4)),
    Style("alma", "ALMA / ALMA-R: Translate this from X to Y:",
          layouts.alma_request, ALMA_LANGUAGES, stop=("\n",), chat_layout=layouts.PARROT_PROMPT_NO_INPUT,
          extract=LINE, shots=True, decoding=_beams(5)),
    Style("x-alma", "X-ALMA: the ALMA prompt inside the tokenizer's chat template, group adapters",
          layouts.alma_request, XALMA_LANGUAGES, stop=("\n",), chat_template=True, extract=LINE,
          shots=True, group_routing=True, decoding=_beams(5)),
    Style("llamax", "LLaMAX: single-newline Alpaca layout",
          layouts.llamax_request, LLAMAX_LANGUAGES, stop=("###",), chat_layout=layouts.LLAMAX_PROMPT_NO_INPUT,
          extract=ALPACA, chat_extract=ALPACA, decoding=_beams(4)),
    Style("chat", "any chat model: its own chat template, free-text hints",
          layouts.chat_request, tuple(LANGUAGES), chat_template=True, hints=FREE_HINT),
)}

STYLE_NAMES: tuple[str, ...] = tuple(_REGISTRY)


def get_style(name: str) -> Style:
    """The registry entry of ``name``; ValueError for an unknown style."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown style {name!r}; expected one of {STYLE_NAMES}") from None


def hint_kind(name: str | None) -> str | None:
    """PARROT_HINT, FREE_HINT or None for a style name (None for a style not yet known)."""
    entry = _REGISTRY.get(name) if isinstance(name, str) else None
    return entry.hints if entry else None


def style_languages(style: str) -> tuple[str, ...]:
    """Languages a prompt style (model family) can translate between.

    alma: ALMA's six (ALMA-R's extra names are in ``ALMA_R_LANGUAGES``); x-alma: English plus
    the 50 group languages; parrot: trained on en/de/ja/zh but promptable for every
    ALMA-table language, so the ALMA table; llamax: Flores-101; chat: every language in
    ``LANGUAGES``.
    """
    return get_style(style).languages
