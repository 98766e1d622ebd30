"""Persistent chat history and preference pairs (SQLAlchemy; SQLite by default).

    store = open_store()                       # data/chat.db, or env CHAT_DB_URL
    uid = store.ensure_user("hf:alice")
    cid = store.create_conversation(uid)
    mid = store.add_message(uid, cid, "user", "Guten Morgen")

Every call takes the owning user's id; other users' rows raise NotFound.
"""
from storage.campaigns import CampaignStore
from storage.errors import NotFound, StorageError
from storage.export import export_pairs
from storage.info import ConversationInfo, FeedbackInfo, MessageInfo, PairInfo, UserInfo
from storage.schema import DEFAULT_TITLE, PAIR_KINDS, ROLES, STATUSES
from storage.store import Store, open_store

__all__ = [
    "open_store", "Store", "CampaignStore", "StorageError", "NotFound", "export_pairs",
    "ConversationInfo", "MessageInfo", "FeedbackInfo", "PairInfo", "UserInfo",
    "DEFAULT_TITLE", "PAIR_KINDS", "ROLES", "STATUSES",
]
