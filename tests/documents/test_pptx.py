"""PowerPoint: shapes, groups, tables and notes; levels, line breaks and fields kept."""
import io

import pptx
import pytest
from lxml import etree
from pptx.util import Inches

from documents import open_document
from tests.documents.helpers import assert_round_trip, reread, shout

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def build() -> bytes:
    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Quarterly results"
    body = slide.placeholders[1].text_frame
    body.text = "Revenue grew"
    p = body.add_paragraph()
    p.level = 1
    for text, bold in (("Costs fell by ", None), ("ten", True), (" percent", None)):
        run = p.add_run()
        run.text, run.font.bold = text, bold
    slide.notes_slide.notes_text_frame.text = "Speaker notes here"
    second = prs.slides.add_slide(prs.slide_layouts[6])
    group = second.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1)).text_frame.text = "Inside a group"
    table = second.shapes.add_table(2, 2, Inches(1), Inches(3), Inches(4), Inches(1)).table
    table.cell(0, 0).text, table.cell(1, 1).text = "Header cell", "2024"
    box = second.shapes.add_textbox(Inches(5), Inches(1), Inches(3), Inches(1)).text_frame
    box.text = "First line\vSecond line"
    footer = second.shapes.add_textbox(Inches(5), Inches(5), Inches(3), Inches(1)).text_frame
    footer.text = "Slide "
    footer.paragraphs[0]._p.append(etree.fromstring(
        f'<a:fld xmlns:a="{A[1:-1]}" id="{{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}}" type="slidenum">'
        '<a:t>2</a:t></a:fld>'))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def source() -> bytes:
    return build()


def test_segments_cover_shapes_groups_tables_and_notes(source):
    document = open_document(source, "deck.pptx")
    assert [(s.kind, s.text) for s in document.segments] == [
        ("title", "Quarterly results"), ("paragraph", "Revenue grew"),
        ("paragraph", "Costs fell by ten percent"), ("notes", "Speaker notes here"),
        ("paragraph", "Inside a group"), ("cell", "Header cell"),
        ("paragraph", "First line\nSecond line"), ("paragraph", "Slide")]
    assert document.segments[0].context == "slide 1, Title 1"
    assert_round_trip(document)


def _shape_facts(data: bytes) -> list:
    prs = pptx.Presentation(io.BytesIO(data))
    facts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            facts.append((shape.shape_type, shape.name, shape.left, shape.top, shape.width))
            if shape.has_text_frame:
                facts.append([p.level for p in shape.text_frame.paragraphs])
    return facts


def test_translations_go_in_place_and_keep_structure(source):
    document = open_document(source, "deck.pptx")
    out = document.write(shout(document))
    assert _shape_facts(out) == _shape_facts(source)
    assert [s.text for s in reread(document, out).segments] == [s.text.upper() for s in document.segments]
    prs = pptx.Presentation(io.BytesIO(out))
    first, second = prs.slides[0], prs.slides[1]
    costs = first.placeholders[1].text_frame.paragraphs[1]
    assert costs.level == 1
    assert [(r.text, r.font.bold) for r in costs.runs] == [("COSTS FELL BY TEN PERCENT", None), ("", True), ("", None)]
    assert first.notes_slide.notes_text_frame.text == "SPEAKER NOTES HERE"
    table = next(s for s in second.shapes if s.has_table).table
    assert table.cell(0, 0).text == "HEADER CELL" and table.cell(1, 1).text == "2024"
    slide_number = second.shapes[-1].text_frame.paragraphs[0]._p
    fld = slide_number.find(A + "fld")
    assert fld is not None and fld.get("type") == "slidenum" and fld.find(A + "t").text == "2"


def test_line_breaks_become_breaks_in_the_dominant_format(source):
    document = open_document(source, "deck.pptx")
    out = document.write({"7": "Erste Zeile\nZweite Zeile\nDritte", "3": "Die Kosten sanken."})
    prs = pptx.Presentation(io.BytesIO(out))
    box = prs.slides[1].shapes[2].text_frame.paragraphs[0]
    assert len(box._p.findall(A + "br")) == 2
    assert [r.text for r in box.runs if r.text] == ["Erste Zeile", "Zweite Zeile", "Dritte"]
    assert reread(document, out).segments[6].text == "Erste Zeile\nZweite Zeile\nDritte"
    assert reread(document, out).segments[2].text == "Die Kosten sanken."
