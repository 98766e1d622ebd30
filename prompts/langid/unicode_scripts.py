"""Unicode script of letters, and the languages a script identifies on its own."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

# (first code point, last code point, script name), sorted by first code point.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latin"), (0x0250, 0x02FF, "Latin"),
    (0x0370, 0x03FF, "Greek"), (0x0400, 0x052F, "Cyrillic"),
    (0x0530, 0x058F, "Armenian"), (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"),
    (0x08A0, 0x08FF, "Arabic"), (0x0900, 0x097F, "Devanagari"),
    (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati"), (0x0B00, 0x0B7F, "Oriya"),
    (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"),
    (0x0C80, 0x0CFF, "Kannada"), (0x0D00, 0x0D7F, "Malayalam"),
    (0x0D80, 0x0DFF, "Sinhala"), (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Lao"), (0x1000, 0x109F, "Myanmar"),
    (0x10A0, 0x10FF, "Georgian"), (0x1100, 0x11FF, "Hangul"),
    (0x1200, 0x139F, "Ethiopic"), (0x1780, 0x17FF, "Khmer"),
    (0x1800, 0x18AF, "Mongolian"), (0x1C80, 0x1C8F, "Cyrillic"),
    (0x1C90, 0x1CBF, "Georgian"), (0x1E00, 0x1EFF, "Latin"),
    (0x1F00, 0x1FFF, "Greek"), (0x2C60, 0x2C7F, "Latin"),
    (0x2DE0, 0x2DFF, "Cyrillic"), (0x3005, 0x3007, "Han"),
    (0x3040, 0x309F, "Kana"), (0x30A0, 0x30FF, "Kana"),
    (0x3130, 0x318F, "Hangul"), (0x31F0, 0x31FF, "Kana"),
    (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"),
    (0xA640, 0xA69F, "Cyrillic"), (0xA720, 0xA7FF, "Latin"),
    (0xAC00, 0xD7AF, "Hangul"), (0xF900, 0xFAFF, "Han"),
    (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
    (0xFF21, 0xFF5A, "Latin"), (0xFF66, 0xFF9F, "Kana"),
    (0x20000, 0x2FA1F, "Han"),
)
_STARTS = [r[0] for r in _RANGES]

# Scripts written by exactly one language of LANGUAGES.
SCRIPT_LANGUAGE: dict[str, str] = {
    "Greek": "el", "Armenian": "hy", "Hebrew": "he", "Georgian": "ka",
    "Gurmukhi": "pa", "Gujarati": "gu", "Oriya": "or", "Tamil": "ta",
    "Telugu": "te", "Kannada": "kn", "Malayalam": "ml", "Sinhala": "si",
    "Thai": "th", "Lao": "lo", "Myanmar": "my", "Ethiopic": "am",
    "Khmer": "km", "Mongolian": "mn", "Bengali": "bn", "Hangul": "ko",
}
# One Han/Kana/Hangul character carries about as much as a word: weigh it up
# against Latin letters when deciding the dominant script of mixed text.
_SCRIPT_WEIGHT = {"Han": 3, "Kana": 3, "Hangul": 2}


def script_of(ch: str) -> str | None:
    """Script name of one character, or None (digits, punctuation, unknown scripts)."""
    cp = ord(ch)
    i = bisect_right(_STARTS, cp) - 1
    if i >= 0 and cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    return None


def count_scripts(text: str) -> Counter:
    """Count letters per script (characters for which ``str.isalpha`` holds)."""
    counts: Counter = Counter()
    for ch in text:
        if ch.isalpha():
            script = script_of(ch)
            if script:
                counts[script] += 1
    return counts


def _name_letters(text: str) -> int:
    """Latin letters in capitalised words or words with digits (brand and place names)."""
    total = 0
    for word in text.split():
        letters = [ch for ch in word if ch.isalpha()]
        if not letters or script_of(letters[0]) != "Latin":
            continue
        if letters[0].isupper() or any(ch.isdigit() for ch in word):
            total += sum(1 for ch in letters if script_of(ch) == "Latin")
    return total


def dominant_script(counts: Counter, text: str = "") -> str | None:
    """Script with the largest weighted letter count.

    Han/Kana/Hangul characters weigh more than letters; Latin letters of
    capitalised words in ``text`` weigh a quarter when another script is
    present, so "Матрас Promtex Prestige" counts as Cyrillic.
    """
    if not counts:
        return None
    weighted = {s: n * _SCRIPT_WEIGHT.get(s, 1) for s, n in counts.items()}
    if len(counts) > 1 and "Latin" in weighted and text:
        weighted["Latin"] -= 0.75 * _name_letters(text)
    return max(weighted, key=lambda s: (weighted[s], s))
