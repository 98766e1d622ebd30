"""Plain text and Markdown: paragraphs and blocks as segments, markers, code and layout kept."""
import codecs
import re

from documents import open_document
from tests.documents.helpers import assert_round_trip, reread, shout

WRAPPED = ("This paragraph of prose has been wrapped at a fixed width by an editor,\n"
           "so every line is about as long as the others and the next word would not\n"
           "have fitted on the line before it.")
TEXT = f"Title\n\n{WRAPPED}\n\n    Dear Anna,\n    thank you.\n\n2024 — 12/31\n\n  Last words.  \n"


def test_plain_text_paragraphs_are_segments():
    document = open_document(TEXT.encode(), "letter.txt")
    assert [s.text for s in document.segments] == [
        "Title", " ".join(line.strip() for line in WRAPPED.split("\n")), "Dear Anna,\nthank you.",
        "Last words."]
    assert_round_trip(document)


def test_plain_text_translations_keep_blank_lines_indentation_and_width():
    document = open_document(TEXT.encode(), "letter.txt")
    longer = {s.id: s.text.upper() + " AND SOME MORE WORDS" for s in document.segments}
    out = document.write(longer).decode()
    blocks = out.split("\n\n")
    assert blocks[0] == "TITLE AND SOME MORE WORDS"
    wrapped = blocks[1].split("\n")
    width = max(len(line) for line in WRAPPED.split("\n"))
    assert len(wrapped) == 3 and all(len(line) <= width for line in wrapped)
    assert blocks[2] == "    DEAR ANNA,\n    THANK YOU. AND SOME MORE WORDS"
    assert blocks[3] == "2024 — 12/31"  # no letter: not a segment, untouched
    assert blocks[4] == "  LAST WORDS. AND SOME MORE WORDS  \n"
    assert [s.text for s in reread(document, out.encode()).segments] == list(longer.values())


def test_plain_text_keeps_line_ends_bom_and_legacy_encoding():
    crlf = codecs.BOM_UTF8 + "Über uns\r\n\r\nZweiter Absatz.\r\n".encode()
    document = open_document(crlf, "a.txt")
    assert [s.text for s in document.segments] == ["Über uns", "Zweiter Absatz."]
    assert document.write({"2": "Second paragraph."}) == \
        codecs.BOM_UTF8 + "Über uns\r\n\r\nSecond paragraph.\r\n".encode()
    legacy = open_document("Café crème\n".encode("cp1252"), "old.txt")
    assert legacy.segments[0].text == "Café crème"
    assert legacy.write({"1": "Déjà vu"}) == "Déjà vu\n".encode("cp1252")
    assert legacy.write({"1": "Кофе"}) == codecs.BOM_UTF8 + "Кофе\n".encode()  # cp1252 cannot hold it


MARKDOWN = """---
title: Guide
lang: en
---

# Getting started #

Install the tool with `pip install tool` and read [the manual](https://example.com/Manual "Docs")
or the ![diagram](img/Flow.png) first. See https://example.org/Path and <https://auto.link/X>.

Setup
=====

- First step with `code`
- Second step that continues
  on the next line
  1. Nested step
- [ ] Open task

> Quoted advice that spans
> two lines.
>
> - quoted item

```python
print("Hello")  # never translated
```

    indented code block
    also code

| Name | Value |
|:-----|------:|
| Apple `a|b` | 12 |
| Pear | tasty |

A line with a hard break  
and the rest.

<div class="note">
Raw HTML block stays.
</div>

[manual]: https://example.com/ref
Footnote reference[^1].

[^1]: The footnote text.

***
"""


def test_markdown_blocks_are_segments_with_their_kinds():
    document = open_document(MARKDOWN.encode(), "guide.md")
    got = [(s.kind, s.text) for s in document.segments]
    assert got[:4] == [
        ("heading", "Getting started"),
        ("paragraph", "Install the tool with `pip install tool` and read [the manual]"
                      "(https://example.com/Manual \"Docs\") or the ![diagram](img/Flow.png) first. "
                      "See https://example.org/Path and <https://auto.link/X>."),
        ("heading", "Setup"),
        ("list-item", "First step with `code`")]
    assert ("list-item", "Second step that continues on the next line") in got
    assert ("list-item", "Nested step") in got and ("list-item", "Open task") in got
    assert ("quote", "Quoted advice that spans two lines.") in got and ("list-item", "quoted item") in got
    assert [t for k, t in got if k == "cell"] == ["Name", "Value", "Apple `a|b`", "Pear", "tasty"]
    assert ("paragraph", "A line with a hard break\nand the rest.") in got
    assert ("footnote", "The footnote text.") in got
    texts = " ".join(t for _, t in got)
    assert "never translated" not in texts and "indented code" not in texts
    assert "Raw HTML" not in texts and "title: Guide" not in texts
    assert_round_trip(document)


def test_markdown_translation_keeps_markers_code_and_link_targets():
    document = open_document(MARKDOWN.encode(), "guide.md")
    out = document.write(shout(document)).decode()
    lines = out.split("\n")
    source = MARKDOWN.split("\n")
    for keep in ("---", "title: Guide", "```python", 'print("Hello")  # never translated',
                 "    indented code block", "|:-----|------:|", "=====", "<div class=\"note\">",
                 "Raw HTML block stays.", "[manual]: https://example.com/ref", "***"):
        assert lines.count(keep) == source.count(keep), keep
    assert "# GETTING STARTED #" in lines
    assert "`pip install tool`" in out and "](https://example.com/Manual \"Docs\")" in out
    assert "![DIAGRAM](img/Flow.png)" in out and "https://example.org/Path" in out
    assert "<https://auto.link/X>" in out
    assert "- FIRST STEP WITH `code`" in lines and "  1. NESTED STEP" in lines
    assert "- [ ] OPEN TASK" in lines and "> - QUOTED ITEM" in lines
    assert "> QUOTED ADVICE THAT SPANS" in lines and "> TWO LINES." in lines
    assert "| APPLE `a|b` | 12 |" in lines and "| PEAR | TASTY |" in lines
    assert "A LINE WITH A HARD BREAK  " in lines and "AND THE REST." in lines
    assert "FOOTNOTE REFERENCE[^1]." in lines and "[^1]: THE FOOTNOTE TEXT." in lines
    assert len(lines) == len(source)
    assert [s.kind for s in reread(document, out.encode()).segments] == [s.kind for s in document.segments]


def test_markdown_refills_a_paragraph_without_starting_a_block():
    source = ("Some text that was wrapped by hand so that it spans\n"
              "more than a single line of the file.\n")
    document = open_document(source.encode(), "a.md")
    width = max(len(line) for line in source.split("\n"))
    translation = ("Ein viel längerer Text, der über mehrere Zeilen umbrochen werden muss " * 3
                   + "- 2024. # > wort").strip()
    out = document.write({"1": translation}).decode()
    lines = out.rstrip("\n").split("\n")
    assert len(lines) > 2
    assert all(len(line) <= width for line in lines[:-1]), lines
    assert not any(re.match(r"(?:[-+*>#]|\d+\.)(?:\s|$)", line) for line in lines[1:])
    assert " ".join(lines) == translation
    single = open_document(b"# One line heading\n\nOne line.\n", "b.md")
    assert single.write({"1": "Eine\nZeile", "2": "Zwei\nZeilen"}) == b"# Eine Zeile\n\nZwei Zeilen\n"


def test_markdown_cells_escape_pipes_and_letterless_blocks_are_not_segments():
    document = open_document(b"| a | b |\n|---|---|\n| x | 42 |\n\n2024\n", "t.md")
    assert [s.text for s in document.segments] == ["a", "b", "x"]
    assert document.write({"3": "x | y"}) == b"| a | b |\n|---|---|\n| x \\| y | 42 |\n\n2024\n"
