"""Glossary files: CSV with or without a header, a bad row named by its line with nothing
stored, TBX read with translate-toolkit, an external entity never read (XXE), CSV export that
reads back, and the page's functions (list, import an upload, export, delete)."""
from __future__ import annotations

import re

import pytest

from chat.glossaries import delete_glossary, export_glossary, import_glossary, list_glossaries, load_glossary
from chat.glossary_files import GlossaryFileError, read_csv, read_tbx, write_csv
from chat.settings import UserError
from prompts.glossary import Term

TBX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file://{secret}">]>
<martif type="TBX" xml:lang="de">
<martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>
<text><body>
<termEntry id="c1"><descrip type="definition">a building</descrip>
  <langSet xml:lang="de-DE"><tig><term>Haus</term></tig><tig><term>Gebäude</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>house</term></tig><tig><term>home</term></tig></langSet>
</termEntry>
<termEntry id="c2">
  <langSet xml:lang="de"><tig><term>Dach &xxe;</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>roof &xxe;</term></tig></langSet>
</termEntry>
<termEntry id="c3"><langSet xml:lang="fr"><tig><term>toit</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>roof</term></tig></langSet></termEntry>
</body></text></martif>
"""


def test_csv_with_and_without_a_header():
    plain = read_csv(b"Haus,house\n\n\"erneuerbare Energie\",\"renewable energy\",\"policy, EU\"\n")
    headed = read_csv("\ufeffsource,target,note\nHaus,house\nerneuerbare Energie,renewable energy,\"policy, EU\"\n"
                      .encode())
    codes = read_csv(b"de,en\nHaus,house\nerneuerbare Energie,renewable energy,\"policy, EU\"\n", "de", "en")
    assert plain == headed == codes == [Term("Haus", "house"), Term("erneuerbare Energie", "renewable energy",
                                                                    "policy, EU")]


@pytest.mark.parametrize("data, message", [
    (b"Haus,house\nDach\nTor,gate\n", "line 2: expected source,target[,note], got 1 column"),
    (b"Haus,house\nTor,gate\n,roof\n", "line 3: the source term is empty"),
    (b"source,target\nHaus,house\nDach,roof,a,b\n", "line 3: expected source,target[,note], got 4 columns"),
    (b"Haus,house\nhaus,home\n", "line 2: 'haus' has another target on line 1"),
    (b"Haus,house\n\xff,x\n", "line 2: not UTF-8 text"),
])
def test_a_bad_row_is_named_by_its_line_and_nothing_is_stored(store, data, message):
    with pytest.raises(GlossaryFileError, match=re.escape(message)):
        read_csv(data)
    user = store.ensure_user("hf:alice")
    with pytest.raises(UserError, match=re.escape(message)):
        import_glossary(store, user, "bau", "de", "en", data=data, filename="bau.csv")
    assert list_glossaries(store, user) == []


def test_tbx_terms_notes_and_language_variants(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    terms = read_tbx(TBX.format(secret=secret).encode(), "de", "en")
    assert terms[:2] == [Term("Haus", "house", "a building"), Term("Gebäude", "house", "a building")]
    assert all("TOP-SECRET" not in t.source + t.target + t.note for t in terms)
    assert read_tbx(TBX.format(secret=secret).encode(), "fr", "en") == [Term("toit", "roof")]


def test_an_external_entity_is_never_read(tmp_path, store):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = TBX.format(secret=secret).encode()
    from lxml import etree  # the file is a working attack: a resolving parser reads the secret

    assert b"TOP-SECRET" in etree.tostring(etree.fromstring(data, etree.XMLParser(resolve_entities=True)))
    user = store.ensure_user("hf:alice")
    info = import_glossary(store, user, "bau", "de", "en", data=data, filename="bau.tbx")
    stored = load_glossary(store, user, "bau")
    assert "TOP-SECRET" not in repr(stored) and "TOP-SECRET" not in export_glossary(store, user, "bau")
    assert info.terms == len(stored.terms) >= 2
    billion = (b'<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY a "aaaaaaaaaa">'
               + b"".join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">' % ((c,) + (c - 1,) * 10)
                          for c in range(ord("b"), ord("j")))
               + b']><martif><text><body><termEntry><langSet xml:lang="de"><tig><term>&i;</term></tig>'
               + b'</langSet></termEntry></body></text></martif>')
    with pytest.raises(GlossaryFileError, match="not valid XML"):  # libxml2 refuses the expansion
        read_tbx(billion, "de", "en")


def test_not_a_tbx_file():
    with pytest.raises(GlossaryFileError, match="root element is <xliff>"):
        read_tbx(b"<xliff/>", "de", "en")
    with pytest.raises(GlossaryFileError, match="not valid XML"):
        read_tbx(b"<martif>", "de", "en")


def test_export_reads_back_and_delete(store):
    user = store.ensure_user("hf:alice")
    data = b"Haus,house\n\"Dach, flach\",flat roof,\"a \"\"note\"\"\"\n"
    import_glossary(store, user, "bau", "de", "en", data=data, filename="b.csv")
    text = export_glossary(store, user, "bau")
    assert text.startswith("source,target,note\n")
    assert read_csv(text.encode()) == read_csv(data) == list(load_glossary(store, user, "bau").terms)
    assert write_csv(read_csv(data)) == text
    with pytest.raises(UserError, match="exists already"):
        import_glossary(store, user, "bau", "de", "en", data=data, filename="b.csv")
    assert import_glossary(store, user, "bau", "de", "fr", data=b"Haus,maison\n", filename="b.csv",
                           replace=True).tgt == "fr"
    assert [g.name for g in list_glossaries(store, user)] == ["bau"]
    assert delete_glossary(store, user, "bau").terms == 1 and list_glossaries(store, user) == []
    with pytest.raises(UserError, match="no glossary 'bau'"):
        delete_glossary(store, user, "bau")
    with pytest.raises(UserError, match="a .csv or a .tbx"):
        import_glossary(store, user, "x", "de", "en", data=b"a,b", filename="x.docx")
    with pytest.raises(UserError, match="must differ"):
        import_glossary(store, user, "x", "de", "de", data=b"a,b", filename="x.csv")
