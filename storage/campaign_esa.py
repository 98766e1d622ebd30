"""Error-span (ESA) judgements of campaigns: a score (0–100) and error spans per candidate.

Character offsets are Python ``str`` indices (code points) into the candidate's stored text:
a span ``{"start": s, "end": e, "severity": "minor"|"major"}`` covers ``text[s:e]``; ``e == s``
marks missing content at ``s``. `check_mark` is the one check of a score and its spans (the
page's calls, the JSONL and Pearmut imports all go through it). `EsaRows` is mixed into
`CampaignStore`; each write is one transaction.

An assignment of an ``esa`` campaign has one candidate, side ``a`` (its system is both
``system_a`` and ``system_b``); a ``contrastive-esa`` assignment has two, ``a`` and ``b``. On a
quality-control assignment the candidate on ``qc_side`` is the planted copy ``qc_text``.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from storage.campaign_schema import (SEVERITIES, Campaign, CampaignAnnotator, CampaignAssignment,
                                     CampaignEsaJudgement, CampaignItem, CampaignOutput, Imported,
                                     new_token)
from storage.errors import NotFound

SIDES = {"esa": ("a",), "contrastive-esa": ("a", "b")}


def check_mark(text: str, score: Any, spans: Any) -> tuple[float, list[dict]]:
    """(score, spans sorted by offsets) when they fit ``text``; ValueError saying what is wrong."""
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
        raise ValueError(f"score must be a number from 0 to 100, got {score!r}")
    if not isinstance(spans, (list, tuple)):
        raise ValueError(f"spans must be a list, got {type(spans).__name__}")
    out = []
    for n, span in enumerate(spans, 1):
        if not isinstance(span, dict):
            raise ValueError(f"span {n} is not an object")
        start, end, severity = span.get("start"), span.get("end"), span.get("severity")
        for key, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"span {n}: {key} must be a whole number, got {value!r}")
        if start > end:
            raise ValueError(f"span {n}: start {start} is after end {end}")
        if start < 0 or end > len(text):
            raise ValueError(f"span {n}: {start}–{end} is outside the text "
                             f"({len(text)} characters)")
        if severity not in SEVERITIES:
            raise ValueError(f"span {n}: severity must be {' or '.join(SEVERITIES)}, "
                             f"got {severity!r}")
        out.append({"start": start, "end": end, "severity": severity})
    return float(score), sorted(out, key=lambda x: (x["start"], x["end"], x["severity"]))


@dataclass(frozen=True)
class EsaInfo:
    """One stored candidate judgement, with the text its spans index."""

    id: int
    annotator: str
    assignment_id: int | None
    item_id: int
    system_id: int
    side: str
    kind: str
    score: float
    spans: list
    post_edit: str | None
    seconds: float | None
    text: str                 # the candidate shown: the output, or the planted copy
    planted: bool             # this candidate is a QC item's planted copy
    qc_start: int | None      # the planted error (on a QC assignment; offsets into qc_text)
    qc_end: int | None
    qc_side: str | None
    created: datetime


def _text(s, a: CampaignAssignment, side: str) -> str:  # noqa: ANN001 - a Session
    """The text of one candidate of an assignment (the planted copy on a QC item's side)."""
    if a.kind == "qc" and a.qc_side == side:
        return a.qc_text
    system = a.system_a_id if side == "a" else a.system_b_id
    return s.scalar(select(CampaignOutput.text).where(CampaignOutput.item_id == a.item_id,
                                                      CampaignOutput.system_id == system)) or ""


def _key(name: str, item_id: int, system_id: int, score: float, spans: list,
         seconds: float | None, post_edit: str | None) -> tuple:
    """An imported row's identity (idempotent imports)."""
    return (name, item_id, system_id, float(score),
            tuple((x["start"], x["end"], x["severity"]) for x in spans), seconds, post_edit or None)


class EsaRows:
    """The ESA methods of `CampaignStore` (``self.store``, ``self.annotator`` come from it)."""

    def add_esa(self, token: str, assignment_id: int, side: str, score: float, spans: list,
                *, post_edit: str | None = None, seconds: float | None = None) -> bool:
        """Store one candidate's score and spans; False when that candidate is stored already.
        NotFound for an item not assigned to this annotator, ValueError for a bad mark."""
        annotator = self.annotator(token)
        with self.store.writing() as s:
            a = s.get(CampaignAssignment, int(assignment_id))
            if a is None or a.annotator_id != annotator.id:
                raise NotFound("this item is not assigned to this annotator")
            return self._add(s, a, side, score, spans, post_edit, seconds)

    def _add(self, s, a: CampaignAssignment, side: str, score, spans, post_edit,  # noqa: ANN001
             seconds) -> bool:
        protocol = s.get(Campaign, a.campaign_id).protocol
        if side not in SIDES.get(protocol, ()):
            raise ValueError(f"candidate side {side!r} does not exist in a {protocol} campaign")
        if s.scalar(select(CampaignEsaJudgement.id).where(
                CampaignEsaJudgement.assignment_id == a.id,
                CampaignEsaJudgement.side == side)) is not None:
            return False
        score, spans = check_mark(_text(s, a, side), score, spans)
        if seconds is not None and not (isinstance(seconds, (int, float)) and math.isfinite(seconds)
                                        and seconds >= 0):
            raise ValueError(f"seconds must be a number of seconds, got {seconds!r}")
        s.add(CampaignEsaJudgement(
            campaign_id=a.campaign_id, assignment_id=a.id, annotator_id=a.annotator_id,
            item_id=a.item_id, system_id=a.system_a_id if side == "a" else a.system_b_id,
            side=side, kind=a.kind, score=score, spans=spans, post_edit=post_edit or None,
            seconds=seconds))
        return True

    def esa_of(self, assignment_id: int) -> list[EsaInfo]:
        """The candidates stored for one assignment (side a first), for resuming a screen."""
        return self._esa(CampaignEsaJudgement.assignment_id == int(assignment_id))

    def esa_judgements(self, campaign_id: int) -> list[EsaInfo]:
        """Every ESA judgement of the campaign, oldest first."""
        return self._esa(CampaignEsaJudgement.campaign_id == campaign_id)

    def _esa(self, where) -> list[EsaInfo]:  # noqa: ANN001 - a SQL condition
        j, a = CampaignEsaJudgement, CampaignAssignment
        with self.store.reading() as s:
            q = (select(j, CampaignAnnotator.name, a.qc_side, a.qc_text, a.qc_start, a.qc_end,
                        CampaignOutput.text)
                 .join(CampaignAnnotator, CampaignAnnotator.id == j.annotator_id)
                 .outerjoin(a, a.id == j.assignment_id)
                 .outerjoin(CampaignOutput, and_(CampaignOutput.item_id == j.item_id,
                                                 CampaignOutput.system_id == j.system_id))
                 .where(where).order_by(j.created, j.id))
            out = []
            for row, name, qc_side, qc_text, qc_start, qc_end, output in s.execute(q):
                planted = row.kind == "qc" and qc_side == row.side
                out.append(EsaInfo(row.id, name, row.assignment_id, row.item_id, row.system_id,
                                   row.side, row.kind, row.score, list(row.spans or []),
                                   row.post_edit, row.seconds,
                                   qc_text if planted else (output or ""), planted, qc_start,
                                   qc_end, qc_side, row.created))
            return out

    def import_esa(self, campaign_id: int, rows: list[dict[str, Any]]) -> Imported:
        """Add ESA judgements made elsewhere, all or none; unknown annotators become external.

        A row is ``annotator, item_id, system_id, score, spans[, seconds, post_edit]`` (ids of
        this database); one with ``assignment_id`` and ``side`` is that assignment's candidate
        (its annotator must be the assignment's) and is skipped when already stored. Other rows
        are skipped once per stored copy of the same (annotator, item, system, score, spans,
        seconds, post-edit), so importing a file twice adds nothing."""
        with self.store.writing() as s:
            known = {a.name: a for a in s.scalars(select(CampaignAnnotator).where(
                CampaignAnnotator.campaign_id == campaign_id))}
            names = {a.id: a.name for a in known.values()}
            texts = {(r[0], r[1]): r[2] for r in s.execute(
                select(CampaignOutput.item_id, CampaignOutput.system_id, CampaignOutput.text)
                .join(CampaignItem, CampaignItem.id == CampaignOutput.item_id)
                .where(CampaignItem.campaign_id == campaign_id))}
            stored = Counter(_key(names[j.annotator_id], j.item_id, j.system_id, j.score, j.spans,
                                  j.seconds, j.post_edit)
                             for j in s.scalars(select(CampaignEsaJudgement).where(
                                 CampaignEsaJudgement.campaign_id == campaign_id,
                                 CampaignEsaJudgement.assignment_id.is_(None))))
            added = 0
            for row in rows:
                name = row["annotator"]
                if row.get("assignment_id") is not None:
                    a = s.get(CampaignAssignment, int(row["assignment_id"]))
                    if a is None or a.campaign_id != campaign_id or names[a.annotator_id] != name:
                        raise ValueError(f"assignment {row['assignment_id']} is not {name}'s")
                    added += self._add(s, a, row["side"], row["score"], row["spans"],
                                       row.get("post_edit"), row.get("seconds"))
                    continue
                text = texts.get((row["item_id"], row["system_id"]))
                if text is None:
                    raise ValueError(f"no output of system {row['system_id']} for item "
                                     f"{row['item_id']} in this campaign")
                score, spans = check_mark(text, row["score"], row["spans"])
                key = _key(name, row["item_id"], row["system_id"], score, spans,
                           row.get("seconds"), row.get("post_edit"))
                if stored[key] > 0:
                    stored[key] -= 1
                    continue
                if name not in known:
                    known[name] = CampaignAnnotator(campaign_id=campaign_id, name=name,
                                                    token=new_token(), external=True)
                    s.add(known[name])
                    s.flush()
                    names[known[name].id] = name
                s.add(CampaignEsaJudgement(
                    campaign_id=campaign_id, assignment_id=None, annotator_id=known[name].id,
                    item_id=row["item_id"], system_id=row["system_id"], side="a", kind="normal",
                    score=score, spans=spans, post_edit=row.get("post_edit") or None,
                    seconds=row.get("seconds")))
                added += 1
            return Imported(added, len(rows) - added)
