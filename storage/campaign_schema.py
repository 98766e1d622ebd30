"""ORM tables of preference campaigns (created by migration step ``0006_campaigns``).

A campaign is a test set × two or more systems × annotators. Every system's output for every
item is generated up front (with the exact prompt); an assignment is one (item, system A,
system B) unit shown to one annotator at one position of their queue; a judgement is their
choice. Quality-control assignments show a system's output against a degraded copy of it
(``qc_text`` on side ``qc_side``). Imported judgements have no assignment.

Error-span (ESA) campaigns (``protocol`` ``esa`` or ``contrastive-esa``, step ``0007_esa``)
store a score and error spans per candidate in ``campaign_esa_judgements``; their QC copies
also say where the planted error is (``qc_start``/``qc_end``, offsets into ``qc_text``).
Offsets are Python ``str`` indices (code points) into the stored text.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import Base, UTCDateTime, utcnow

CHOICES = ("a", "b", "tie", "both-bad")
ASSIGNMENT_KINDS = ("normal", "repeat", "qc")
PROTOCOLS = ("pairwise", "esa", "contrastive-esa")
SEVERITIES = ("minor", "major")


def new_token() -> str:
    """A random, unguessable link token (192 bits)."""
    return secrets.token_urlsafe(24)


class Imported(NamedTuple):
    """What an import of judgements did: rows added, rows already stored."""

    added: int
    skipped: int


def _ref(table: str):
    """A foreign key to ``table``'s id, deleted with it."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"))


class _InCampaign:
    """The id and owning campaign that every campaign table but `campaigns` has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = _ref("campaigns")


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    owner_token: Mapped[str] = mapped_column(String(64), unique=True)
    test_set: Mapped[str] = mapped_column(Text)
    src: Mapped[str] = mapped_column(String(16))
    tgt: Mapped[str] = mapped_column(String(16))
    settings: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="generating")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    protocol: Mapped[str] = mapped_column(String(32), default="pairwise")


class CampaignSystem(_InCampaign, Base):
    __tablename__ = "campaign_systems"
    __table_args__ = (UniqueConstraint("campaign_id", "label", name="uq_campaign_system_label"),)

    label: Mapped[str] = mapped_column(String(255))
    spec: Mapped[dict] = mapped_column(JSON)          # model, adapter, hint, beams
    model_id: Mapped[str | None] = mapped_column(Text)  # a path can be long (see step 0004)


class CampaignItem(_InCampaign, Base):
    __tablename__ = "campaign_items"
    __table_args__ = (UniqueConstraint("campaign_id", "item_key", name="uq_campaign_item_key"),)

    position: Mapped[int] = mapped_column(Integer)   # 0-based segment number in the test set
    item_key: Mapped[str] = mapped_column(String(255))  # JSONL `id`, else the line number
    source: Mapped[str] = mapped_column(Text)
    prev_source: Mapped[str] = mapped_column(Text, default="")
    next_source: Mapped[str] = mapped_column(Text, default="")


class CampaignOutput(Base):
    __tablename__ = "campaign_outputs"
    __table_args__ = (UniqueConstraint("item_id", "system_id", name="uq_campaign_output"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = _ref("campaign_items")
    system_id: Mapped[int] = _ref("campaign_systems")
    prompt: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignAnnotator(_InCampaign, Base):
    __tablename__ = "campaign_annotators"
    __table_args__ = (UniqueConstraint("campaign_id", "name", name="uq_campaign_annotator"),)

    name: Mapped[str] = mapped_column(String(255))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    external: Mapped[bool] = mapped_column(Boolean, default=False)


class CampaignAssignment(_InCampaign, Base):
    __tablename__ = "campaign_assignments"
    __table_args__ = (UniqueConstraint("annotator_id", "position", name="uq_assignment_position"),)

    annotator_id: Mapped[int] = _ref("campaign_annotators")
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = _ref("campaign_items")
    system_a_id: Mapped[int] = _ref("campaign_systems")
    system_b_id: Mapped[int] = _ref("campaign_systems")
    a_on_left: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(16))
    qc_side: Mapped[str | None] = mapped_column(String(1))   # "a" or "b": the degraded side
    qc_text: Mapped[str | None] = mapped_column(Text)
    qc_start: Mapped[int | None] = mapped_column(Integer)   # the planted error in qc_text (ESA)
    qc_end: Mapped[int | None] = mapped_column(Integer)


class CampaignJudgement(_InCampaign, Base):
    __tablename__ = "campaign_judgements"
    __table_args__ = (UniqueConstraint("assignment_id", name="uq_judgement_assignment"),
                      Index("ix_judgements_campaign", "campaign_id", "created"))

    assignment_id: Mapped[int | None] = _ref("campaign_assignments")
    annotator_id: Mapped[int] = _ref("campaign_annotators")
    item_id: Mapped[int] = _ref("campaign_items")
    system_a_id: Mapped[int] = _ref("campaign_systems")
    system_b_id: Mapped[int] = _ref("campaign_systems")
    kind: Mapped[str] = mapped_column(String(16))
    choice: Mapped[str] = mapped_column(String(16))
    seconds: Mapped[float | None] = mapped_column(Float)
    post_edit: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[list | None] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignEsaJudgement(_InCampaign, Base):
    """One candidate's score (0–100) and error spans (``[{start, end, severity}]``, offsets
    into the candidate's text; ``end == start`` marks missing content) by one annotator.
    ``side`` is the assignment's side ("a", or "b" in contrastive mode)."""

    __tablename__ = "campaign_esa_judgements"
    __table_args__ = (UniqueConstraint("assignment_id", "side", name="uq_esa_assignment_side"),
                      Index("ix_esa_campaign", "campaign_id", "created"))

    assignment_id: Mapped[int | None] = _ref("campaign_assignments")
    annotator_id: Mapped[int] = _ref("campaign_annotators")
    item_id: Mapped[int] = _ref("campaign_items")
    system_id: Mapped[int] = _ref("campaign_systems")
    side: Mapped[str] = mapped_column(String(1))
    kind: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    spans: Mapped[list] = mapped_column(JSON)
    post_edit: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float | None] = mapped_column(Float)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
