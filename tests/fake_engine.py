"""A fake engine for the session, pipeline, feedback and page tests: a ``TextEngine`` whose
"model" is a script (prompt → text pieces), no torch and no weights, so those layers are tested
in milliseconds; the real-model tests stay as the integration layer."""
from __future__ import annotations

import threading
import time
from typing import Callable, Sequence

from models import GenParams, Generation, StreamHandle
from models.engines.base import batch_streams
from models.params import per_prompt
from models.presets import Preset

Script = Callable[[str], list[str]]  # prompt -> the pieces the "model" produces


def echo_words(prompt: str) -> list[str]:
    """The default script: the last line's words, upper-cased, one piece each."""
    source = prompt.rstrip().splitlines()[-2] if prompt.count("\n") else prompt
    source = source.split(":", 1)[-1].strip()
    return [w.upper() + " " for w in source.split()] + ["\n"]


class FakeEngine:
    """Scripted generation with the engine contract: stop strings end the text, ``max_new_tokens``
    counts pieces, cancel stops at the next piece, ``fail`` makes every generation an error."""

    backend, device, batch_size, revision, load_s = "fake", "cpu", 4, None, 0.0

    def __init__(self, style: str = "alma", script: Script = echo_words, languages=None, delay_s: float = 0.0):
        self.preset = Preset(name=f"fake-{style}", model_id="fake/model", style=style, languages=languages)
        self.model_id, self.tokenizer, self.script, self.delay_s = "fake/model", None, script, delay_s
        self.fail: str | None = None
        self.prompts: list[str] = []  # every prompt generated for, in order
        self.loaded = self

    def _run(self, prompt: str, params: GenParams, cancel: threading.Event, put=None) -> Generation:
        self.prompts.append(prompt)
        text, n, status = "", 0, "complete"
        if self.fail:
            return self._record(prompt, params, text, 0, "error", self.fail)
        for piece in self.script(prompt):
            if cancel.is_set():
                status = "stopped"
                break
            if n >= params.max_new_tokens:
                break
            cut = min((text + piece).find(s) for s in params.stop if s in text + piece) \
                if any(s in text + piece for s in params.stop) else -1
            if cut >= 0:
                piece = (text + piece)[len(text):cut]
            text += piece
            n += 1
            if put is not None and piece:
                put(piece)
            if cut >= 0:
                break
            time.sleep(self.delay_s)
        return self._record(prompt, params, text, n, status)

    def _record(self, prompt, params, text, n, status, error=None) -> Generation:
        return Generation(prompt=prompt, text=text, model_id=self.model_id, revision=None, adapter=None,
                          params=params.as_dict(), prompt_tokens=self.count_tokens(prompt), completion_tokens=n,
                          ttft_s=None, duration_s=0.0, status=status, error=error, extra={"backend": "fake"})

    def stream(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> StreamHandle:
        return StreamHandle.run(lambda h: self._run(prompt, params, h.cancel_event, h.put), "fake")

    def generate(self, prompt: str, params: GenParams, adapter_group: int | None = None) -> Generation:
        return self._run(prompt, params, threading.Event())

    def generate_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                       adapter_group: int | None = None) -> list[Generation]:
        return [self.generate(p, own) for p, own in zip(prompts, per_prompt(params, len(prompts)))]

    def stream_batch(self, prompts, params, adapter_group=None) -> list[StreamHandle]:
        return batch_streams(self, prompts, params, adapter_group)

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def context_limit(self) -> int:
        return 4096

    def close(self) -> None:
        pass
