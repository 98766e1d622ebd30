"""What the error-span (ESA) annotator page asks of a campaign (no Gradio here).

The page shows one assignment at a time, the first of the annotator's queue whose candidates
are not all scored, so a closed tab or a restarted server continues where the annotator
stopped, with whatever was already stored on that screen (`EsaItemView.candidates`). An
``esa`` screen has one candidate, ``left``; a ``contrastive-esa`` screen has ``left`` and
``right`` in the assignment's random order, without system names. Each candidate gets a score
(0–100) and error spans ``{"start", "end", "severity": "minor"|"major"}``, character offsets
(Python ``str`` indices, code points) into `Candidate.text`; ``end == start`` marks missing
content. `save_esa` stores one candidate at once; a candidate already stored stays as it was.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from chat.settings import UserError
from prompts import language_name

CANDIDATES = ("left", "right")


@dataclass(frozen=True)
class Candidate:
    """One text to annotate, and what is stored for it (None / empty before)."""

    name: str                       # "left" or "right", as shown
    text: str                       # the spans' offsets index this string
    score: float | None = None
    spans: list = field(default_factory=list)
    post_edit: str | None = None


@dataclass(frozen=True)
class EsaItemView:
    """One screen of the ESA page; ``assignment_id`` None once everything is scored."""

    annotator: str
    campaign: str
    protocol: str
    done: int
    total: int
    assignment_id: int | None = None
    source: str = ""
    previous: str = ""
    next: str = ""
    src: str = ""
    tgt: str = ""
    candidates: tuple[Candidate, ...] = ()

    @property
    def finished(self) -> bool:
        return self.assignment_id is None


def _check_esa(campaign) -> None:
    if campaign.protocol not in ("esa", "contrastive-esa"):
        raise UserError(f"campaign {campaign.name!r} is a {campaign.protocol} campaign, not an "
                        "error-span one")


def _sides(campaign, assignment) -> dict[str, str]:
    """Shown name → stored side ("a"/"b") of one assignment's candidates."""
    _check_esa(campaign)
    if campaign.protocol == "esa":
        return {"left": "a"}
    left = "a" if assignment.a_on_left else "b"
    return {"left": left, "right": "b" if left == "a" else "a"}


def _text(assignment, side: str, outputs: dict) -> str:
    if assignment.kind == "qc" and assignment.qc_side == side:
        return assignment.qc_text
    system = assignment.system_a if side == "a" else assignment.system_b
    return outputs[(assignment.item_id, system)][1]


def _queue(campaigns, token: str) -> tuple:
    """(annotator, campaign, queue) of the annotator whose link carries ``token``."""
    annotator = campaigns.annotator(token)
    campaign = campaigns.by_id(annotator.campaign_id)
    return annotator, campaign, campaigns.assignments(campaign.id, annotator.id)


def _view(campaigns, annotator, campaign, queue, assignment) -> EsaItemView:
    done = sum(a.judged for a in queue)
    src, tgt = language_name(campaign.src), language_name(campaign.tgt)
    if assignment is None:
        return EsaItemView(annotator.name, campaign.name, campaign.protocol, done, len(queue),
                           src=src, tgt=tgt)
    item = next(i for i in campaigns.items(campaign.id) if i.id == assignment.item_id)
    outputs = campaigns.outputs(campaign.id)
    stored = {m.side: m for m in campaigns.esa_of(assignment.id)}
    candidates = []
    for name, side in _sides(campaign, assignment).items():
        mark = stored.get(side)
        candidates.append(Candidate(name, _text(assignment, side, outputs),
                                    mark.score if mark else None,
                                    list(mark.spans) if mark else [],
                                    mark.post_edit if mark else None))
    return EsaItemView(annotator.name, campaign.name, campaign.protocol, done, len(queue),
                       assignment.id, item.source, item.prev_source, item.next_source, src, tgt,
                       tuple(candidates))


def current_esa_item(campaigns, token: str) -> EsaItemView:
    """The annotator's first screen not fully scored (NotFound for an unknown token)."""
    annotator, campaign, queue = _queue(campaigns, token)
    _check_esa(campaign)
    return _view(campaigns, annotator, campaign, queue, next((a for a in queue if not a.judged), None))


def esa_item(campaigns, token: str, assignment_id: int) -> EsaItemView:
    """One of the annotator's screens, judged or not, with what is stored for it."""
    annotator, campaign, queue = _queue(campaigns, token)
    assignment = next((a for a in queue if a.id == int(assignment_id)), None)
    if assignment is None:
        raise UserError("this item is not assigned to this annotator")
    return _view(campaigns, annotator, campaign, queue, assignment)


def save_esa(campaigns, token: str, assignment_id: int, candidate: str, score: float,
             spans: list[dict], post_edit: str | None = None,
             seconds: float | None = None) -> bool:
    """Store one shown candidate's score and spans (one transaction); False when it was
    stored already (e.g. from another tab), which keeps the first. A post-edit equal to the
    candidate's text is not one. UserError for a bad candidate, score or span."""
    annotator, campaign, queue = _queue(campaigns, token)
    assignment = next((a for a in queue if a.id == int(assignment_id)), None)
    if assignment is None:
        raise UserError("this item is not assigned to this annotator")
    sides = _sides(campaign, assignment)
    if candidate not in sides:
        raise UserError(f"no candidate {candidate!r} on this screen ({', '.join(sides)})")
    side = sides[candidate]
    edited = (post_edit or "").strip()
    if edited == _text(assignment, side, campaigns.outputs(campaign.id)).strip():
        edited = ""
    try:
        return campaigns.add_esa(token, assignment.id, side, score, spans,
                                 post_edit=edited or None, seconds=seconds)
    except ValueError as err:
        raise UserError(str(err)) from None


def stored_esa(campaigns, token: str, assignment_id: int) -> dict[str, dict]:
    """Shown candidate → ``{score, spans, post_edit, seconds}`` stored for one of the
    annotator's screens (only the candidates stored so far)."""
    annotator, campaign, queue = _queue(campaigns, token)
    assignment = next((a for a in queue if a.id == int(assignment_id)), None)
    if assignment is None:
        raise UserError("this item is not assigned to this annotator")
    shown = {side: name for name, side in _sides(campaign, assignment).items()}
    return {shown[m.side]: {"score": m.score, "spans": list(m.spans), "post_edit": m.post_edit,
                            "seconds": m.seconds}
            for m in campaigns.esa_of(assignment.id)}
