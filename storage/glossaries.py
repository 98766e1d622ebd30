"""Glossaries: a named list of terms (source, target, note) for one language pair, owned by a
user (an API key has a user of its own, so a key's glossaries are its user's) or by a campaign.
Names are unique per owner; a glossary is found by name or id, always within its owner's.

The tables are created by migration step ``0008_glossary`` (`create_glossary_tables`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (Column, Connection, DateTime, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint, delete, func, insert, select)

from storage.errors import NotFound, StorageError
from storage.schema import User

Row = tuple[str, str, str]  # source, target, note


def _tables(md: MetaData) -> tuple[Table, Table]:
    glossaries = Table(
        "glossaries", md,
        Column("id", Integer, primary_key=True),
        Column("user_id", ForeignKey("users.id", ondelete="CASCADE")),
        Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE")),
        Column("name", String(255), nullable=False),
        Column("src", String(16), nullable=False),
        Column("tgt", String(16), nullable=False),
        Column("created", DateTime, nullable=False),
        UniqueConstraint("user_id", "name", name="uq_glossary_user_name"),
        UniqueConstraint("campaign_id", "name", name="uq_glossary_campaign_name"))
    terms = Table(
        "glossary_terms", md,
        Column("id", Integer, primary_key=True),
        Column("glossary_id", ForeignKey("glossaries.id", ondelete="CASCADE"), nullable=False),
        Column("position", Integer, nullable=False),
        Column("source", Text, nullable=False),
        Column("target", Text, nullable=False),
        Column("note", Text, nullable=False),
        Index("ix_glossary_terms_glossary", "glossary_id", "position"))
    return glossaries, terms


_md = MetaData()
Table("users", _md, Column("id", Integer, primary_key=True))
Table("campaigns", _md, Column("id", Integer, primary_key=True))
GLOSSARIES, GLOSSARY_TERMS = _tables(_md)


def create_glossary_tables(conn: Connection) -> None:
    """Migration step 0008_glossary (the tables as released)."""
    md = MetaData()
    Table("users", md, Column("id", Integer, primary_key=True))
    Table("campaigns", md, Column("id", Integer, primary_key=True))
    for table in _tables(md):
        table.create(conn)


@dataclass(frozen=True)
class GlossaryInfo:
    """A glossary as listed: its owner (user or campaign) and how many terms it has."""

    id: int
    name: str
    src: str
    tgt: str
    user_id: int | None
    campaign_id: int | None
    terms: int
    created: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _owner_filter(user_id, campaign_id, anyone: bool) -> list:
    if (user_id is None) == (campaign_id is None) and not anyone:
        raise ValueError("a glossary belongs to a user or to a campaign: give one of them")
    if anyone and user_id is None and campaign_id is None:
        return []
    return [GLOSSARIES.c.user_id == int(user_id)] if user_id is not None \
        else [GLOSSARIES.c.campaign_id == int(campaign_id)]


class Glossaries:
    """The glossary tables of one store. Owner arguments are keyword-only: ``user_id`` or
    ``campaign_id``; ``anyone=True`` (the command line's view) looks across every owner."""

    def __init__(self, store):
        self.store = store

    def _listing(self):
        count = (select(func.count()).where(GLOSSARY_TERMS.c.glossary_id == GLOSSARIES.c.id)
                 .scalar_subquery())
        return select(GLOSSARIES, count.label("terms"))

    @staticmethod
    def _info(row) -> GlossaryInfo:
        return GlossaryInfo(row.id, row.name, row.src, row.tgt, row.user_id, row.campaign_id,
                            row.terms, row.created)

    def create(self, name: str, src: str, tgt: str, rows: list[Row], *, user_id: int | None = None,
               campaign_id: int | None = None, replace: bool = False) -> GlossaryInfo:
        """Store a glossary with its terms in one transaction; a name the owner already uses
        is an error unless ``replace`` (then the old one's terms are dropped)."""
        where = _owner_filter(user_id, campaign_id, False)
        name = " ".join((name or "").split())
        if not name or len(name) > 255:
            raise ValueError("a glossary needs a name (at most 255 characters)")
        if not src or not tgt or len(src) > 16 or len(tgt) > 16 or src == tgt:
            raise ValueError("a glossary needs two different language codes")
        if not rows:
            raise ValueError("the glossary has no terms")
        for source, target, note in rows:
            if not source.strip() or not target.strip():
                raise ValueError("every term needs a source and a target")
        with self.store.writing() as s:
            old = s.execute(select(GLOSSARIES.c.id).where(*where, GLOSSARIES.c.name == name)).first()
            if old is not None and not replace:
                raise StorageError(f"a glossary named {name!r} exists already (delete it first, or replace it)")
            if old is not None:
                s.execute(delete(GLOSSARY_TERMS).where(GLOSSARY_TERMS.c.glossary_id == old.id))
                s.execute(delete(GLOSSARIES).where(GLOSSARIES.c.id == old.id))
            gid = s.execute(insert(GLOSSARIES).values(
                user_id=user_id, campaign_id=campaign_id, name=name, src=src, tgt=tgt,
                created=_now())).inserted_primary_key[0]
            s.execute(insert(GLOSSARY_TERMS), [
                {"glossary_id": gid, "position": i, "source": source.strip(), "target": target.strip(),
                 "note": (note or "").strip()} for i, (source, target, note) in enumerate(rows)])
            return self._info(s.execute(self._listing().where(GLOSSARIES.c.id == gid)).one())

    def list(self, *, user_id: int | None = None, campaign_id: int | None = None,
             anyone: bool = False) -> list[GlossaryInfo]:
        """The owner's glossaries (every one with ``anyone``), by name."""
        where = _owner_filter(user_id, campaign_id, anyone)
        with self.store.reading() as s:
            rows = s.execute(self._listing().where(*where).order_by(GLOSSARIES.c.name, GLOSSARIES.c.id))
            return [self._info(r) for r in rows]

    def _find(self, s, ident, where: list):
        """A glossary by name, else by id (digits), within ``where``."""
        text = " ".join(str(ident if ident is not None else "").split())
        rows = s.execute(self._listing().where(*where, GLOSSARIES.c.name == text)).all()
        if not rows and text.isdecimal():
            rows = s.execute(self._listing().where(*where, GLOSSARIES.c.id == int(text))).all()
        if not rows:
            raise NotFound(f"no glossary {text!r}")
        if len(rows) > 1:
            raise StorageError(f"several glossaries are named {text!r}: give its id, or its owner")
        return rows[0]

    def get(self, ident: str | int, *, user_id: int | None = None, campaign_id: int | None = None,
            anyone: bool = False) -> GlossaryInfo:
        """The owner's glossary called ``ident`` (or with that id); NotFound otherwise."""
        with self.store.reading() as s:
            return self._info(self._find(s, ident, _owner_filter(user_id, campaign_id, anyone)))

    def terms(self, ident: str | int, *, user_id: int | None = None, campaign_id: int | None = None,
              anyone: bool = False) -> tuple[GlossaryInfo, list[Row]]:
        """A glossary and its terms, in the order they were imported."""
        with self.store.reading() as s:
            row = self._find(s, ident, _owner_filter(user_id, campaign_id, anyone))
            terms = s.execute(select(GLOSSARY_TERMS.c.source, GLOSSARY_TERMS.c.target, GLOSSARY_TERMS.c.note)
                              .where(GLOSSARY_TERMS.c.glossary_id == row.id)
                              .order_by(GLOSSARY_TERMS.c.position))
            return self._info(row), [tuple(t) for t in terms]

    def delete(self, ident: str | int, *, user_id: int | None = None, campaign_id: int | None = None,
               anyone: bool = False) -> GlossaryInfo:
        """Delete a glossary and its terms; what it was."""
        with self.store.writing() as s:
            row = self._find(s, ident, _owner_filter(user_id, campaign_id, anyone))
            s.execute(delete(GLOSSARY_TERMS).where(GLOSSARY_TERMS.c.glossary_id == row.id))
            s.execute(delete(GLOSSARIES).where(GLOSSARIES.c.id == row.id))
            return self._info(row)

    def user_id(self, key: str, create: bool = False) -> int:
        """The id of the user with ``key`` (``hf:NAME``, ``api:KEY-ID``, ``anon:…``); made when
        ``create``, else NotFound for a user never seen."""
        if create:
            return self.store.ensure_user(key)
        with self.store.reading() as s:
            found = s.scalar(select(User.id).where(User.key == str(key).strip()))
        if found is None:
            raise NotFound(f"no user {key!r} in this database")
        return found
