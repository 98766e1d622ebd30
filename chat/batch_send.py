"""Several texts sent at once (an API's list of strings): each becomes its own stored turn,
as `ChatSession.send` would store it, but the single-prompt translations that share their
decoding and adapter group run through one `engine.generate_batch` call (llama.cpp decodes
them together, transformers pads them into one `generate`). The stored reply's params record
the batch's size (`"batch": n`). Texts that cannot join (several sentences, X-ALMA pivots,
a group of one) run as `send` runs them. Every text is planned before anything is stored, so
a refused text refuses the whole request and nothing is stored."""
from __future__ import annotations

import time

from chat.pipeline import Outcome, Plan, check_text, cut_note, cut_to_sources, plan_turn
from chat.settings import AUTO, BATCH_SIZE, TurnSettings
from chat.zerogpu import on_gpu
from prompts import extract_translation


def send_batch(session, user_id: int, conv_id: int, texts: list[str], settings: TurnSettings) -> list:
    """The final `Reply` of each text, in order (see the module docstring)."""
    from chat.session import Reply, direction_header, _Cancel, _notes, _status_note

    texts = [check_text(t) for t in texts]
    engine = session.engine()
    asks = settings.src in (None, "", AUTO) and settings.unsure == "ask"
    previous = session._previous_source(user_id, conv_id) if asks else None
    plans = [plan_turn(engine, text, settings, None, previous_src=previous) for text in texts]
    session.store.update_settings(user_id, conv_id, settings.as_dict())
    asked = [session.store.add_message(user_id, conv_id, "user", text, detected_lang=plan.detected,
                                       detected_confidence=plan.confidence, src=plan.src, tgt=plan.tgt)
             for text, plan in zip(texts, plans)]
    replies: list = [None] * len(plans)
    for members in _groups(plans):
        if len(members) == 1:
            continue
        for start in range(0, len(members), BATCH_SIZE):
            chunk = members[start:start + BATCH_SIZE]
            outcomes = _run_chunk(session, user_id, conv_id, engine, [plans[i] for i in chunk],
                                  [asked[i] for i in chunk], _Cancel())
            for i, (msg_id, outcome) in zip(chunk, outcomes):
                replies[i] = Reply(outcome.text, direction_header(plans[i]), outcome.status, asked[i],
                                   msg_id, done=True,
                                   note=_status_note(outcome) or _notes(outcome.note, plans[i].notice))
    for i, plan in enumerate(plans):
        if replies[i] is None:  # as `send` runs it
            for replies[i] in session._reply(user_id, conv_id, asked[i], plan):
                pass
    return replies


def _groups(plans: list[Plan]) -> list[list[int]]:
    """Indexes of the plans that can share one batch call: single-prompt translations with the
    same decoding and adapter group; every other plan in a group of its own."""
    groups: dict = {}
    for i, plan in enumerate(plans):
        joins = plan.mode == "translate" and len(plan.prompts) == 1 and not plan.pivot
        key = (repr(plan.params), plan.group) if joins else ("alone", i)
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def _run_chunk(session, user_id: int, conv_id: int, engine, plans: list[Plan], parents: list[int],
               cancel) -> list[tuple[int, Outcome]]:
    """One batch call for `plans` (same decoding and group): their replies stored "streaming"
    first, finished once each at the end (or "stopped" if the call never returned)."""
    from chat.session import _params_record

    ids = [session.store.add_message(
        user_id, conv_id, "assistant", "", parent_id=parent, status="streaming", src=plan.src,
        tgt=plan.tgt, prompt=plan.prompts[0], model_id=engine.model_id, adapter=engine.preset.adapter,
        params={**_params_record(plan), "batch": len(plans)}) for plan, parent in zip(plans, parents)]
    handles = [cancel]
    with session._lock:
        session._active.setdefault(user_id, []).append(handles)
        for msg_id in ids:
            session._by_message[msg_id] = handles
    outcomes: list[Outcome | None] = [None] * len(plans)
    try:
        outcomes = _generate(engine, plans)
    finally:
        with session._lock:
            active = session._active.get(user_id, [])
            if handles in active:
                active.remove(handles)
            for msg_id in ids:
                session._by_message.pop(msg_id, None)
        for plan, msg_id, outcome in zip(plans, ids, outcomes):
            session._finish(user_id, msg_id, plan, outcome)
    return list(zip(ids, outcomes))


def _batch(engine, plans: list[Plan]) -> list[Outcome]:
    """The model's work: one `generate_batch` call, each completion cut to its own source's
    limit and cleaned as `run_plan` cleans a single prompt's."""
    started = time.perf_counter()
    sizes = [plan.source_sizes[0] for plan in plans]
    params = plans[0].params.for_source(max(sizes))
    gens = engine.generate_batch([plan.prompts[0] for plan in plans], params,
                                 adapter_group=plans[0].group)
    gens = cut_to_sources(plans[0].params, gens, sizes)
    duration = time.perf_counter() - started
    outcomes = []
    for plan, gen in zip(plans, gens):
        gen.extra["batch"] = len(plans)
        text = plan.segments.join([extract_translation(plan.style, gen.text, plan.src, plan.tgt)])
        outcomes.append(Outcome(text, gen.status, plan.prompts[0], [gen], gen.error,
                                ttft_s=duration, duration_s=duration, note=cut_note([gen])))
    return outcomes


# On a ZeroGPU Space the batch runs with a GPU attached (as `run_plan` does for one reply).
_generate = on_gpu(_batch)
