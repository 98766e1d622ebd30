"""Language identification for short chat messages.

Pipeline:
1. URLs, e-mail addresses, @mentions and #hashtags are ignored; no letters
   left (empty, digits, punctuation, emoji) -> ``Detection(None, 0.0)``.
2. The dominant script decides outright when one language writes it (Hangul,
   Georgian, Thai, Greek, ...); Han/Kana/Hangul text is split into ja/ko/zh by
   the presence of kana and hangul.
3. Otherwise (Latin, Cyrillic, Arabic, Devanagari, Bengali) each language of the
   script group gets a score: seeded langdetect 1.0.9 probability (languages
   without a profile borrow part of a close one's, see ``BORROWED_PROFILES``;
   weighed down on a word or two, where its n-grams are noise), plus letters
   only some languages write (``alphabets``; a letter one language alone
   writes, like ß, ș, ə, ð or ї, counts most), plus a vote of frequent
   function words and greetings/thanks (``lexicon``, ``chat_words``). The
   best candidate wins; confidence
   is its softmax share (a "none of the candidates" option takes langdetect's
   mass outside the candidates), lowered for very short inputs.

Thread-safe, deterministic, no exceptions on any string; about a millisecond a
call once the langdetect profiles are loaded (lazily, on first use).
"""

from __future__ import annotations

import functools
import math
import re
import string
from dataclasses import dataclass
from typing import Iterable

from prompts.langid.alphabets import BORROWED_PROFILES, GROUPS, SIGNATURES, SPELLING_MARKERS
from prompts.langid.langdetect_base import MAX_CHARS, langdetect_probabilities, profile_languages
from prompts.languages import normalize_code
from prompts.langid.lexicon import WORD_LANGUAGES
from prompts.langid.unicode_scripts import SCRIPT_LANGUAGE, count_scripts, dominant_script

LD_WEIGHT = 3.0       # score for langdetect probability 1.0 (text of LD_FULL_LETTERS letters or more)
LD_FULL_LETTERS = 24  # langdetect's n-grams are noise on a word or two: its weight grows with length
LD_MIN_SHARE = 0.35   # share of LD_WEIGHT it keeps on the shortest input
EXCLUSIVE_GAIN = 3.0  # extra for the one language of a script group that writes a letter present
LETTER_GAIN = 4.0     # split among the languages that write a letter
LETTER_MISS = 2.0     # for a language that never writes a letter present
MISS_CAP = 6.0        # most a language loses to foreign letters
WORD_GAIN = 1.5       # per function word found in a language's list
SOFTMAX_SCALE = 1.5   # score difference -> confidence sharpness
ABSENCE_WEIGHT = 0.5  # per expected-but-missing signature letter
ABSENCE_CAP = 4.0     # most a language loses for lacking its signature letters
# Small prior for languages users are likelier to type (ALMA's languages and
# the most used ones); it only matters when the evidence is nearly tied.
PRIOR_WEIGHT = 0.5
PRIOR: dict[str, float] = {"en": 0.6, "ru": 0.6, "de": 0.4, "cs": 0.4, "zh": 0.4, "es": 0.3, "fr": 0.3,
                           "pt": 0.2, "it": 0.2, "id": 0.2}


@dataclass(frozen=True)
class Detection:
    """Result of :func:`detect_language`: ``lang`` is None when undecidable."""

    lang: str | None
    confidence: float
    script: str | None = None


_MARKERS = tuple((lang, re.compile(rx), w, cap) for lang, rx, w, cap in SPELLING_MARKERS)
_PUNCT = string.punctuation.replace("'", "") + "«»“”„‘’‚…—–¿¡。，、！？；：（）【】「」『』·•؛،؟۔।॥"
_NOT_LANGUAGE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[@#]\w+")  # URLs, e-mails, @user, #tag
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'"})


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


def _evidence(group: str, text: str, tokens: list[str], langs: list[str]) -> dict[str, float]:
    """Letter, function-word and spelling-pattern score of each language in ``langs``."""
    inventories, common = GROUPS[group]
    scores = dict.fromkeys(langs, 0.0)
    penalty = dict.fromkeys(langs, 0.0)
    lowered = text.lower()
    for ch in {ch for ch in lowered if ch.isalpha() and ch not in common}:
        writers = [lang for lang, inventory in inventories.items() if ch in inventory]
        if not writers:
            continue
        gain = LETTER_GAIN / len(writers)
        for lang in langs:
            if ch in inventories[lang]:
                scores[lang] += gain
            else:
                penalty[lang] += LETTER_MISS
        if len(writers) == 1 and writers[0] in scores:  # ß, ș, ə, ð, ї, ђ, ...: one language alone
            scores[writers[0]] += EXCLUSIVE_GAIN
    n_letters = sum(1 for ch in lowered if ch.isalpha())
    signatures = SIGNATURES.get(group, {})
    for lang in langs:
        scores[lang] -= min(penalty[lang], MISS_CAP)
        if lang in signatures:
            letters, share = signatures[lang]
            if not any(ch in letters for ch in lowered):  # expected about share * n_letters of them
                scores[lang] -= min(ABSENCE_CAP, ABSENCE_WEIGHT * share * n_letters)

    for token in tokens:
        with_word = WORD_LANGUAGES.get(token, ())
        weight = WORD_GAIN * (1.0 + 1.0 / max(1, len(with_word)))
        for lang in with_word:
            if lang in scores:
                scores[lang] += weight

    for lang, pattern, weight, cap in _MARKERS:
        if lang in scores:
            scores[lang] += weight * min(cap, len(pattern.findall(lowered)))
    for lang in langs:
        scores[lang] += PRIOR_WEIGHT * PRIOR.get(lang, 0.0)
    return scores


@functools.lru_cache(maxsize=None)
def _profiled(group: str) -> tuple[str, ...]:
    """Languages of a script group that langdetect has profiles for."""
    profiled = set(profile_languages())
    return tuple(lang for lang in GROUPS[group][0] if lang in profiled)


def _ld_weight(text: str) -> float:
    """langdetect's weight: full from ``LD_FULL_LETTERS`` letters, ``LD_MIN_SHARE`` of it on a word."""
    n_letters = sum(1 for ch in text if ch.isalpha())
    return LD_WEIGHT * min(1.0, max(LD_MIN_SHARE, n_letters / LD_FULL_LETTERS))


def _group_scores(group: str, text: str, tokens: list[str], allowed) -> tuple[dict[str, float], float]:
    """Scores of the group's languages (within ``allowed``) and the score of langdetect's mass
    outside them ("none of the candidates").

    langdetect runs only over the group's languages, and not at all when the
    other evidence already puts one language more than its weight ahead.
    """
    inventories, _ = GROUPS[group]
    langs = [lang for lang in inventories if allowed is None or lang in allowed]
    if not langs:
        return {}, 0.0
    scores = _evidence(group, text, tokens, langs)
    weight = _ld_weight(text)
    ranked = sorted(scores.values(), reverse=True) + [float("-inf")]
    if ranked[0] - ranked[1] > weight and ranked[0] > weight:
        return scores, 0.0

    ld_langs = _profiled(group)
    ld = langdetect_probabilities(text, ld_langs) if len(ld_langs) > 1 else dict.fromkeys(ld_langs, 1.0)
    outside = sum(p for code, p in ld.items() if code not in scores)
    for lang in langs:
        p = ld.get(lang, 0.0)
        if lang in BORROWED_PROFILES and lang not in ld:
            sources, factor = BORROWED_PROFILES[lang]
            p = factor * max(ld.get(source, 0.0) for source in sources)
        scores[lang] += weight * p
    return scores, weight * outside


def _decide(scores: dict[str, float], outside: float, n_units: float, script: str) -> Detection:
    if not scores:
        return Detection(None, 0.0, script)
    best = max(sorted(scores), key=scores.get)
    top = scores[best]
    exps = [math.exp(SOFTMAX_SCALE * (s - top)) for s in scores.values()]
    other = math.exp(SOFTMAX_SCALE * (outside - top))  # "none of the candidates"
    if other > 1.0:  # likelier than the best candidate
        return Detection(None, 0.0, script)
    share = 1.0 / (sum(exps) + other)
    return Detection(best, round(share * _length_factor(n_units), 3), script)


def warm_up() -> None:
    """Load langdetect's profiles and per-script subsets now (about a second) instead of on first use."""
    for group in GROUPS:
        ld_langs = _profiled(group)
        if len(ld_langs) > 1:
            langdetect_probabilities("warm up", ld_langs)


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
    text = _NOT_LANGUAGE.sub(" ", text[:MAX_CHARS])
    counts = count_scripts(text)
    script = dominant_script(counts, text)
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
