"""Ending generation early: on stop strings (per row, so batches and beams work) and on a
user's cancel (an event checked every step, so the model's work really stops)."""
from __future__ import annotations

import threading

import torch
from transformers import StoppingCriteria


def find_stop(text: str, stops) -> int:
    """Index of the earliest stop string in ``text``, or -1."""
    hits = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(hits) if hits else -1


def cut_at_stop(text: str, stops) -> str:
    """``text`` up to (not including) the first stop string."""
    i = find_stop(text, stops)
    return text if i < 0 else text[:i]


def held_back(text: str, stops) -> int:
    """How many trailing characters of ``text`` could begin a stop string (or an unfinished
    multi-byte character): those wait for the next token before being shown."""
    n = 0
    for s in stops:
        for k in range(min(len(s) - 1, len(text)), n, -1):
            if text.endswith(s[:k]):
                n = k
                break
    tail = len(text) - len(text.rstrip("\ufffd"))
    return max(n, tail)


class CancelCriteria(StoppingCriteria):
    """Stops every row once ``event`` is set."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs) -> torch.BoolTensor:
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device)


class StopStringCriteria(StoppingCriteria):
    """Marks a row done once its completion (tokens after ``prompt_len``) contains a stop string.

    Only a tail window of tokens is decoded each step: a stop string of L characters spans at
    most 4·L byte tokens, so ``4·L + 8`` tokens always cover one that just completed.
    """

    def __init__(self, tokenizer, prompt_len: int, stops):
        self.tokenizer, self.prompt_len, self.stops = tokenizer, prompt_len, tuple(stops)
        self.window = 4 * max(len(s) for s in self.stops) + 8

    def __call__(self, input_ids, scores, **kwargs) -> torch.BoolTensor:
        start = max(self.prompt_len, input_ids.shape[1] - self.window)
        tails = self.tokenizer.batch_decode(input_ids[:, start:], skip_special_tokens=True,
                                            clean_up_tokenization_spaces=False)
        done = [find_stop(t, self.stops) >= 0 for t in tails]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)
