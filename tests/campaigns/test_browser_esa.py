"""A whole error-span campaign in Debian chromium with the tiny model: `campaign create --protocol
contrastive-esa` (2 systems, 4 items, 2 annotators), one annotator marks and scores with the
keyboard alone, the other with the mouse, closing the tab midway and reopening the link (the
half-done screen comes back from the browser's draft); the owner's dashboard shows the ESA charts;
`campaign report --json` holds their judgements, `campaign export --margin` writes the pairs and
`train-cpo` trains on them."""
from __future__ import annotations

import contextlib
import json
import sqlite3

import pytest

from cli.main import main
from tests.campaigns.esa_browser import (drag_over, forward, open_link, spans_shown, stored, tab_to,
                                         texts, wait_item)
from tests.fixtures_app import AppServer

pytestmark = [pytest.mark.browser]
SOURCES = ["Die Katze schläft auf dem Sofa.", "Der Hund bellt laut.", "Wir gehen heute ins Kino.",
           "Das Wetter ist schön."]
ITEMS = len(SOURCES)
SCORES = {True: 80, False: 30}  # lora's output, base's output


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_model_dir, tiny_adapter_dirs):
    tmp = tmp_path_factory.mktemp("esa-campaign")
    test_set = tmp / "de-en.jsonl"
    test_set.write_text("".join(json.dumps({"id": f"s{i}", "source": s, "src_lang": "de",
                                            "tgt_lang": "en"}) + "\n"
                                for i, s in enumerate(SOURCES)), encoding="utf-8")
    server = AppServer(tmp, model=str(tiny_model_dir), extra=("--style", "alma"))
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("HF_HUB_OFFLINE", "1")
            links = tmp / "links.txt"
            with links.open("w") as out, contextlib.redirect_stdout(out):
                rc = main(["campaign", "create", "demo", "--protocol", "contrastive-esa",
                           "--test-set", str(test_set),
                           "--system", f"base={tiny_model_dir},style=alma,max_new_tokens=16",
                           "--system", f"lora={tiny_model_dir},adapter={tiny_adapter_dirs[0]},"
                                       "style=alma,max_new_tokens=16",
                           "--annotators", "ann,bob", "--repeat", "0", "--qc", "0",
                           "--url", server.url, "--db", str(server.db)])
        assert rc == 0
        server.wait_ready()
        urls = dict(line.split(": ", 1) for line in links.read_text().splitlines())
        yield server, urls, tmp
    finally:
        server.stop()


def _lora_outputs(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute(
            "SELECT o.text FROM campaign_outputs o JOIN campaign_systems s ON s.id = o.system_id "
            "WHERE s.label = 'lora'")}


def _sides(page, lora: set[str]) -> list[bool]:
    """Per candidate on the screen: is it lora's output (names are not shown)."""
    shown = [text in lora for text in texts(page)]
    assert shown.count(True) == 1, "one candidate is lora's output, the other base's"
    return shown


def _mouse_candidate(page, nth: int, good: bool) -> None:
    """Drag over the first word, mark it with the button, click the score on the slider."""
    word = texts(page)[nth].split()[0]
    selected = drag_over(page, nth, word)
    assert selected and selected in word, (selected, word)  # a real drag; glyphs vary in width
    page.locator("#esa-screen button[data-act=minor]" if good else
                 "#esa-screen button[data-act=major]").nth(nth).click()
    box = page.locator("#esa-screen .esa-score").nth(nth).bounding_box()
    page.mouse.click(box["x"] + box["width"] * SCORES[good] / 100, box["y"] + box["height"] / 2)


def test_two_annotators_then_dashboard_report_export_and_training(served, browser, tiny_model_dir):
    server, urls, tmp = served
    lora = _lora_outputs(server.db)
    assert set(urls) >= {"ann", "bob", "dashboard (owner)"}

    # ann: the keyboard alone (Tab, Ctrl+Shift+→ selects the first word, 1 / 2, slider keys)
    ann = open_link(browser.new_context(viewport={"width": 1280, "height": 1000}), urls["ann"])
    for number in range(1, ITEMS + 1):
        wait_item(ann, number, ITEMS)
        for nth, good in enumerate(_sides(ann, lora)):
            tab_to(ann, "#esa-screen .esa-text", nth)
            ann.keyboard.press("Home")
            ann.keyboard.press(f"Control+Shift+{forward(ann, nth)}")
            ann.keyboard.press("1" if good else "2")
            tab_to(ann, "#esa-screen .esa-score", nth)
            ann.keyboard.press("Home")
            for _ in range(SCORES[good] // 10):
                ann.keyboard.press("PageUp")
        ann.keyboard.press("Control+Enter")
    wait_item(ann, ITEMS + 1, ITEMS)

    # bob: the mouse; the third screen half done, the tab closed, the link opened again
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    bob = open_link(context, urls["bob"])
    for number in range(1, ITEMS + 1):
        wait_item(bob, number, ITEMS)
        sides = _sides(bob, lora)
        _mouse_candidate(bob, 0, sides[0])
        if number == 3:
            marked = spans_shown(bob, 0)
            bob.wait_for_timeout(500)
            bob.close()
            bob = open_link(context, urls["bob"])
            wait_item(bob, 3, ITEMS)
            assert spans_shown(bob, 0) == marked and marked
            assert bob.locator("#esa-screen .esa-value").nth(1).inner_text() == "not scored yet"
        _mouse_candidate(bob, 1, sides[1])
        bob.click("#esa-submit")
    wait_item(bob, ITEMS + 1, ITEMS)

    marks = stored(server.db, "ann") + stored(server.db, "bob")
    assert len(marks) == 2 * 2 * ITEMS
    for n, row in enumerate(marks):  # each candidate's first word, minor (lora) or major (base)
        (only,) = row["spans"]
        good = row["text"] in lora
        marked = row["text"][only["start"]:only["end"]]
        assert only["severity"] == ("minor" if good else "major") and marked.strip() == marked != ""
        assert abs(row["score"] - SCORES[good]) <= (0 if n < 2 * ITEMS else 5)  # keys, mouse

    # the owner's dashboard: progress and the ESA charts
    owner = browser.new_context(viewport={"width": 1280, "height": 1800}).new_page()
    owner.goto(urls["dashboard (owner)"], wait_until="load")
    owner.wait_for_function("() => (document.querySelector('#camp-dash-text') || {innerText: ''})"
                            ".innerText.includes('4 / 4')", timeout=60_000)
    assert "MQM" in owner.inner_text("#camp-dash-text")
    for key in ("esa_scores", "esa_errors", "esa_positions", "esa_calibration", "leaderboard"):
        owner.wait_for_selector(f"#camp-plot-{key} img, #camp-plot-{key} svg, "
                                f"#camp-plot-{key} canvas", timeout=30_000)

    # the report, the export with a margin, CPO training on the pairs
    report = tmp / "report.json"
    assert main(["campaign", "report", "demo", "--json", str(report), "--db", str(server.db)]) == 0
    results = json.loads(report.read_text())
    systems = {r["system"]: r for r in results["esa"]["systems"]}
    assert [r["system"] for r in results["esa"]["systems"]] == ["lora", "base"]
    assert systems["lora"]["n"] == systems["base"]["n"] == 2 * ITEMS
    assert (systems["lora"]["minor"], systems["base"]["major"]) == (2 * ITEMS, 2 * ITEMS)
    assert abs(systems["lora"]["mean_score"] - 80) < 3 and abs(systems["base"]["mean_score"] - 30) < 3
    assert {r["annotator"]: r["judgements"] for r in results["annotators"]} == {"ann": 8, "bob": 8}
    assert results["leaderboard"][0]["system"] == "lora" and results["leaderboard"][0]["wins"] == 8
    pairs = tmp / "pairs.jsonl"
    assert main(["campaign", "export", "demo", "--margin", "10", "--out", str(pairs),
                 "--db", str(server.db)]) == 0
    rows = [json.loads(line) for line in pairs.read_text().splitlines()]
    assert len(rows) == ITEMS and all(r["chosen"] in lora and r["rejected"] not in lora for r in rows)
    assert all(r["prompt"].startswith("Translate this from German to English:\nGerman: ") for r in rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        rc = main(["train-cpo", "--model", str(tiny_model_dir), "--style", "alma", "--pairs", str(pairs),
                   "--out", str(tmp / "adapter"), "--max-steps", "2", "--batch-size", "2",
                   "--logging-steps", "1"])
    assert rc == 0 and (tmp / "adapter" / "adapter_config.json").exists()
