"""Language identification for short chat messages.

Pipeline:
1. No letters (empty, digits, punctuation, emoji) -> ``Detection(None, 0.0)``.
2. The dominant script decides outright when one language writes it (Hangul,
   Georgian, Thai, Greek, ...); Han/Kana/Hangul text is split into ja/ko/zh by
   the presence of kana and hangul.
3. Otherwise (Latin, Cyrillic, Arabic, Devanagari, Bengali) each language of the
   script group gets a score: seeded langdetect 1.0.9 probability (languages
   without a profile borrow part of a close one's, see ``BORROWED_PROFILES``),
   plus letters only some languages write (``alphabets``), plus a vote of
   frequent function words (``lexicon``). The best candidate wins; confidence
   is its softmax share (a "none of the candidates" option takes langdetect's
   mass outside the candidates), lowered for very short inputs.

Thread-safe, deterministic, no exceptions on any string; about a millisecond a
call once the langdetect profiles are loaded (lazily, on first use).
"""

from __future__ import annotations

import math
import string
import threading
from dataclasses import dataclass
from typing import Iterable

import re

from .alphabets import BORROWED_PROFILES, GROUPS, SPELLING_MARKERS
from .languages import LANGUAGES, normalize_code
from .lexicon import WORD_LANGUAGES
from .scripts import SCRIPT_LANGUAGE, count_scripts, dominant_script

MAX_CHARS = 1000      # only the start of long texts is examined
LD_WEIGHT = 3.0       # score for langdetect probability 1.0
LETTER_GAIN = 4.0     # split among the languages that write a letter
LETTER_MISS = 2.0     # for a language that never writes a letter present
MISS_CAP = 6.0        # most a language loses to foreign letters
WORD_GAIN = 1.0       # per function word found in a language's list
SOFTMAX_SCALE = 1.5   # score difference -> confidence sharpness


@dataclass(frozen=True)
class Detection:
    """Result of :func:`detect_language`: ``lang`` is None when undecidable."""

    lang: str | None
    confidence: float
    script: str | None = None


_MARKERS = tuple((lang, re.compile(rx), w, cap) for lang, rx, w, cap in SPELLING_MARKERS)
_LOCK = threading.Lock()
_FACTORY = None
_PUNCT = string.punctuation.replace("'", "") + "«»“”„‘’‚…—–¿¡。，、！？；：（）【】「」『』·•؛،؟۔।॥"
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'"})


def _factory():
    """Load langdetect's profiles once into a private, seeded factory."""
    global _FACTORY
    if _FACTORY is None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.seed = 0
        _FACTORY = factory
    return _FACTORY


def langdetect_probabilities(text: str) -> dict[str, float]:
    """Full seeded langdetect distribution ({} when it finds no features)."""
    from langdetect.lang_detect_exception import LangDetectException

    with _LOCK:
        detector = _factory().create()
        detector.append(text)
        try:
            detector.get_probabilities()
        except LangDetectException:
            return {}
        probs: dict[str, float] = {}
        for code, p in zip(detector.langlist, detector.langprob):
            code = "zh" if code.startswith("zh") else code
            probs[code] = probs.get(code, 0.0) + p
    return probs


def tokenize(text: str) -> list[str]:
    """Lower-cased words; ``l'homme`` also yields ``l'`` (elision prefixes are function words)."""
    tokens = []
    for raw in text.lower().translate(_APOSTROPHES).split():
        word = raw.strip(_PUNCT)
        if word != "'n":
            word = word.strip("'")
        if not word:
            continue
        tokens.append(word)
        head, sep, tail = word.partition("'")
        if sep and head and tail:
            tokens.append(head + "'")
    return tokens


def _normalize_candidates(candidates: Iterable[str] | None) -> frozenset[str] | None:
    if candidates is None:
        return None
    if isinstance(candidates, str):
        candidates = [candidates]
    return frozenset(normalize_code(c) for c in candidates)


def _length_factor(n_units: float) -> float:
    """1 word -> 0.64, 3 -> 0.82, 5 or more -> 1.0."""
    return min(1.0, 0.55 + 0.09 * n_units)


def _cjk(counts, allowed) -> Detection:
    han, kana, hangul = counts["Han"], counts["Kana"], counts["Hangul"]
    units = (han + kana + hangul) / 2
    if hangul and hangul >= kana and hangul * 2 >= han:
        lang, conf, script = "ko", 0.99, "Hangul"
    elif kana and (kana >= 2 or kana * 5 >= han):
        lang, conf, script = "ja", 0.98, "Kana"
    else:
        lang, conf, script = "zh", 0.93 * _length_factor(units + 1), "Han"
        if allowed is not None and "zh" not in allowed and "ja" in allowed:
            lang, conf = "ja", 0.5 * conf  # Japanese written in kanji only
    if allowed is not None and lang not in allowed:
        return Detection(None, 0.0, script)
    return Detection(lang, round(conf, 3), script)


def _group_scores(group: str, text: str, tokens: list[str], allowed) -> tuple[dict[str, float], float]:
    """Scores of the group's languages (within ``allowed``) and the langdetect mass outside them."""
    inventories, common = GROUPS[group]
    langs = [l for l in inventories if allowed is None or l in allowed]
    ld = langdetect_probabilities(text)
    outside = sum(p for code, p in ld.items() if code not in langs)
    scores = {}
    for lang in langs:
        p = ld.get(lang, 0.0)
        if lang in BORROWED_PROFILES and lang not in ld:
            sources, factor = BORROWED_PROFILES[lang]
            p = factor * max(ld.get(s, 0.0) for s in sources)
        scores[lang] = LD_WEIGHT * p
    if not langs:
        return scores, outside

    letters = {ch for ch in text.lower() if ch.isalpha() and ch not in common}
    penalty = dict.fromkeys(langs, 0.0)
    for ch in letters:
        writers = [l for l, inventory in inventories.items() if ch in inventory]
        if not writers:
            continue
        gain = LETTER_GAIN / len(writers)
        for lang in langs:
            if ch in inventories[lang]:
                scores[lang] += gain
            else:
                penalty[lang] += LETTER_MISS
    for lang in langs:
        scores[lang] -= min(penalty[lang], MISS_CAP)

    for token in tokens:
        langs_with_word = WORD_LANGUAGES.get(token, ())
        weight = WORD_GAIN * (1.0 + 1.0 / max(1, len(langs_with_word)))
        for lang in langs_with_word:
            if lang in scores:
                scores[lang] += weight

    lowered = text.lower()
    for lang, pattern, weight, cap in _MARKERS:
        if lang in scores:
            scores[lang] += weight * min(cap, len(pattern.findall(lowered)))
    return scores, outside


def _decide(scores: dict[str, float], outside: float, n_units: float, script: str) -> Detection:
    if not scores:
        return Detection(None, 0.0, script)
    best = max(sorted(scores), key=scores.get)
    top = scores[best]
    exps = [math.exp(SOFTMAX_SCALE * (s - top)) for s in scores.values()]
    other = math.exp(SOFTMAX_SCALE * (LD_WEIGHT * outside - top))
    share = 1.0 / (sum(exps) + other)
    if other * share > share:  # "none of these languages" is likelier
        return Detection(None, 0.0, script)
    return Detection(best, round(share * _length_factor(n_units), 3), script)


def detect_language(text: str, candidates: Iterable[str] | None = None) -> Detection:
    """Detect the language of ``text``; restrict the answer to ``candidates`` when given.

    Returns ``Detection(lang, confidence, script)``; ``lang`` is an ISO 639-1
    code or None (no letters, or no candidate fits). Never raises on text;
    ValueError for unknown candidate codes.
    """
    allowed = _normalize_candidates(candidates)
    try:
        return _detect(text, allowed)
    except Exception:  # detection must never break the chat
        return Detection(None, 0.0)


def _detect(text: str, allowed: frozenset[str] | None) -> Detection:
    if not isinstance(text, str):
        return Detection(None, 0.0)
    text = text[:MAX_CHARS]
    counts = count_scripts(text)
    script = dominant_script(counts)
    if script is None:
        return Detection(None, 0.0)
    if script in ("Han", "Kana") or (script == "Hangul" and (counts["Han"] or counts["Kana"])):
        return _cjk(counts, allowed)
    if script in SCRIPT_LANGUAGE and script not in GROUPS:
        lang = SCRIPT_LANGUAGE[script]
        if allowed is not None and lang not in allowed:
            return Detection(None, 0.0, script)
        return Detection(lang, 0.99 if counts[script] >= 3 else 0.9, script)
    if script not in GROUPS:
        return Detection(None, 0.0, script)
    tokens = tokenize(text)
    scores, outside = _group_scores(script, text, tokens, allowed)
    return _decide(scores, outside, len(tokens), script)


LANGDETECT_LANGUAGES: tuple[str, ...] = tuple(
    sorted(
        {"af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr",
         "gu", "he", "hi", "hr", "hu", "id", "it", "ja", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ne",
         "nl", "no", "pa", "pl", "pt", "ro", "ru", "sk", "sl", "so", "sq", "sv", "sw", "ta", "te", "th",
         "tl", "tr", "uk", "ur", "vi", "zh"}
        & set(LANGUAGES)
    )
)
