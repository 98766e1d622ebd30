"""Several texts sent at once (an API's list of strings): which of their plans can share one
`engine.generate_batch` call, and that call. `ChatSession.send_batch` stores each text as its
own turn, as `send` would, and runs the groups found here through one call each (llama.cpp
decodes them together, transformers pads them into one `generate`); the stored reply's params
record the batch's size (`"batch": n`). Texts that cannot join (several sentences, X-ALMA
pivots, a group of one) run as `send` runs them."""
from __future__ import annotations

import time

from chat.pipeline import Outcome, Plan, cut_note, each_params
from chat.zerogpu import on_gpu
from prompts import extract_translation


def batch_groups(plans: list[Plan], size: int) -> list[list[int]]:
    """Indexes of the plans that run together, at most ``size`` a call: single-prompt
    translations with the same decoding and adapter group. Plans in no group (alone in their
    kind) are left out: they run one at a time."""
    groups: dict = {}
    for i, plan in enumerate(plans):
        if plan.mode == "translate" and len(plan.prompts) == 1 and not plan.pivot:
            groups.setdefault((repr(plan.params), plan.group), []).append(i)
    return [members[start:start + size] for members in groups.values() if len(members) > 1
            for start in range(0, len(members), size)]


def _batch(engine, plans: list[Plan]) -> list[Outcome]:
    """The model's work: one `generate_batch` call, each prompt capped by its own source's
    length, each completion cleaned as `run_plan` cleans a single prompt's."""
    started = time.perf_counter()
    params = each_params(plans[0].params, [plan.source_sizes[0] for plan in plans])
    gens = engine.generate_batch([plan.prompts[0] for plan in plans], params,
                                 adapter_group=plans[0].group)
    duration = time.perf_counter() - started
    outcomes = []
    for plan, gen in zip(plans, gens):
        gen.extra["batch"] = len(plans)
        text = plan.segments.join([extract_translation(plan.style, gen.text, plan.src, plan.tgt)])
        outcomes.append(Outcome(text, gen.status, plan.prompts[0], [gen], gen.error,
                                ttft_s=duration, duration_s=duration, note=cut_note([gen])))
    return outcomes


# On a ZeroGPU Space the batch runs with a GPU attached (as `run_plan` does for one reply).
generate_together = on_gpu(_batch)
