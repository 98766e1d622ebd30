"""The error-span (ESA) annotator's screen on ``/campaign`` (``esa`` and ``contrastive-esa``
campaigns; `web.campaign_page` opens it for their links).

One screen at a time: the direction, what to mark and the severities, the keys, the source
between its dimmed neighbours, then each candidate (``contrastive-esa``: A and B in the
assignment's order, names hidden) as text to mark, its marks, a 0–100 slider with the ESA
anchors, a nudge when the score and the marks disagree, and an optional post-edit. The marking
runs in the browser (`web.esa_js`), which keeps every action in ``localStorage`` so a closed tab
resumes the half-done screen; *Submit* (Ctrl+Enter) stores the screen's candidates at once with
`campaigns.esa_annotate.save_esa` (each gets the screen's seconds, earlier tabs included) and
shows the next one, "item 3 / 40". A screen half stored (another tab) shows the stored side as
saved; a candidate stored meanwhile elsewhere keeps what was stored there, and the page says so
(a second click on the same marks says nothing).
"""
from __future__ import annotations

import hashlib
import html
import math
import time
from typing import Any, NamedTuple

import gradio as gr

from campaigns import esa_annotate
from chat.settings import UserError
from storage.campaign_esa import check_mark
from web.campaign_parts import progress_html, source_html
from web.esa_js import COLLECT_JS, ESA_CSS, ESA_JS, MOUNT_JS
from web.events import answers

LABELS = {"left": "A", "right": "B"}
MAX_EARLIER_S = 24 * 3600.0  # time a draft says was spent in earlier tabs, at most


class EsaShown(NamedTuple):
    """An annotator's error-span screen: the current one, or the end."""

    notice: Any
    esa_box: Any
    end_box: Any
    esa_progress: Any
    esa_instructions: Any
    esa_source: Any
    esa_screen: Any
    esa_assignment: Any
    esa_shown_at: Any


def esa_instructions_html(view: esa_annotate.EsaItemView) -> str:
    """The direction, what to mark, the severities, the score's anchors and the keys."""
    src, tgt = html.escape(view.src), html.escape(view.tgt)
    two = view.protocol == "contrastive-esa"
    what = (f"each of the two {tgt} translations, A and B," if two else f"the {tgt} translation")
    return (
        f'<div class="dir">{src} → {tgt}</div>'
        f"<p><b>Mark the errors in {what} of the bold {src} sentence, then score "
        f"{'each' if two else 'it'} from 0 to 100.</b> The dimmed lines are the sentences just "
        "before and after it, for context only.</p><ul>"
        '<li><mark class="esa-minor">Minor</mark>: a slight error that does not impede '
        "understanding (a small grammar or style slip, an awkward word).</li>"
        '<li><mark class="esa-major">Major</mark>: an error that changes the meaning or makes the '
        "text unusable (a mistranslation, something important added or left out, gibberish).</li>"
        "<li><b>Missing content</b>: something the translation leaves out; mark the place where "
        "it belongs.</li>"
        "<li><b>Score</b>: 0 no meaning preserved · 33 some meaning preserved · 66 most meaning "
        "preserved, few grammar mistakes · 100 perfect meaning and grammar. A major error rarely "
        "goes with a score above 66.</li></ul>"
        '<details open><summary>Mouse and keys</summary><ul class="keys">'
        "<li><b>Mouse</b>: drag over the wrong words, then press 1 or 2 (or the Minor / Major "
        "button); click between two characters and press M for missing content; click a mark "
        "to remove it.</li>"
        "<li><b>Tab</b> to a translation; <b>← →</b> move the cursor (<b>Ctrl</b>: by word; "
        "<b>Home</b> / <b>End</b>), <b>Shift+← →</b> select.</li>"
        "<li><b>1</b> minor, <b>2</b> major: marks the selection, or changes the mark at the "
        "cursor; <b>M</b> missing content at the cursor (minor; then 2 makes it major).</li>"
        "<li><b>Delete</b> / <b>Backspace</b> removes the mark at the cursor, <b>Esc</b> clears "
        "the selection.</li>"
        "<li><b>Tab</b> on to the score slider: <b>← →</b> ±1, <b>PageUp</b> / <b>PageDown</b> ±10, "
        "<b>Home</b> / <b>End</b> 0 / 100.</li>"
        "<li><b>Ctrl+Enter</b> submits the screen. What you mark is kept in this browser until "
        "then, so a closed tab reopens where you were.</li></ul></details>")


def draft_key(token: str) -> str:
    """The screen's key in the browser's drafts: not the token itself."""
    return hashlib.sha256(f"hintmt-esa:{token}".encode()).hexdigest()[:16]


def screen_value(view: esa_annotate.EsaItemView, token: str, lang: str) -> dict:
    """What the browser side renders: the candidates (a stored one with what is stored)."""
    if view.finished:
        return {"assignment": None, "key": draft_key(token)}
    return {"assignment": view.assignment_id, "key": draft_key(token), "lang": lang,
            "protocol": view.protocol,
            "candidates": [{"name": c.name, "label": LABELS[c.name], "text": c.text,
                            "stored": c.score is not None, "score": c.score, "spans": c.spans,
                            "post_edit": c.post_edit} for c in view.candidates]}


def _earlier(answer: dict) -> float:
    value = answer.get("earlier")
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return min(max(float(value), 0.0), MAX_EARLIER_S) if ok else 0.0


class EsaPage:
    """The screen's handlers (campaign calls in, named outputs out, failures as notices)."""

    def __init__(self, campaigns):  # noqa: ANN001 - a storage.CampaignStore
        self.campaigns = campaigns

    def opened(self, token: str) -> tuple[EsaShown, str]:
        """(the annotator's current screen, the browser tab's title)."""
        view = esa_annotate.current_esa_item(self.campaigns, token)
        return self.screen(view, token), f"Marking errors: {view.campaign} ({view.src} → {view.tgt})"

    def show(self, token: str) -> EsaShown:
        return self.screen(esa_annotate.current_esa_item(self.campaigns, token), token)

    def screen(self, view: esa_annotate.EsaItemView, token: str) -> EsaShown:
        campaign = self.campaigns.by_id(self.campaigns.annotator(token).campaign_id)
        value = screen_value(view, token, campaign.tgt)
        if view.finished:
            return EsaShown("", gr.update(visible=False), gr.update(visible=True), progress_html(view),
                            esa_instructions_html(view), "", value, None, 0.0)
        return EsaShown("", gr.update(visible=True), gr.update(visible=False), progress_html(view),
                        esa_instructions_html(view), source_html(view), value, view.assignment_id,
                        time.time())

    def _checked(self, view: esa_annotate.EsaItemView, answer: dict) -> list[tuple]:
        """(candidate, score, spans, post-edit) of each candidate not stored yet; a UserError
        naming the candidate when one lacks a score or has a bad span (nothing is stored)."""
        marks = answer.get("candidates") if isinstance(answer.get("candidates"), dict) else {}
        out = []
        for c in view.candidates:
            if c.score is not None:
                continue
            name = "the translation" if len(view.candidates) == 1 else f"translation {LABELS[c.name]}"
            mark = marks.get(c.name) if isinstance(marks.get(c.name), dict) else {}
            if mark.get("score") is None:
                raise UserError(f"Give {name} a score (0–100) before submitting; nothing was saved.")
            try:
                score, spans = check_mark(c.text, mark["score"], mark.get("spans") or [])
            except ValueError as err:
                raise UserError(f"{name}: {err}; nothing was saved.") from None
            edit = mark.get("post_edit")
            out.append((c.name, score, spans, edit if isinstance(edit, str) else None))
        return out

    @answers(EsaShown, own_not_found=True)
    def on_submit(self, token: str, assignment_id, shown_at, answer):  # noqa: ANN001
        """Store the screen's candidates (the browser's marks in ``answer``), show the next."""
        if assignment_id is None:
            raise UserError("There is no item to score on this page; reload the link.")
        answer = answer if isinstance(answer, dict) else {}
        if answer.get("assignment") != assignment_id:
            raise UserError("This page is out of step with the server; reload the link.")
        view = esa_annotate.esa_item(self.campaigns, token, int(assignment_id))
        todo = self._checked(view, answer)
        seconds = round(time.time() - shown_at + _earlier(answer), 2) if shown_at else None
        lost = [name for name, score, spans, edit in todo
                if not esa_annotate.save_esa(self.campaigns, token, int(assignment_id), name, score,
                                             spans, edit, seconds)]
        clash = self._clashes(token, int(assignment_id), answer,
                              set(lost) if todo else {c.name for c in view.candidates})
        shown = self.show(token)
        if clash:  # not a second click on the same marks: another tab stored something else
            names = " and ".join(LABELS[n] for n in clash) if len(view.candidates) > 1 else ""
            shown = shown._replace(notice=(
                f"⚠️ {'Translation ' + names if names else 'This item'} was already scored in another "
                "tab; what was stored there is kept and this tab's marks for it were not. This tab "
                "now shows the first item not yet scored."))
        return shown

    def _clashes(self, token: str, assignment_id: int, answer: dict, names: set[str]) -> list[str]:
        """Those of ``names`` whose stored score or spans are not what ``answer`` holds."""
        marks = answer.get("candidates") if isinstance(answer.get("candidates"), dict) else {}
        stored = esa_annotate.stored_esa(self.campaigns, token, assignment_id)

        def same(mark, kept: dict) -> bool:
            spans = mark.get("spans") if isinstance(mark, dict) else None
            key = [tuple(s.get(k) for k in ("start", "end", "severity"))
                   for s in (spans if isinstance(spans, list) else []) if isinstance(s, dict)]
            return mark.get("score") == kept["score"] and sorted(key, key=str) == sorted(
                ((s["start"], s["end"], s["severity"]) for s in kept["spans"]), key=str)

        return [n for n in sorted(names) if n in stored
                and not (isinstance(marks.get(n), dict) and same(marks[n], stored[n]))]


def esa_section() -> dict:
    """The screen's components (inside the page's route), by the names `EsaShown` uses, and
    ``esa_submit``; hidden until a link of an error-span campaign opens it."""
    gr.HTML(f"<style>{ESA_CSS}</style>", padding=False)
    named = {"esa_assignment": gr.State(None), "esa_shown_at": gr.State(0.0)}
    with gr.Column(visible=False, elem_id="esa-annotate") as named["esa_box"]:
        named["esa_progress"] = gr.HTML(elem_id="esa-progress")
        named["esa_instructions"] = gr.HTML(elem_id="esa-instructions")
        named["esa_source"] = gr.HTML(elem_id="esa-source")
        named["esa_screen"] = gr.HTML(None, html_template='<div class="esa-root"></div>',
                                      js_on_load=MOUNT_JS, head=f"<script>{ESA_JS}</script>",
                                      apply_default_css=False, elem_id="esa-screen", padding=False)
        named["esa_submit"] = gr.Button("Submit and next [Ctrl+Enter]", variant="primary",
                                        elem_id="esa-submit")
    return named


def wire_esa(page: EsaPage, named: dict) -> None:
    """The submit event: the browser's marks (``COLLECT_JS``) in, the next screen out."""
    named["esa_submit"].click(
        page.on_submit, [named[n] for n in ("token", "esa_assignment", "esa_shown_at", "esa_screen")],
        [named[n] for n in EsaShown._fields], js=COLLECT_JS, show_progress="hidden",
        concurrency_limit=None)
