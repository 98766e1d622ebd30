"""Owner-scoped lookups: every row is reached through a conversation owned by the caller.

A row of another user and a row that doesn't exist raise the same `NotFound`, so forged
ids reveal nothing.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import NotFound
from storage.schema import Conversation, Message, User


def as_id(value: Any, what: str) -> int:
    """An integer id, or NotFound for anything that can't be one (None, text, bool)."""
    if isinstance(value, bool):
        raise NotFound(f"{what} {value!r} not found")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(f"{what} {value!r} not found") from None


def user_of(s: Session, user_id: Any) -> User:
    user = s.get(User, as_id(user_id, "User"))
    if user is None:
        raise NotFound(f"User {user_id} not found")
    return user


def conversation_of(s: Session, user_id: Any, conv_id: Any) -> Conversation:
    cid, uid = as_id(conv_id, "Conversation"), as_id(user_id, "User")
    conv = s.scalars(select(Conversation).where(Conversation.id == cid,
                                                Conversation.user_id == uid)).first()
    if conv is None:
        raise NotFound(f"Conversation {conv_id} not found")
    return conv


def message_of(s: Session, user_id: Any, msg_id: Any) -> Message:
    mid, uid = as_id(msg_id, "Message"), as_id(user_id, "User")
    msg = s.scalars(select(Message).join(Conversation, Conversation.id == Message.conversation_id)
                    .where(Message.id == mid, Conversation.user_id == uid)).first()
    if msg is None:
        raise NotFound(f"Message {msg_id} not found")
    return msg
