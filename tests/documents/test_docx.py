"""Word documents: paragraphs, cells, headers, footers and footnotes; styles and non-text kept;
the run policy for a bold word inside a sentence."""
import io
import struct
import zlib

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from documents import open_document
from tests.documents.helpers import assert_round_trip, reread, shout


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def _footnotes(document) -> None:
    xml = (f'<w:footnotes {nsdecls("w")}><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
           '<w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r>'
           '<w:t xml:space="preserve"> A footnote explains it.</w:t></w:r></w:p></w:footnote></w:footnotes>')
    part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(xml), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def build() -> bytes:
    d = docx.Document()
    d.core_properties.language = "en-US"
    d.add_heading("Annual report", level=1)
    p = d.add_paragraph("This sentence has one ", style="Intense Quote")
    p.add_run("bold").bold = True
    p.add_run(" word in it.")
    d.add_paragraph().add_run("All of this is italic.").italic = True
    d.add_paragraph("12.5 % — 2024")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Name", "Value"
    table.cell(1, 0).text, table.cell(1, 1).text = "Apples", "42"
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "Nested cell"
    d.add_paragraph("First item", style="List Bullet")
    p = d.add_paragraph("Before the picture ")
    p.add_run().add_picture(io.BytesIO(_png()))
    p.add_run("and after it.")
    p = d.add_paragraph("Line one")
    p.runs[0].add_break()
    p.runs[0].add_text("line two\twith a tab")
    d.add_page_break()
    section = d.sections[0]
    section.header.paragraphs[0].text = "Company confidential"
    footer = section.footer.paragraphs[0]
    footer.text = "Page "
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>3</w:t></w:r>'
                               "</w:fldSimple>"))
    footer.add_run(" of the report")
    _footnotes(d)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def source() -> bytes:
    return build()


def test_segments_cover_body_tables_headers_footers_and_footnotes(source):
    document = open_document(source, "report.docx")
    assert document.source_lang == "en-US"
    assert [(s.kind, s.text) for s in document.segments] == [
        ("heading", "Annual report"), ("paragraph", "This sentence has one bold word in it."),
        ("paragraph", "All of this is italic."), ("cell", "Name"), ("cell", "Value"),
        ("cell", "Apples"), ("cell", "Nested cell"), ("list-item", "First item"),
        ("paragraph", "Before the picture and after it."),
        ("paragraph", "Line one\nline two\twith a tab"), ("header", "Company confidential"),
        ("footer", "Page"), ("footer", "of the report"), ("footnote", "A footnote explains it.")]
    assert document.segments[0].context == "Heading 1"
    assert_round_trip(document)


def _paragraphs(data: bytes) -> list:
    d = docx.Document(io.BytesIO(data))
    return [(p.style.name, p.paragraph_format.alignment) for p in d.paragraphs]


def test_translations_go_in_place_and_keep_structure(source):
    document = open_document(source, "report.docx")
    out = document.write(shout(document))
    assert _paragraphs(out) == _paragraphs(source)
    again = reread(document, out)
    assert [s.text for s in again.segments] == [s.text.upper() for s in document.segments]
    d = docx.Document(io.BytesIO(out))
    cell = d.tables[0].cell(1, 1)
    assert cell.paragraphs[0].text == "42" and cell.tables[0].cell(0, 0).text == "NESTED CELL"
    assert len(d.tables[0].rows) == 2 and len(d.tables[0].columns) == 2
    assert d.inline_shapes[0].type is not None  # the picture is still there
    picture_paragraph = d.paragraphs[5]
    assert picture_paragraph._p.xpath(".//pic:pic") and picture_paragraph.text == \
        "BEFORE THE PICTURE AND AFTER IT."
    assert any(br.get(qn("w:type")) == "page" for br in d.element.body.iter(qn("w:br")))
    footer = d.sections[0].footer.paragraphs[0]
    assert footer._p.find(qn("w:fldSimple")).get(qn("w:instr")) == "PAGE"
    assert [t.text for t in footer._p.iter(qn("w:t"))] == ["PAGE ", "3", " OF THE REPORT"]


def test_a_bold_word_inside_a_sentence_follows_the_dominant_run(source):
    document = open_document(source, "report.docx")
    out = document.write({"2": "Dieser Satz hat ein fettes Wort.", "3": "Alles kursiv."})
    d = docx.Document(io.BytesIO(out))
    sentence = d.paragraphs[1]
    assert sentence.style.name == "Intense Quote"
    assert [(r.text, r.bold) for r in sentence.runs] == [
        ("Dieser Satz hat ein fettes Wort.", None), ("", True), ("", None)]
    assert [(r.text, r.italic) for r in d.paragraphs[2].runs] == [("Alles kursiv.", True)]
    untouched = [s.text for s in reread(document, out).segments[3:]]
    assert untouched == [s.text for s in document.segments[3:]]


def test_line_breaks_tabs_and_whitespace_are_written_as_word_elements(source):
    document = open_document(source, "report.docx")
    out = document.write({"10": "Zeile eins\nZeile zwei\tmit Tab", "14": "Eine Fußnote."})
    d = docx.Document(io.BytesIO(out))
    paragraph = d.paragraphs[6]
    assert paragraph.text == "Zeile eins\nZeile zwei\tmit Tab"
    assert len(paragraph._p.findall(f".//{qn('w:br')}")) == 1
    assert reread(document, out).segments[-1].text == "Eine Fußnote."
    notes = next(p for p in d.part.package.iter_parts() if p.content_type == CT.WML_FOOTNOTES)
    assert b"> Eine Fu\xc3\x9fnote.<" in notes.blob  # the leading space of the source is kept


def test_complex_fields_without_letters_split_and_links_join_the_sentence():
    d = docx.Document()
    p = d.add_paragraph("Slide ")
    for xml in ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
                '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', '<w:r><w:t>7</w:t></w:r>',
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
                '<w:r><w:t xml:space="preserve"> is next; see </w:t></w:r>',
                '<w:hyperlink r:id="rId99"><w:r><w:rPr><w:u w:val="single"/></w:rPr>'
                '<w:t>the site</w:t></w:r></w:hyperlink>', '<w:r><w:t xml:space="preserve">.</w:t></w:r>'):
        p._p.append(parse_xml(f'<w:x {nsdecls("w", "r")}>{xml}</w:x>')[0])
    out = io.BytesIO()
    d.save(out)
    document = open_document(out.getvalue(), "fields.docx")
    assert [s.text for s in document.segments] == ["Slide", "is next; see the site."]
    written = docx.Document(io.BytesIO(document.write({"1": "Folie", "2": "kommt; siehe die Seite."})))
    runs = written.paragraphs[0]._p
    assert [t.text for t in runs.iter(qn("w:t"))] == ["Folie ", "7", " kommt; siehe die Seite."]
    assert runs.find(f".//{qn('w:instrText')}").text == " PAGE "
    assert runs.find(qn("w:hyperlink")) is not None  # the link stays, its text moved to the sentence


def test_text_boxes_are_read_once_from_the_drawing_not_its_fallback_copy():
    d = docx.Document()
    p = d.add_paragraph("Outer text ")
    box = ('<w:p><w:r><w:t>Text in a box</w:t></w:r></w:p>')
    p._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps">'
        f'<w:drawing><wps:txbx><w:txbxContent>{box}</w:txbxContent></wps:txbx></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:textbox><w:txbxContent>{box}</w:txbxContent></v:textbox></w:pict>'
        '</mc:Fallback></mc:AlternateContent></w:r>'))
    p.add_run("continues.")
    out = io.BytesIO()
    d.save(out)
    document = open_document(out.getvalue(), "box.docx")
    assert [s.text for s in document.segments] == ["Outer text continues.", "Text in a box"]
    written = document.write({"1": "Außen geht weiter.", "2": "Text in einem Kasten"})
    texts = [t.text for t in docx.Document(io.BytesIO(written)).element.body.iter(qn("w:t"))]
    assert texts == ["Außen geht weiter.", "Text in einem Kasten", "Text in a box"]
