"""The document panel in Debian chromium against the real app (embedded SmolLM2, real SQLite): a
DOCX with a table and a bold word inside a sentence is uploaded, translated with a progress bar
and a preview, downloaded with its structure kept and every paragraph translated; a segment
corrected in the conversation comes back in "Download again"."""
from __future__ import annotations

import io

import pytest

from tests.web.test_browser import SHOTS, open_page, wait_idle
from tests.web.test_browser_controls import notice_contains

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PARAGRAPHS = ["Der Vertrag wurde gestern von beiden Seiten unterschrieben.",
              "Die Kinder spielen jeden Nachmittag im großen Garten hinter dem Haus."]
CELLS = [["Das Wetter war im Sommer sehr schön.", "Die Preise sind im letzten Jahr stark gestiegen."],
         ["Der Zug aus Berlin kommt heute eine Stunde später an.", "Wir danken allen Mitarbeitern für ihre Arbeit."]]


def report_docx() -> bytes:
    """A heading, a paragraph with a bold word inside its sentence, a 2×2 table, a last paragraph."""
    import docx

    d = docx.Document()
    d.add_heading("Der Bericht über das vergangene Jahr", level=1)
    p = d.add_paragraph("Meine Schwester hat gestern ein ")
    p.add_run("neues").bold = True
    p.add_run(" Fahrrad für ihren Sohn gekauft.")
    d.add_paragraph(PARAGRAPHS[0])
    table = d.add_table(rows=2, cols=2)
    for r, row in enumerate(CELLS):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    d.add_paragraph(PARAGRAPHS[1])
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def structure(data: bytes):
    """(paragraph styles, table shapes, every paragraph's and cell's text)."""
    import docx

    d = docx.Document(io.BytesIO(data))
    cells = [cell.text for t in d.tables for row in t.rows for cell in row.cells]
    return ([p.style.name for p in d.paragraphs], [(len(t.rows), len(t.columns)) for t in d.tables],
            [p.text for p in d.paragraphs] + cells)


def download(page, tmp_path, name):
    with page.expect_download() as got:
        page.locator("#doc-file a").first.click()
    path = tmp_path / name
    got.value.save_as(path)
    return path.read_bytes()


def test_a_docx_is_translated_downloaded_and_downloaded_again_corrected(app_server, browser, tmp_path):
    source = tmp_path / "bericht.docx"
    source.write_bytes(report_docx())
    context, page = open_page(browser, app_server.url)
    page.locator("#documents").get_by_text("Translate a document").first.click()
    page.locator("#doc-upload input[type=file]").set_input_files(str(source))
    page.wait_for_function("() => document.querySelector('#doc-upload').innerText.includes('bericht.docx')",
                           timeout=30_000)
    page.locator("#doc-translate").click()
    page.wait_for_selector("#doc-progress progress", timeout=60_000)
    page.wait_for_selector("#doc-preview table", timeout=60_000)
    page.wait_for_selector("#doc-file a", timeout=240_000)
    notice_contains(page, "segment(s) translated", timeout=60)
    wait_idle(page)
    assert "Meine Schwester" in page.locator("#doc-preview").inner_text()
    SHOTS.mkdir(exist_ok=True)
    page.locator("#documents").screenshot(path=str(SHOTS / "documents-panel.png"))
    assert page.locator("#doc-progress progress").get_attribute("value") == \
        page.locator("#doc-progress progress").get_attribute("max")

    translated = download(page, tmp_path, "bericht.en.docx")
    styles, tables, texts = structure(translated)
    old_styles, old_tables, old_texts = structure(report_docx())
    assert (styles, tables) == (old_styles, old_tables) and len(texts) == len(old_texts)
    for old, new in zip(old_texts, texts):
        assert new.strip() and new.strip() != old.strip(), (old, new)
    assert page.locator("#conversations").inner_text().count("bericht.docx") == 1  # the sidebar lists it

    page.locator('[data-testid="bot"]').last.hover()
    page.locator('#chat button[aria-label="Edit"]').last.click()
    page.locator("#chat textarea").last.fill("The children play in the big garden every afternoon.")
    page.locator('#chat button[aria-label="Submit"]').click()
    notice_contains(page, "Correction saved")
    wait_idle(page)
    page.locator("#doc-again").click()
    notice_contains(page, "written again")
    wait_idle(page)
    again = structure(download(page, tmp_path, "again.docx"))[2]
    assert "The children play in the big garden every afternoon." in again
    assert sum(a != b for a, b in zip(texts, again)) == 1  # nothing else changed
    context.close()
