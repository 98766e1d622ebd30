"""XSS in a real browser: script, event-handler and javascript: payloads coming back from
the *model* (a checkpoint whose greedy output is the payload), and typed by the user into
places other than the chat bubble (conversation title, model box → error notice), render
as inert text. tests/web/test_browser.py covers the user's own chat bubble.

A payload that ran would set `window.__xss` or open a dialog; neither may happen, before
or after clicking every link, nor after a reload that renders the stored history."""
from __future__ import annotations

import time

import pytest

from tests.fixtures_reliability import make_scripted_model_dir, start_server

pytestmark = [pytest.mark.browser, pytest.mark.integration]

MODEL_OUTPUT = [
    "<script>window.__xss='script';alert('script')</script>",
    " <img src=x onerror=\"window.__xss='img';alert('img')\">",
    " [click me](javascript:window.__xss='md';alert('md'))",
    " <a href=\"javascript:window.__xss='a'\">a link</a>",
    " <svg onload=\"window.__xss='svg'\"></svg>",
    " <iframe srcdoc=\"<script>parent.__xss='iframe'</script>\"></iframe>",
]
TYPED = "Hallo Welt, das ist mein Test <img src=x onerror=\"window.__xss='title'\">"
MODEL_BOX = "<img src=x onerror=\"window.__xss='notice'\">"
AREAS = "#chat, #conversations, #notice, #model-status, #title-box"

ACTIVE_CONTENT = """(areas) => {
  const found = [];
  for (const root of document.querySelectorAll(areas)) {
    for (const el of root.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) {
        const value = el.getAttribute(attr) || '';
        if (attr.startsWith('on')) found.push(`${el.tagName} ${attr}`);
        if (/^\\s*javascript:/i.test(value)) found.push(`${el.tagName} ${attr}=${value}`);
      }
      if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) found.push(el.tagName);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory):
    model = make_scripted_model_dir(tmp_path_factory.mktemp("payload-model"), MODEL_OUTPUT)
    with pytest.MonkeyPatch.context() as env:
        # The payload is much longer than the typed text: the runaway guard would cut it short.
        env.setenv("HINTMT_RUNAWAY_GUARD", "off")
        server = start_server(tmp_path_factory.mktemp("payload-app"), str(model),
                              extra=("--allow-any-model",))  # so that a typed path reaches the loader
    yield server
    server.stop()


def assert_inert(page, dialogs):
    assert page.evaluate("() => window.__xss === undefined"), page.evaluate("() => window.__xss")
    assert dialogs == []
    assert page.evaluate(ACTIVE_CONTENT, AREAS) == []


def test_payloads_render_as_text(payload_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(payload_server.url, wait_until="load")
    page.wait_for_function("() => document.querySelector('#model-status')?.innerText.includes('ready')",
                           timeout=60_000)

    box = page.locator("#input textarea")
    box.fill(TYPED)
    box.press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"bot\"]')]"
                           ".some(e => e.innerText.includes('iframe srcdoc'))", timeout=60_000)
    page.wait_for_function("() => document.querySelector('#conversations')?.innerText.includes('Hallo Welt')",
                           timeout=30_000)
    bot = page.locator('[data-testid="bot"]').last.inner_text()
    assert "<script>window.__xss='script'" in bot and "javascript:" in bot  # shown, as text
    assert "<img src=x" in page.locator("#conversations").inner_text()

    page.locator("#settings").get_by_text("Model and decoding").click()
    preset = page.locator("#preset input")
    preset.fill(MODEL_BOX)
    preset.press("Enter")
    page.get_by_role("button", name="Load model").click()
    page.wait_for_function("() => document.querySelector('#notice')?.innerText.includes('Unknown model')",
                           timeout=30_000)
    assert "<img src=x" in page.locator("#notice").inner_text()
    time.sleep(1)  # an onerror would fire as soon as the broken image is in the DOM
    assert_inert(page, dialogs)

    for link in page.locator("#chat a").all():
        link.click(modifiers=["Control"], timeout=5_000)  # a javascript: href would run here
    time.sleep(0.5)
    assert_inert(page, dialogs)

    page.reload(wait_until="load")  # the stored history, rendered again
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"bot\"]')]"
                           ".some(e => e.innerText.includes('iframe srcdoc'))", timeout=60_000)
    time.sleep(1)
    assert_inert(page, dialogs)

    # A path-like name passes the name check and fails while loading: the error reaches the
    # status line every visitor sees, and the running model serves on.
    page.locator("#settings").get_by_text("Model and decoding").click()
    preset = page.locator("#preset input")
    preset.fill("/nowhere/" + MODEL_BOX)
    preset.press("Enter")
    page.get_by_role("button", name="Load model").click()
    page.wait_for_function(
        "() => document.querySelector('#model-status')?.innerText.includes('still using')",
        timeout=60_000)
    assert "<img src=x" in page.locator("#model-status").inner_text()
    time.sleep(1)
    assert_inert(page, dialogs)
    # the scan does find active content when there is some
    page.evaluate("() => document.querySelector('#chat').insertAdjacentHTML('beforeend', "
                  "'<b onclick=\\'x\\'>t</b><a href=\\'javascript:x\\'>l</a>')")
    assert page.evaluate(ACTIVE_CONTENT, AREAS) == ["B onclick", "A href=javascript:x"]
    context.close()
