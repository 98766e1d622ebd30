"""HTML: text nodes with a letter are segments; tags, attributes and code stay byte for byte."""
import re

from bs4 import BeautifulSoup

from documents import open_document
from tests.documents.helpers import assert_round_trip, reread, shout

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>My   page</title>
<style>p { content: "Hello"; }</style><script>var greeting = "Hello world";</script></head>
<body>
  <!-- a comment with words -->
  <h1 class="big" title="Tooltip">Welcome &amp; hello</h1>
  <p>Click <b>here</b> to
     continue.&nbsp;</p>
  <p>12,345 &mdash; 67 %</p>
  <pre>keep this text</pre><p>Run <code>ls -la</code> now.</p>
  <span translate="no">Acme <b>Corp</b></span> <em class="notranslate">Brand</em>
  <ul><li>One</li><li>Two</li></ul>
  <img src="a.png" alt="Alt text"><br/>
</body>
</html>
"""


def _tags(markup: str) -> list:
    soup = BeautifulSoup(markup, "lxml")
    return [(tag.name, dict(tag.attrs)) for tag in soup.find_all(True)]


def _raw(markup: str) -> list:
    soup = BeautifulSoup(markup, "lxml")
    return [tag.decode() for tag in soup.find_all(["script", "style", "pre", "code"])]


def test_text_nodes_with_letters_are_segments():
    document = open_document(PAGE.encode(), "page.html")
    assert document.source_lang == "en-GB"
    assert [(s.kind, s.text) for s in document.segments] == [
        ("title", "My page"), ("heading", "Welcome & hello"), ("paragraph", "Click"),
        ("text", "here"), ("paragraph", "to continue."), ("paragraph", "Run"),
        ("paragraph", "now."), ("list-item", "One"), ("list-item", "Two")]
    assert_round_trip(document)


def test_translation_changes_text_only():
    document = open_document(PAGE.encode(), "page.html")
    translations = {s.id: s.text.upper() + " <&>" for s in document.segments}
    out = document.write(translations).decode()
    assert _tags(out) == _tags(PAGE) and _raw(out) == _raw(PAGE)
    assert "<!-- a comment with words -->" in out and '<span translate="no">Acme <b>Corp</b></span>' in out
    assert '<em class="notranslate">Brand</em>' in out
    assert "<p>CLICK &lt;&amp;&gt; <b>HERE &lt;&amp;&gt;</b> TO CONTINUE. &lt;&amp;&gt;&nbsp;</p>" in out
    assert "<p>12,345 &mdash; 67 %</p>" in out
    assert "<title>MY PAGE &lt;&amp;&gt;</title>" in out
    assert re.sub(r">[^<]*<", "><", out) == re.sub(r">[^<]*<", "><", PAGE)  # markup byte for byte
    assert [s.text for s in reread(document, out.encode()).segments] == list(translations.values())


def test_encoding_is_read_from_the_page_and_kept():
    page = ('<html><head><meta charset="windows-1252"></head><body><p>Café crème</p>'
            '<p>Second</p></body></html>').encode("cp1252")
    document = open_document(page, "old.htm")
    assert [s.text for s in document.segments] == ["Café crème", "Second"]
    out = document.write({"1": "Déjà vu", "2": "Кофе"})
    assert out == ('<html><head><meta charset="windows-1252"></head><body><p>Déjà vu</p>'
                   '<p>&#1050;&#1086;&#1092;&#1077;</p></body></html>').encode("cp1252")


def test_a_fragment_and_an_unclosed_script_are_handled():
    document = open_document(b"<p>Hello <b>there</b></p><script>if (a < b) { say('no') }", "f.html")
    assert [s.text for s in document.segments] == ["Hello", "there"]
    assert document.write(shout(document)).endswith(b"<script>if (a < b) { say('no') }")
