"""Feedback and preference pairs (a mixin of Store), and the pair filters shared with export."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timezone
from typing import Any, Iterator, Sequence

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from storage.access import conversation_of, message_of, user_of
from storage.info import FeedbackInfo, PairInfo
from storage.schema import PAIR_KINDS, Feedback, PreferencePair

_PAIR = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")


def parse_since(since: datetime | date | str | None) -> datetime | None:
    """A UTC datetime from a datetime, a date or an ISO 8601 string; naive means UTC."""
    if since is None or isinstance(since, datetime):
        value = since
    elif isinstance(since, date):
        value = datetime(since.year, since.month, since.day)
    elif isinstance(since, str):
        try:
            value = datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"since must be an ISO date like 2026-11-01 or "
                             f"2026-11-01T12:00:00, got {since!r}") from None
    else:
        raise ValueError(f"since must be a datetime or an ISO date string, got {since!r}")
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def parse_pair(pair: str | None) -> tuple[str, str] | None:
    """('de', 'en') from 'de-en'; ValueError for anything else ('de_en', 'german-en')."""
    if pair is None:
        return None
    m = _PAIR.match(pair.strip().lower()) if isinstance(pair, str) else None
    if not m:
        raise ValueError(f"pair must be two language codes joined by '-', like 'de-en', "
                         f"got {pair!r}")
    return m.group(1), m.group(2)


def check_kind(kind: str | None) -> str | None:
    if kind is not None and kind not in PAIR_KINDS:
        raise ValueError(f"kind must be one of {', '.join(PAIR_KINDS)}, got {kind!r}")
    return kind


def pair_filters(user_id: int | None = None, since: Any = None, pair: str | None = None,
                 kind: str | None = None) -> list:
    """SQL conditions for the validated filters (ValueError on malformed ones)."""
    conds = []
    when, langs, kind = parse_since(since), parse_pair(pair), check_kind(kind)
    if user_id is not None:
        conds.append(PreferencePair.user_id == int(user_id))
    if when is not None:
        conds.append(PreferencePair.created >= when)
    if langs is not None:
        conds += [PreferencePair.src == langs[0], PreferencePair.tgt == langs[1]]
    if kind is not None:
        conds.append(PreferencePair.kind == kind)
    return conds


def pair_hash(prompt: str, chosen: str, rejected: str) -> str:
    return hashlib.sha256(json.dumps([prompt, chosen, rejected]).encode()).hexdigest()


class FeedbackAndPairs:
    """Store methods for ratings and preference pairs (uses Store._read/_write)."""

    def rate(self, user_id: int, msg_id: int, rating: int, reasons: Sequence[str] = (),
             comment: str = "") -> int:
        """Rate a message +1/-1 with optional reason chips; replaces this user's earlier rating."""
        if isinstance(rating, bool) or rating not in (1, -1):
            raise ValueError(f"rating must be +1 or -1, got {rating!r}")
        reasons = [str(r) for r in reasons]
        with self._write() as s:
            msg = message_of(s, user_id, msg_id)
            fb = s.scalars(select(Feedback).where(Feedback.message_id == msg.id,
                                                  Feedback.user_id == int(user_id))).first()
            if fb is None:
                fb = Feedback(message_id=msg.id, user_id=int(user_id))
                s.add(fb)
            fb.rating, fb.reasons, fb.comment = int(rating), reasons, comment or ""
            fb.created = datetime.now(timezone.utc)
            s.flush()
            return fb.id

    def feedback_for(self, user_id: int, msg_id: int) -> FeedbackInfo | None:
        with self._read() as s:
            msg = message_of(s, user_id, msg_id)
            fb = s.scalars(select(Feedback).where(Feedback.message_id == msg.id,
                                                  Feedback.user_id == int(user_id))).first()
            return FeedbackInfo.of(fb) if fb else None

    def add_pair(self, user_id: int, *, prompt: str, chosen: str, rejected: str, kind: str,
                 source: str = "", src: str | None = None, tgt: str | None = None,
                 style: str | None = None, hint: str | None = None, model: str | None = None,
                 chosen_message_id: int | None = None, rejected_message_id: int | None = None,
                 conversation_id: int | None = None,
                 decision_seconds: float | None = None) -> int:
        """Record a preference at the moment of the act; the same pair again returns its id."""
        check_kind(kind)
        if kind is None:
            raise ValueError(f"kind must be one of {', '.join(PAIR_KINDS)}")
        for name, value in (("prompt", prompt), ("chosen", chosen), ("rejected", rejected)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be non-empty text")
        if chosen == rejected:
            raise ValueError("chosen and rejected are the same text: that is no preference")
        if decision_seconds is not None and decision_seconds < 0:
            raise ValueError("decision_seconds must be >= 0")
        digest = pair_hash(prompt, chosen, rejected)
        with self._write() as s:
            user_of(s, user_id)
            for mid in (chosen_message_id, rejected_message_id):
                if mid is not None:
                    message_of(s, user_id, mid)
            if conversation_id is not None:
                conversation_of(s, user_id, conversation_id)
            existing = self._pair_id(s, user_id, digest)
            if existing is not None:
                return existing
            row = PreferencePair(
                user_id=int(user_id), pair_hash=digest, prompt=prompt, source=source or "",
                chosen=chosen, rejected=rejected, src=src, tgt=tgt, style=style, hint=hint,
                model=model, kind=kind, chosen_message_id=chosen_message_id,
                rejected_message_id=rejected_message_id, conversation_id=conversation_id,
                decision_seconds=decision_seconds)
            try:
                with s.begin_nested():
                    s.add(row)
                    s.flush()
            except IntegrityError:  # written meanwhile by another worker (PostgreSQL)
                return self._pair_id(s, user_id, digest)
            return row.id

    @staticmethod
    def _pair_id(s, user_id: int, digest: str) -> int | None:
        return s.scalars(select(PreferencePair.id).where(
            PreferencePair.user_id == int(user_id), PreferencePair.pair_hash == digest)).first()

    def pairs_between(self, user_id: int, kind: str, a_id: int, b_id: int) -> list[int]:
        """The chosen message ids of the user's ``kind`` pairs over messages a and b (either way)."""
        with self._read() as s:
            return list(s.scalars(select(PreferencePair.chosen_message_id).where(
                PreferencePair.user_id == int(user_id), PreferencePair.kind == kind,
                _between(a_id, b_id))))

    def drop_pairs_between(self, user_id: int, kind: str, a_id: int, b_id: int) -> int:
        """Delete the user's ``kind`` pairs over messages a and b (a changed mind); how many."""
        with self._write() as s:
            return s.execute(delete(PreferencePair).where(
                PreferencePair.user_id == int(user_id), PreferencePair.kind == kind,
                _between(a_id, b_id))).rowcount or 0

    def count_pairs(self, user_id: int | None = None, *, since: Any = None,
                    pair: str | None = None, kind: str | None = None,
                    conversation_id: int | None = None) -> int:
        conds = pair_filters(user_id, since, pair, kind)
        if conversation_id is not None:
            conds.append(PreferencePair.conversation_id == int(conversation_id))
        with self._read() as s:
            return s.scalar(select(func.count(PreferencePair.id)).where(*conds)) or 0

    def pairs(self, user_id: int | None = None, *, since: Any = None, pair: str | None = None,
              kind: str | None = None, batch: int = 500) -> Iterator[PairInfo]:
        """Pairs oldest first, streamed in batches; filters are checked before iteration."""
        conds = pair_filters(user_id, since, pair, kind)
        stmt = (select(PreferencePair).where(*conds).order_by(PreferencePair.id)
                .execution_options(yield_per=batch))

        def rows() -> Iterator[PairInfo]:
            with self._read() as s:
                for row in s.scalars(stmt):
                    yield PairInfo.of(row)
        return rows()


def _between(a_id: int, b_id: int):
    """Pairs whose chosen and rejected messages are a and b, in either order."""
    a, b = int(a_id), int(b_id)
    return or_(and_(PreferencePair.chosen_message_id == a, PreferencePair.rejected_message_id == b),
               and_(PreferencePair.chosen_message_id == b, PreferencePair.rejected_message_id == a))
