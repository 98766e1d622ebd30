"""Where a chat completion's languages are named, as pure functions: a system message ("Translate
into German", "Target language: French", "… to zh-Hans"), or a leading instruction of the user
message ("Translate to French: Good night.", "Translate from German into English:\\n…", "to
pt-BR: …"), which is then not part of the text to translate. Names (one or two words, e.g.
"Simplified Chinese", "Portuguese (Brazil)") and codes with script or region subtags (zh-Hans,
zh-Hant, pt-BR: their language, `normalize_code`) are accepted."""
from __future__ import annotations

import re
from typing import NamedTuple

from prompts import LANGUAGES, normalize_code

_NAMES = {name.lower(): code for code, name in LANGUAGES.items()}
_NAMES.update({"farsi": "fa", "mandarin": "zh", "filipino": "tl", "bokmål": "no", "nynorsk": "no"})
_CODE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*", re.I)
_WORDS = r"\s+([A-Za-z][A-Za-z-]*(?:\s+[A-Za-z][A-Za-z-]*)?)"
_INTO = (re.compile(r"\b(?:into|to)" + _WORDS, re.I), re.compile(r"\bin" + _WORDS, re.I),
         re.compile(r"\b(?:target(?:\s+language)?|language)\s*[:=]" + _WORDS.replace(r"\s+", r"\s*", 1), re.I))
_CODE_AFTER = re.compile(r"\b(?:into|to|target(?:\s+language)?\s*[:=])\s*(" + _CODE.pattern
                         + r")\s*(?:[.,;:!)]|$)", re.I)
# Codes that are also English words: a leading "to be: …" without "translate" is text, not an instruction.
_WORD_CODES = frozenset({"am", "as", "be", "ha", "he", "hi", "id", "is", "it", "lo", "my", "no",
                         "or", "pa", "so"})
_LEAD = re.compile(
    r"\s*(?:please\s*,?\s+)?"
    r"(?:(?P<verb>translate)(?:\s+(?:this|that|it|the\s+following|the|following)"
    r"(?:\s+(?:text|sentence|sentences|message|paragraph|passage))?)?\s+)?"
    r"(?:from\s+(?P<src>[^:：\n]{1,40}?)\s+)?(?:into|to|in(?=\s)(?(verb)|(?!)))\s+"
    r"(?P<tgt>[^:：\n]{1,40}?)\s*(?:[:：]|\n|(?(verb)(?P<dot>[.]\s)|(?!)))", re.I)


class Instruction(NamedTuple):
    """A leading instruction of a user message: the target, the source it names (or None)
    and the text after it."""

    tgt: str
    src: str | None
    text: str


def language_of(phrase: str) -> str | None:
    """The table code a language's name ("German", "Simplified Chinese", "Portuguese
    (Brazil)", "the French language") or code ("de", "zh-Hans", "pt_BR") stands for; None
    for anything else."""
    text = re.sub(r"\s+", " ", (phrase or "").strip().strip("\"'“”‘’«»`*").strip()).lower()
    text = re.sub(r"^the ", "", re.sub(r" language$", "", text))
    bare = re.sub(r"\s*\([^)]*\)", "", text).strip()
    for candidate in (text, bare):
        if candidate in _NAMES:
            return _NAMES[candidate]
        if _CODE.fullmatch(candidate):
            try:
                return normalize_code(candidate)
            except ValueError:
                pass
    words = bare.split()
    if len(words) == 2 and words[1] in _NAMES:  # "Simplified Chinese", "Brazilian Portuguese"
        return _NAMES[words[1]]
    return None


def target_from_system(text: str) -> str | None:
    """The language a system message asks for ("Translate into German", "Target language:
    German", "… to de", "… to zh-Hans"): a language's name after into/to/in/"target language:"
    anywhere in the text wins; a bare code counts only at the end of a phrase ("to de.", not
    "to be fluent"), in a message that speaks of translating or a target unless it has a
    subtag ("to zh-Hans")."""
    text = text or ""
    matches = [m for pattern in _INTO for m in pattern.finditer(text)]  # "into" before "in"
    for match in matches:
        words = match.group(1).split()
        for start, n in ((0, 2), (0, 1), (1, 1)):  # "German", "Northern Sotho", "Simplified Chinese"
            phrase = " ".join(words[start:start + n]).lower()
            if phrase in _NAMES:
                return _NAMES[phrase]
    asked = "translat" in text.lower() or "target" in text.lower()
    for match in _CODE_AFTER.finditer(text):
        code = language_of(match.group(1))
        if code is not None and (asked or "-" in match.group(1) or "_" in match.group(1)):
            return code
    return None


def leading_instruction(text: str) -> Instruction | None:
    """The instruction a user message starts with, ended by a colon or a new line (or a full
    stop after "translate"): "Translate to French: …", "Please translate the following into
    German:\\n…", "Translate from German to English. …", "to zh-Hans: …", "into Spanish: …".
    None when the message starts otherwise or names no known language (then it is all text)."""
    match = _LEAD.match(text or "")
    if match is None:
        return None
    tgt = language_of(match["tgt"])
    src = language_of(match["src"]) if match["src"] else None
    if tgt is None or (match["src"] and src is None):
        return None
    word = match["tgt"].strip().lower()
    if (not match["verb"] and word in _WORD_CODES) or (match["dot"] and word not in _NAMES):
        return None  # "To be: …", "Translate to Mr. Smith: …" are text
    return Instruction(tgt, src, text[match.end():].strip())
