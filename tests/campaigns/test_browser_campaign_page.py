"""The annotator's page in Debian chromium: the direction, the question and what the dimmed
lines are are shown and the tab has its own title; keys 1–4 work after ticking an error reason
with the mouse but not while typing a post-edit; a click in a stale second tab on an item
judged in the first says so and shows the stored verdict, and stores nothing."""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.campaign_helpers import make_campaign
from tests.fixtures_app import AppServer

pytestmark = [pytest.mark.browser]
PER_ANNOTATOR = 3


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_model_dir):
    tmp = tmp_path_factory.mktemp("campaign-page")
    store, campaigns, info = make_campaign(tmp / "chat.db", n_items=3 * PER_ANNOTATOR,
                                           annotators=("ann", "bob", "cy"), redundancy=1)
    tokens = {a.name: a.token for a in campaigns.annotators(info.id)}
    store.close()
    server = AppServer(tmp, model=str(tiny_model_dir))
    try:
        server.wait_ready()
        yield server, tokens
    finally:
        server.stop()


def _open(context, server, token: str):
    page = context.new_page()
    page.goto(f"{server.url}campaign?token={token}", wait_until="load")
    page.wait_for_selector("#camp-progress", state="visible", timeout=60_000)
    return page


def _wait_item(page, number: int) -> None:
    page.wait_for_function(
        f"() => (document.querySelector('#camp-progress') || {{innerText: ''}}).innerText"
        f".includes('item {number} / {PER_ANNOTATOR}')", timeout=30_000)


def _judgements(db, name: str) -> list[tuple]:
    """(queue position, choice, a_on_left, reasons, post_edit) of ``name``'s judgements."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.position, j.choice, a.a_on_left, j.reasons, j.post_edit "
            "FROM campaign_judgements j JOIN campaign_assignments a ON a.id = j.assignment_id "
            "JOIN campaign_annotators n ON n.id = j.annotator_id WHERE n.name = ? "
            "ORDER BY a.position", (name,)).fetchall()


def _side(choice: str, a_on_left: int) -> str:
    return "left" if (choice == "a") == bool(a_on_left) else "right"


def test_the_page_says_what_to_do_and_has_its_own_title(served, browser):
    server, tokens = served
    page = _open(browser.new_context(), server, tokens["ann"])
    _wait_item(page, 1)
    text = page.inner_text("#camp-instructions")
    assert "German → English" in text
    assert "Which is the better English translation of the bold German sentence: A or B?" in text
    assert "dimmed lines above and below" in text and "context only" in text
    assert page.locator("#camp-instructions").is_visible()
    assert page.locator("#camp-source .ctx").count() >= 1  # the dimmed lines are there
    page.wait_for_function("() => document.title === 'Judging demo (German → English)'",
                           timeout=10_000)


def test_keys_work_after_ticking_a_reason_but_not_while_typing_a_post_edit(served, browser):
    server, tokens = served
    page = _open(browser.new_context(), server, tokens["bob"])
    _wait_item(page, 1)
    page.click("#camp-extra button, #camp-extra .label-wrap")
    page.get_by_label("Mistranslation").click()  # the mouse leaves the focus on the checkbox
    assert page.evaluate("document.activeElement.type") == "checkbox"
    page.keyboard.press("2")
    _wait_item(page, 2)
    position, choice, a_on_left, reasons, _ = _judgements(server.db, "bob")[0]
    assert _side(choice, a_on_left) == "right" and json.loads(reasons) == ["mistranslation"]

    box = page.locator("#camp-post-edit textarea")
    box.fill("")
    box.click()
    page.keyboard.type("Take 1 or 2 apples.")  # digits typed here are text, not choices
    page.wait_for_timeout(1500)
    assert len(_judgements(server.db, "bob")) == 1
    assert box.input_value() == "Take 1 or 2 apples."
    page.keyboard.press("Tab")  # focus leaves the text box: the keys choose again
    page.keyboard.press("3")
    _wait_item(page, 3)
    stored = _judgements(server.db, "bob")
    assert len(stored) == 2 and stored[1][1] == "tie" and stored[1][4] == "Take 1 or 2 apples."


def test_a_stale_second_tab_says_the_item_was_judged_and_shows_the_verdict(served, browser):
    server, tokens = served
    context = browser.new_context()
    first, second = _open(context, server, tokens["cy"]), _open(context, server, tokens["cy"])
    _wait_item(first, 1)
    _wait_item(second, 1)
    first.click("#camp-pick-a")
    _wait_item(first, 2)
    second.click("#camp-pick-b")  # the same item, judged meanwhile in the first tab
    second.wait_for_function("() => document.querySelector('#camp-notice').innerText"
                             ".includes('already judged in another tab')", timeout=30_000)
    notice = second.inner_text("#camp-notice")
    assert "Item 1" in notice and "A is better" in notice and "(B is better) was not" in notice
    _wait_item(second, 2)  # and it shows the first item not yet judged
    stored = _judgements(server.db, "cy")
    assert len(stored) == 1 and _side(stored[0][1], stored[0][2]) == "left"
    second.click("#camp-pick-tie")  # a click on a fresh item clears the notice
    _wait_item(second, 3)
    assert "already judged" not in second.inner_text("#camp-notice")
    assert len(_judgements(server.db, "cy")) == 2
