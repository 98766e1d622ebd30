"""A whole preference campaign in Debian chromium with the tiny model: create (2 systems,
6 items, 2 annotators), both annotators judge in their own browser (one with keys 1–4, one
with the buttons, closing the tab midway and reopening the link), the owner's dashboard shows
the leaderboard, `campaign report` and `campaign export` work and `train-cpo` trains on the pairs."""
from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path

import pytest

from cli.main import main
from tests.fixtures_app import AppServer

pytestmark = [pytest.mark.browser]

SHOTS = Path(__file__).resolve().parents[2] / "docs" if os.environ.get("HINTMT_SCREENSHOTS") \
    else Path(tempfile.gettempdir()) / "hintmt-shots"
WMT = Path("/work/shared/data/wmt22/de-en.jsonl")


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_model_dir, tiny_adapter_dirs):
    if not WMT.exists():
        pytest.skip("WMT'22 data is not in /work/shared")
    tmp = tmp_path_factory.mktemp("campaign")
    test_set = tmp / "de-en.jsonl"
    test_set.write_text("".join(WMT.read_text(encoding="utf-8").splitlines(True)[:6]), encoding="utf-8")
    server = AppServer(tmp, model=str(tiny_model_dir), extra=("--style", "alma"))
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("HF_HUB_OFFLINE", "1")
            links = tmp / "links.txt"
            import contextlib
            with links.open("w") as out, contextlib.redirect_stdout(out):
                rc = main(["campaign", "create", "demo", "--test-set", str(test_set),
                           "--system", f"base={tiny_model_dir},style=alma,max_new_tokens=20",
                           "--system", f"lora={tiny_model_dir},adapter={tiny_adapter_dirs[0]},"
                                       "style=alma,max_new_tokens=20",
                           "--annotators", "ann,bob", "--repeat", "0", "--qc", "0",
                           "--url", server.url, "--db", str(server.db)])
        assert rc == 0
        server.wait_ready()
        urls = dict(line.split(": ", 1) for line in links.read_text().splitlines())
        yield server, urls, tmp
    finally:
        server.stop()


def _lora_outputs(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0].strip() for r in conn.execute(
            "SELECT o.text FROM campaign_outputs o JOIN campaign_systems s ON s.id = o.system_id "
            "WHERE s.label = 'lora'")}


def _open(context, url: str):
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector("#camp-progress, #camp-done", state="visible", timeout=60_000)
    return page


def _wait_item(page, number: int, total: int = 6) -> None:
    if number > total:
        page.wait_for_selector("#camp-done", state="visible", timeout=30_000)
    else:
        page.wait_for_function(
            f"() => document.querySelector('#camp-progress').innerText.includes('item {number} / {total}')",
            timeout=30_000)


def _lora_is_left(page, lora: set[str]) -> bool:
    left = page.input_value("#camp-left textarea").strip()
    right = page.input_value("#camp-right textarea").strip()
    assert (left in lora) != (right in lora), "one side is lora's output, the other base's"
    return left in lora


def test_two_annotators_dashboard_report_export_and_training(served, browser, tiny_model_dir):
    server, urls, tmp = served
    lora = _lora_outputs(server.db)
    assert set(urls) == {"ann", "bob", "dashboard (owner)"}

    # ann judges with the keyboard only, always preferring lora's output
    ann_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ann = _open(ann_ctx, urls["ann"])
    _wait_item(ann, 1)
    assert "Die Ware hat unter 20 Euro gekostet." not in ann.inner_text("#camp-left")  # no names
    SHOTS.mkdir(exist_ok=True)
    ann.screenshot(path=str(SHOTS / "campaign-annotator.png"))
    for number in range(1, 7):
        ann.keyboard.press("1" if _lora_is_left(ann, lora) else "2")
        _wait_item(ann, number + 1)
    assert "All done" in ann.inner_text("#camp-end")

    # bob clicks, closes the tab after three items, reopens the link and finishes
    bob_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    bob = _open(bob_ctx, urls["bob"])
    for number in range(1, 4):
        _wait_item(bob, number)
        if number == 2:  # a post-edit of the preferred candidate is saved with the choice
            bob.click("#camp-extra button, #camp-extra .label-wrap")
            bob.click("#camp-edit-b")  # the box starts from A; this makes it start from B
            right = bob.input_value("#camp-right textarea")
            bob.wait_for_function("(t) => document.querySelector('#camp-post-edit textarea').value === t",
                                  arg=right, timeout=10_000)
            bob.fill("#camp-post-edit textarea", "The goods cost less than 20 euros.")
        bob.click("#camp-pick-a" if _lora_is_left(bob, lora) else "#camp-pick-b")
    _wait_item(bob, 4)
    bob.close()
    bob = _open(bob_ctx, urls["bob"])
    _wait_item(bob, 4)  # continues at the first unjudged item
    for number in range(4, 7):
        bob.click("#camp-pick-a" if _lora_is_left(bob, lora) else "#camp-pick-b")
        _wait_item(bob, number + 1)

    # the owner's dashboard: progress and the leaderboard
    owner = browser.new_context(viewport={"width": 1280, "height": 1500}).new_page()
    owner.goto(urls["dashboard (owner)"], wait_until="load")
    owner.wait_for_selector("#camp-dash-text", state="visible", timeout=60_000)
    owner.wait_for_function("() => document.querySelector('#camp-dash-text').innerText.includes('6 / 6')",
                            timeout=30_000)
    text = owner.inner_text("#camp-dash-text")
    assert text.index(" lora ") < text.index(" base ")  # lora is ranked first
    assert "QC items" in text
    owner.wait_for_function("() => document.title === 'Dashboard of demo'", timeout=10_000)
    owner.wait_for_selector("#camp-plot-leaderboard img, #camp-plot-leaderboard svg, "
                            "#camp-plot-leaderboard canvas", timeout=30_000)
    owner.screenshot(path=str(SHOTS / "campaign-dashboard.png"), full_page=True)
    # an annotator's link does not open the dashboard, a made-up token opens nothing
    stranger = browser.new_context().new_page()
    stranger.goto(server.url + "campaign?token=made-up", wait_until="load")
    stranger.wait_for_function("() => (document.querySelector('#camp-notice') || {innerText: ''})"
                               ".innerText.includes('not valid')", timeout=30_000)
    assert not stranger.locator("#camp-dashboard").is_visible()
    assert not stranger.locator(".nav-holder").is_visible()  # no menu to the chat for annotators

    # the report and the export from the terminal, then CPO training on the pairs
    report = tmp / "report.json"
    assert main(["campaign", "report", "demo", "--json", str(report), "--db", str(server.db)]) == 0
    results = json.loads(report.read_text())
    assert [r["system"] for r in results["leaderboard"]] == ["lora", "base"]
    for row in results["leaderboard"]:  # the dashboard's intervals are the report's
        assert f"{row['ci'][0]:.0f}–{row['ci'][1]:.0f}" in text
    assert results["leaderboard"][0]["wins"] == 12 and results["agreement"]["items_with_overlap"] == 6
    assert {r["annotator"]: r["judgements"] for r in results["annotators"]} == {"ann": 6, "bob": 6}
    pairs = tmp / "pairs.jsonl"
    assert main(["campaign", "export", "demo", "--format", "trl", "--out", str(pairs),
                 "--db", str(server.db)]) == 0
    rows = [json.loads(line) for line in pairs.read_text().splitlines()]
    assert len(rows) == 7  # six agreed items + bob's post-edit
    assert sum(r["chosen"] == "The goods cost less than 20 euros." for r in rows) == 1
    assert all(r["prompt"].startswith("Translate this from German to English:\nGerman: ") for r in rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        rc = main(["train-cpo", "--model", str(tiny_model_dir), "--style", "alma", "--pairs", str(pairs),
                   "--out", str(tmp / "adapter"), "--max-steps", "2", "--batch-size", "2",
                   "--logging-steps", "1"])
    assert rc == 0 and (tmp / "adapter" / "adapter_config.json").exists()
