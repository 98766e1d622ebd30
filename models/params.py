"""Decoding parameters in, generation records out: the two plain data types of the engine."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GenParams:
    """How to decode. Greedy by default; ``num_beams > 1`` is beam search.

    ``stop``: strings that end the completion (the text is cut before the first one).
    """

    max_new_tokens: int = 256
    num_beams: int = 1
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "stop", tuple(s for s in (self.stop or ()) if s))
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be at least 1, got {self.max_new_tokens}")
        if self.num_beams < 1:
            raise ValueError(f"num_beams must be at least 1, got {self.num_beams}")
        if self.do_sample and self.temperature <= 0:
            raise ValueError(f"temperature must be > 0 when sampling, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")

    def replace(self, **changes) -> "GenParams":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        """JSON-ready dict (``stop`` as a list)."""
        d = dataclasses.asdict(self)
        d["stop"] = list(self.stop)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "GenParams":
        """Inverse of ``as_dict``; unknown keys are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        if "stop" in kw:
            kw["stop"] = tuple(kw["stop"] or ())
        return cls(**kw)

    def generate_kwargs(self) -> dict:
        """Keyword arguments for ``model.generate`` (sampling knobs only when sampling)."""
        kw = {"max_new_tokens": self.max_new_tokens, "num_beams": self.num_beams, "do_sample": self.do_sample}
        if self.do_sample:
            kw.update(temperature=self.temperature, top_p=self.top_p)
        else:  # neutralise sampling defaults a model's generation_config may carry
            kw.update(temperature=None, top_p=None, top_k=None)
        return kw


@dataclass
class Generation:
    """One completion and everything storage needs to record it."""

    prompt: str
    text: str
    model_id: str
    revision: str | None
    adapter: str | None
    params: dict
    prompt_tokens: int
    completion_tokens: int
    ttft_s: float | None
    duration_s: float
    status: str  # "complete" | "stopped" | "error"
    error: str | None = None
    draft: str | None = None  # streamed greedy text when ``text`` came from beam search
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)
