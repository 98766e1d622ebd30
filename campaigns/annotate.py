"""What the annotator's page and the owner's dashboard ask of a campaign (no Gradio here).

The page shows one assignment at a time: the first unjudged one of the annotator's queue,
so a closed tab or a restarted server continues where the annotator stopped. Candidates are
shown as A (left) and B (right) in the assignment's random order, without system names; a
click on A or B is turned back into the systems' choice before it is stored. A click on an
item already judged (the same link open in another tab) stores nothing; `verdict` says what
was stored there.
"""
from __future__ import annotations

from dataclasses import dataclass

from campaigns import results as campaign_results
from chat.identity import hf_key
from chat.settings import UserError
from prompts import language_name

BUTTONS = ("left", "right", "tie", "both-bad")


@dataclass(frozen=True)
class ItemView:
    """One screen of the annotator's page; ``assignment_id`` None once everything is judged."""

    annotator: str
    campaign: str
    done: int
    total: int
    assignment_id: int | None = None
    source: str = ""
    previous: str = ""
    next: str = ""
    left: str = ""
    right: str = ""
    src: str = ""
    tgt: str = ""

    @property
    def finished(self) -> bool:
        return self.assignment_id is None


def _texts(assignment, outputs) -> tuple[str, str]:
    """(text of side a, text of side b), the degraded copy on a QC item's ``qc_side``."""
    a = outputs[(assignment.item_id, assignment.system_a)][1]
    b = outputs[(assignment.item_id, assignment.system_b)][1]
    if assignment.kind == "qc":
        a, b = (assignment.qc_text, b) if assignment.qc_side == "a" else (a, assignment.qc_text)
    return a, b


def current_item(campaigns, token: str) -> ItemView:
    """The annotator's first unjudged item (NotFound for a token that does not exist)."""
    annotator = campaigns.annotator(token)
    campaign = campaigns.by_id(annotator.campaign_id)
    queue = campaigns.assignments(campaign.id, annotator.id)
    done = sum(a.judged for a in queue)
    src, tgt = language_name(campaign.src), language_name(campaign.tgt)
    todo = next((a for a in queue if not a.judged), None)
    if todo is None:
        return ItemView(annotator.name, campaign.name, done, len(queue), src=src, tgt=tgt)
    item = next(i for i in campaigns.items(campaign.id) if i.id == todo.item_id)
    a, b = _texts(todo, campaigns.outputs(campaign.id))
    left, right = (a, b) if todo.a_on_left else (b, a)
    return ItemView(annotator.name, campaign.name, done, len(queue), todo.id, item.source,
                    item.prev_source, item.next_source, left, right, src, tgt)


def signed_in_token(campaigns, campaign_name: str, username: str | None) -> str:
    """The link token of the Hugging Face user ``username`` when ``hf:USERNAME`` is an
    annotator of the campaign (a UserError naming what is missing otherwise)."""
    if not username:
        raise UserError(f"Sign in with Hugging Face to judge campaign {campaign_name!r}, or open "
                        "the link you were given (it ends in ?token=…).")
    campaign = campaigns.find(campaign_name)
    annotator = campaigns.annotator_named(campaign.id, hf_key(username)) if campaign else None
    if annotator is None:  # the same answer for an unknown campaign: names are not revealed
        raise UserError(f"{hf_key(username)} is not an annotator of campaign {campaign_name!r}.")
    return annotator.token


def _assigned(campaigns, token: str, assignment_id: int) -> tuple:
    """(annotator, 1-based place in the queue, assignment) of one of the annotator's items."""
    annotator = campaigns.annotator(token)
    queue = campaigns.assignments(annotator.campaign_id, annotator.id)
    found = next(((n, a) for n, a in enumerate(queue, 1) if a.id == assignment_id), None)
    if found is None:
        raise UserError("this item is not assigned to this annotator")
    return annotator, *found


def verdict(campaigns, token: str, assignment_id: int) -> tuple[int, str] | None:
    """(item number in the queue, button: left, right, tie or both-bad) of the judgement stored
    for one of the annotator's items, as this page shows it; None when it is not judged."""
    _, number, assignment = _assigned(campaigns, token, assignment_id)
    stored = campaigns.judgement_of(assignment.id)
    if stored is None:
        return None
    if stored.choice in ("a", "b"):
        return number, "left" if (stored.choice == "a") == assignment.a_on_left else "right"
    return number, stored.choice


def judge(campaigns, token: str, assignment_id: int, button: str, seconds: float | None = None,
          post_edit: str | None = None, reasons: list[str] | None = None) -> bool:
    """Store a click (left, right, tie, both-bad) as the choice between systems A and B."""
    if button not in BUTTONS:
        raise UserError(f"unknown choice {button!r}")
    annotator, _, assignment = _assigned(campaigns, token, assignment_id)
    choice = button
    if button in ("left", "right"):
        choice = "a" if (button == "left") == assignment.a_on_left else "b"
    edited = (post_edit or "").strip()
    if edited:
        a, b = _texts(assignment, campaigns.outputs(annotator.campaign_id))
        edited = "" if edited in (a.strip(), b.strip()) else edited
    return campaigns.add_judgement(token, assignment_id, choice, seconds=seconds,
                                   post_edit=edited or None, reasons=reasons)


def dashboard(campaigns, owner_token: str, cache: dict | None = None) -> tuple:
    """(campaign, progress, results, judgements) for the owner's dashboard (an ESA campaign's
    judgements: its `EsaInfo` rows). The results are
    `campaign report`'s (the same bootstrap rounds and seed), computed again only when the
    judgements changed since the call that filled ``cache``."""
    campaign = campaigns.by_owner_token(owner_token)
    judgements = campaigns.judgements(campaign.id) if campaign.protocol == "pairwise" \
        else campaigns.esa_judgements(campaign.id)
    seen = (campaign.id, len(judgements), max((j.id for j in judgements), default=None))
    if cache is None or cache.get(campaign.id, (None,))[0] != seen:
        results = campaign_results.compute(campaigns, campaign)
        if cache is not None:
            cache[campaign.id] = (seen, results)
    else:
        results = cache[campaign.id][1]
    return campaign, campaign_results.progress(campaigns, campaign), results, judgements
