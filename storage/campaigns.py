"""Reading and writing preference campaigns (tables in ``storage.campaign_schema``).

    campaigns = CampaignStore(open_store(db))
    info = campaigns.create("de-en-cpo", "wmt22/de-en.jsonl", "de", "en", settings,
                            systems=[("base", {...}), ("cpo", {...})], items=[...],
                            annotators=["ann", "bob"])
    campaigns.add_outputs(system_id, [(item_id, prompt, text), ...])
    campaigns.add_judgement(token, assignment_id, "a", seconds=4.2)
    campaigns.add_esa(token, assignment_id, "a", 72, [{"start": 0, "end": 5, "severity": "major"}])

Each write is one transaction: a judgement is stored the moment it is made, and a failed
call leaves nothing half-written. Annotator and owner tokens come from ``secrets``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.campaign_esa import EsaRows
from storage.campaign_schema import (ASSIGNMENT_KINDS, CHOICES, PROTOCOLS, Campaign,
                                     CampaignAnnotator, CampaignAssignment, CampaignEsaJudgement,
                                     CampaignItem, CampaignJudgement, CampaignOutput,
                                     CampaignSystem, Imported, new_token)
from storage.errors import NotFound, StorageError


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    name: str
    owner_token: str
    test_set: str
    src: str
    tgt: str
    settings: dict
    status: str
    created: datetime
    protocol: str = "pairwise"   # pairwise | esa | contrastive-esa


@dataclass(frozen=True)
class SystemInfo:
    id: int
    label: str
    spec: dict
    model_id: str | None


@dataclass(frozen=True)
class ItemInfo:
    id: int
    position: int
    key: str
    source: str
    prev_source: str
    next_source: str


@dataclass(frozen=True)
class AnnotatorInfo:
    id: int
    campaign_id: int
    name: str
    token: str
    external: bool


@dataclass(frozen=True)
class AssignmentInfo:
    id: int
    annotator_id: int
    position: int
    item_id: int
    system_a: int
    system_b: int
    a_on_left: bool
    kind: str
    qc_side: str | None
    qc_text: str | None
    judged: bool
    qc_start: int | None = None   # where the planted error is in qc_text (ESA campaigns)
    qc_end: int | None = None


@dataclass(frozen=True)
class JudgementInfo:
    id: int
    annotator: str
    assignment_id: int | None
    item_id: int
    system_a: int
    system_b: int
    kind: str
    choice: str
    seconds: float | None
    post_edit: str | None
    reasons: list | None
    qc_side: str | None
    created: datetime


def _campaign(c: Campaign) -> CampaignInfo:
    return CampaignInfo(c.id, c.name, c.owner_token, c.test_set, c.src, c.tgt, dict(c.settings),
                        c.status, c.created, c.protocol or "pairwise")


def _annotator(a: CampaignAnnotator) -> AnnotatorInfo:
    return AnnotatorInfo(a.id, a.campaign_id, a.name, a.token, a.external)


def _import_key(annotator: str, item_id: int, system_a: int, system_b: int, choice: str,
                seconds: float | None, post_edit: str | None) -> tuple:
    """An imported row's identity, the same whichever system the file names first."""
    if system_a > system_b:
        system_a, system_b = system_b, system_a
        choice = {"a": "b", "b": "a"}.get(choice, choice)
    return annotator, item_id, system_a, system_b, choice, seconds, post_edit or None


def check_choice(choice: str) -> str:
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {'|'.join(CHOICES)}, got {choice!r}")
    return choice


class CampaignStore(EsaRows):
    """Campaign rows of one Store's database (ESA rows: `storage.campaign_esa.EsaRows`)."""

    def __init__(self, store):  # noqa: ANN001 - a storage.Store
        self.store = store

    # -- campaigns -------------------------------------------------------------------
    def create(self, name: str, test_set: str, src: str, tgt: str, settings: dict,
               systems: list[tuple[str, dict]], items: list[tuple[str, str, str, str]],
               annotators: list[str], protocol: str = "pairwise") -> CampaignInfo:
        """A new campaign with its systems, items (key, source, previous, next) and annotators."""
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {'|'.join(PROTOCOLS)}, got {protocol!r}")
        with self.store.writing() as s:
            if s.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
                raise StorageError(f"a campaign named {name!r} already exists")
            c = Campaign(name=name, owner_token=new_token(), test_set=test_set, src=src, tgt=tgt,
                         settings=settings, status="generating", protocol=protocol)
            s.add(c)
            s.flush()
            s.add_all(CampaignSystem(campaign_id=c.id, label=label, spec=spec)
                      for label, spec in systems)
            s.add_all(CampaignItem(campaign_id=c.id, position=i, item_key=key, source=source,
                                   prev_source=prev, next_source=nxt)
                      for i, (key, source, prev, nxt) in enumerate(items))
            s.add_all(CampaignAnnotator(campaign_id=c.id, name=a, token=new_token(), external=False)
                      for a in annotators)
            s.flush()
            return _campaign(c)

    def find(self, name: str) -> CampaignInfo | None:
        with self.store.reading() as s:
            c = s.scalars(select(Campaign).where(Campaign.name == name)).first()
            return _campaign(c) if c else None

    def get(self, name: str) -> CampaignInfo:
        info = self.find(name)
        if info is None:
            raise NotFound(f"no campaign named {name!r}")
        return info

    def by_owner_token(self, token: str) -> CampaignInfo:
        with self.store.reading() as s:
            c = s.scalars(select(Campaign).where(Campaign.owner_token == str(token))).first()
            if c is None:
                raise NotFound("this dashboard link is not valid")
            return _campaign(c)

    def by_id(self, campaign_id: int) -> CampaignInfo:
        with self.store.reading() as s:
            c = s.get(Campaign, campaign_id)
            if c is None:
                raise NotFound(f"no campaign {campaign_id}")
            return _campaign(c)

    def set_status(self, campaign_id: int, status: str) -> None:
        with self.store.writing() as s:
            s.get(Campaign, campaign_id).status = status

    def systems(self, campaign_id: int) -> list[SystemInfo]:
        with self.store.reading() as s:
            rows = s.scalars(select(CampaignSystem).where(CampaignSystem.campaign_id == campaign_id)
                             .order_by(CampaignSystem.id))
            return [SystemInfo(r.id, r.label, dict(r.spec), r.model_id) for r in rows]

    def items(self, campaign_id: int) -> list[ItemInfo]:
        with self.store.reading() as s:
            rows = s.scalars(select(CampaignItem).where(CampaignItem.campaign_id == campaign_id)
                             .order_by(CampaignItem.position))
            return [ItemInfo(r.id, r.position, r.item_key, r.source, r.prev_source, r.next_source)
                    for r in rows]

    def annotators(self, campaign_id: int) -> list[AnnotatorInfo]:
        with self.store.reading() as s:
            rows = s.scalars(select(CampaignAnnotator)
                             .where(CampaignAnnotator.campaign_id == campaign_id)
                             .order_by(CampaignAnnotator.id))
            return [_annotator(a) for a in rows]

    def annotator(self, token: str) -> AnnotatorInfo:
        """The annotator whose link carries ``token`` (NotFound for any other string)."""
        with self.store.reading() as s:
            a = s.scalars(select(CampaignAnnotator).where(
                CampaignAnnotator.token == str(token or ""))).first()
            if a is None or a.external:
                raise NotFound("this annotator link is not valid (no such token)")
            return _annotator(a)

    def annotator_named(self, campaign_id: int, name: str) -> AnnotatorInfo | None:
        """The campaign's own (not external) annotator called ``name``, e.g. ``hf:alice``."""
        with self.store.reading() as s:
            a = s.scalars(select(CampaignAnnotator).where(
                CampaignAnnotator.campaign_id == campaign_id,
                CampaignAnnotator.name == str(name))).first()
            return _annotator(a) if a is not None and not a.external else None

    # -- outputs ---------------------------------------------------------------------
    def outputs(self, campaign_id: int) -> dict[tuple[int, int], tuple[str, str]]:
        """(item id, system id) → (exact prompt, output text)."""
        with self.store.reading() as s:
            rows = s.execute(select(CampaignOutput.item_id, CampaignOutput.system_id,
                                    CampaignOutput.prompt, CampaignOutput.text)
                             .join(CampaignItem, CampaignItem.id == CampaignOutput.item_id)
                             .where(CampaignItem.campaign_id == campaign_id))
            return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def add_outputs(self, system_id: int, rows: list[tuple[int, str, str]],
                    model_id: str | None = None) -> None:
        """Store one batch of (item id, prompt, text) for a system, in one transaction."""
        with self.store.writing() as s:
            s.add_all(CampaignOutput(item_id=i, system_id=system_id, prompt=p, text=t)
                      for i, p, t in rows)
            if model_id:
                s.get(CampaignSystem, system_id).model_id = model_id

    # -- assignments -----------------------------------------------------------------
    def set_assignments(self, campaign_id: int, rows: list[dict[str, Any]]) -> None:
        """Store the whole assignment (once) and mark the campaign ready."""
        with self.store.writing() as s:
            if s.scalar(select(func.count(CampaignAssignment.id))
                        .where(CampaignAssignment.campaign_id == campaign_id)):
                raise StorageError("this campaign already has its assignment")
            for row in rows:
                if row["kind"] not in ASSIGNMENT_KINDS:
                    raise ValueError(f"unknown assignment kind {row['kind']!r}")
                s.add(CampaignAssignment(campaign_id=campaign_id, **row))
            s.get(Campaign, campaign_id).status = "ready"

    def assignments(self, campaign_id: int, annotator_id: int | None = None) -> list[AssignmentInfo]:
        """Assignments in queue order (one annotator's, or all), each with whether it is judged
        (an ESA assignment: once each of its candidates has its score)."""
        with self.store.reading() as s:
            campaign = s.get(Campaign, campaign_id)
            need = 2 if campaign is not None and campaign.protocol == "contrastive-esa" else 1
            marks = (select(CampaignEsaJudgement.assignment_id, func.count().label("n"))
                     .where(CampaignEsaJudgement.campaign_id == campaign_id)
                     .group_by(CampaignEsaJudgement.assignment_id).subquery())
            q = (select(CampaignAssignment, CampaignJudgement.id, marks.c.n)
                 .outerjoin(CampaignJudgement, CampaignJudgement.assignment_id == CampaignAssignment.id)
                 .outerjoin(marks, marks.c.assignment_id == CampaignAssignment.id)
                 .where(CampaignAssignment.campaign_id == campaign_id))
            if annotator_id is not None:
                q = q.where(CampaignAssignment.annotator_id == annotator_id)
            q = q.order_by(CampaignAssignment.annotator_id, CampaignAssignment.position)
            return [AssignmentInfo(a.id, a.annotator_id, a.position, a.item_id, a.system_a_id,
                                   a.system_b_id, a.a_on_left, a.kind, a.qc_side, a.qc_text,
                                   jid is not None or (n or 0) >= need, a.qc_start, a.qc_end)
                    for a, jid, n in s.execute(q)]

    # -- judgements ------------------------------------------------------------------
    def add_judgement(self, token: str, assignment_id: int, choice: str, *,
                      seconds: float | None = None, post_edit: str | None = None,
                      reasons: list[str] | None = None) -> bool:
        """Store the annotator's choice; False when this assignment was judged already."""
        check_choice(choice)
        annotator = self.annotator(token)
        with self.store.writing() as s:
            a = s.get(CampaignAssignment, int(assignment_id))
            if a is None or a.annotator_id != annotator.id:
                raise NotFound("this item is not assigned to this annotator")
            if s.get(Campaign, a.campaign_id).protocol != "pairwise":
                raise ValueError("this is an error-span (ESA) campaign: its items take a score "
                                 "and error spans, not a choice")
            if s.scalar(select(CampaignJudgement.id).where(
                    CampaignJudgement.assignment_id == a.id)) is not None:
                return False
            s.add(CampaignJudgement(
                campaign_id=a.campaign_id, assignment_id=a.id, annotator_id=annotator.id,
                item_id=a.item_id, system_a_id=a.system_a_id, system_b_id=a.system_b_id,
                kind=a.kind, choice=choice, seconds=seconds, post_edit=post_edit or None,
                reasons=list(reasons or []) or None))
            return True

    def import_judgements(self, campaign_id: int, rows: list[dict[str, Any]]) -> Imported:
        """Add judgements made elsewhere, all or none; unknown annotators become external ones.

        A row already imported (same annotator, item, system pair, choice, seconds and
        post-edit) is skipped, once per stored copy: the same file imported twice adds
        nothing, and a file with one new row adds that row."""
        with self.store.writing() as s:
            known = {a.name: a.id for a in s.scalars(select(CampaignAnnotator).where(
                CampaignAnnotator.campaign_id == campaign_id))}
            names = {v: k for k, v in known.items()}
            stored = Counter(_import_key(names[j.annotator_id], j.item_id, j.system_a_id,
                                         j.system_b_id, j.choice, j.seconds, j.post_edit)
                             for j in s.scalars(select(CampaignJudgement).where(
                                 CampaignJudgement.campaign_id == campaign_id,
                                 CampaignJudgement.assignment_id.is_(None))))
            added = 0
            for row in rows:
                name, post_edit = row["annotator"], row.get("post_edit") or None
                key = _import_key(name, row["item_id"], row["system_a"], row["system_b"],
                                  check_choice(row["choice"]), row.get("seconds"), post_edit)
                if stored[key] > 0:
                    stored[key] -= 1
                    continue
                if name not in known:
                    a = CampaignAnnotator(campaign_id=campaign_id, name=name, token=new_token(),
                                          external=True)
                    s.add(a)
                    s.flush()
                    known[name] = a.id
                s.add(CampaignJudgement(
                    campaign_id=campaign_id, assignment_id=None, annotator_id=known[name],
                    item_id=row["item_id"], system_a_id=row["system_a"],
                    system_b_id=row["system_b"], kind="normal", choice=row["choice"],
                    seconds=row.get("seconds"), post_edit=post_edit))
                added += 1
            return Imported(added, len(rows) - added)

    def judgements(self, campaign_id: int) -> list[JudgementInfo]:
        """Every judgement of the campaign, oldest first."""
        return self._judgements(CampaignJudgement.campaign_id == campaign_id)

    def judgement_of(self, assignment_id: int) -> JudgementInfo | None:
        """The judgement stored for one assignment, if any."""
        found = self._judgements(CampaignJudgement.assignment_id == int(assignment_id))
        return found[0] if found else None

    def _judgements(self, where) -> list[JudgementInfo]:  # noqa: ANN001 - a SQL condition
        with self.store.reading() as s:
            q = (select(CampaignJudgement, CampaignAnnotator.name, CampaignAssignment.qc_side)
                 .join(CampaignAnnotator, CampaignAnnotator.id == CampaignJudgement.annotator_id)
                 .outerjoin(CampaignAssignment,
                            CampaignAssignment.id == CampaignJudgement.assignment_id)
                 .where(where).order_by(CampaignJudgement.created, CampaignJudgement.id))
            return [JudgementInfo(j.id, name, j.assignment_id, j.item_id, j.system_a_id,
                                  j.system_b_id, j.kind, j.choice, j.seconds, j.post_edit,
                                  j.reasons, qc_side, j.created)
                    for j, name, qc_side in s.execute(q)]
