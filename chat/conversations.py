"""A user's conversations as the page sees them: who the user is, their list, one
conversation's turns and settings, renaming, deleting and exporting their pairs. The web
layer asks this module instead of the store."""
from __future__ import annotations

import logging
from pathlib import Path

from chat.identity import hf_key
from chat.render import Turn, group_turns
from storage import DEFAULT_TITLE, MessageInfo, NotFound, StorageError, export_pairs
from storage.connection import sqlite_file
from storage.replies import latest_reply_to

log = logging.getLogger(__name__)


class Conversations:
    """Conversation bookkeeping over one store; every call takes the owning user's id."""

    def __init__(self, store):
        self.store = store

    def sign_in(self, browser_key: str, hf_username: str | None = None, display_name: str | None = None) -> int:
        """The user's id: the Hugging Face account when signed in, else this browser's key."""
        if hf_username:
            return self.store.ensure_user(hf_key(hf_username), display_name)
        return self.store.ensure_user(browser_key)

    def latest(self, user_id: int) -> int | None:
        rows = self.store.list_conversations(user_id, limit=1)
        return rows[0].id if rows else None

    def settings(self, user_id: int, conv_id: int | None) -> dict | None:
        return self.store.conversation_settings(user_id, conv_id) if conv_id is not None else None

    def create(self, user_id: int, settings: dict, title: str = DEFAULT_TITLE) -> int:
        return self.store.create_conversation(user_id, title=title, settings=settings)

    def data_folder(self) -> Path:
        """Where files that belong with the database live: the SQLite file's folder, else
        ./data (a server database)."""
        path = sqlite_file(self.store.engine.url)
        return (path.parent if path is not None else Path("data")).absolute()

    def chosen_replies(self, user_id: int, conv_id: int) -> dict[int, MessageInfo]:
        """Each turn's reply as the user last chose it, by user message id: the latest of a
        correction (an edit, when it was made), a picked alternative and a 👍 rating (when
        given); without any, the first finished reply. Turns with no finished reply are left out."""
        messages = self.store.messages(user_id, conv_id)
        replies: dict[int, list] = {}
        for msg in messages:
            if msg.role == "assistant" and msg.parent_id is not None and msg.status == "complete" \
                    and (msg.content or "").strip():
                replies.setdefault(msg.parent_id, []).append(msg)
        contested = [alts for alts in replies.values() if len(alts) > 1]
        picked: dict[int, object] = {}
        if contested:
            since = self.store.get_conversation(user_id, conv_id).created
            for pair in self.store.pairs(user_id, kind="pick", since=since):
                if pair.conversation_id == conv_id and pair.chosen_message_id is not None:
                    picked[pair.chosen_message_id] = pair.created
        chosen = {parent: alts[0] for parent, alts in replies.items()}
        for alts in contested:
            acts = []
            for msg in alts:
                if msg.model_id == "human":
                    acts.append((msg.created, msg.id, msg))
                if msg.id in picked:
                    acts.append((picked[msg.id], msg.id, msg))
                rating = self.store.feedback_for(user_id, msg.id)
                if rating is not None and rating.rating > 0:
                    acts.append((rating.created, msg.id, msg))
            if acts:
                chosen[alts[0].parent_id] = max(acts, key=lambda act: act[:2])[2]
        return chosen

    def titled(self, user_id: int, title: str) -> int:
        """The user's oldest conversation called ``title``, created if there is none."""
        found = [c.id for c in self.store.list_conversations(user_id, limit=1000) if c.title == title]
        return min(found) if found else self.store.create_conversation(user_id, title=title)

    def with_history(self, user_id: int, title: str, history: list[tuple[str, str]], model_id: str) -> int:
        """A new conversation holding earlier (role, text) messages; an assistant message is
        stored as the reply to the user message before it, made by ``model_id``."""
        conv = self.store.create_conversation(user_id, title=title)
        parent = None
        for role, text in history:
            if role == "user":
                parent = self.store.add_message(user_id, conv, "user", text)
            elif parent is not None:
                self.store.add_message(user_id, conv, "assistant", text, parent_id=parent, model_id=model_id)
        return conv

    def latest_reply_to(self, user_id: int, text: str, src: str | None, tgt: str) -> int | None:
        """The user's latest reply translating ``text`` into ``tgt`` (from ``src``, any if None)."""
        return latest_reply_to(self.store, user_id, text, src, tgt)

    def drop_if_empty(self, user_id: int, conv_id: int) -> bool:
        """Delete a conversation that holds no message (made for a refused first message)."""
        try:
            if not self.store.messages(user_id, conv_id):
                self.store.delete_conversation(user_id, conv_id)
                return True
        except (NotFound, StorageError) as err:
            log.warning("could not drop the empty conversation: %s", err)
        return False

    def message(self, user_id: int, message_id: int):
        return self.store.get_message(user_id, message_id)

    def turns(self, user_id: int | None, conv_id: int | None) -> list[Turn]:
        if user_id is None or conv_id is None:
            return []
        return group_turns(self.store.messages(user_id, conv_id))

    def choices(self, user_id: int | None, query: str | None = None) -> list[tuple[str, int]]:
        """(title, id) of the user's conversations, newest first, optionally searched."""
        if user_id is None:
            return []
        return [(row.title or "Untitled", row.id)
                for row in self.store.list_conversations(user_id, query=query or None)]

    def pair_count(self, user_id: int | None) -> int:
        return self.store.count_pairs(user_id) if user_id is not None else 0

    def rename(self, user_id: int, conv_id: int, title: str) -> None:
        self.store.rename_conversation(user_id, conv_id, title.strip()[:200])

    def delete(self, user_id: int, conv_id: int) -> int:
        """Delete a conversation; the number of preference pairs made in it, which stay (they
        are the user's training data, exported with the rest)."""
        kept = self.store.count_pairs(user_id, conversation_id=conv_id)
        self.store.delete_conversation(user_id, conv_id)
        return kept

    def export_pairs(self, user_id: int, out: Path) -> int:
        """The user's preference pairs as TRL JSONL; the number of rows."""
        return export_pairs(self.store, str(out), fmt="trl", user_id=user_id)
