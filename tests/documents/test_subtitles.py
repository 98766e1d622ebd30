"""SubRip and WebVTT: one segment per cue; timing, indices, settings and blocks kept; the
translation wrapped to the file's line length."""
import datetime

import srt
import webvtt

from documents import open_document
from documents.subtitles import balanced
from tests.documents.helpers import assert_round_trip, reread, shout


def _srt_file() -> bytes:
    cues = [srt.Subtitle(1, datetime.timedelta(seconds=1), datetime.timedelta(seconds=4),
                         "Hello there,\nmy old friend."),
            srt.Subtitle(2, datetime.timedelta(seconds=5), datetime.timedelta(seconds=6, milliseconds=500),
                         "<i>Where are you going\nso late at night?</i>", "X1:100 X2:600"),
            srt.Subtitle(7, datetime.timedelta(minutes=1), datetime.timedelta(minutes=1, seconds=2), "♪ ♪"),
            srt.Subtitle(8, datetime.timedelta(minutes=2), datetime.timedelta(minutes=2, seconds=3),
                         "- Are you coming?\n- Yes.")]
    return srt.compose(cues, reindex=False, eol="\r\n").encode()


def test_srt_cues_are_segments():
    document = open_document(_srt_file(), "film.srt")
    assert [s.text for s in document.segments] == [
        "Hello there, my old friend.", "Where are you going so late at night?", "- Are you coming?\n- Yes."]
    assert document.segments[0].context == "1: 00:00:01,000 --> 00:00:04,000"
    assert_round_trip(document)


def test_srt_translation_keeps_timing_and_fits_the_line_length():
    source = _srt_file()
    document = open_document(source, "film.srt")
    out = document.write({"1": "Hallo da, mein alter Freund, wie geht es dir heute Abend?",
                          "2": "Wohin gehst du so spät in der Nacht?", "4": "- Kommst du?\n- Ja."})
    assert b"\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")
    before, after = list(srt.parse(source.decode())), list(srt.parse(out.decode()))
    assert [(c.index, c.start, c.end, c.proprietary) for c in after] == \
        [(c.index, c.start, c.end, c.proprietary) for c in before]
    width = max(len(line) for line in "Hello there,\nmy old friend.\nso late at night?".split("\n"))
    first = after[0].content.split("\n")
    assert len(first) == 2 and all(len(line) <= width + 12 for line in first)
    assert " ".join(first) == "Hallo da, mein alter Freund, wie geht es dir heute Abend?"
    assert after[1].content.startswith("<i>") and after[1].content.endswith("</i>")
    assert after[2].content == "♪ ♪"
    assert after[3].content == "- Kommst du?\n- Ja."
    assert [s.text for s in reread(document, out).segments][1] == "Wohin gehst du so spät in der Nacht?"


def test_balanced_lines_fill_evenly_and_widen_only_when_needed():
    assert balanced("Short line", 20, 2) == ["Short line"]
    assert balanced("one two three four five six", 20, 2) == ["one two three", "four five six"]
    lines = balanced("a much longer sentence than two lines of ten could hold", 10, 2)
    assert len(lines) == 2 and " ".join(lines) == "a much longer sentence than two lines of ten could hold"
    assert balanced("日本語の字幕はとても長いです", 8, 2) == ["日本語の字幕は", "とても長いです"]


VTT = """WEBVTT - Film title
Kind: captions
Language: en

STYLE
::cue { color: yellow }

NOTE Written by hand,
checked twice.

intro
00:00:01.000 --> 00:00:04.000 position:10% align:start line:0
Hello there,
my <i>dear</i> friend.

00:00:05.000 --> 00:00:06.500
<v Bob>Tom &amp; Jerry are here

00:01:07.000 --> 00:01:08.000
{\\an8}♪ ♪

NOTE the end
"""


def test_vtt_cues_are_segments_and_everything_else_is_kept():
    document = open_document(VTT.encode(), "film.vtt")
    assert [s.text for s in document.segments] == ["Hello there, my <i>dear</i> friend.",
                                                   "Tom & Jerry are here"]
    assert document.segments[0].context == "intro: 00:00:01.000 --> 00:00:04.000"
    assert_round_trip(document)
    out = document.write(shout(document)).decode()
    before, after = webvtt.from_string(VTT), webvtt.from_string(out)
    assert [(c.identifier, str(c.start), str(c.end), str(c.settings)) for c in after] == \
        [(c.identifier, str(c.start), str(c.end), str(c.settings)) for c in before]
    assert after.captions[1].raw_text == "<v Bob>TOM &amp; JERRY ARE HERE"
    assert out.split("intro")[0] == VTT.split("intro")[0]  # header, STYLE and NOTE byte for byte
    assert out.endswith("{\\an8}♪ ♪\n\nNOTE the end\n")
    assert [s.text for s in reread(document, out.encode()).segments] == \
        ["HELLO THERE, MY <i>DEAR</i> FRIEND.", "TOM & JERRY ARE HERE"]


def test_vtt_translation_is_escaped_and_wrapped():
    document = open_document(VTT.encode(), "film.vtt")
    out = document.write({"2": "Tom & Jerry sind hier, und sie bleiben die ganze Nacht lang"}).decode()
    cue = webvtt.from_string(out).captions[1]
    assert cue.lines == ["<v Bob>Tom &amp; Jerry sind hier, und", "sie bleiben die ganze Nacht lang"]
