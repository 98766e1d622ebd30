"""Subtitles: SubRip (.srt, the `srt` library) and WebVTT (.vtt, `webvtt-py`). Each cue's text
is a segment, its lines joined with a space; indices, identifiers, timestamps, cue settings,
SRT coordinates and every other block (WebVTT header, NOTE, STYLE, REGION) are kept.

The translation is wrapped again to the file's own line length (its longest text line) in at
most two lines (or as many as the cue had), balanced, longer lines only when it does not fit
otherwise. Tags around a cue's text or around each line (``<i>…</i>``, ``{\\an8}``, ``<v Bob>``)
are taken off the segment and put back; tags inside the text stay in it. A dialogue cue (every
line starting with a dash) keeps one line per speaker: its segment has them on separate lines.
Cues without a letter (``♪``) are not segments. WebVTT text is unescaped for the segment and
escaped again (``&amp;``, ``&lt;``) unless it holds tags."""
from __future__ import annotations

import html
import math
import re

from documents.base import (Document, DocumentError, Segment, Slot, TextDocument, decode_text,
                            has_letters, wrap)

_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_OPENING = re.compile(r"^(?:<[^/>][^>]*>|\{\\[^}]*\})*")
_CLOSING = re.compile(r"(?:</[^>]+>)*$")
_DASH = re.compile(r"^\s*[-–—]")
MAX_LINES = 2


def visible(line: str) -> int:
    """A line's length on screen (without tags)."""
    return len(_TAG.sub("", line))


def balanced(text: str, width: int, most: int) -> list[str]:
    """``text`` in as few lines of ``width`` as it needs, at most ``most``, evenly filled; wider
    lines only when ``most`` lines of ``width`` cannot hold it."""
    if visible(text) <= width:
        return [text]
    if " " not in text.strip():  # no spaces (CJK): equal pieces
        count = min(most, math.ceil(len(text) / width))
        size = math.ceil(len(text) / count)
        return [text[i:i + size] for i in range(0, len(text), size)]
    count = min(len(wrap(text, width)), most)
    for size in range(max(1, len(text) // count), len(text) + 1):
        lines = wrap(text, size)
        if len(lines) <= count:
            return lines
    return [text]


class Cue:
    """A cue's text lines: the segment text and how a translation is laid out like them."""

    def __init__(self, lines: list[str], escaped: bool):
        leads = [_OPENING.match(line).group() for line in lines]
        trails = [_CLOSING.search(line).group() for line in lines]
        self.each = len(lines) > 1 and len(set(leads)) == 1 and len(set(trails)) == 1 and \
            bool(leads[0] or trails[0])
        self.lead, self.trail = leads[0], trails[0 if self.each else -1]
        if self.each:
            inner = [line[len(self.lead):len(line) - len(self.trail)] for line in lines]
        else:
            inner = [lines[0][len(self.lead):]] + lines[1:]
            inner[-1] = inner[-1][:len(inner[-1]) - len(self.trail)]
        inner = [line.strip() for line in inner if line.strip()]
        self.dialogue = len(inner) > 1 and all(_DASH.match(line) for line in inner)
        self.lines = max(len(inner), 1)
        self.escaped = escaped and not any(_TAG.search(line) for line in inner)
        text = ("\n" if self.dialogue else " ").join(inner)
        self.text = html.unescape(text) if self.escaped else text

    def layout(self, translation: str, width: int) -> list[str]:
        """A translation as the cue's lines."""
        if self.escaped:
            translation = html.escape(translation, quote=False)
        if self.dialogue and "\n" in translation:
            lines = [line.strip() for line in translation.split("\n") if line.strip()]
        else:
            lines = balanced(" ".join(translation.split()), width, max(MAX_LINES, self.lines))
        if self.each:
            return [self.lead + line + self.trail for line in lines]
        lines[0] = self.lead + lines[0]
        lines[-1] += self.trail
        return lines


def _width(cue_lines: list[list[str]]) -> int:
    return max([visible(line) for lines in cue_lines for line in lines] + [1])


def _segment(key: str, cue: Cue, context: str) -> Segment | None:
    return Segment(key, cue.text, "cue", context) if has_letters(_TAG.sub("", cue.text)) else None


class SrtDocument(Document):
    """A SubRip file, cue by cue."""

    description = "SubRip subtitles"

    def _read(self, data: bytes) -> list[Segment]:
        import srt

        self._file = decode_text(data, self.description)
        text = self._file.text
        try:
            self._subs = list(srt.parse(text))
        except srt.SRTParseError as error:
            line = text.count("\n", 0, error.expected_start) + 1
            raise DocumentError(f"this is not a valid SubRip (.srt) file: line {line} is not part of a "
                                "cue (a number, a '00:00:01,000 --> 00:00:02,000' line, then text)") from None
        if not self._subs:
            raise DocumentError("no subtitles were found in it")
        self._cues = [Cue(sub.content.split("\n"), escaped=False) for sub in self._subs]
        self._wide = _width([sub.content.split("\n") for sub in self._subs])
        self._end = text[len(text.rstrip("\n")):]
        segments = []
        for n, (sub, cue) in enumerate(zip(self._subs, self._cues), 1):
            stamp = f"{sub.index}: {srt.timedelta_to_srt_timestamp(sub.start)} --> " \
                    f"{srt.timedelta_to_srt_timestamp(sub.end)}"
            segment = _segment(str(n), cue, stamp)
            if segment:
                segments.append(segment)
        return segments

    def _write(self, chosen: dict[str, str], target_lang: str | None) -> bytes:
        import srt

        subs = []
        for n, (sub, cue) in enumerate(zip(self._subs, self._cues), 1):
            content = sub.content
            if str(n) in chosen:
                content = "\n".join(cue.layout(chosen[str(n)], self._wide))
            subs.append(srt.Subtitle(sub.index, sub.start, sub.end, content, sub.proprietary))
        text = srt.compose(subs, reindex=False, strict=False).rstrip("\n") + self._end
        return self._file.encode(text)


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line numbers of each block, split as WebVTT splits them (an empty line, or
    a timing line that cannot belong to the block before)."""
    blocks, start = [], None
    for n, line in enumerate(lines):
        if start is not None and (not line or "-->" in line and (
                not blocks or n - start > 1 or "-->" in lines[start])):
            blocks.append((start, n))
            start = None
        if line and start is None:
            start = n
    if start is not None:
        blocks.append((start, len(lines)))
    return blocks


class VttDocument(TextDocument):
    """A WebVTT file, cue by cue; everything but the cues' text is kept byte for byte."""

    description = "WebVTT subtitles"

    def _parse(self, text: str) -> list:
        import webvtt
        from webvtt.vtt import WebVTTCueBlock

        try:
            captions = webvtt.WebVTT.from_string(text).captions
        except webvtt.errors.MalformedFileError:
            raise DocumentError("this is not a WebVTT file: it must start with 'WEBVTT'") from None
        lines = text.split("\n")
        cues = []
        for first, end in _blocks(lines)[1:]:
            block = lines[first:end]
            timing = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
            if timing is None or block[0].startswith(("NOTE", "STYLE", "REGION")):
                continue
            if not WebVTTCueBlock.is_valid(block):
                raise DocumentError(f"line {first + timing + 1} is not a valid cue timing: "
                                    f"'{block[timing]}' (expected '00:00:01.000 --> 00:00:02.000')")
            cues.append((first + timing + 1, end))
        if not cues:
            raise DocumentError("no cues were found in it")
        if len(cues) != len(captions):
            raise DocumentError("its cues could not be told apart; is a blank line missing?")
        width = _width([lines[a:b] for a, b in cues])
        parts, at = [], 0
        for n, ((first, end), caption) in enumerate(zip(cues, captions), 1):
            cue = Cue(lines[first:end], escaped=True) if end > first else None
            ident = f"{caption.identifier}: " if caption.identifier else ""
            segment = cue and _segment(str(n), cue, f"{ident}{caption.start} --> {caption.end}")
            if not segment:
                continue
            parts.append(("\n" if at else "") + "\n".join(lines[at:first]) + "\n")
            parts.append(Slot(segment, "\n".join(lines[first:end]),
                              lambda t, cue=cue: "\n".join(cue.layout(t, width))))
            at = end
        parts.append(("\n" + "\n".join(lines[at:]) if at < len(lines) else "") if at else text)
        return parts

