"""Plain, detached records handed out by the store (no ORM objects leave a session)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


def _copy(cls, row: Any, **extra: Any):
    """Build dataclass `cls` from an ORM row's attributes of the same names."""
    values = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in extra
              and hasattr(row, f.name)}
    return cls(**values, **extra)


@dataclass
class UserInfo:
    id: int
    key: str
    name: str | None
    created: datetime


@dataclass
class ConversationInfo:
    id: int
    title: str
    updated: datetime
    snippet: str | None = None
    created: datetime | None = None
    settings: dict = field(default_factory=dict)

    @classmethod
    def of(cls, row: Any, snippet: str | None = None) -> "ConversationInfo":
        return cls(row.id, row.title, row.updated, snippet, row.created, dict(row.settings or {}))


@dataclass
class MessageInfo:
    id: int
    conversation_id: int
    role: str
    content: str
    parent_id: int | None
    detected_lang: str | None
    detected_confidence: float | None
    src: str | None
    tgt: str | None
    prompt: str | None
    model_id: str | None
    model_revision: str | None
    adapter: str | None
    params: dict
    prompt_tokens: int | None
    completion_tokens: int | None
    ttft_s: float | None
    duration_s: float | None
    status: str
    error: str | None
    draft: str | None
    created: datetime

    @classmethod
    def of(cls, row: Any) -> "MessageInfo":
        return _copy(cls, row, params=dict(row.params or {}))


@dataclass
class FeedbackInfo:
    id: int
    message_id: int
    user_id: int
    rating: int
    reasons: list[str]
    comment: str
    created: datetime

    @classmethod
    def of(cls, row: Any) -> "FeedbackInfo":
        return _copy(cls, row, reasons=list(row.reasons or []))


@dataclass
class PairInfo:
    id: int
    user_id: int
    prompt: str
    source: str
    chosen: str
    rejected: str
    src: str | None
    tgt: str | None
    style: str | None
    hint: str | None
    model: str | None
    kind: str
    chosen_message_id: int | None
    rejected_message_id: int | None
    conversation_id: int | None
    decision_seconds: float | None
    created: datetime

    @classmethod
    def of(cls, row: Any) -> "PairInfo":
        return _copy(cls, row)

    def as_dict(self) -> dict[str, Any]:
        """All columns, timestamps as ISO 8601 strings (for JSON)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["created"] = self.created.isoformat()
        return out
