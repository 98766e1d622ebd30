"""XLIFF 1.2 / 2.0 and PO: empty targets filled and marked for review, ids, notes and context
kept and shown, translated units left alone unless asked."""
import re

from lxml import etree
from translate.storage import pypo, xliff, xliff2

from documents import open_document
from tests.documents.helpers import assert_round_trip, reread, shout

XLIFF12 = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="app.properties" source-language="en" datatype="plaintext">
    <body>
      <trans-unit id="greet" resname="start.title">
        <source>Hello <g id="1">world</g>!</source>
        <note from="developer">Shown on the start page</note>
        <context-group purpose="location"><context context-type="sourcefile">main.c</context></context-group>
      </trans-unit>
      <trans-unit id="bye" approved="yes">
        <source>Goodbye</source>
        <target state="final">Tschuess</target>
      </trans-unit>
      <trans-unit id="mails">
        <source>Hi <x id="2"/>, you have <ph id="3">%d</ph> mails</source>
      </trans-unit>
      <trans-unit id="skip" translate="no"><source>ACME</source></trans-unit>
      <trans-unit id="empty"><source> Plain text </source><target/></trans-unit>
    </body>
  </file>
</xliff>
"""


def test_xliff12_units_with_ids_notes_context_and_languages():
    document = open_document(XLIFF12, "app.xlf")
    assert (document.source_lang, document.target_lang) == ("en", None)
    assert [(s.id, s.text, s.already_translated) for s in document.segments] == [
        ("greet", 'Hello <g id="1">world</g>!', False), ("bye", "Goodbye", True),
        ("mails", 'Hi <x id="2"/>, you have <ph id="3">%d</ph> mails', False),
        ("empty", "Plain text", False)]
    greet = document.segments[0]
    assert greet.note == "Shown on the start page" and greet.context == "start.title; main.c"
    assert document.segments[1].target == "Tschuess"
    assert [s.id for s in document.pending] == ["greet", "mails", "empty"]
    assert_round_trip(document)


def _units(data: bytes) -> dict:
    store = xliff.xlifffile.parsestring(data)
    return {u.xmlelement.get("id"): u for u in store.units}


def test_xliff12_targets_are_filled_and_marked_for_review():
    document = open_document(XLIFF12, "app.xlf")
    out = document.write({**shout(document), "bye": "Auf Wiedersehen"}, target_lang="de")
    units = _units(out)
    assert str(units["greet"].target) == "HELLO WORLD!"
    assert units["greet"].xmlelement.find("{*}target").get("state") == "needs-review-translation"
    assert units["greet"].xmlelement.find("{*}target").get("state-qualifier") == "mt-suggestion"
    assert str(units["bye"].target) == "Tschuess"  # already translated: kept without overwrite
    assert units["skip"].target in (None, "") and b"> PLAIN TEXT </target>" in out
    targets = re.findall(rb"<target[^>]*>.*?</target>", out)
    assert b'<target state="needs-review-translation" state-qualifier="mt-suggestion">HI <x id="2"/>, ' \
           b'YOU HAVE <ph id="3">%D</ph> MAILS</target>' in targets
    assert b'target-language="de"' in out
    again = reread(document, out)
    assert [(s.id, s.already_translated) for s in again.segments] == [
        ("greet", True), ("bye", True), ("mails", True), ("empty", True)]
    for before, after in zip(etree.fromstring(XLIFF12).iter("{*}source"), etree.fromstring(out).iter("{*}source")):
        assert etree.tostring(before, with_tail=False) == etree.tostring(after, with_tail=False)


def test_xliff12_overwrite_and_codes_that_cannot_be_placed():
    document = open_document(XLIFF12, "app.xlf")
    out = document.write({"bye": "Auf Wiedersehen", "greet": "Hallo Welt!"}, overwrite=True)
    units = _units(out)
    assert str(units["bye"].target) == "Auf Wiedersehen"
    assert units["bye"].xmlelement.get("approved") == "no"
    assert str(units["greet"].target) == "Hallo Welt!"
    assert "could not be placed" in units["greet"].getnotes()
    assert reread(document, out).segments[0].note == "Shown on the start page"


XLIFF20 = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en-US" trgLang="fr-FR">
  <file id="f1">
    <unit id="u1" name="save.button">
      <notes><note category="context">Button label</note></notes>
      <segment><source>Save changes</source></segment>
    </unit>
    <unit id="u2">
      <segment id="s1" state="final"><source>Cancel</source><target>Annuler</target></segment>
    </unit>
    <unit id="u3">
      <segment id="a"><source>First sentence.</source></segment>
      <ignorable><source> </source></ignorable>
      <segment id="b"><source>Second <pc id="1">bold</pc> one.</source></segment>
    </unit>
  </file>
</xliff>
"""


def test_xliff20_segments_states_and_notes():
    document = open_document(XLIFF20, "app.xliff")
    assert (document.source_lang, document.target_lang) == ("en-US", "fr-FR")
    assert [(s.id, s.text) for s in document.segments] == [
        ("u1", "Save changes"), ("u2::s1", "Cancel"), ("u3::a", "First sentence."),
        ("u3::b", 'Second <pc id="1">bold</pc> one.')]
    assert document.segments[0].note == "Button label" and document.segments[0].context == "save.button"
    assert_round_trip(document)
    out = document.write(shout(document))
    store = xliff2.Xliff2File.parsestring(out)
    by_id = {u.getid(): u for u in store.units}
    assert str(by_id["u1"].target) == "SAVE CHANGES" and by_id["u1"].xmlelement.get("state") == "initial"
    assert str(by_id["u2::s1"].target) == "Annuler" and by_id["u2::s1"].xmlelement.get("state") == "final"
    assert b'<target>SECOND <pc id="1">BOLD</pc> ONE.</target>' in out
    root = etree.fromstring(out)
    for unit in root.iter("{*}unit"):
        notes = [n.text for n in unit.iter("{*}note") if n.get("category") == "machine-translation"]
        assert len(notes) == (0 if unit.get("id") == "u2" else 1)
        assert unit[0].tag.endswith("notes") or unit.get("id") == "u2"  # notes come first
    assert [s.already_translated for s in reread(document, out).segments] == [True] * 4


PO = """# Catalogue.
msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"

#. Shown in the menu
#: main.c:12
msgctxt "menu"
msgid "Open file"
msgstr ""

# a translator's remark
#, c-format
msgid "Hello %s\\n"
msgstr ""

msgid "Cancel"
msgstr "Abbrechen"

msgid "One file"
msgid_plural "%d files"
msgstr[0] ""
msgstr[1] ""
msgstr[2] ""

#~ msgid "Old"
#~ msgstr "Alt"
"""


def test_po_entries_with_context_notes_and_language():
    document = open_document(PO.encode(), "de.po")
    assert (document.source_lang, document.target_lang) == (None, "de")
    assert [(s.id, s.text, s.kind, s.already_translated) for s in document.segments] == [
        ("1", "Open file", "entry", False), ("2", "Hello %s", "entry", False),
        ("3", "Cancel", "entry", True), ("4", "One file", "entry", False),
        ("4:plural", "%d files", "plural", False)]
    assert document.segments[0].context == "menu; main.c:12" and document.segments[0].note == "Shown in the menu"
    assert document.segments[1].note == "a translator's remark"
    assert_round_trip(document)


def test_po_translations_are_fuzzy_and_keep_whitespace_and_plurals():
    document = open_document(PO.encode(), "de.po")
    out = document.write({"1": "Datei öffnen", "2": "Hallo %s", "3": "Nein", "4": "Eine Datei",
                          "4:plural": "%d Dateien"})
    store = pypo.pofile.parsestring(out)
    units = [u for u in store.units if not u.isheader() and not u.isobsolete()]
    assert [(str(u.target) if not u.hasplural() else u.target.strings, u.isfuzzy()) for u in units] == [
        ("Datei öffnen", True), ("Hallo %s\n", True), ("Abbrechen", False),
        (["Eine Datei", "%d Dateien", "%d Dateien"], True)]
    assert units[0].getcontext() == "menu" and units[0].getlocations() == ["main.c:12"]
    assert units[1].hastypecomment("c-format") and units[1].hastypecomment("fuzzy")
    assert '#~ msgid "Old"' in out.decode()
    replaced = document.write({"3": "Nein"}, overwrite=True)
    assert 'msgstr "Nein"' in replaced.decode()


def test_po_with_one_plural_form_and_a_language_to_set():
    po = PO.replace('"Language: de\\n"\n', "").replace(
        "nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2)", "nplurals=1; plural=0").replace(
        'msgstr[1] ""\nmsgstr[2] ""\n', "")
    document = open_document(po.encode(), "ja.po")
    assert document.target_lang is None
    out = document.write({"4": "ファイル1つ", "4:plural": "%d 個のファイル"}, target_lang="ja")
    store = pypo.pofile.parsestring(out)
    assert store.gettargetlanguage() == "ja"
    plural = [u for u in store.units if u.hasplural()][0]
    assert plural.target.strings == ["%d 個のファイル"]
