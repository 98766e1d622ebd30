"""Storage exceptions, and the translation of database-driver errors into messages a user reads."""
from __future__ import annotations


class StorageError(Exception):
    """The database can't be used; the message is written for the person using the app."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(StorageError, LookupError):
    """No such row for this user (also raised for rows that belong to someone else)."""


# (words in a driver's message, what to tell the user), first match wins.
_KNOWN = (
    (("not a database", "malformed", "encrypted"),
     "The file {where} is not a valid chat database (it is damaged or is another kind of file). "
     "Move it away or choose another database file."),
    (("readonly", "read-only", "read only"),
     "The database {where} is read-only, so nothing can be saved. Check the file's permissions "
     "or choose another database file."),
    (("locked", "busy", "lock timeout"),
     "The database {where} is busy (another program is writing to it). Try again in a moment."),
    (("unable to open", "could not connect", "connection refused"),
     "Cannot open the database {where}: check that it exists, that its folder is writable, and "
     "(for a server) that the server is running."),
    (("disk is full", "disk i/o", "no space"),
     "The database {where} cannot be written: the disk is full or failing."),
)


def friendly_error(exc: BaseException, where: str) -> StorageError:
    """Map a driver/SQLAlchemy error to a StorageError naming the database `where`."""
    if isinstance(exc, StorageError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    for needles, message in _KNOWN:
        if any(n in text for n in needles):
            return StorageError(message.format(where=where))
    return StorageError(f"Database error in {where}: {orig}")
