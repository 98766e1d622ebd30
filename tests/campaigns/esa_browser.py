"""Driving the error-span screen in chromium (Playwright) for the browser tests: open a link, wait
for an item, focus a candidate's text with Tab, select with the keyboard or a real mouse drag,
read the stored judgements back from SQLite."""
from __future__ import annotations

import json
import re
import sqlite3

RTL = re.compile(r"[\u0590-\u08ff]")
# The client rectangle of the first ``word`` (UTF-16 indexOf is fine here: it is only a place
# to put the mouse) in the text of candidate ``nth``: [left, right, middle y].
RECT = """([nth, word]) => {
  const div = document.querySelectorAll('#esa-screen .esa-text')[nth];
  const walk = document.createTreeWalker(div, NodeFilter.SHOW_TEXT);
  for (let node; (node = walk.nextNode());) {
    const i = node.data.indexOf(word);
    if (i < 0) continue;
    const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + word.length);
    const b = r.getBoundingClientRect(); return [b.left, b.right, b.top + b.height / 2];
  }
  return null;
}"""


def open_link(context, url: str):
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector("#esa-progress, #camp-done", state="visible", timeout=60_000)
    return page


def wait_item(page, number: int, total: int) -> None:
    if number > total:
        page.wait_for_selector("#camp-done", state="visible", timeout=30_000)
        return
    page.wait_for_function(
        f"() => (document.querySelector('#esa-progress') || {{innerText: ''}}).innerText"
        f".includes('item {number} / {total}')", timeout=30_000)
    page.wait_for_selector("#esa-screen .esa-text", timeout=30_000)


def texts(page) -> list[str]:
    """The candidates' texts as shown (the text elements hold nothing else)."""
    return page.eval_on_selector_all("#esa-screen .esa-text", "els => els.map(e => e.textContent)")


def tab_to(page, selector: str, nth: int = 0, limit: int = 60) -> None:
    """Press Tab until the ``nth`` element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("([s, n]) => document.activeElement === document.querySelectorAll(s)[n]",
                         [selector, nth]):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} #{nth}")


def forward(page, nth: int = 0) -> str:
    """The arrow key that moves on in candidate ``nth`` (left in a right-to-left text)."""
    rtl = page.evaluate("(n) => document.querySelectorAll('#esa-screen .esa-text')[n]"
                        ".matches(':dir(rtl)')", nth)
    return "ArrowLeft" if rtl else "ArrowRight"


def select_by_keys(page, start: int, length: int, nth: int = 0) -> None:
    """With candidate ``nth``'s text focused: Home, → ``start`` times, Shift+→ ``length`` times
    (one press a code point: the texts here have no multi-code-point graphemes)."""
    key = forward(page, nth)
    page.keyboard.press("Home")
    for _ in range(start):
        page.keyboard.press(key)
    for _ in range(length):
        page.keyboard.press(f"Shift+{key}")


def drag_over(page, nth: int, word: str) -> str:
    """Drag the mouse over ``word`` in candidate ``nth``; the selection the page took (as its
    note under the text says: "Selected “…”")."""
    left, right, y = page.evaluate(RECT, [nth, word])
    page.mouse.move(left + 1, y)
    page.mouse.down()
    page.mouse.move((left + right) / 2, y, steps=3)
    page.mouse.move(right - 1, y, steps=3)
    page.mouse.up()
    info = page.locator("#esa-screen .esa-info").nth(nth)
    info.filter(has_text="Selected “").wait_for(timeout=10_000)
    return info.inner_text().split("“", 1)[1].rsplit("”", 1)[0]


def click_at_end_of(page, nth: int, word: str) -> None:
    """Put the cursor right after ``word`` (in reading order) with a mouse click."""
    left, right, y = page.evaluate(RECT, [nth, word])
    page.mouse.click(left + 1 if RTL.search(word) else right - 1, y)


def spans_shown(page, nth: int = 0) -> str:
    return page.locator("#esa-screen .esa-spans").nth(nth).inner_text()


def stored(db, name: str) -> list[dict]:
    """``name``'s stored candidates, oldest first: text, score, spans, seconds, post_edit."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT o.text, a.qc_text, a.kind, a.qc_side, j.side, j.score, j.spans, j.seconds, "
            "j.post_edit FROM campaign_esa_judgements j "
            "JOIN campaign_annotators n ON n.id = j.annotator_id "
            "JOIN campaign_assignments a ON a.id = j.assignment_id "
            "JOIN campaign_outputs o ON o.item_id = j.item_id AND o.system_id = j.system_id "
            "WHERE n.name = ? ORDER BY j.id", (name,)).fetchall()
    return [{"text": qc_text if kind == "qc" and qc_side == side else text, "score": score,
             "spans": json.loads(spans), "seconds": seconds, "post_edit": post_edit}
            for text, qc_text, kind, qc_side, side, score, spans, seconds, post_edit in rows]
