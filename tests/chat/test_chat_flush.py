"""Streamed text is written at most once a second or every 32 pieces, never per token."""
from __future__ import annotations

from chat.flush import PartialFlusher


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_writes_every_32_pieces_when_fast():
    writes, clock = [], Clock()
    f = PartialFlusher(writes.append, clock=clock)
    text = ""
    for i in range(100):
        text += f"w{i} "
        clock.t += 0.001
        f.update(text)
    assert len(writes) == 3  # pieces 32, 64, 96
    assert all(text.startswith(w) for w in writes)
    assert writes[0] == "".join(f"w{i} " for i in range(32))
    assert f.latest == text


def test_writes_once_a_second_when_slow():
    writes, clock = [], Clock()
    f = PartialFlusher(writes.append, clock=clock)
    for i in range(10):
        clock.t += 0.4
        f.update("x" * (i + 1))
    # at 1.2 s, 2.4 s and 3.6 s: a write once a second has passed since the last one
    assert writes == ["xxx", "xxxxxx", "xxxxxxxxx"]


def test_unchanged_text_is_not_written_again():
    writes, clock = [], Clock()
    f = PartialFlusher(writes.append, clock=clock)
    for _ in range(5):
        clock.t += 2
        f.update("same")
    assert writes == ["same"]
