"""Per-turn settings chosen in the UI, and the limits that protect the model."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from models import GenParams
from models.environment import settings

AUTO = "auto"
MAX_INPUT_CHARS = 20_000   # ~5,000 tokens: longer text is refused with this limit named
MAX_SEGMENTS = 200
MIN_NEW_TOKENS = 16        # room a prompt must leave in the model's context for the reply
# Auto detection under this confidence is not trusted: the conversation's previous source is
# used, or the user is asked (set on tests/data/langid/tuning_*.jsonl with X-ALMA's 50
# candidates: 11 of 350 right guesses fall under it, 4 of 9 wrong ones).
MIN_DETECTION_CONFIDENCE = 0.45


def is_auto(source) -> bool:
    """Whether a requested source language means "detect it" (none given, "", "auto", "AUTO")."""
    return source is None or (isinstance(source, str) and source.strip().lower() in ("", AUTO))


class UserError(ValueError):
    """A problem the user can fix; its message is shown in the chat as is."""


class SourceUnknown(UserError):
    """Auto detection could not name the source language surely enough; ``reason`` says why
    (the message adds how to pick it in the app; the command line asks for --from)."""

    def __init__(self, reason: str):
        super().__init__(f"{reason} Pick the source language above and send it again.")
        self.reason = reason


@dataclass(frozen=True)
class TurnSettings:
    """What the user picked above the input box and in the settings accordion.

    Decoding fields left as None take the active preset's defaults (as its authors ran it).
    """

    src: str = AUTO
    tgt: str = "en"
    hint: str | None = None
    mode: str = "translate"
    max_new_tokens: int | None = None
    num_beams: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    # Auto detection under MIN_DETECTION_CONFIDENCE: "ask" (the page and the terminal: the
    # conversation's previous source, else ask the user) or "guess" (the HTTP APIs: the best
    # guess, reported with its confidence as LibreTranslate's `detectedLanguage` does).
    unsure: str = "ask"
    # The user's glossary for this turn (its name, or id): its terms go into a free-text hint
    # where the style takes one, and every translation is checked for them (chat/glossary_check.py).
    glossary: str | None = None

    def with_(self, **changes) -> "TurnSettings":
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "TurnSettings":
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def gen_params(self, defaults: GenParams, stop: list[str] | tuple[str, ...]) -> GenParams:
        """Decoding parameters: the preset's defaults overridden by what the user set."""
        params = defaults
        if self.max_new_tokens:
            params = params.replace(max_new_tokens=int(self.max_new_tokens))
        if self.num_beams:
            params = params.replace(num_beams=int(self.num_beams))
        if self.temperature is not None:
            sample = float(self.temperature) > 0
            params = params.replace(do_sample=sample, temperature=float(self.temperature) or 1.0)
        if self.top_p is not None:
            params = params.replace(top_p=float(self.top_p))
        if params.do_sample and params.num_beams > 1:
            params = params.replace(num_beams=1)
        if not settings().runaway_guard:
            params = params.replace(repeat_guard=False, max_len_a=0.0)  # raw output, e.g. to study it
        return params.replace(stop=tuple(stop))


def sampling_for_alternative(params: GenParams) -> GenParams:
    """A regenerated alternative must differ: greedy/beam settings switch to sampling
    (temperature 0.7, top-p 0.9, as ParroT samples general output)."""
    if params.do_sample:
        return params
    return params.replace(do_sample=True, temperature=0.7, top_p=0.9, num_beams=1)
