"""Seeded langdetect 1.0.9 probabilities, optionally over a subset of its languages.

langdetect's profiles are loaded once (lazily) into a private factory with
seed 0, so results are deterministic and independent of the global
``DetectorFactory`` state. Restricting the run to the languages of one script
(e.g. ru/bg/uk/mk for Cyrillic) uses langdetect's own algorithm on a smaller
probability vector: the same ranking among those languages, several times faster.
"""

from __future__ import annotations

import threading
from typing import Iterable

_LOCK = threading.Lock()
_FULL = None
_SUBSETS: dict[frozenset, object] = {}
MAX_CHARS = 1000


def _profile_code(code: str) -> str:
    return "zh" if code.startswith("zh") else code


def _full_factory():
    global _FULL
    if _FULL is None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.seed = 0
        _FULL = factory
    return _FULL


def profile_languages() -> tuple[str, ...]:
    """Languages langdetect has profiles for (``zh-cn``/``zh-tw`` reported as ``zh``); () without langdetect."""
    with _LOCK:
        try:
            return tuple(dict.fromkeys(_profile_code(c) for c in _full_factory().langlist))
        except ImportError:  # detection then relies on scripts, letters and words only
            return ()


def _subset_factory(languages: frozenset):
    """A factory whose profiles cover only ``languages`` (built once per subset)."""
    factory = _SUBSETS.get(languages)
    if factory is None:
        from langdetect.detector_factory import DetectorFactory

        full = _full_factory()
        keep = [i for i, code in enumerate(full.langlist) if _profile_code(code) in languages]
        factory = DetectorFactory()
        factory.langlist = [full.langlist[i] for i in keep]
        factory.word_lang_prob_map = {
            ngram: [row[i] for i in keep]
            for ngram, row in full.word_lang_prob_map.items()
            if any(row[i] for i in keep)
        }
        factory.seed = 0
        _SUBSETS[languages] = factory
    return factory


def langdetect_probabilities(text: str, languages: Iterable[str] | None = None) -> dict[str, float]:
    """Seeded langdetect distribution over all (or the given) languages; {} without features."""
    try:
        from langdetect.lang_detect_exception import LangDetectException
    except ImportError:
        return {}

    with _LOCK:
        if languages is None:
            factory = _full_factory()
        else:
            wanted = frozenset(languages) & {_profile_code(c) for c in _full_factory().langlist}
            if not wanted:
                return {}
            factory = _subset_factory(wanted)
        detector = factory.create()
        detector.set_max_text_length(MAX_CHARS)
        detector.append(text)
        try:
            detector.get_probabilities()
        except LangDetectException:
            return {}
        probs: dict[str, float] = {}
        for code, p in zip(detector.langlist, detector.langprob):
            probs[_profile_code(code)] = probs.get(_profile_code(code), 0.0) + p
    return probs
