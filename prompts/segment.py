"""Split long input into sentence segments for batched translation, keeping the layout.

``split_segments(text)`` returns a :class:`Segmented`: ``.segments`` are the
pieces to translate; ``.join(translations)`` puts translated pieces back with
the original line breaks, blank lines and indentation. Sentences on one line
are re-joined with a space, or with nothing next to CJK text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words whose trailing period does not end a sentence (compared lower-cased, without the dot).
ABBREVIATIONS = frozenset(
    """
    e.g i.e cf vs viz approx ca mr mrs ms dr prof st jr sr inc ltd co corp dept
    fig vol ed eds jan feb mar apr jun jul aug sep sept oct nov dec mt ft
    z.b d.h u.a bzw usw vgl ggf evtl inkl hr fr dipl ing
    sra srta dña ud uds pág núm av avda mme mlle env
    т.е т.к т.д т.п др г гг им ул
    """.split()
)

_TERMINAL = r"[.!?…।؟۔]+"
_CLOSERS = "\"'”’»)]}」』）】"
# Latin-like boundary: terminal punctuation (+ closing quotes/brackets), whitespace,
# then something that is not a lower-case letter.
_LATIN_BOUNDARY = re.compile(_TERMINAL + f"[{re.escape(_CLOSERS)}]*" + r"(?=\s+(?!\s))")
# CJK boundary: full-width terminal punctuation (+ closers), no space needed.
_CJK_BOUNDARY = re.compile(r"[。！？｡]+" + f"[{re.escape(_CLOSERS)}]*")
_WORD_BEFORE = re.compile(r"(\S+)$")
_CJK_CHAR = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _is_abbreviation(sentence_so_far: str, rest: str) -> bool:
    """True when the period ending ``sentence_so_far`` belongs to an abbreviation or
    ordinal rather than ending a sentence; ``rest`` is the text after the space."""
    match = _WORD_BEFORE.search(sentence_so_far)
    if not match or not sentence_so_far.endswith("."):
        return False
    word = match.group(1).lstrip("(\"'“‘«[").rstrip(".").lower()
    if word in ABBREVIATIONS:
        return True
    if rest[:1].isdigit() and word.isalpha() and len(word) <= 3:  # "No. 5", "pp. 12"
        return True
    if len(word) == 1 and word.isalpha():  # initials: "J. Smith"
        return True
    if "." in word and all(len(p) <= 2 for p in word.split(".")):  # "u.s", "z.b"
        return True
    return word.isdigit() and len(word) <= 2  # German ordinals: "3. Oktober"


def split_sentences(line: str) -> list[str]:
    """Split one line (no newlines) into sentences; whitespace between them is dropped."""
    cuts = []
    for match in _CJK_BOUNDARY.finditer(line):
        cuts.append(match.end())
    for match in _LATIN_BOUNDARY.finditer(line):
        end = match.end()
        rest = line[end:].lstrip()
        strong = bool(set(match.group()) & set("!?؟"))
        if not rest or (rest[0].islower() and not strong):
            continue
        if not strong and _is_abbreviation(line[:end].rstrip(_CLOSERS), rest):
            continue
        cuts.append(end)
    pieces, start = [], 0
    for cut in sorted(set(cuts)):
        piece = line[start:cut].strip()
        if piece:
            pieces.append(piece)
            start = cut
    tail = line[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


SENTENCE_GAP = "\x00gap"  # layout marker: boundary between two sentences of one line


@dataclass(frozen=True)
class Segmented:
    """Segments to translate plus the layout needed to put translations back.

    ``layout`` holds verbatim whitespace strings (newlines, indentation),
    ``None`` for each segment slot, and ``SENTENCE_GAP`` between two sentences
    of one line.
    """

    segments: tuple[str, ...]
    layout: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.segments)

    def join(self, translations) -> str:
        """Rebuild the text with ``translations`` (one per segment, in order)."""
        translations = list(translations)
        if len(translations) != len(self.segments):
            raise ValueError(f"expected {len(self.segments)} translations, got {len(translations)}")
        out: list[str] = []
        index = 0
        pending_gap = False
        for item in self.layout:
            if item is None:
                piece = translations[index].strip()
                index += 1
                if pending_gap and out and piece:
                    prev = out[-1]
                    if not (_CJK_CHAR.search(prev[-1:]) or _CJK_CHAR.search(piece[:1])):
                        out.append(" ")
                pending_gap = False
                out.append(piece)
            elif item == SENTENCE_GAP:
                pending_gap = True
            else:
                out.append(item)
        return "".join(out)


def split_segments(text: str) -> Segmented:
    """Split ``text`` into sentence segments, remembering line breaks and blank lines."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    segments: list[str] = []
    layout: list[str | None] = []
    for part in re.split(r"(\s*\n\s*)", text):
        if not part:
            continue
        if not part.strip():  # whitespace containing newlines, or leading/trailing spaces
            layout.append(part)
            continue
        lead = part[: len(part) - len(part.lstrip())]
        trail = part[len(part.rstrip()):]
        if lead:
            layout.append(lead)
        for i, sentence in enumerate(split_sentences(part)):
            if i:
                layout.append(SENTENCE_GAP)
            segments.append(sentence)
            layout.append(None)
        if trail:
            layout.append(trail)
    return Segmented(tuple(segments), tuple(layout))
