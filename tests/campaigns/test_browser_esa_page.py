"""The error-span screen in Debian chromium: instructions, keys and the tab title; right-to-left
text (Arabic) shown and moved through in reading order; spans marked with the keyboard alone and
with the mouse stored as code points (Python ``str`` offsets: the texts hold emoji, two UTF-16
units each), a click removes a mark, missing content at the cursor; the consistency nudges and
their dismissal; a closed tab resumes the half-done screen; no score, no save; markup in a
candidate is shown as text. Also the README's
screenshot of a contrastive screen (``HINTMT_SCREENSHOTS=1`` writes docs/campaign-esa.png)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.campaigns.esa_browser import (RTL, click_at_end_of, drag_over, forward, open_link,
                                         select_by_keys, spans_shown, stored, tab_to, texts,
                                         wait_item)
from tests.campaigns.esa_helpers import make_esa_campaign
from tests.fixtures_app import AppServer

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "docs" if os.environ.get("HINTMT_SCREENSHOTS") \
    else Path(tempfile.gettempdir()) / "hintmt-shots"
ARABIC = "القطة 😀 جلست على السجادة الحمراء"
ENGLISH = "😀 The cat sat on the warm mat"
PEOPLE = ("ann", "bob", "cy", "dee")
TOTAL = 4  # 2 items × 2 systems, every annotator scores every candidate
XSS = '<img src=x onerror="window.__xss = 1"> & <b>cat</b> 😀'
TRAINS = ["Der Zug nach Berlin hatte heute Morgen zwei Stunden Verspätung.",
          "Die Fahrgäste mussten in Hannover umsteigen.",
          "Die Bahn entschuldigte sich für die Unannehmlichkeiten."]
TRAIN_OUTPUTS = [("The train to Berlin was two hours late this morning.",
                  "The train after Berlin had two hours delay."),
                 ("Passengers had to change trains in Hanover.", "The passengers must change in Hanover."),
                 ("Deutsche Bahn apologised for the inconvenience.", "The railway excused itself.")]


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_model_dir):
    tmp = tmp_path_factory.mktemp("esa-page")
    store, campaigns, info = make_esa_campaign(
        tmp / "chat.db", "esa", n_items=2, annotators=PEOPLE, redundancy=len(PEOPLE),
        text=lambda pos, k: f"{(ARABIC, ENGLISH)[k]} {pos}.")
    tokens = {a.name: a.token for a in campaigns.annotators(info.id)}
    store.close()
    store, campaigns, info = make_esa_campaign(
        tmp / "chat.db", "contrastive-esa", name="trains", sources=TRAINS, annotators=("eve",),
        redundancy=1, text=lambda pos, k: TRAIN_OUTPUTS[pos][k])
    tokens["eve"] = campaigns.annotators(info.id)[0].token
    store.close()
    store, campaigns, info = make_esa_campaign(tmp / "chat.db", "esa", name="xss", n_items=1,
                                               systems=("base",), annotators=("xavier",),
                                               redundancy=1, text=lambda pos, k: XSS)
    tokens["xavier"] = campaigns.annotators(info.id)[0].token
    store.close()
    server = AppServer(tmp, model=str(tiny_model_dir))
    try:
        server.wait_ready()
        yield server, tokens
    finally:
        server.stop()


def _open(browser, served, name: str, context=None):
    server, tokens = served
    return open_link(context or browser.new_context(viewport={"width": 1280, "height": 1000}),
                     f"{server.url}campaign?token={tokens[name]}")


def test_instructions_keys_title_and_right_to_left_text(served, browser):
    page = _open(browser, served, "ann")
    wait_item(page, 1, TOTAL)
    text = page.inner_text("#esa-instructions")
    for words in ("German → English", "Mark the errors in the English translation",
                  "Minor: a slight error that does not impede understanding",
                  "Major: an error that changes the meaning or makes the text unusable",
                  "0 no meaning preserved", "66 most meaning preserved", "100 perfect meaning",
                  "Shift+← → select", "1 minor, 2 major", "M missing content", "Ctrl+Enter"):
        assert words in text, words
    page.wait_for_function("() => document.title === 'Marking errors: demo (German → English)'",
                           timeout=10_000)
    assert page.get_attribute("#esa-screen .esa-text", "dir") == "auto"
    (shown,) = texts(page)
    rtl = page.evaluate("document.querySelector('#esa-screen .esa-text').matches(':dir(rtl)')")
    assert rtl == bool(RTL.search(shown))
    assert not page.locator("#camp-annotate").is_visible()  # the pairwise screen stays hidden


def test_spans_marked_with_the_keyboard_alone_are_stored_as_code_points(served, browser):
    page = _open(browser, served, "ann")
    for number in (1, 2):  # one Arabic and one English candidate, whichever comes first
        wait_item(page, number, TOTAL)
        (text,) = texts(page)
        word = text.split()[2]  # after the emoji: UTF-16 offsets would be one more
        at = text.index(word)
        tab_to(page, "#esa-screen .esa-text")
        select_by_keys(page, at, len(word))
        page.keyboard.press("2")
        page.keyboard.press(f"Control+Shift+{forward(page)}")  # the next word
        page.keyboard.press("1")
        page.keyboard.press("End")
        page.keyboard.press("m")  # missing content at the end, minor …
        page.keyboard.press("2")  # … made major
        assert "major “" + word in spans_shown(page).replace("\n", " ")
        tab_to(page, "#esa-screen .esa-score")
        page.keyboard.press("End")  # 100 with a major error: the nudge
        nudge = page.locator("#esa-screen .esa-nudge")
        assert "major error but gave 100" in nudge.inner_text()
        for _ in range(5):
            page.keyboard.press("PageDown")
        assert nudge.inner_text() == "" and page.inner_text("#esa-screen .esa-value") == "50"
        page.keyboard.press("Control+Enter")
    wait_item(page, 3, TOTAL)
    for row in stored(served[0].db, "ann"):
        text, word = row["text"], row["text"].split()[2]
        at, following = text.index(word), text.split()[3]
        nxt, end = text.index(following), len(text)
        assert row["spans"] == [{"start": at, "end": at + len(word), "severity": "major"},
                                {"start": nxt, "end": nxt + len(following), "severity": "minor"},
                                {"start": end, "end": end, "severity": "major"}]
        assert row["score"] == 50 and row["seconds"] > 0


def test_spans_marked_with_the_mouse_and_a_click_removes_one(served, browser):
    page = _open(browser, served, "bob")
    wait_item(page, 1, TOTAL)
    (text,) = texts(page)
    first, last = text.split()[2], text.split()[-2]
    assert drag_over(page, 0, first) == first
    page.click("#esa-screen button[data-act=major]")
    page.locator("#esa-screen .esa-spans").filter(has_text=first).wait_for()
    page.click("#esa-screen mark.esa-major")  # a click on a mark removes it
    page.wait_for_function("() => !document.querySelector('#esa-screen mark')", timeout=10_000)
    assert drag_over(page, 0, last) == last
    page.keyboard.press("1")
    click_at_end_of(page, 0, first)
    page.click("#esa-screen button[data-act=missing]")
    page.locator("#esa-screen .esa-miss").wait_for()
    box = page.locator("#esa-screen .esa-score").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    score = int(page.inner_text("#esa-screen .esa-value"))
    page.click("#esa-submit")
    wait_item(page, 2, TOTAL)
    (row,) = stored(served[0].db, "bob")
    at, gap = text.index(last), text.index(first) + len(first)
    assert row["spans"] == [{"start": gap, "end": gap, "severity": "minor"},
                            {"start": at, "end": at + len(last), "severity": "minor"}]
    assert 20 <= row["score"] == score <= 40


def test_no_error_with_a_low_score_is_nudged_and_the_nudge_dismissed(served, browser):
    page = _open(browser, served, "cy")
    wait_item(page, 1, TOTAL)
    page.keyboard.press("Control+Enter")  # no score yet: nothing is stored, the page says why
    page.wait_for_function("() => document.querySelector('#camp-notice').innerText"
                           ".includes('Give the translation a score')", timeout=20_000)
    assert stored(served[0].db, "cy") == []
    tab_to(page, "#esa-screen .esa-score")
    page.keyboard.press("Home")
    for _ in range(2):
        page.keyboard.press("PageUp")
    nudge = page.locator("#esa-screen .esa-nudge")
    assert "You gave 20 but marked no error" in nudge.inner_text()
    page.click("#esa-screen .esa-nudge button")  # Keep as is
    assert nudge.inner_text() == ""
    page.click("#esa-submit")
    wait_item(page, 2, TOTAL)
    assert "Give the translation" not in page.inner_text("#camp-notice")
    assert [(r["score"], r["spans"]) for r in stored(served[0].db, "cy")] == [(20, [])]


def test_a_closed_tab_reopens_the_half_done_screen_with_its_marks(served, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = _open(browser, served, "dee", context)
    wait_item(page, 1, TOTAL)
    (text,) = texts(page)
    word = text.split()[-2]
    assert drag_over(page, 0, word) == word
    page.keyboard.press("2")
    tab_to(page, "#esa-screen .esa-score")
    page.keyboard.press("Home")
    page.keyboard.press("PageUp")
    page.click("#esa-screen .esa-pe summary")
    page.fill("#esa-screen .esa-pe textarea", "A better translation.")
    page.wait_for_timeout(1500)
    (earlier,) = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('hintmt-esa:'))"
                               ".map(k => JSON.parse(localStorage.getItem(k)).spent)")
    page.close()
    page = _open(browser, served, "dee", context)
    wait_item(page, 1, TOTAL)
    assert word in spans_shown(page) and page.inner_text("#esa-screen .esa-value") == "10"
    assert page.input_value("#esa-screen .esa-pe textarea") == "A better translation."
    page.keyboard.press("Control+Enter")
    wait_item(page, 2, TOTAL)
    (row,) = stored(served[0].db, "dee")
    at = text.index(word)
    assert row["spans"] == [{"start": at, "end": at + len(word), "severity": "major"}]
    assert row["score"] == 10 and row["post_edit"] == "A better translation."
    assert row["seconds"] >= earlier > 0  # the closed tab's time counts


def test_a_contrastive_screen_for_the_readme(served, browser):
    page = _open(browser, served, "eve")
    wait_item(page, 1, 3)
    shown = texts(page)
    bad = 0 if shown[0] in {b for _, b in TRAIN_OUTPUTS} else 1
    good = 1 - bad
    words = shown[bad].split()
    assert drag_over(page, bad, words[2]) == words[2]
    page.keyboard.press("2")
    assert drag_over(page, bad, words[-1].rstrip(".")) == words[-1].rstrip(".")
    page.keyboard.press("1")
    for nth, fraction in ((good, 0.93), (bad, 0.42)):
        box = page.locator("#esa-screen .esa-score").nth(nth).bounding_box()
        page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
    drag_over(page, bad, words[1])  # a selection in progress, as an annotator sees it
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "campaign-esa.png"), full_page=True)
    page.click("#esa-submit")
    wait_item(page, 2, 3)
    rows = stored(served[0].db, "eve")
    assert len(rows) == 2 and {len(r["spans"]) for r in rows} == {0, 2}


def test_markup_in_a_candidate_is_text(served, browser):
    page = _open(browser, served, "xavier")
    wait_item(page, 1, 1)
    assert texts(page) == [XSS]
    assert page.locator("#esa-screen .esa-text img, #esa-screen .esa-text b").count() == 0
    tab_to(page, "#esa-screen .esa-text")
    select_by_keys(page, XSS.index("cat"), 3)
    page.keyboard.press("1")
    assert "“cat”" in spans_shown(page)
    tab_to(page, "#esa-screen .esa-score")
    page.keyboard.press("End")
    page.keyboard.press("Control+Enter")
    wait_item(page, 2, 1)
    assert page.evaluate("window.__xss") is None
    (row,) = stored(served[0].db, "xavier")
    assert row["spans"] == [{"start": XSS.index("cat"), "end": XSS.index("cat") + 3, "severity": "minor"}]
