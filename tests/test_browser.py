"""The real app in Debian chromium: type, watch the reply stream, reload, history is kept."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# Screenshots go to docs/ (the README's) only when asked for: HINTMT_SCREENSHOTS=1.
SHOTS = Path(__file__).resolve().parents[1] / "docs" if os.environ.get("HINTMT_SCREENSHOTS") \
    else Path(tempfile.gettempdir()) / "hintmt-shots"


def open_page(browser, url, context=None):
    context = context or browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector("#model-status", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('#model-status').innerText.includes('ready')", timeout=120_000)
    return context, page


def send(page, text):
    box = page.locator("#input textarea")
    box.fill(text)
    box.press("Enter")


def bot_texts(page):
    return page.locator('[data-testid="bot"]').all_inner_texts()


def test_stream_reply_and_reload_keeps_history(app_server, browser):
    context, page = open_page(browser, app_server.url)
    before = len(bot_texts(page))
    send(page, "Der Hund schläft in der Sonne.")
    page.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"bot\"]').length > {before}",
                           timeout=60_000)
    seen = []
    deadline = time.time() + 60
    while time.time() < deadline:
        texts = bot_texts(page)
        last = texts[-1] if texts else ""
        if not seen or seen[-1] != last:
            seen.append(last)
        if page.locator("#send").is_enabled() and "German → English" in last and len(seen) > 2 \
                and page.evaluate("() => !document.querySelector('.generating')"):
            break
        time.sleep(0.05)
    assert "German → English" in seen[-1]
    assert len(set(seen)) >= 3, f"reply did not stream in steps: {seen}"
    final = bot_texts(page)[-1]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "screenshot.png"))

    page.reload(wait_until="load")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"user\"]').length > 0", timeout=30_000)
    assert "Der Hund schläft in der Sonne." in page.locator('[data-testid="user"]').all_inner_texts()[-1]
    assert bot_texts(page)[-1].strip() == final.strip()
    context.close()


def test_two_browsers_do_not_see_each_other(app_server, browser):
    ctx_a, page_a = open_page(browser, app_server.url)
    send(page_a, "Ein geheimer Satz von Anna.")
    page_a.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"user\"]').length > 0", timeout=30_000)
    ctx_b, page_b = open_page(browser, app_server.url)
    time.sleep(1)
    assert "geheimer" not in page_b.content()
    assert page_b.locator('[data-testid="user"]').count() == 0
    ctx_a.close()
    ctx_b.close()


def test_script_payload_renders_as_text(app_server, browser):
    context, page = open_page(browser, app_server.url)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script> [x](javascript:alert(3))'
    send(page, payload)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"user\"]')].some(e => e.innerText.includes('<script>'))",
        timeout=30_000)
    time.sleep(1)
    assert dialogs == []
    assert page.locator('[data-testid="user"] img').count() == 0
    assert page.locator('[data-testid="user"] a[href^="javascript"]').count() == 0
    context.close()
