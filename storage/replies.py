"""Finding a user's earlier reply to a given text (for feedback that names the text, not the
message id: the LibreTranslate API's /suggest)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from storage.errors import friendly_error
from storage.schema import Conversation, Message


def latest_reply_to(store, user_id: int, text: str, src: str | None, tgt: str) -> int | None:
    """Id of the user's newest finished model reply (not a human edit) to a user message whose
    text is `text`, translated into `tgt` (from `src` unless None); None when there is none."""
    asked = aliased(Message)
    query = (select(Message.id)
             .join(asked, asked.id == Message.parent_id)
             .join(Conversation, Conversation.id == Message.conversation_id)
             .where(Conversation.user_id == int(user_id), asked.role == "user",
                    asked.content == text, Message.role == "assistant",
                    Message.status == "complete", Message.tgt == tgt,
                    Message.model_id != "human")
             .order_by(Message.id.desc()).limit(1))
    if src is not None:
        query = query.where(Message.src == src)
    try:
        with Session(store.engine) as s:
            return s.scalars(query).first()
    except SQLAlchemyError as exc:
        raise friendly_error(exc, getattr(store, "where", "the database")) from exc
