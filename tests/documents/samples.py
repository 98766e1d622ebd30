"""Fixture documents built here (a DOCX with a table, a header and a bold word inside a sentence;
an SRT with a 3-line subtitle; an XLIFF 1.2 with notes; a PO with a plural), the bad inputs of
issue 26, and the check that a translated file kept its structure with every segment translated
by the fake engine (tests/fake_engine.py: each sentence's words upper-cased)."""
from __future__ import annotations

import io
import zipfile

from documents import open_document

DE_SENTENCES = "Der Hund schläft im Garten. Die Katze spielt auf dem Sofa."


def docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Jahresbericht", level=1)
    p = d.add_paragraph("Dieser Satz hat ein ")
    p.add_run("fettes").bold = True
    p.add_run(" Wort in der Mitte.")
    d.add_paragraph(DE_SENTENCES)
    d.add_paragraph("12,5 % — 2024")  # no letter: never a segment
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Name", "Wert"
    table.cell(1, 0).text, table.cell(1, 1).text = "Äpfel", "42"
    d.sections[0].header.paragraphs[0].text = "Vertraulich und intern"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


SRT = ("1\n00:00:01,000 --> 00:00:04,000\nWo gehst du hin\nso spät in der Nacht,\nmein alter Freund?\n\n"
       "2\n00:00:05,000 --> 00:00:06,500\nNach Hause.\n\n"
       "3\n00:00:07,000 --> 00:00:08,000\n♪ ♪\n").encode()

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="app.properties" source-language="de" datatype="plaintext">
    <body>
      <trans-unit id="greet" resname="start.title">
        <source>Willkommen in der App</source>
        <note from="developer">Shown on the start page</note>
      </trans-unit>
      <trans-unit id="save">
        <source>Speichern Sie Ihre Arbeit oft.</source>
        <note>Tooltip of the save button</note>
      </trans-unit>
    </body>
  </file>
</xliff>
""".encode()

PO = b"""msgid ""
msgstr ""
"Language: en\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#. Shown in the menu
msgctxt "menu"
msgid "Datei \xc3\xb6ffnen"
msgstr ""

msgid "Eine Datei"
msgid_plural "%d Dateien"
msgstr[0] ""
msgstr[1] ""
"""

SAMPLES = {"report.docx": docx_bytes, "film.srt": lambda: SRT, "app.xlf": lambda: XLIFF,
           "de.po": lambda: PO}


# An XLIFF whose entity would read a local file if entities were resolved (XXE).
def xxe_xliff(secret_path) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xliff [<!ENTITY xxe SYSTEM '
            f'"file://{secret_path}">]>\n<xliff version="1.2" '
            'xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" source-language="de" '
            'datatype="plaintext"><body><trans-unit id="1"><source>Hallo &xxe; Welt</source>'
            '</trans-unit></body></file></xliff>').encode()


def zip_bomb(unpacked_mib: int = 513) -> bytes:
    """A "DOCX" that would unpack to over documents' 512 MiB cap (zeros, deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * 2 ** 20
            for _ in range(unpacked_mib):
                member.write(block)
    return out.getvalue()


BAD = {  # name → (bytes, a word of the one-line error)
    "notes.pdf": (b"%PDF-1.4", "not supported"),
    "broken.docx": (b"PK this is not a zip archive", "ZIP"),
    "broken.srt": (b"1\n00:00:01,000 --> soon\nHallo\n", "SubRip"),
    "empty.srt": (b"\n\n", "empty"),
    "blank.docx": (None, "no text"),
}


def blank_docx() -> bytes:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def shouted(text: str) -> str:
    """What the fake engine makes of a segment, whitespace aside."""
    return " ".join(text.split()).upper()


def assert_translated(name: str, original: bytes, output: bytes) -> None:
    """``output`` is ``original`` with every pending segment translated by the fake engine and
    nothing else changed: same segments (ids, kinds, places), translated texts (monolingual) or
    targets (bilingual), and for packages the same parts."""
    before, after = open_document(original, name), open_document(output, name)
    assert [(s.id, s.kind, s.context) for s in after.segments] == \
           [(s.id, s.kind, s.context) for s in before.segments]
    bilingual = name.endswith((".xlf", ".po"))
    for old, new in zip(before.segments, after.segments):
        got = new.target if bilingual else new.text
        assert " ".join(got.split()) == shouted(old.text), (old.id, got)
        if bilingual:
            assert new.text == old.text and new.already_translated
    if name.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(output)) as b:
            assert a.namelist() == b.namelist()
            kept = [n for n in a.namelist() if not n.startswith(("word/document", "word/header"))]
            assert all(a.read(n) == b.read(n) for n in kept)
    if name.endswith(".srt"):
        import srt

        old_cues, new_cues = list(srt.parse(original.decode())), list(srt.parse(output.decode()))
        assert [(c.index, c.start, c.end) for c in new_cues] == [(c.index, c.start, c.end) for c in old_cues]
        assert new_cues[2].content == "♪ ♪"
