"""Translate a list of test-set segments with the chat's own planning, in batched generate calls.

Each segment is planned by ``pipeline.plan_turn`` (direction checks, prompt style, hint, the
preset's decoding, X-ALMA routing), so under greedy decoding a segment gets the same
translation here as in the chat. Segments are then packed into ``Engine.generate_batch``
calls; a batch that fails is retried one segment at a time, so one bad segment is named
instead of sinking its neighbours.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Iterator

from chat.pipeline import Plan, cut_to_sources, each_params, pivot_second_leg, plan_turn
from chat.settings import TurnSettings, UserError
from models import TextEngine, ModelError
from models.engines.repeats import text_size
from prompts import build_prompt, extract_translation, split_segments

SEGMENTATIONS = ("line", "sentence")  # see plan_segment


@dataclass
class BatchResult:
    """Translations of the segments ``start .. start + len(texts) - 1`` of the input."""

    start: int
    texts: list[str]
    prompt_tokens: int
    completion_tokens: int
    seconds: float


def plan_segment(engine: TextEngine, source: str, settings: TurnSettings,
                 segmentation: str = "line") -> Plan | None:
    """The chat's plan for one segment; None for a blank one (it translates to "").

    ``line``: the whole segment is one prompt, as published test-set evaluations run;
    ``sentence``: split into sentences and re-joined exactly as the chat does.
    """
    if segmentation not in SEGMENTATIONS:
        raise ValueError(f"unknown segmentation {segmentation!r}; choose one of {SEGMENTATIONS}")
    text = source.strip()
    if not text:
        return None
    plan = plan_turn(engine, text, settings)
    if segmentation == "line" and (len(plan.prompts) != 1 or plan.segments is not None):
        first_tgt = "en" if plan.pivot else plan.tgt
        prompt = build_prompt(plan.style, text, plan.src, first_tgt, hint=plan.hint,
                              tokenizer=engine.tokenizer)
        plan = dataclasses.replace(plan, prompts=[prompt], segments=None,
                                   source_sizes=[text_size(text)])
    return plan


def _generate(engine: TextEngine, plan: Plan, prompts: list[str], first_segment: int, owners: list[int],
              sizes: list[int]):
    """Completions for ``prompts`` (one batch; ``sizes``: their sources' sizes, which cap the
    output's length, see ``GenParams.for_source``); a failed batch is retried prompt by prompt."""
    gens = engine.generate_batch(prompts, each_params(plan.params, sizes), adapter_group=plan.group)
    if plan.pivot:
        gens = cut_to_sources(plan.params, pivot_second_leg(engine, plan, gens), sizes)
    if all(g.status != "error" for g in gens) or len(prompts) == 1:
        bad = next((i for i, g in enumerate(gens) if g.status == "error"), None)
        if bad is not None:
            raise ModelError(f"segment {first_segment + owners[bad] + 1} could not be translated: "
                             f"{gens[bad].error}")
        return gens
    return [g for i, p in enumerate(prompts)
            for g in _generate(engine, plan, [p], first_segment, [owners[i]], sizes[i:i + 1])]


def translate_batch(engine: TextEngine, sources: list[str], settings: TurnSettings, start: int = 0,
                    segmentation: str = "line", batch_size: int | None = None) -> BatchResult:
    """Translate ``sources`` (segments ``start..``) with at most ``batch_size`` prompts a call
    (default: the engine's ``batch_size``)."""
    batch_size = batch_size or engine.batch_size
    began = time.perf_counter()
    plans = []
    for number, source in enumerate(sources, start + 1):
        try:
            plans.append(plan_segment(engine, source, settings, segmentation))
        except ValueError as err:  # UserError included: say which segment it is
            raise UserError(f"segment {number}: {err}") from None
    live = [p for p in plans if p is not None]
    prompts = [prompt for p in live for prompt in p.prompts]
    owners = [i for i, p in enumerate(plans) if p is not None for _ in p.prompts]
    sizes = [n for p in live for n in p.source_sizes]
    gens = []
    for at in range(0, len(prompts), batch_size):
        gens += _generate(engine, live[0], prompts[at:at + batch_size], start, owners[at:at + batch_size],
                          sizes[at:at + batch_size])
    texts, used = [], 0
    for plan in plans:
        if plan is None:
            texts.append("")
            continue
        mine = gens[used:used + len(plan.prompts)]
        used += len(plan.prompts)
        outputs = [extract_translation(plan.style, g.text, plan.src, plan.tgt) for g in mine]
        texts.append(plan.segments.join(outputs) if plan.segments is not None else outputs[0])
    return BatchResult(start, texts, sum(g.prompt_tokens for g in gens),
                       sum(g.completion_tokens for g in gens), time.perf_counter() - began)


def translate_segments(engine: TextEngine, sources: list[str], settings: TurnSettings, start: int = 0,
                       segmentation: str = "line", batch_size: int | None = None) -> Iterator[BatchResult]:
    """Translate ``sources[start:]`` batch by batch; each result holds whole segments, in order.

    A batch takes segments until it holds ``batch_size`` prompts (a segment split into more
    sentences than that is generated in several calls but kept in one batch).
    """
    batch_size = batch_size or engine.batch_size
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    index = start
    while index < len(sources):
        end, prompts = index, 0
        while end < len(sources) and prompts < batch_size:
            prompts += _prompt_count(sources[end], segmentation)
            end += 1
        yield translate_batch(engine, sources[index:end], settings, index, segmentation, batch_size)
        index = end


def _prompt_count(source: str, segmentation: str) -> int:
    """How many prompts a segment will take (a cheap estimate is enough for packing)."""
    if not source.strip():
        return 0
    if segmentation == "line":
        return 1
    return max(1, len(split_segments(source.strip()).segments))
