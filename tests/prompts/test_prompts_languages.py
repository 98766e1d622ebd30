"""Language tables, X-ALMA groups, names and per-style language sets (REFERENCE.md section 1)."""

import pytest

import prompts
from prompts import (
    ALMA_R_LANGUAGES,
    HINT_LABELS,
    LANGUAGES,
    PARROT_HINTS,
    STYLES,
    XALMA_GROUPS,
    lang_name,
    style_languages,
    xalma_group,
)

# ALMA's LANG_TABLE as listed in REFERENCE.md (code -> name), typed by hand.
ALMA_TABLE = {
    "en": "English", "da": "Danish", "nl": "Dutch", "de": "German", "is": "Icelandic", "no": "Norwegian",
    "sv": "Swedish", "af": "Afrikaans", "ca": "Catalan", "ro": "Romanian", "gl": "Galician", "it": "Italian",
    "pt": "Portuguese", "es": "Spanish", "bg": "Bulgarian", "mk": "Macedonian", "sr": "Serbian",
    "uk": "Ukrainian", "ru": "Russian", "id": "Indonesian", "ms": "Malay", "th": "Thai", "vi": "Vietnamese",
    "mg": "Malagasy", "fr": "French", "hu": "Hungarian", "el": "Greek", "cs": "Czech", "pl": "Polish",
    "lt": "Lithuanian", "lv": "Latvian", "ka": "Georgian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "fi": "Finnish", "et": "Estonian", "gu": "Gujarati", "hi": "Hindi", "mr": "Marathi", "ne": "Nepali",
    "ur": "Urdu", "az": "Azerbaijani", "kk": "Kazakh", "ky": "Kyrgyz", "tr": "Turkish", "uz": "Uzbek",
    "ar": "Arabic", "he": "Hebrew", "fa": "Persian",
}
GROUPS = {
    1: "da nl de is no sv af", 2: "ca ro gl it pt es", 3: "bg mk sr uk ru", 4: "id ms th vi mg fr",
    5: "hu el cs pl lt lv", 6: "ka zh ja ko fi et", 7: "gu hi mr ne ur", 8: "az kk ky tr uz ar he fa",
}


def test_alma_table_names():
    assert len(ALMA_TABLE) == 50
    for code, name in ALMA_TABLE.items():
        assert LANGUAGES[code] == name


def test_flores_extras_present():
    for code, name in {"sw": "Swahili", "hr": "Croatian", "yo": "Yoruba", "be": "Belarusian", "ta": "Tamil"}.items():
        assert LANGUAGES[code] == name


def test_xalma_groups_match_reference():
    assert {g: set(langs) for g, langs in XALMA_GROUPS.items()} == {g: set(s.split()) for g, s in GROUPS.items()}
    for group, codes in GROUPS.items():
        for code in codes.split():
            assert xalma_group(code) == group
    assert xalma_group("ZH") == 6


@pytest.mark.parametrize("code, message", [("en", "English has no X-ALMA group"), ("xx", "unknown"), ("sw", "not one of")])
def test_xalma_group_errors(code, message):
    with pytest.raises(ValueError, match=message):
        xalma_group(code)


def test_lang_name():
    assert lang_name("is") == "Icelandic"
    assert lang_name("zh", parrot_names=True) == "Chinese"
    assert lang_name("de", parrot_names=True) == "German"
    assert lang_name("zh-tw") == "Chinese"
    with pytest.raises(ValueError, match="'qq'"):
        lang_name("qq")


def test_style_languages():
    assert style_languages("alma") == ("en", "de", "cs", "is", "zh", "ru")
    assert set(ALMA_R_LANGUAGES) == {"en", "de", "cs", "is", "zh", "ru", "ja", "uk", "ha", "ro", "gu"}
    assert set(style_languages("x-alma")) == set(ALMA_TABLE)
    assert set(style_languages("parrot")) == set(ALMA_TABLE)
    assert set(style_languages("chat")) == set(LANGUAGES)
    llamax = set(style_languages("llamax"))
    assert {"en", "zh", "sw", "yo", "ta", "is"} <= llamax and "mg" not in llamax
    with pytest.raises(ValueError):
        style_languages("gpt")


def test_hint_constants():
    assert STYLES == ("parrot", "alma", "x-alma", "llamax", "chat")
    assert PARROT_HINTS == (None, "no-errors", "minor-errors", "major-errors", "preferred")
    assert HINT_LABELS["no-errors"] == "no errors"
    assert HINT_LABELS["major-errors"] == "major errors"
    assert set(HINT_LABELS) == set(PARROT_HINTS)


def test_public_api_names():
    for name in ("build_prompt", "extract_translation", "detect_language", "LANGUAGES", "xalma_group",
                 "STYLES", "PARROT_HINTS", "HINT_LABELS", "style_languages", "ALMA_R_LANGUAGES", "XALMA_GROUPS",
                 "lang_name", "stop_strings", "build_chat_prompt", "split_segments", "Segmented", "Detection"):
        assert hasattr(prompts, name), name
