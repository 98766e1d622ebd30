"""Language detection speed: `prompts.detect_language` per call, as the app calls it per message."""
from __future__ import annotations

import time

from prompts import detect_language

from bench.report import describe, rounded


def detection_speed(texts: list[str]) -> dict:
    """Milliseconds per call over `texts`; the first call (which loads the langdetect profiles)
    is reported apart. Also how many texts got a language at all."""
    t0 = time.perf_counter()
    detect_language("Dieser erste Aufruf lädt die Sprachprofile.")
    first_ms = (time.perf_counter() - t0) * 1000
    times, decided = [], 0
    for text in texts:
        t0 = time.perf_counter()
        found = detect_language(text)
        times.append((time.perf_counter() - t0) * 1000)
        decided += found.lang is not None
    return {"calls": len(texts), "first_call_ms": rounded(first_ms), "ms": describe(times),
            "decided": decided, "mean_chars": rounded(sum(map(len, texts)) / max(1, len(texts)), 1)}
