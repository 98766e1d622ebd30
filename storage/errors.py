"""Storage exceptions, and the translation of database-driver errors into messages a user reads."""
from __future__ import annotations


class StorageError(Exception):
    """The database can't be used; the message is written for the person using the app."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(StorageError, LookupError):
    """No such row for this user (also raised for rows that belong to someone else)."""


def friendly_error(exc: BaseException, where: str) -> StorageError:
    """Map a driver/SQLAlchemy error to a StorageError naming the database `where`."""
    if isinstance(exc, StorageError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return StorageError(
            f"The file {where} is not a valid chat database (it is damaged or is another kind of "
            "file). Move it away or choose another database file.")
    if "readonly" in text or "read-only" in text or "read only" in text:
        return StorageError(
            f"The database {where} is read-only, so nothing can be saved. Check the file's "
            "permissions or choose another database file.")
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return StorageError(
            f"The database {where} is busy (another program is writing to it). "
            "Try again in a moment.")
    if "unable to open" in text or "could not connect" in text or "connection refused" in text:
        return StorageError(
            f"Cannot open the database {where}: check that it exists, that its folder is "
            "writable, and (for a server) that the server is running.")
    if "disk is full" in text or "disk i/o" in text or "no space" in text:
        return StorageError(f"The database {where} cannot be written: the disk is full or failing.")
    return StorageError(f"Database error in {where}: {orig}")
