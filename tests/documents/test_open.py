"""`documents.open_document`: the format by extension, the supported list, and a clear
`DocumentError` (never a traceback) for every kind of file that cannot be read."""
import io
import zipfile

import pytest

import documents
from documents import DocumentError, SUPPORTED, open_document


def test_supported_lists_every_format_with_a_description():
    assert set(SUPPORTED) == {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pptx",
                              ".srt", ".vtt", ".xlf", ".xliff", ".po"}
    assert all(isinstance(v, str) and v for v in SUPPORTED.values())


@pytest.mark.parametrize("name", ["notes.rtf", "README", "archive.tar.gz"])
def test_an_unsupported_file_names_the_supported_ones(name):
    with pytest.raises(DocumentError) as error:
        open_document(b"hello", name)
    message = str(error.value)
    assert name in message and "not supported" in message
    assert all(ext in message for ext in SUPPORTED)


def test_the_extension_is_case_insensitive_and_a_path_gives_the_name(tmp_path):
    path = tmp_path / "Letter.TXT"
    path.write_text("Hello there.\n", encoding="utf-8")
    document = open_document(path)
    assert document.filename == "Letter.TXT" and [s.text for s in document.segments] == ["Hello there."]
    assert open_document(str(path)).segments == document.segments


def test_missing_files_empty_files_and_nameless_bytes_are_errors(tmp_path):
    with pytest.raises(DocumentError, match="does not exist"):
        open_document(tmp_path / "gone.txt")
    with pytest.raises(DocumentError, match="empty"):
        open_document(b"  \n", "blank.md")
    with pytest.raises(DocumentError, match="name"):
        open_document(b"Hello")


def _zip(**files) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


MALFORMED = [
    ("a.txt", b"PK\x03\x04\x00\x00binary\x00data"),
    ("a.md", b"\x00\x01\x02\x03"),
    ("a.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("a.html", b"just some words, no markup at all"),
    ("a.docx", b"this is not a zip file"),
    ("a.docx", _zip(**{"hello.txt": "not a word document"})),
    ("a.pptx", b"\x00garbage\xff"),
    ("a.pptx", _zip(**{"[Content_Types].xml": "<Types/>"})),
    ("a.srt", b"1\n00:00:01,000 --> later\nHello\n"),
    ("a.srt", b"just a line of text\n"),
    ("a.vtt", b"1\n00:00:01.000 --> 00:00:02.000\nNo header\n"),
    ("a.vtt", b"WEBVTT\n\n00:00:01.000 --> soon\nBad timing\n"),
    ("a.vtt", b"WEBVTT\n\nNOTE only a note\n"),
    ("a.xlf", b"<xliff version='1.2'><file><body><trans-unit id='1'><source>Hi</trans-unit>"),
    ("a.xlf", b"<?xml version='1.0'?><html><body>not xliff</body></html>"),
    ("a.xliff", b"\xff\xfe\x00garbage"),
    ("a.po", b"msgid \"Hello\"\nmsgstr\n"),
    ("a.po", b"this is not a catalogue\n"),
]


@pytest.mark.parametrize("name,data", MALFORMED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(MALFORMED)])
def test_a_malformed_file_is_a_clear_error(name, data):
    with pytest.raises(DocumentError) as error:
        open_document(data, name)
    message = str(error.value)
    assert message.startswith(name) and len(message) < 300
    assert "Traceback" not in message and "\n" not in message


def test_a_docx_named_pptx_is_refused_by_the_pptx_reader(tmp_path):
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    with pytest.raises(DocumentError, match="PowerPoint"):
        open_document(out.getvalue(), "slides.pptx")


def test_write_checks_the_ids_and_the_texts():
    document = open_document(b"One.\n\nTwo.\n", "a.txt")
    with pytest.raises(DocumentError, match="no segment 'nine'"):
        document.write({"nine": "Neun."})
    with pytest.raises(DocumentError, match="not text"):
        document.write({"1": 5})
    assert document.write({"1": "   "}) == b"One.\n\nTwo.\n"  # empty: the source stays
    assert document.write({"2": "  Zwei. "}) == b"One.\n\nZwei.\n"
    assert document.write({"2": "Zwei."}) == document.write({"2": "Zwei."})  # writes are repeatable


def test_the_package_imports_no_format_library_until_a_file_needs_it():
    import subprocess
    import sys

    code = ("import sys, documents; documents.open_document(b'Hi there', 'a.txt'); "
            "print(sorted(m for m in ('docx', 'pptx', 'srt', 'webvtt', 'translate', 'bs4') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert documents.has_letters("Straße") and not documents.has_letters("12 345 — %")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    import documents.office

    monkeypatch.setattr(documents.office, "MAX_UNPACKED", 1000)
    bomb = _zip(**{"[Content_Types].xml": "<Types/>", "word/document.xml": " " * 5000})
    with pytest.raises(DocumentError, match="too large"):
        open_document(bomb, "big.docx")
