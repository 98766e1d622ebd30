"""A server killed mid-campaign loses no judgement: an annotator judges items on the real
page in Debian chromium, the app server gets SIGKILL, a new one starts on the same database,
every judgement made before the kill is stored and the link resumes at the first unjudged item."""
from __future__ import annotations

import signal
import sqlite3

import pytest

from tests.campaign_helpers import make_campaign
from tests.fixtures_app import AppServer

pytestmark = [pytest.mark.browser]
ITEMS = 5
JUDGED = 3
PICKS = ("#camp-pick-a", "#camp-pick-b", "#camp-pick-tie")


def _wait_item(page, number: int) -> None:
    page.wait_for_function(
        f"() => (document.querySelector('#camp-progress') || {{innerText: ''}}).innerText"
        f".includes('item {number} / {ITEMS}')", timeout=60_000)


def _stored(db) -> list[tuple[int, str]]:
    """(queue position, choice) of every stored judgement."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.position, j.choice FROM campaign_judgements j JOIN campaign_assignments a "
            "ON a.id = j.assignment_id ORDER BY a.position").fetchall()


def test_judgements_survive_sigkill_and_the_link_resumes(tmp_path, tiny_model_dir, browser):
    store, campaigns, info = make_campaign(tmp_path / "chat.db", n_items=ITEMS, annotators=("ann",),
                                           redundancy=1)
    ann = campaigns.annotators(info.id)[0]
    queue = campaigns.assignments(info.id, ann.id)
    assert len(queue) == ITEMS
    store.close()
    expected = []
    for a, pick in zip(queue[:JUDGED], PICKS):
        left = {"#camp-pick-a": True, "#camp-pick-b": False}.get(pick)
        expected.append((a.position, "tie" if left is None else
                         ("a" if left == a.a_on_left else "b")))

    server = AppServer(tmp_path, model=str(tiny_model_dir))
    context = browser.new_context()
    try:
        server.wait_ready()
        page = context.new_page()
        page.goto(f"{server.url}campaign?token={ann.token}", wait_until="load")
        _wait_item(page, 1)
        for number, pick in enumerate(PICKS[:JUDGED], 1):
            page.click(pick)
            _wait_item(page, number + 1)  # the page moved on: the click's handler returned
        server.proc.send_signal(signal.SIGKILL)
        assert server.proc.wait(10) == -signal.SIGKILL
        assert _stored(server.db) == expected

        server = AppServer(tmp_path, model=str(tiny_model_dir))
        server.wait_ready()
        page.goto(f"{server.url}campaign?token={ann.token}", wait_until="load")
        _wait_item(page, JUDGED + 1)
        shown = {page.input_value("#camp-left textarea"), page.input_value("#camp-right textarea")}
        todo = queue[JUDGED]
        outputs = _outputs(server.db, todo.item_id)
        assert shown == outputs, "the page shows the first unjudged item's two candidates"
        page.click("#camp-pick-b")
        _wait_item(page, JUDGED + 2)
        assert len(_stored(server.db)) == JUDGED + 1
    finally:
        context.close()
        server.stop()


def _outputs(db, item_id: int) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT text FROM campaign_outputs WHERE item_id = ?",
                                           (item_id,))}
