"""The runaway guard inside transformers' ``generate``: a row ends once its completion starts
repeating a span it already emitted or grows past ``max_chars`` (``models.engines.repeats``);
works for batches too."""
from __future__ import annotations

import torch
from transformers import StoppingCriteria

from models.engines.repeats import runaway


class RunawayCriteria(StoppingCriteria):
    """Stops each row whose new tokens (after ``prompt_width``) ran away (``runaway``)."""

    def __init__(self, tokenizer, prompt_width: int, params, every: int = 1):
        self.tokenizer, self.prompt_width, self.params, self.every = tokenizer, prompt_width, params, every
        self._steps = 0

    def __call__(self, input_ids, scores, **kwargs) -> torch.BoolTensor:
        self._steps += 1
        done = [False] * input_ids.shape[0]
        if self._steps % self.every == 0:
            for row, ids in enumerate(input_ids[:, self.prompt_width:].tolist()):
                text = self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
                done[row] = runaway(text, self.params)
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)
