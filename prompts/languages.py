"""Language tables: codes, English names, X-ALMA groups and per-style language sets.

Codes are ISO 639-1 where one exists, otherwise ISO 639-3 (a few Flores-101
languages such as Asturian ``ast`` or Cebuano ``ceb`` have no two-letter code).
"""

from __future__ import annotations

# ALMA's LANG_TABLE (English plus X-ALMA's 50 languages), in X-ALMA group order.
_ALMA_TABLE = {
    "en": "English",
    # group 1
    "da": "Danish", "nl": "Dutch", "de": "German", "is": "Icelandic",
    "no": "Norwegian", "sv": "Swedish", "af": "Afrikaans",
    # group 2
    "ca": "Catalan", "ro": "Romanian", "gl": "Galician", "it": "Italian",
    "pt": "Portuguese", "es": "Spanish",
    # group 3
    "bg": "Bulgarian", "mk": "Macedonian", "sr": "Serbian", "uk": "Ukrainian",
    "ru": "Russian",
    # group 4
    "id": "Indonesian", "ms": "Malay", "th": "Thai", "vi": "Vietnamese",
    "mg": "Malagasy", "fr": "French",
    # group 5
    "hu": "Hungarian", "el": "Greek", "cs": "Czech", "pl": "Polish",
    "lt": "Lithuanian", "lv": "Latvian",
    # group 6
    "ka": "Georgian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "fi": "Finnish", "et": "Estonian",
    # group 7
    "gu": "Gujarati", "hi": "Hindi", "mr": "Marathi", "ne": "Nepali", "ur": "Urdu",
    # group 8
    "az": "Azerbaijani", "kk": "Kazakh", "ky": "Kyrgyz", "tr": "Turkish",
    "uz": "Uzbek", "ar": "Arabic", "he": "Hebrew", "fa": "Persian",
}

# Flores-101 languages (LLaMAX's evaluation set) that ALMA's table lacks.
_FLORES_EXTRAS = {
    "am": "Amharic", "hy": "Armenian", "as": "Assamese", "ast": "Asturian",
    "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian", "my": "Burmese",
    "ceb": "Cebuano", "hr": "Croatian", "tl": "Tagalog", "ff": "Fula",
    "lg": "Ganda", "ha": "Hausa", "ig": "Igbo", "ga": "Irish",
    "jv": "Javanese", "kea": "Kabuverdianu", "kam": "Kamba", "kn": "Kannada",
    "km": "Khmer", "lo": "Lao", "ln": "Lingala", "luo": "Luo",
    "lb": "Luxembourgish", "ml": "Malayalam", "mt": "Maltese", "mi": "Maori",
    "mn": "Mongolian", "nso": "Northern Sotho", "ny": "Nyanja", "oc": "Occitan",
    "or": "Oriya", "om": "Oromo", "ps": "Pashto", "pa": "Punjabi",
    "sn": "Shona", "sd": "Sindhi", "sk": "Slovak", "sl": "Slovenian",
    "so": "Somali", "ckb": "Central Kurdish", "sw": "Swahili", "tg": "Tajik",
    "ta": "Tamil", "te": "Telugu", "umb": "Umbundu", "cy": "Welsh",
    "wo": "Wolof", "xh": "Xhosa", "yo": "Yoruba", "zu": "Zulu",
}

# Languages the language detector can name that neither table has
# (langdetect knows Albanian; Sinhala has a script of its own).
_DETECTOR_EXTRAS = {"sq": "Albanian", "si": "Sinhala"}

LANGUAGES: dict[str, str] = {**_ALMA_TABLE, **_FLORES_EXTRAS, **_DETECTOR_EXTRAS}

# X-ALMA routes a pair to the module of its non-English language.
XALMA_GROUPS: dict[int, tuple[str, ...]] = {
    1: ("da", "nl", "de", "is", "no", "sv", "af"),
    2: ("ca", "ro", "gl", "it", "pt", "es"),
    3: ("bg", "mk", "sr", "uk", "ru"),
    4: ("id", "ms", "th", "vi", "mg", "fr"),
    5: ("hu", "el", "cs", "pl", "lt", "lv"),
    6: ("ka", "zh", "ja", "ko", "fi", "et"),
    7: ("gu", "hi", "mr", "ne", "ur"),
    8: ("az", "kk", "ky", "tr", "uz", "ar", "he", "fa"),
}
_LANG_TO_GROUP = {lang: g for g, langs in XALMA_GROUPS.items() for lang in langs}

ALMA_LANGUAGES: tuple[str, ...] = ("en", "de", "cs", "is", "zh", "ru")
ALMA_R_LANGUAGES: tuple[str, ...] = ALMA_LANGUAGES + ("ja", "uk", "ha", "ro", "gu")
XALMA_LANGUAGES: tuple[str, ...] = ("en",) + tuple(_LANG_TO_GROUP)
ALMA_TABLE_LANGUAGES: tuple[str, ...] = tuple(_ALMA_TABLE)  # English + X-ALMA's 50
PARROT_TRAINED_LANGUAGES: tuple[str, ...] = ("en", "de", "ja", "zh")
# Flores-101 with the codes above (LLaMAX's ~100 languages).
LLAMAX_LANGUAGES: tuple[str, ...] = tuple(
    code for code in LANGUAGES
    if code not in _DETECTOR_EXTRAS and code != "mg"  # Malagasy is not in Flores-101
)

# ParroT's own names for its four languages (the same English names as ALMA).
_PARROT_NAMES = {"de": "German", "en": "English", "ja": "Japanese", "zh": "Chinese"}

_ALIASES = {
    "zh-cn": "zh", "zh-tw": "zh", "zh-hans": "zh", "zh-hant": "zh",
    "nb": "no", "nn": "no", "fil": "tl", "iw": "he", "in": "id",
}


def normalize_code(code: str) -> str:
    """Return the table code for ``code`` (case, ``_``, aliases such as ``zh-cn`` and BCP 47
    region or script subtags such as ``pt-BR`` handled).

    Raises ValueError naming the code when it is not a known language.
    """
    if not isinstance(code, str):
        raise ValueError(f"language code must be a string, got {code!r}")
    key = code.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key not in LANGUAGES and "-" in key:  # a BCP 47 tag: its language ("pt-BR" → "pt")
        key = _ALIASES.get(key.split("-")[0], key.split("-")[0])
    if key not in LANGUAGES:
        raise ValueError(f"unknown language code {code!r} (expected an ISO 639-1 code such as 'en' or 'zh')")
    return key


def language_name(code: str | None) -> str:
    """The English name of ``code`` for messages ("German"); the code itself when it is not
    one of ``LANGUAGES``, "?" for none. Never raises (``lang_name`` is for prompts)."""
    return LANGUAGES.get(code or "", code or "?")


def lang_name(code: str, parrot_names: bool = False) -> str:
    """English name used in prompts for ``code`` (with ``parrot_names``, ParroT's own names
    for de/en/ja/zh)."""
    key = normalize_code(code)
    if parrot_names and key in _PARROT_NAMES:
        return _PARROT_NAMES[key]
    return LANGUAGES[key]


def xalma_group(lang: str) -> int:
    """X-ALMA group (1..8) of a non-English language; ValueError for "en" or unknown codes."""
    key = normalize_code(lang)
    if key == "en":
        raise ValueError("English has no X-ALMA group: the group is chosen by the non-English side")
    if key not in _LANG_TO_GROUP:
        raise ValueError(f"language {lang!r} ({LANGUAGES[key]}) is not one of X-ALMA's 50 languages")
    return _LANG_TO_GROUP[key]
