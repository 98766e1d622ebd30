"""The controls above and around the chat, driven in Debian chromium against the real app:
stop, Translate/Chat mode, correcting the source language, exporting pairs, ParroT hint
contrast, and switching the model preset. Every check reads the SQLite file too."""
from __future__ import annotations

import json
import time

import pytest

from tests.fixtures_app import AppServer
from tests.web.test_browser import bot_texts, open_page, send, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def choose(page, elem_id: str, option: str) -> None:
    """Pick an option of a Gradio dropdown by its visible label."""
    page.locator(f"#{elem_id} input").click()
    page.locator(f'[data-testid="dropdown-option"][aria-label="{option}"]').first.click()


def notice_contains(page, text: str, timeout: float = 30) -> None:
    page.wait_for_function(
        "t => document.querySelector('#notice').innerText.includes(t)", arg=text,
        timeout=timeout * 1000)


def messages(server):
    """Every stored message, oldest first, straight from the database."""
    import sqlite3

    with sqlite3.connect(server.db) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM messages ORDER BY id")]


def new_conversation(page) -> None:
    page.locator("#new-conv").click()
    wait_idle(page)


def test_stop_ends_generation_and_chat_mode_keeps_context(app_server, browser):
    context, page = open_page(browser, app_server.url)
    new_conversation(page)
    page.locator("#settings").get_by_text("Model and decoding").click()
    limit = page.locator("#max-new input[type=number]")
    limit.fill("1024")
    limit.press("Tab")
    page.locator("#mode label", has_text="Chat").click()
    send(page, "Write the numbers from 1 to 1000, separated by commas.")
    page.wait_for_function(
        "() => { const b = document.querySelectorAll('[data-testid=\"bot\"]');"
        " return b.length && b[b.length - 1].innerText.length > 40; }", timeout=90_000)
    typed = "Noch ein Satz, während es läuft."
    page.locator("#input textarea").fill(typed)  # typed while the reply streams: kept
    assert page.locator("#new-conv").is_disabled()  # no switching conversations now (list and Delete too)
    page.wait_for_timeout(1500)  # more updates stream in
    page.locator("#stop").click()
    wait_idle(page, timeout=30)
    assert page.locator("#input textarea").input_value() == typed
    page.wait_for_function("() => !document.querySelector('#new-conv').disabled", timeout=10_000)
    assert not page.locator("#conversations input[type=radio]").first.is_disabled()
    reply = messages(app_server)[-1]
    assert reply["role"] == "assistant" and reply["status"] == "stopped"
    assert reply["params"] and json.loads(reply["params"])["mode"] == "chat"
    assert "<|im_start|>user" in reply["prompt"]  # SmolLM2's own chat template
    assert reply["completion_tokens"] < 1024
    assert "stopped" in bot_texts(page)[-1]
    # the conversation goes on, with the earlier turn as context
    limit.fill("24")
    limit.press("Tab")
    send(page, "Now say it in German.")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length >= 2",
                           timeout=60_000)
    wait_idle(page)
    last = messages(app_server)[-1]
    assert last["status"] == "complete" and "Write the numbers from 1 to 1000" in last["prompt"]
    # back to Translate: the next message gets the translation prompt, not the history
    page.locator("#mode label", has_text="Translate").click()
    send(page, "Die Katze trinkt Milch.")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length >= 3",
                           timeout=60_000)
    wait_idle(page)
    last = messages(app_server)[-1]
    assert json.loads(last["params"])["mode"] == "translate"
    assert "Write the numbers" not in last["prompt"] and "Die Katze trinkt Milch." in last["prompt"]
    assert "German → English" in bot_texts(page)[-1]
    context.close()


def test_the_chats_trash_icon_starts_a_new_conversation_and_deletes_nothing(app_server, browser):
    context, page = open_page(browser, app_server.url)
    new_conversation(page)
    send(page, "Der Bus kommt heute später.")
    wait_idle(page)
    first = messages(app_server)[-1]["conversation_id"]
    page.locator("#chat button[aria-label='Clear']").click()
    notice_contains(page, "the one you cleared stays in the list")
    assert page.locator('[data-testid="bot"]').count() == 0
    send(page, "Die Bahn fährt pünktlich.")
    wait_idle(page)
    later = messages(app_server)
    assert later[-1]["conversation_id"] != first and any(m["conversation_id"] == first for m in later)
    context.close()


def test_correcting_the_source_language_translates_again(app_server, browser):
    context, page = open_page(browser, app_server.url)
    new_conversation(page)
    send(page, "Het weer is vandaag erg mooi en zonnig.")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length > 0",
                           timeout=60_000)
    wait_idle(page)
    first = messages(app_server)[-1]
    choose(page, "resrc", "Afrikaans (af)")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"bot\"]')].some("
        "b => b.innerText.includes('Afrikaans → English'))", timeout=60_000)
    wait_idle(page)
    again = messages(app_server)[-1]
    assert again["src"] == "af" and again["parent_id"] == first["parent_id"]
    assert first["src"] != "af" and "Afrikaans" in again["prompt"]
    assert page.locator('[data-testid="bot"]').count() == 1  # an alternative, not a new turn
    assert "source corrected (detected Dutch)" in bot_texts(page)[-1]
    assert len([m for m in messages(app_server) if m["parent_id"] == first["parent_id"]]) == 2
    # the correction is kept as one more alternative of the same turn (browse back to it)
    page.locator("#prev-alt").click()
    wait_idle(page)
    assert "Afrikaans → English" not in bot_texts(page)[-1]
    context.close()


def test_export_downloads_this_users_pairs(app_server, browser, tmp_path):
    context, page = open_page(browser, app_server.url)
    page.locator("#export").click()
    notice_contains(page, "no preference pairs yet")
    send(page, "Guten Abend, meine Damen und Herren.")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length > 0",
                           timeout=60_000)
    wait_idle(page)
    page.locator('[data-testid="bot"]').last.hover()
    page.locator('#chat button[aria-label="Edit"]').last.click()
    page.locator("#chat textarea").last.fill("Good evening, ladies and gentlemen.")
    page.locator('#chat button[aria-label="Submit"]').click()
    notice_contains(page, "Correction saved")
    wait_idle(page)
    page.locator("#export").click()
    notice_contains(page, "Exported 1 pair")
    with page.expect_download() as download:
        page.locator("#export-file a").first.click()
    path = tmp_path / "pairs.jsonl"
    download.value.save_as(path)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == 1  # only this browser's pair, though the server has others
    assert rows[0]["chosen"] == "Good evening, ladies and gentlemen."
    assert rows[0]["prompt"] == messages(app_server)[-2]["prompt"]
    assert set(rows[0]) >= {"prompt", "chosen", "rejected"}
    context.close()


@pytest.fixture(scope="module")
def parrot_server(tmp_path_factory, tiny_model_dir, smollm2_dir):
    """The app on the tiny random Llama with ParroT prompts (fast; output is noise)."""
    server = AppServer(tmp_path_factory.mktemp("parrot"), model=str(tiny_model_dir),
                       extra=("--style", "parrot"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_hint_contrast_stores_a_no_errors_vs_major_errors_pair(parrot_server, browser):
    context, page = open_page(browser, parrot_server.url)
    page.wait_for_selector("#hint", state="visible", timeout=30_000)
    assert not page.locator("#hint-free").is_visible()  # free text is for chat models
    choose(page, "hint", "no errors")
    page.locator("#settings").get_by_text("Model and decoding").click()
    page.locator("#max-new input[type=number]").fill("12")
    page.locator("#max-new input[type=number]").press("Tab")
    send(page, "Der Hund schläft in der Sonne.")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length > 0",
                           timeout=60_000)
    wait_idle(page)
    page.locator("#contrast").click()
    notice_contains(page, "hint-contrast pair")
    good, bad = messages(parrot_server)[-2:]
    assert "### Hint: A translation with no errors could be" in good["prompt"]
    assert "### Hint: A translation with major errors could be" in bad["prompt"]
    from storage import open_store

    store = open_store(parrot_server.db)
    try:
        pairs = list(store.pairs(kind="hint-contrast"))
    finally:
        store.close()
    assert len(pairs) == 1
    assert pairs[0].prompt == good["prompt"]
    assert (pairs[0].chosen, pairs[0].rejected) == (good["content"], bad["content"])
    context.close()


def test_switching_the_preset_loads_with_progress(parrot_server, browser):
    context, page = open_page(browser, parrot_server.url)
    page.locator("#settings").get_by_text("Model and decoding").click()
    choose(page, "preset", "smollm2")
    page.locator("#load-model").click()
    page.wait_for_function(
        "() => document.querySelector('#model-status').innerText.includes('loading')", timeout=10_000)
    page.wait_for_function(
        "() => /smollm2.*ready/.test(document.querySelector('#model-status').innerText)",
        timeout=120_000)
    status = page.locator("#model-status").inner_text()
    assert "chat prompts" in status
    page.wait_for_selector("#hint-free", state="visible", timeout=10_000)
    assert not page.locator("#hint").is_visible()  # ParroT's hint kinds are gone with ParroT
    send(page, "Der Hund schläft in der Sonne.")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length > 0",
                           timeout=60_000)
    wait_idle(page)
    last = messages(parrot_server)[-1]
    assert "<|im_start|>" in last["prompt"] and last["status"] == "complete"
    context.close()
