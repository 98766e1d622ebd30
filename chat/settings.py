"""Per-turn settings chosen in the UI, and the limits that protect the model."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from models import GenParams

AUTO = "auto"
MAX_INPUT_CHARS = 20_000   # ~5,000 tokens: longer text is refused with this limit named
MAX_SEGMENTS = 200
BATCH_SIZE = 8             # segments per generate() call for long inputs
MIN_NEW_TOKENS = 16        # room a prompt must leave in the model's context for the reply


class UserError(ValueError):
    """A problem the user can fix; its message is shown in the chat as is."""


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
        return params.replace(stop=tuple(stop))


def sampling_for_alternative(params: GenParams) -> GenParams:
    """A regenerated alternative must differ: greedy/beam settings switch to sampling
    (temperature 0.7, top-p 0.9, as ParroT samples general output)."""
    if params.do_sample:
        return params
    return params.replace(do_sample=True, temperature=0.7, top_p=0.9, num_beams=1)
