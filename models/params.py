"""Decoding parameters in, generation records out: the two plain data types of the engine."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Sequence


def per_prompt(params: "GenParams | Sequence[GenParams]", n: int) -> list["GenParams"]:
    """``generate_batch``'s params as one per prompt: a list as given, one params repeated."""
    if isinstance(params, GenParams):
        return [params] * n
    params = list(params)
    if len(params) != n:
        raise ValueError(f"{len(params)} params for {n} prompts")
    return params


def widest(params: list["GenParams"]) -> "GenParams":
    """The params one call for all these prompts runs under: the first's decoding with the
    most new tokens and the largest length cap any of them allows (each completion is then
    cut to its own)."""
    first = params[0]
    caps = [p.max_chars for p in params]
    return first.replace(max_new_tokens=max(p.max_new_tokens for p in params),
                         max_chars=None if None in caps else max(caps))


@dataclass(frozen=True)
class GenParams:
    """How to decode. Greedy by default; ``num_beams > 1`` is beam search.

    ``stop``: strings that end the completion (the text is cut before the first one).
    Runaway guards: ``repetition_penalty`` (1.0 = off; llama.cpp's ``repeat_penalty``) and
    ``no_repeat_ngram_size`` (0 = off; transformers only), off unless a preset's authors
    published values; ``max_len_a``/``max_len_b``: a translation ends once it is longer than
    ``a × source + b`` (fairseq's --max-len-a/b, Marian's --max-length-factor) counted in
    characters, a Han/kana/Hangul character as 3, not in tokens: token ratios depend on the
    tokenizer (with SmolLM2's, en→ru references take up to 8.4× the source's tokens) while
    2.5 × characters + 30 holds 99.95% or more of the references in each of WMT'22's 10
    directions (de-en without its first 40 lines, which test it); ``max_chars`` is that limit
    for one request (``for_source``), None for none; a <= 0 turns it off. ``repeat_guard``:
    end a completion where it starts repeating a span already emitted
    (models/engines/repeats.py).
    """

    max_new_tokens: int = 256
    num_beams: int = 1
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    max_len_a: float = 2.5
    max_len_b: int = 30
    max_chars: int | None = None
    repeat_guard: bool = True

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
        if self.repetition_penalty <= 0:
            raise ValueError(f"repetition_penalty must be > 0, got {self.repetition_penalty}")
        if self.no_repeat_ngram_size < 0:
            raise ValueError(f"no_repeat_ngram_size must be >= 0, got {self.no_repeat_ngram_size}")

    def for_source(self, source_size: int) -> "GenParams":
        """These parameters for translating a source of ``source_size`` (see ``text_size`` in
        models/engines/repeats.py): ``max_chars = ceil(max_len_a × size) + max_len_b``
        (unchanged when ``max_len_a <= 0``)."""
        if self.max_len_a <= 0:
            return self
        return self.replace(max_chars=max(1, math.ceil(self.max_len_a * source_size) + self.max_len_b))

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
        # always passed, so a model's generation_config can't switch a guard on unrecorded
        kw.update(repetition_penalty=self.repetition_penalty, no_repeat_ngram_size=self.no_repeat_ngram_size)
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
