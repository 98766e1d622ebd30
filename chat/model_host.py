"""Holds the active model: loads it in a background thread and reports progress.

The UI is served before the model is ready; callers ask `host.engine` (None while
loading) and `host.status()` (what to show the user meanwhile).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from models.engines.base import LLAMACPP, OPENAI
from models import TextEngine, ModelError, Preset, create_engine, resolve_preset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadStatus:
    """What the UI shows about the model: ready, loading (with progress) or failed."""

    state: str  # "loading" | "ready" | "error"
    fraction: float
    message: str
    preset: Preset | None = None
    failed: bool = False  # ready, but on the previous model: the one asked for failed to load

    @property
    def ready(self) -> bool:
        return self.state == "ready"


class ModelHost:
    """One active engine, replaced atomically when the user switches model."""

    def __init__(self, model: str | None = None, adapter: str | None = None,
                 style: str | None = None, *, backend: str | None = None,
                 base_url: str | None = None, api_key: str | None = None):
        """``backend``: auto (default), transformers, llamacpp or openai (with ``base_url``);
        it applies to every model this host loads."""
        self._backend = {"backend": backend or "auto", "base_url": base_url, "api_key": api_key}
        self._lock = threading.Lock()
        self._engine: TextEngine | None = None
        self._previous: TextEngine | None = None
        self._status = LoadStatus("loading", 0.0, "waiting to load the model")
        self._thread: threading.Thread | None = None
        self._request = (model, adapter, style)

    @classmethod
    def serving(cls, engine: TextEngine) -> "ModelHost":
        """A host that is ready with ``engine``, one made elsewhere (an embedding program's,
        or a test's scripted engine)."""
        host = cls(engine.preset.name)
        host._engine = engine
        host._status = LoadStatus("ready", 1.0, f"{engine.preset.name} ready", engine.preset)
        return host

    @property
    def engine(self) -> TextEngine | None:
        return self._engine

    def status(self) -> LoadStatus:
        problem = getattr(self._engine, "problem", None)  # a worker whose restarts stopped
        if problem and self._status.ready:
            return LoadStatus("error", 0.0, problem, self._status.preset)
        return self._status

    def start(self, model: str | None = None, adapter: str | None = None,
              style: str | None = None) -> None:
        """Begin loading (in the background) the given model, or the one from __init__.

        A name that resolves to no model raises ModelError here, while the running model
        keeps serving (a typo in the page must not take the model away from everyone)."""
        request = (model, adapter, style) if (model, adapter, style) != (None, None, None) \
            else self._request
        resolve_preset(request[0], adapter=request[1], style=request[2])
        with self._lock:
            if self._thread and self._thread.is_alive():
                raise ModelError("A model is still loading; wait until it is ready.")
            self._request = request
            if self._engine is not None:  # kept until the new model is ready, restored if it fails
                self._previous = self._engine
            self._engine = None
            self._status = LoadStatus("loading", 0.0, "preparing to load the model")
            self._thread = threading.Thread(target=self._load, name="model-loader", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> LoadStatus:
        """Block until the current load finishes (for the CLI and tests)."""
        if self._thread:
            self._thread.join(timeout)
        return self._status

    def _progress(self, fraction: float, message: str) -> None:
        preset = self._status.preset
        self._status = LoadStatus("loading", max(0.0, min(1.0, fraction)), message, preset)

    def _load(self) -> None:
        model, adapter, style = self._request
        started = time.perf_counter()
        try:
            preset = resolve_preset(model, adapter=adapter, style=style)
            self._status = LoadStatus("loading", 0.0, f"loading {preset.name}", preset)
            engine = create_engine(preset, progress=self._progress, **self._backend)
            self._engine = engine
            seconds = time.perf_counter() - started
            on = {LLAMACPP: "llama.cpp, ", OPENAI: f"{getattr(engine, 'base_url', '')}, "}.get(engine.backend, "")
            note = getattr(engine, "fallback_note", None)
            message = f"{engine.preset.name} ready ({on}{seconds:.1f} s)" + (f" — {note}" if note else "")
            self._status = LoadStatus("ready", 1.0, message, engine.preset, failed=bool(note))
            log.info("model %s", self._status.message)
        except ModelError as err:
            self._failed(str(err))
        except Exception as err:  # noqa: BLE001 - any failure must become a message, not a crash
            self._failed(f"The model could not be loaded: {err}")
        finally:
            self._previous = None

    def _failed(self, message: str) -> None:
        """Report the failure; the model that was running before (if any) serves again."""
        log.warning("model failed to load: %s", message)
        previous = self._previous
        if previous is None:
            self._status = LoadStatus("error", 0.0, message, self._status.preset)
            return
        self._engine = previous
        self._status = LoadStatus("ready", 1.0, f"{message} — still using {previous.preset.name}, which is ready",
                                  previous.preset, failed=True)
