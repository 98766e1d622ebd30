"""Pure-Python source of truth for prompts: the style registry (styles.py), the families'
layouts (layouts.py), prompt building (templates.py), language tables (languages.py), output
cleaning (extract.py), segmentation (segment.py) and language detection (langid/).

Imports no other package of the project, and neither torch, transformers nor gradio.
"""

from prompts.langid.detect import Detection, detect_language
from prompts.extract import END_MARKERS, extract_chat_reply, extract_translation
from prompts.languages import (
    ALMA_LANGUAGES,
    ALMA_R_LANGUAGES,
    LANGUAGES,
    LLAMAX_LANGUAGES,
    XALMA_GROUPS,
    XALMA_LANGUAGES,
    lang_name,
    language_name,
    normalize_code,
    xalma_group,
)
from prompts.layouts import HINT_LABELS, PARROT_HINTS
from prompts.segment import Segmented, split_segments
from prompts.styles import STYLE_NAMES, Style, get_style, style_languages
from prompts.templates import (
    STYLES,
    build_chat_prompt,
    build_prompt,
    stop_strings,
)

__all__ = [
    "ALMA_LANGUAGES", "ALMA_R_LANGUAGES", "Detection", "END_MARKERS", "HINT_LABELS", "LANGUAGES",
    "LLAMAX_LANGUAGES", "PARROT_HINTS", "STYLES", "Segmented", "XALMA_GROUPS", "XALMA_LANGUAGES",
    "STYLE_NAMES", "Style", "build_chat_prompt", "build_prompt", "detect_language", "extract_chat_reply",
    "extract_translation", "get_style", "lang_name", "language_name",
    "normalize_code", "split_segments", "stop_strings", "style_languages", "xalma_group",
]
