"""Migration steps ``0006_campaigns`` (the preference-campaign tables) and ``0007_esa``
(error-span campaigns: ``campaigns.protocol``, the planted error's offsets on QC assignments,
``campaign_esa_judgements``), as released: frozen snapshots, independent of
``campaign_schema.py``, which a test checks against the result."""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, Connection, DateTime, Float, ForeignKey, Index,
                        Integer, MetaData, String, Table, Text, UniqueConstraint, text)


def _fk(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


def _in_campaign(md: MetaData, name: str, *columns) -> Table:
    """A table with an id and its owning campaign, then ``columns``."""
    return Table(name, md, Column("id", Integer, primary_key=True),
                 Column("campaign_id", _fk("campaigns.id"), nullable=False), *columns)


def _tables() -> MetaData:
    md = MetaData()
    Table("campaigns", md,
          Column("id", Integer, primary_key=True),
          Column("name", String(255), unique=True, nullable=False),
          Column("owner_token", String(64), unique=True, nullable=False),
          Column("test_set", Text, nullable=False),
          Column("src", String(16), nullable=False), Column("tgt", String(16), nullable=False),
          Column("settings", JSON, nullable=False),
          Column("status", String(16), nullable=False),
          Column("created", DateTime, nullable=False))
    _in_campaign(md, "campaign_systems",
                 Column("label", String(255), nullable=False),
                 Column("spec", JSON, nullable=False),
                 Column("model_id", Text),
                 UniqueConstraint("campaign_id", "label", name="uq_campaign_system_label"))
    _in_campaign(md, "campaign_items",
                 Column("position", Integer, nullable=False),
                 Column("item_key", String(255), nullable=False),
                 Column("source", Text, nullable=False),
                 Column("prev_source", Text, nullable=False),
                 Column("next_source", Text, nullable=False),
                 UniqueConstraint("campaign_id", "item_key", name="uq_campaign_item_key"))
    Table("campaign_outputs", md,
          Column("id", Integer, primary_key=True),
          Column("item_id", _fk("campaign_items.id"), nullable=False),
          Column("system_id", _fk("campaign_systems.id"), nullable=False),
          Column("prompt", Text, nullable=False),
          Column("text", Text, nullable=False),
          Column("created", DateTime, nullable=False),
          UniqueConstraint("item_id", "system_id", name="uq_campaign_output"))
    _in_campaign(md, "campaign_annotators",
                 Column("name", String(255), nullable=False),
                 Column("token", String(64), unique=True, nullable=False),
                 Column("external", Boolean, nullable=False),
                 UniqueConstraint("campaign_id", "name", name="uq_campaign_annotator"))
    _in_campaign(md, "campaign_assignments",
                 Column("annotator_id", _fk("campaign_annotators.id"), nullable=False),
                 Column("position", Integer, nullable=False),
                 Column("item_id", _fk("campaign_items.id"), nullable=False),
                 Column("system_a_id", _fk("campaign_systems.id"), nullable=False),
                 Column("system_b_id", _fk("campaign_systems.id"), nullable=False),
                 Column("a_on_left", Boolean, nullable=False),
                 Column("kind", String(16), nullable=False),
                 Column("qc_side", String(1)),
                 Column("qc_text", Text),
                 UniqueConstraint("annotator_id", "position", name="uq_assignment_position"))
    _in_campaign(md, "campaign_judgements",
                 Column("assignment_id", _fk("campaign_assignments.id")),
                 Column("annotator_id", _fk("campaign_annotators.id"), nullable=False),
                 Column("item_id", _fk("campaign_items.id"), nullable=False),
                 Column("system_a_id", _fk("campaign_systems.id"), nullable=False),
                 Column("system_b_id", _fk("campaign_systems.id"), nullable=False),
                 Column("kind", String(16), nullable=False),
                 Column("choice", String(16), nullable=False),
                 Column("seconds", Float),
                 Column("post_edit", Text),
                 Column("reasons", JSON),
                 Column("created", DateTime, nullable=False),
                 UniqueConstraint("assignment_id", name="uq_judgement_assignment"),
                 Index("ix_judgements_campaign", "campaign_id", "created"))
    return md


def create_campaign_tables(conn: Connection) -> None:
    _tables().create_all(conn)


def add_esa(conn: Connection) -> None:
    """Step ``0007_esa`` (plain ALTER TABLE … ADD COLUMN and CREATE TABLE: SQLite and
    PostgreSQL alike; existing campaigns become ``pairwise``)."""
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN protocol VARCHAR(32) NOT NULL "
                      "DEFAULT 'pairwise'"))
    conn.execute(text("ALTER TABLE campaign_assignments ADD COLUMN qc_start INTEGER"))
    conn.execute(text("ALTER TABLE campaign_assignments ADD COLUMN qc_end INTEGER"))
    md = MetaData()
    for name in ("campaigns", "campaign_assignments", "campaign_annotators", "campaign_items",
                 "campaign_systems"):
        Table(name, md, Column("id", Integer, primary_key=True))
    _in_campaign(md, "campaign_esa_judgements",
                 Column("assignment_id", _fk("campaign_assignments.id")),
                 Column("annotator_id", _fk("campaign_annotators.id"), nullable=False),
                 Column("item_id", _fk("campaign_items.id"), nullable=False),
                 Column("system_id", _fk("campaign_systems.id"), nullable=False),
                 Column("side", String(1), nullable=False),
                 Column("kind", String(16), nullable=False),
                 Column("score", Float, nullable=False),
                 Column("spans", JSON, nullable=False),
                 Column("post_edit", Text),
                 Column("seconds", Float),
                 Column("created", DateTime, nullable=False),
                 UniqueConstraint("assignment_id", "side", name="uq_esa_assignment_side"),
                 Index("ix_esa_campaign", "campaign_id", "created"))
    md.tables["campaign_esa_judgements"].create(conn)
