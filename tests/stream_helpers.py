"""Reading a streamed generation in tests and cancelling it part way."""
from __future__ import annotations

import time


def cancel_after(handle, n: int = 3) -> list[str]:
    """Read ``handle``'s pieces, cancelling it once ``n`` have come; all pieces read."""
    pieces = []
    for piece in handle:
        pieces.append(piece)
        if len(pieces) == n:
            handle.cancel()
    return pieces


def cancel_after_first(handle, wait: float = 0.0) -> tuple[str, str, float]:
    """Read one piece, wait ``wait`` seconds, cancel; returns (first piece, the rest, seconds
    from the cancel to the stream's end)."""
    pieces = iter(handle)
    first = next(pieces)
    time.sleep(wait)
    asked = time.monotonic()
    handle.cancel()
    rest = "".join(pieces)
    return first, rest, time.monotonic() - asked
