"""A streamer that turns generated token ids into display pieces.

It decodes the whole completion each step (cheap for a few hundred tokens) and sends only the
new characters, so the concatenated pieces equal a plain decode of the same ids. Text that
might be the start of a stop string, or half of a multi-byte character, is held back until
the next token decides; a stop string and anything after it is never sent.
"""
from __future__ import annotations

from typing import Callable

from transformers.generation.streamers import BaseStreamer

from models.engines.stopping import find_stop, held_back


class PieceStreamer(BaseStreamer):
    """``generate(streamer=...)`` target for one sequence; calls ``on_piece(str)``."""

    def __init__(self, tokenizer, stops, on_piece: Callable[[str], None], special_ids=()):
        self.tokenizer, self.stops, self.on_piece = tokenizer, tuple(stops), on_piece
        self.special_ids = set(special_ids)  # ids not counted at the end (EOS, padding)
        self.ids: list[int] = []
        self.sent = ""  # text already handed to on_piece
        self.text = ""  # final text after end()
        self.hit_stop = False
        self._prompt_seen = False

    def put(self, value) -> None:
        if not self._prompt_seen:  # generate() first passes the prompt ids
            self._prompt_seen = True
            return
        if self.hit_stop:
            return
        self.ids.extend(int(i) for i in value.reshape(-1).tolist())
        self._emit(final=False)

    def end(self) -> None:
        if not self.hit_stop:
            self._emit(final=True)

    def _decode(self) -> str:
        return self.tokenizer.decode(self.ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    def _emit(self, final: bool) -> None:
        text = self._decode()
        cut = find_stop(text, self.stops)
        if cut >= 0:
            visible, self.hit_stop, final = text[:cut], True, True
        elif final:
            visible = text
        else:
            visible = text[: len(text) - held_back(text, self.stops)]
        if final:
            self.text = visible
        if len(visible) > len(self.sent) and visible.startswith(self.sent):
            piece, self.sent = visible[len(self.sent):], visible
            self.on_piece(piece)

    @property
    def completion_tokens(self) -> int:
        """Generated tokens, not counting the trailing EOS/padding."""
        n = len(self.ids)
        while n and self.ids[n - 1] in self.special_ids:
            n -= 1
        return n
