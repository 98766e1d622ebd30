"""Generating every system's outputs up front, through the batched translation path.

Each batch of `evaluation.batch.translate_segments` is stored in one transaction with the
exact prompt of each segment (the chat's `plan_turn`), so a run killed at any moment (even
kill -9) loses at most the batch in flight: the next `campaign create` with the same
arguments generates only the outputs that are missing.
"""
from __future__ import annotations

from typing import Callable

from chat.model_host import ModelHost
from chat.settings import TurnSettings, UserError
from evaluation.batch import plan_segment, translate_segments
from models import ModelError, resolve_preset
from prompts import lang_name

Progress = Callable[[str, int, int], None]  # (system label, done, total)


def check_system(label: str, spec: dict, src: str, tgt: str) -> None:
    """Fail before anything is stored when the model is unknown or lacks the direction."""
    try:
        preset = resolve_preset(spec["model"], adapter=spec.get("adapter"), style=spec.get("style"))
    except ModelError as err:
        raise UserError(f"system {label}: {err}") from None
    for code in (src, tgt):
        if preset.languages and code not in preset.languages:
            raise UserError(f"system {label}: {preset.name} does not translate {lang_name(code)}")


def load_system(label: str, spec: dict, backend: dict | None = None):
    """The engine of one system (the app's ModelHost, waited for)."""
    host = ModelHost(spec["model"], adapter=spec.get("adapter"), style=spec.get("style"),
                     **(backend or {}))
    host.start()
    status = host.wait()
    if status.state != "ready":
        raise UserError(f"system {label}: {status.message}")
    return host.engine


def settings_of(spec: dict, src: str, tgt: str) -> TurnSettings:
    return TurnSettings(src=src, tgt=tgt, hint=spec.get("hint"), num_beams=spec.get("beams"),
                        max_new_tokens=spec.get("max_new_tokens"))


def generate_outputs(campaigns, campaign, backend: dict | None = None,
                     progress: Progress | None = None, batch_size: int | None = None) -> int:
    """Generate the missing outputs of every system (``batch_size`` prompts a call, default the
    engine's); returns how many were generated."""
    items = campaigns.items(campaign.id)
    made = 0
    for system in campaigns.systems(campaign.id):
        have = {item_id for item_id, sys_id in campaigns.outputs(campaign.id) if sys_id == system.id}
        missing = [item for item in items if item.id not in have]
        if progress:
            progress(system.label, len(items) - len(missing), len(items))
        if not missing:
            continue
        engine = load_system(system.label, system.spec, backend)
        settings = settings_of(system.spec, campaign.src, campaign.tgt)
        sources = [item.source for item in missing]
        for batch in translate_segments(engine, sources, settings, batch_size=batch_size):
            rows = []
            for offset, text in enumerate(batch.texts):
                item = missing[batch.start + offset]
                plan = plan_segment(engine, item.source, settings)
                rows.append((item.id, plan.prompts[0] if plan else "", text))
            campaigns.add_outputs(system.id, rows, engine.model_id)
            made += len(rows)
            if progress:
                progress(system.label, len(items) - len(missing) + batch.start + len(rows), len(items))
    return made
