"""Several texts sent at once (an API's list of strings): which of their plans can share one
`engine.generate_batch` call, and that call. `ChatSession.send_batch` stores each text as its
own turn, as `send` would, and runs the groups found here through one call each (llama.cpp
decodes them together, transformers pads them into one `generate`); the stored reply's params
record the batch's size (`"batch": n`). Texts that cannot join (several sentences, X-ALMA
pivots, a group of one) run as `send` runs them; with ``multi`` (a document's paragraphs) a text
of several sentences joins too: its sentences are prompts of the call, joined back as `send` joins
them, and its reply keeps each sentence's prompt and output (``"segments"``) for the pairs."""
from __future__ import annotations

import time

from chat.pipeline import Outcome, Plan, cut_note, each_params
from chat.zerogpu import on_gpu
from prompts import extract_translation


def batch_groups(plans: list[Plan], size: int, multi: bool = False) -> list[list[int]]:
    """Indexes of the plans that run together, at most ``size`` prompts a call (a plan with more
    takes a call of its own): translations with the same decoding and adapter group, of one
    prompt each unless ``multi``. Plans in no group (alone in their kind) are left out: they run
    one at a time."""
    groups: dict = {}
    for i, plan in enumerate(plans):
        if plan.mode == "translate" and not plan.pivot and (multi or len(plan.prompts) == 1):
            groups.setdefault((repr(plan.params), plan.group), []).append(i)
    chunks: list[list[int]] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        chunk: list[int] = []
        for i in members:
            if chunk and sum(len(plans[j].prompts) for j in chunk) + len(plans[i].prompts) > size:
                chunks.append(chunk)
                chunk = []
            chunk.append(i)
        chunks.append(chunk)
    return chunks


def _batch(engine, plans: list[Plan]) -> list[Outcome]:
    """The model's work: the plans' prompts in `generate_batch` calls of at most the engine's
    batch size (one call for one-prompt plans), each capped by its own source's length, each
    completion cleaned as `run_plan` cleans it, a plan's sentences joined as `send` joins them."""
    started = time.perf_counter()
    prompts = [prompt for plan in plans for prompt in plan.prompts]
    sizes = [n for plan in plans for n in plan.source_sizes]
    params = each_params(plans[0].params, sizes)
    step = max(1, engine.batch_size)
    gens = []
    for at in range(0, len(prompts), step):
        own = params[at:at + step] if isinstance(params, list) else params
        called = engine.generate_batch(prompts[at:at + step], own, adapter_group=plans[0].group)
        for gen in called:
            gen.extra["batch"] = len(called)
        gens += called
    duration = time.perf_counter() - started
    outcomes, used = [], 0
    for plan in plans:
        mine = gens[used:used + len(plan.prompts)]
        used += len(plan.prompts)
        text = plan.segments.join([extract_translation(plan.style, g.text, plan.src, plan.tgt)
                                   for g in mine])
        failed = next((g for g in mine if g.status == "error"), None)
        status = "error" if failed else next((g.status for g in mine if g.status != "complete"), "complete")
        prompt = plan.prompts[0] if len(plan.prompts) == 1 else "\n\n".join(plan.prompts)
        outcomes.append(Outcome(text, status, prompt, mine, failed.error if failed else None,
                                ttft_s=duration, duration_s=duration, note=cut_note(mine)))
    return outcomes


# On a ZeroGPU Space the batch runs with a GPU attached (as `run_plan` does for one reply).
generate_together = on_gpu(_batch)
