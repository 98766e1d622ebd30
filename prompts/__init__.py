"""Pure-Python source of truth for prompts, language tables, hints, output cleaning,
segmentation and language detection. Imports neither torch, transformers nor gradio.
"""

from .detect import Detection, detect_language
from .extract import END_MARKERS, extract_translation
from .languages import (
    ALMA_LANGUAGES,
    ALMA_R_LANGUAGES,
    LANGUAGES,
    LLAMAX_LANGUAGES,
    XALMA_GROUPS,
    XALMA_LANGUAGES,
    lang_name,
    normalize_code,
    style_languages,
    xalma_group,
)
from .segment import Segmented, split_segments
from .templates import (
    HINT_LABELS,
    PARROT_HINTS,
    STYLES,
    build_chat_prompt,
    build_prompt,
    stop_strings,
)

__all__ = [
    "ALMA_LANGUAGES", "ALMA_R_LANGUAGES", "Detection", "END_MARKERS", "HINT_LABELS", "LANGUAGES",
    "LLAMAX_LANGUAGES", "PARROT_HINTS", "STYLES", "Segmented", "XALMA_GROUPS", "XALMA_LANGUAGES",
    "build_chat_prompt", "build_prompt", "detect_language", "extract_translation", "lang_name",
    "normalize_code", "split_segments", "stop_strings", "style_languages", "xalma_group",
]
