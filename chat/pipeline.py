"""Detect → route → prompt → generate, with no storage and no UI.

`plan_turn` decides the direction and builds the exact prompts; `run_plan` streams
the translation as `Progress` events and returns what storage needs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterator

from models import TextEngine, Generation, GenParams
from models.engines.repeats import NOTES, mark_cut, text_size
from prompts import (
    build_chat_prompt, build_prompt, detect_language, extract_chat_reply, extract_translation,
    get_style, language_name, split_segments, stop_strings, xalma_group,
)

from chat.glossary_check import apply_glossary
from chat.settings import (MAX_INPUT_CHARS, MAX_SEGMENTS, MIN_DETECTION_CONFIDENCE,
                           MIN_NEW_TOKENS, SourceUnknown, TurnSettings, UserError, is_auto)

@dataclass
class Plan:
    """One reply to produce: direction, prompts (one per segment) and decoding."""

    src: str | None
    tgt: str
    style: str
    mode: str
    hint: str | None
    params: GenParams
    prompts: list[str]
    segments: object = None          # prompts.Segmented for translate mode
    detected: str | None = None
    confidence: float | None = None
    pivot: bool = False
    notice: str | None = None
    group: int | None = None
    source_sizes: list[int] = field(default_factory=list)  # per prompt (translate): caps its length
    glossary: object = None          # prompts.glossary.Glossary used for this turn, if any
    terms: list = field(default_factory=list)  # its TermMatch list, offsets into the source text


@dataclass
class Progress:
    """A streaming event: the reply text so far; `final` is set on the last one."""

    text: str
    status: str = "streaming"
    final: "Outcome | None" = None
    note: str | None = None


@dataclass
class Outcome:
    """The finished reply with everything storage records."""

    text: str
    status: str
    prompt: str
    generations: list[Generation] = field(default_factory=list)
    error: str | None = None
    draft: str | None = None
    ttft_s: float | None = None
    duration_s: float = 0.0
    note: str | None = None  # e.g. the runaway guard's CUT_NOTE

    def beams_asked(self) -> int | None:
        """The beam size asked for where the engine decoded greedily instead (llama.cpp)."""
        return next((g.extra["num_beams_requested"] for g in self.generations
                     if g.extra.get("num_beams_requested")), None)

    def token_counts(self) -> tuple[int, int]:
        return (sum(g.prompt_tokens for g in self.generations),
                sum(g.completion_tokens for g in self.generations))

    def extra_params(self) -> dict:
        cut = next(({"cut": g.extra["cut"]} for g in self.generations if g.extra.get("cut")), {})
        cut.update(next(({"batch": g.extra["batch"]} for g in self.generations if g.extra.get("batch")), {}))
        asked = self.beams_asked()
        if asked:  # the engine has no beam search: the stored params say what really ran
            cut.update(num_beams=1, num_beams_requested=asked)
        if len(self.generations) <= 1:
            return cut
        return {**cut, "segments": [{"prompt": g.prompt, "output": g.text} for g in self.generations]}


def check_text(text: str) -> str:
    """Refuse input the model cannot take, with a message that says why."""
    clean = (text or "").replace("\x00", "").strip()
    if not clean:
        raise UserError("Type some text to translate.")
    if len(clean) > MAX_INPUT_CHARS:
        raise UserError(f"The text is {len(clean):,} characters long; the limit is "
                        f"{MAX_INPUT_CHARS:,}. Split it into smaller parts.")
    return clean


def resolve_direction(text: str, settings: TurnSettings, languages, previous_src: str | None = None
                      ) -> tuple[str | None, str, float | None, str | None]:
    """Source (detected when Auto), target, detection confidence and a notice for the user.

    A detection under ``MIN_DETECTION_CONFIDENCE`` is not stated as fact: the source is
    ``previous_src`` (the conversation's previous source) with confidence None and a notice
    saying so, or, without one, None and the reason (`plan_turn` raises SourceUnknown).
    """
    tgt, notice, confidence = settings.tgt, None, None
    src = settings.src
    if is_auto(src):
        detection = detect_language(text, candidates=languages)
        src, confidence = detection.lang, detection.confidence
        if src is None:
            return None, tgt, 0.0, "I could not tell which language this is."
        if confidence < MIN_DETECTION_CONFIDENCE and settings.unsure != "guess":
            guess = f"perhaps {language_name(src)}, {round(100 * confidence)}% sure"
            if not previous_src or previous_src == tgt or (languages and previous_src not in languages):
                return None, tgt, confidence, f"I am not sure which language this is ({guess})."
            src, confidence = previous_src, None
            notice = (f"I am not sure which language this is ({guess}), so it was translated from "
                      f"{language_name(src)} like your previous message. If that is wrong, pick the "
                      "source language above.")
        if src == tgt:
            new_tgt = "de" if src == "en" else "en"
            notice = (f"The text is already {language_name(src)}, so it was translated into "
                      f"{language_name(new_tgt)}.")
            tgt = new_tgt
    elif src == tgt:
        raise UserError(f"Source and target are both {language_name(src)}: pick another target.")
    return src, tgt, confidence, notice


def plan_turn(engine: TextEngine, text: str, settings: TurnSettings,
              history: list[tuple[str, str]] | None = None, previous_src: str | None = None,
              glossary=None) -> Plan:
    """Build the exact prompts for one reply (translate mode: one per segment).

    ``previous_src``: the conversation's previous source language, used when Auto detection
    is unsure (see `resolve_direction`). ``glossary``: a prompts.glossary.Glossary for this
    direction (`apply_glossary`: its terms in a free-text hint, recorded for the check).
    """
    preset = engine.preset
    style = preset.style
    languages = preset.languages
    if settings.mode == "chat":
        prompt, notice = _chat_prompt_that_fits(engine, style, list(history or []), text,
                                                get_style(style).chat_hint(settings.hint))
        detection = detect_language(text)
        params = settings.gen_params(preset.decoding, stop_strings(style))
        return Plan(detection.lang, settings.tgt, style, "chat", settings.hint, params, [prompt],
                    detected=detection.lang, confidence=detection.confidence, notice=notice)
    src, tgt, confidence, notice = resolve_direction(text, settings, languages, previous_src)
    if src is None:
        raise SourceUnknown(notice)
    for code in (src, tgt):
        if languages and code not in languages:
            raise UserError(f"{preset.name} does not translate {language_name(code)}; "
                            f"it knows: {', '.join(language_name(c) for c in languages)}.")
    pivot = get_style(style).group_routing and bool(preset.group_adapters) and "en" not in (src, tgt)
    segmented = split_segments(text)
    pieces = [s for s in segmented.segments]
    if len(pieces) > MAX_SEGMENTS:
        raise UserError(f"The text has {len(pieces)} sentences; the limit is {MAX_SEGMENTS} a message. "
                        "Send it in parts, or translate the whole file with `python app.py "
                        "translate-file`.")
    hint = get_style(style).normalize_hint(settings.hint)
    first_tgt = "en" if pivot else tgt
    hints, terms, unused = apply_glossary(glossary, text, pieces, src, tgt, style, hint)
    prompts = [build_prompt(style, seg, src, first_tgt, hint=own, tokenizer=engine.tokenizer)
               for seg, own in zip(pieces, hints)]
    _check_context(engine, prompts)
    params = settings.gen_params(preset.decoding, stop_strings(style, first_tgt))
    group = _group(preset, src, first_tgt)
    return Plan(src, tgt, style, "translate", hint, params, prompts, segmented,
                detected=src if is_auto(settings.src) and confidence is not None else None,
                confidence=confidence, pivot=pivot, notice=" ".join(n for n in (notice, unused) if n) or None,
                group=group, source_sizes=[text_size(seg) for seg in pieces],
                glossary=glossary if unused is None else None, terms=terms)


def params_for(plan: Plan) -> GenParams:
    """Decoding for a one-prompt plan: in translate mode its length is capped by its source
    (``GenParams.for_source``: a × size + b)."""
    return plan.params.for_source(plan.source_sizes[0]) if plan.source_sizes else plan.params


def each_params(params: GenParams, sizes: list[int]) -> GenParams | list[GenParams]:
    """``params`` for a batch of prompts whose sources have ``sizes`` (as ``Plan.source_sizes``):
    one each, capped by its own source, so the batch does what the prompts would do one by
    one; ``params`` itself when there is no limit (``sizes`` empty)."""
    return [params.for_source(n) for n in sizes] if sizes else params


def cut_to_sources(params: GenParams, gens: list[Generation], sizes: list[int]) -> list[Generation]:
    """Each completion cut to its own source's limit, for completions that ran under another
    one (an X-ALMA pivot's second leg ran to its English texts' longest)."""
    return [mark_cut(g, own) for g, own in zip(gens, each_params(params, sizes))] if sizes else gens


def cut_note(gens: list[Generation]) -> str | None:
    """The note a reply gets when the runaway guard cut any of its completions."""
    cuts = [g.extra["cut"] for g in gens if g.extra.get("cut") in NOTES]
    return NOTES[cuts[0]] if cuts else None


def _room(engine: TextEngine, prompt: str) -> tuple[int, int]:
    """(prompt tokens, the model's context limit)."""
    return engine.count_tokens(prompt), engine.context_limit()


def _check_context(engine: TextEngine, prompts: list[str]) -> None:
    """Every segment's prompt must leave room for its translation in the model's context."""
    for number, prompt in enumerate(prompts, 1):
        used, limit = _room(engine, prompt)
        if used + MIN_NEW_TOKENS > limit:
            where = f"Sentence {number} of {len(prompts)}" if len(prompts) > 1 else "The text"
            raise UserError(f"{where} takes {used:,} tokens with its prompt, but "
                            f"{engine.preset.name} reads at most {limit:,} tokens (prompt and "
                            "translation together). Break it into shorter sentences.")


def _chat_prompt_that_fits(engine: TextEngine, style: str, history: list, text: str,
                           hint: str | None) -> tuple[str, str | None]:
    """The chat prompt with as much recent history as the context holds (oldest dropped first)."""
    dropped = 0
    while True:
        prompt = build_chat_prompt(style, history + [("user", text)], tokenizer=engine.tokenizer,
                                   hint=hint)
        used, limit = _room(engine, prompt)
        if used + MIN_NEW_TOKENS <= limit:
            break
        if not history:
            raise UserError(f"The message takes {used:,} tokens with its prompt, but "
                            f"{engine.preset.name} reads at most {limit:,} tokens. Send a shorter "
                            "message, or use Translate mode, which splits long text into sentences.")
        history = history[2:] if len(history) > 1 else []
        dropped += 1
    notice = (f"The {dropped * 2} oldest messages were left out of the model's context "
              f"({limit:,} tokens).") if dropped else None
    return prompt, notice


def _group(preset, src: str, tgt: str) -> int | None:
    if not preset.group_adapters:
        return None
    other = tgt if src == "en" else src
    return xalma_group(other)


def run_plan(engine: TextEngine, plan: Plan, handles: list | None = None) -> Iterator[Progress]:
    """Generate the reply for a plan; yields Progress events, the last one with `final`."""
    started = time.perf_counter()
    if len(plan.prompts) == 1 and not plan.pivot:
        outcome = yield from _stream_one(engine, plan, plan.prompts[0], handles)
    else:
        outcome = yield from _batched(engine, plan, handles)
    outcome.duration_s = time.perf_counter() - started
    yield Progress(outcome.text, outcome.status, final=outcome)


def _stream_one(engine, plan: Plan, prompt: str, handles) -> Iterator[Progress]:
    handle = engine.stream(prompt, params_for(plan), adapter_group=plan.group)
    if handles is not None:
        handles.append(handle)
    shown = ""
    for piece in handle:
        shown += piece
        yield Progress(_clean(plan, shown, partial=True))
    gen = handle.result
    text = _clean(plan, gen.text)
    if gen.draft is not None:
        yield Progress(text, note="beam search result replaced the greedy draft")
    return Outcome(text, gen.status, prompt, [gen], gen.error,
                   draft=_clean(plan, gen.draft) if gen.draft is not None else None,
                   ttft_s=gen.ttft_s, note=cut_note([gen]))


def _batched(engine, plan: Plan, handles) -> Iterator[Progress]:
    """Segments in batches (one generate call each), progress after each batch."""
    prompts, outputs, gens = plan.prompts, [], []
    total = len(prompts)
    first_token = None
    started = time.perf_counter()
    for start in range(0, total, engine.batch_size):
        if handles is not None and any(getattr(h, "cancelled", False) for h in handles):
            break
        chunk = prompts[start:start + engine.batch_size]
        sizes = plan.source_sizes[start:start + len(chunk)]
        if not plan.pivot:  # each segment's handle (on llama.cpp its pieces stream as they come)
            batch = yield from _streamed_batch(engine, plan, chunk, sizes, outputs, handles)
        else:
            batch = engine.generate_batch(chunk, each_params(plan.params, sizes), adapter_group=plan.group)
        if plan.pivot:
            batch = cut_to_sources(plan.params, pivot_second_leg(engine, plan, batch), sizes)
        gens.extend(batch)
        outputs.extend(_kept_texts(plan, batch))
        first_token = first_token or time.perf_counter() - started
        done = len(outputs)
        shown = _join(plan, outputs + [""] * (total - done))
        yield Progress(shown, note=f"translated {done}/{total} segments")
    failed = [g for g in gens if g.status == "error"]
    stopped = len(gens) < total or any(g.status == "stopped" for g in gens)  # Stop mid-batch too
    status = "error" if failed else ("stopped" if stopped else "complete")
    error = failed[0].error if failed else None
    text = _join(plan, outputs + [""] * (total - len(outputs)))
    return Outcome(text, status, prompts[0] if total == 1 else "\n\n".join(prompts), gens, error,
                   ttft_s=first_token, note=cut_note(gens))


def _streamed_batch(engine, plan: Plan, chunk: list[str], sizes: list[int], outputs: list[str],
                    handles) -> Iterator[Progress]:
    """One batch decoded together with each segment's text shown as it grows (segment by
    segment; the later ones' pieces wait in their handles); Stop cancels the whole batch."""
    streams = engine.stream_batch(chunk, each_params(plan.params, sizes), adapter_group=plan.group)
    if handles is not None:
        handles.extend(streams)
    total, done = len(plan.prompts), list(outputs)
    try:
        for stream in streams:
            shown = ""
            for piece in stream:
                shown += piece
                live = done + [_clean(plan, shown, partial=True)]
                yield Progress(_join(plan, live + [""] * (total - len(live))),
                               note=f"translating {len(done) + 1}/{total} segments")
            done.append(_clean(plan, stream.result.text))
    finally:  # a reader gone (page closed) stops the whole batch
        if len(done) < len(outputs) + len(streams):
            for stream in streams:
                stream.cancel()
    return [stream.result for stream in streams]


def _kept_texts(plan: Plan, batch: list[Generation]) -> list[str]:
    """A batch's segment texts; after Stop only the first unfinished segment (the one shown
    growing) keeps its partial text: the others nobody saw would be fragments cut mid-word."""
    texts = [_clean(plan, g.text) for g in batch]
    stopped = [i for i, g in enumerate(batch) if g.status == "stopped"]
    return [t if i not in stopped[1:] else "" for i, t in enumerate(texts)]


def pivot_second_leg(engine, plan: Plan, first: list[Generation]) -> list[Generation]:
    """X-ALMA is English-centric: translate the English pivot on into the target."""
    english = [extract_translation(plan.style, g.text, plan.src, "en") for g in first]
    prompts = [build_prompt(plan.style, e, "en", plan.tgt, tokenizer=engine.tokenizer)
               for e in english]
    params = plan.params.replace(stop=tuple(stop_strings(plan.style, plan.tgt)))
    params = params.for_source(max((text_size(e) for e in english), default=0))
    return engine.generate_batch(prompts, params, adapter_group=xalma_group(plan.tgt))


def _clean(plan: Plan, raw: str, partial: bool = False) -> str:
    if partial:
        return raw.strip()
    if plan.mode == "chat":
        return extract_chat_reply(plan.style, raw)
    return extract_translation(plan.style, raw, plan.src, plan.tgt)


def _join(plan: Plan, outputs: list[str]) -> str:
    if plan.segments is None:
        return "\n".join(outputs)
    return plan.segments.join(outputs)
