"""Throttled writes of a reply's text while it streams, so a crash keeps what was shown.

At most one write a second or one every 32 pieces (a piece is about a token), never one per
token: after `kill -9` the stopped message holds the text streamed up to the last flush.
"""
from __future__ import annotations

import time
from typing import Callable

FLUSH_SECONDS = 1.0
FLUSH_PIECES = 32


class PartialFlusher:
    """Calls ``write(text)`` for a growing text when a second or 32 pieces have passed since
    the last write (and the text changed)."""

    def __init__(self, write: Callable[[str], None], seconds: float = FLUSH_SECONDS,
                 pieces: int = FLUSH_PIECES, clock: Callable[[], float] = time.monotonic):
        self.write, self.seconds, self.pieces, self.clock = write, seconds, pieces, clock
        self._last = clock()
        self._pending = 0
        self._written = ""
        self.latest = ""  # the newest text seen, written or not
        self.writes = 0

    def update(self, text: str) -> bool:
        """A new streamed state; True when it was written."""
        self._pending += 1
        self.latest = text
        if text == self._written:
            return False
        if self._pending < self.pieces and self.clock() - self._last < self.seconds:
            return False
        self.write(text)
        self._written, self._pending, self._last = text, 0, self.clock()
        self.writes += 1
        return True
