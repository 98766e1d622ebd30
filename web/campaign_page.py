"""The campaign page at ``/campaign`` on the chat's server: the annotator's side-by-side
judgements (``?token=…``) and the owner's dashboard (``?owner=…``).

Annotator: the direction and the question first, then one item at a time, the source between
its dimmed neighbours, candidates A and B without system names, buttons (keys 1–4 wherever
the focus is but in the post-edit box), optional post-edit and reasons, "37 / 120"; every
click is stored at once, the link always opens at the first unjudged item, and a click on an
item already judged in another tab says so and shows that verdict. A link of an error-span
campaign (``esa``, ``contrastive-esa``) opens `web.esa_page`'s screen instead. Owner: progress,
the leaderboard and the charts (`campaign report`'s figures; an error-span campaign's own),
refreshed every few seconds. The browser tab is titled after the campaign.
"""
from __future__ import annotations

import html
import logging
import time
from typing import Any, NamedTuple

import gradio as gr

from campaigns import annotate
from campaigns.plots import figures
from campaigns.report import report_text
from chat.feedback import REASONS
from chat.settings import UserError
from chat.zerogpu import oauth_enabled
from web.campaign_parts import progress_html, source_html
from web.esa_page import EsaPage, EsaShown, esa_section, wire_esa
from web.events import answers, unchanged

log = logging.getLogger(__name__)
PATH = "campaign"
REFRESH_S = 5.0
PLOTS = {"leaderboard": "Leaderboard", "win_rates": "Win rates", "esa_scores": "Mean score (ESA)",
         "esa_errors": "Errors per severity", "esa_positions": "Where the errors are",
         "esa_calibration": "Scores per annotator", "timeline": "Judgements over time",
         "qc": "Quality control"}  # every chart campaigns.plots.figures may give; shown in pairs
VERDICTS = {"left": "A is better", "right": "B is better", "tie": "Tie", "both-bad": "Both bad"}
BUTTONS = tuple((f"{VERDICTS[value]} [{key}]", value, f"camp-pick-{name}") for key, value, name in
                (("1", "left", "a"), ("2", "right", "b"), ("3", "tie", "tie"), ("4", "both-bad", "both-bad")))
# Keys 1–4 press the buttons wherever the focus is (a ticked reason, a button, the page), but
# not while typing: in an editable text field (the post-edit box) they are text.
KEYS_JS = """() => {
  if (window.__hintmtCampaignKeys) return;
  window.__hintmtCampaignKeys = true;
  const ids = {"1": "camp-pick-a", "2": "camp-pick-b", "3": "camp-pick-tie", "4": "camp-pick-both-bad"};
  const typing = (el) => !!el && (el.isContentEditable || ((el.tagName === "TEXTAREA" ||
    (el.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset|range|color|file)$/i.test(el.type)))
    && !el.readOnly && !el.disabled));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (typing(event.target)) return;
    const id = ids[event.key];
    const button = id && document.getElementById(id);
    if (button && button.offsetParent !== null && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });
}"""
TITLE_JS = "const set = () => { if (props.value) document.title = props.value; }; set(); watch('value', set);"
CSS = """
#camp-title { display: none; }
#camp-instructions .dir { font-size: 1.2em; font-weight: 600; }
#camp-source .ctx { opacity: .45; font-size: .9em; }
#camp-source .src { font-size: 1.15em; margin: .3em 0; }
#camp-progress progress { width: 12em; vertical-align: middle; margin-left: .5em; }
"""


def instructions_html(view: annotate.ItemView) -> str:
    """The direction and the question, and what the dimmed lines are."""
    src, tgt = html.escape(view.src), html.escape(view.tgt)
    return (f'<div class="dir">{src} → {tgt}</div><p><b>Which is the better {tgt} translation of '
            f"the bold {src} sentence: A or B?</b> The dimmed lines above and below it are the "
            "sentences just before and after it in the text, shown for context only; judge the "
            "translation of the bold sentence. Click a button or press 1–4. A post-edit and "
            "error reasons are optional.</p>")


def _dashboard_markdown(campaign, progress: dict, results: dict) -> str:
    rows = ["| annotator | judged | imported |", "|---|---|---|"]
    rows += [f"| {html.escape(name)} | {p['done']} / {p['total']} | {p.get('imported', 0)} |"
             for name, p in progress["annotators"].items()]
    return (f"## Campaign {html.escape(campaign.name)} — dashboard\n\n" + "\n".join(rows) +
            "\n\n```\n" + report_text(campaign.name, results) + "\n```")


class Shown(NamedTuple):
    """An annotator's screen: the current item, or the end."""

    notice: Any
    annotate_box: Any
    end_box: Any
    progress_md: Any
    source: Any
    left: Any
    right: Any
    post_edit: Any
    reasons: Any
    assignment: Any
    shown_at: Any
    instructions: Any


Dashboard = NamedTuple("Dashboard", [(name, Any) for name in (
    "dash_md", "plot_leaderboard", "plot_win_rates", "plot_timeline", "plot_qc", "notice",
    "plot_esa_scores", "plot_esa_errors", "plot_esa_positions", "plot_esa_calibration")])

# The page opened from its link: an annotator's screen (``Shown`` or ``EsaShown``) or the
# owner's dashboard (the pairwise fields first, in their old order).
Opened = NamedTuple("Opened", [(name, Any) for name in (
    "token", "owner", "notice", "annotate_box", "end_box", "dash_box",
    *Dashboard._fields[:5], "timer", *Shown._fields[3:], "title",
    *Dashboard._fields[6:], *(f for f in EsaShown._fields if f not in ("notice", "end_box")))])


class CampaignPage:
    """Handlers of the page (campaign calls in, named outputs out, failures as notices)."""

    def __init__(self, campaigns):  # noqa: ANN001 - a storage.CampaignStore
        self.campaigns = campaigns
        self.esa = EsaPage(campaigns)
        self.results: dict = {}  # campaign id → the dashboard's last results (see annotate.dashboard)

    def show(self, token: str) -> Shown:
        return self.screen(annotate.current_item(self.campaigns, token))

    @staticmethod
    def screen(view: annotate.ItemView) -> Shown:
        number = progress_html(view)
        if view.finished:
            return Shown("", gr.update(visible=False), gr.update(visible=True), number, "", "", "", "",
                         [], None, 0.0, instructions_html(view))
        return Shown("", gr.update(visible=True), gr.update(visible=False), number, source_html(view),
                     view.left, view.right, view.left, [], view.assignment_id, time.time(),
                     instructions_html(view))


    def stale_notice(self, token: str, assignment_id: int, button: str) -> str:
        """What a click on an item judged meanwhile (in another tab) is told."""
        number, earlier = annotate.verdict(self.campaigns, token, assignment_id)
        return (f"⚠️ Item {number} was already judged in another tab: **{VERDICTS[earlier]}** is "
                f"stored for it, so this click ({VERDICTS[button]}) was not. This tab now shows "
                "the first item not yet judged.")

    @answers(Opened, own_not_found=True)
    def on_load(self, request: gr.Request, profile: gr.OAuthProfile | None = None):
        """Open the page from its link: ``?owner=`` (dashboard), ``?token=`` (annotator), or
        ``?campaign=NAME`` for a Hugging Face user signed in on a Space who is ``hf:NAME``'s
        annotator (the token is looked up on the server and kept in its session state)."""
        params = dict(request.query_params) if request is not None else {}
        token, owner = params.get("token", ""), params.get("owner", "")
        hidden = gr.update(visible=False)
        if owner:
            dashboard = self.refresh_dashboard(owner)._asdict()
            del dashboard["notice"]
            return unchanged(Opened, token=token, owner=owner, notice="", annotate_box=hidden, end_box=hidden,
                             dash_box=gr.update(visible=True), timer=gr.update(active=True),
                             title=f"Dashboard of {self.campaigns.by_owner_token(owner).name}", **dashboard)
        if not token and params.get("campaign"):
            username = profile.get("preferred_username") if profile else None
            token = annotate.signed_in_token(self.campaigns, params["campaign"], username)
        if not token:
            raise UserError("This page needs the link you were given (it ends in ?token=…).")
        if self.campaigns.by_id(self.campaigns.annotator(token).campaign_id).protocol != "pairwise":
            shown, title = self.esa.opened(token)
            return unchanged(Opened, token=token, owner="", annotate_box=hidden, dash_box=hidden,
                             timer=gr.update(active=False), title=title, **shown._asdict())
        view = annotate.current_item(self.campaigns, token)
        return unchanged(Opened, token=token, owner="", dash_box=hidden, timer=gr.update(active=False),
                         title=f"Judging {view.campaign} ({view.src} → {view.tgt})",
                         **self.screen(view)._asdict())

    def refresh_dashboard(self, owner: str) -> Dashboard:
        campaign, progress, results, judgements = annotate.dashboard(self.campaigns, owner, self.results)
        charts = figures(results, judgements, campaign.protocol)
        plots = {f"plot_{key}": gr.update(value=charts[key], visible=True) if key in charts
                 else gr.update(value=None, visible=False) for key in PLOTS}
        return Dashboard(dash_md=_dashboard_markdown(campaign, progress, results), notice=gr.update(),
                         **plots)

    @answers(Dashboard, own_not_found=True)
    def on_tick(self, owner: str):
        return self.refresh_dashboard(owner) if owner else unchanged(Dashboard)

    def judge_handler(self, button: str):
        @answers(Shown, own_not_found=True)
        def handler(token, assignment_id, shown_at, post_edit, reasons):  # noqa: ANN001
            if assignment_id is None:
                raise UserError("There is no item to judge on this page; reload the link.")
            seconds = round(time.time() - shown_at, 2) if shown_at else None
            stored = annotate.judge(self.campaigns, token, int(assignment_id), button, seconds,
                                    post_edit, list(reasons or []))
            shown = self.show(token)
            if not stored:  # judged meanwhile in another tab: say so, and what was stored
                shown = shown._replace(notice=self.stale_notice(token, int(assignment_id), button))
            return shown
        handler.__name__ = f"on_pick_{button.replace('-', '_')}"
        return handler


def add_campaign_page(demo: gr.Blocks, campaigns) -> None:  # noqa: ANN001
    """Add the ``/campaign`` page (hidden from the navigation bar) to the app."""
    page = CampaignPage(campaigns)
    with demo.route("Campaign", PATH, show_in_navbar=False):
        gr.HTML(f"<style>{CSS}</style>", padding=False)
        title = gr.HTML("Translation campaign", html_template="", js_on_load=TITLE_JS,
                        elem_id="camp-title", padding=False)
        if oauth_enabled():  # on a Space: hf:NAME annotators sign in instead of using a token
            gr.LoginButton(elem_id="camp-login")
        token, owner = gr.State(""), gr.State("")
        assignment, shown_at = gr.State(None), gr.State(0.0)
        notice = gr.Markdown(elem_id="camp-notice")
        with gr.Column(visible=False, elem_id="camp-annotate") as annotate_box:
            progress_md = gr.HTML(elem_id="camp-progress")
            instructions = gr.HTML(elem_id="camp-instructions")
            source = gr.HTML(elem_id="camp-source")
            with gr.Row(equal_height=True):
                left = gr.Textbox(label="A", interactive=False, lines=3, elem_id="camp-left")
                right = gr.Textbox(label="B", interactive=False, lines=3, elem_id="camp-right")
            with gr.Row():
                buttons = [gr.Button(label, elem_id=elem_id, variant="secondary")
                           for label, _, elem_id in BUTTONS]
            with gr.Accordion("Post-edit and error reasons (optional)", open=False,
                              elem_id="camp-extra"):
                post_edit = gr.Textbox(label="Post-edit (starts from A; change it into a correct "
                                             "translation, it is saved with your choice)",
                                       lines=3, elem_id="camp-post-edit")
                with gr.Row():
                    from_a = gr.Button("Start from A", size="sm", elem_id="camp-edit-a")
                    from_b = gr.Button("Start from B", size="sm", elem_id="camp-edit-b")
                reasons = gr.CheckboxGroup(list(REASONS), label="What is wrong with the worse one?",
                                           elem_id="camp-reasons")
        esa = esa_section()
        with gr.Column(visible=False, elem_id="camp-end") as end_box:
            gr.Markdown("## All done — thank you!\n\nEvery judgement is saved. You can close this "
                        "page.", elem_id="camp-done")
        with gr.Column(visible=False, elem_id="camp-dashboard") as dash_box:
            dash_md = gr.Markdown(elem_id="camp-dash-text")
            plots = {}
            for pair in zip(*[iter(PLOTS)] * 2):
                with gr.Row():
                    plots.update({key: gr.Plot(label=PLOTS[key], elem_id=f"camp-plot-{key}") for key in pair})
        timer = gr.Timer(REFRESH_S, active=False)
        named = dict(token=token, owner=owner, notice=notice, annotate_box=annotate_box, end_box=end_box,
                     dash_box=dash_box, dash_md=dash_md, timer=timer, progress_md=progress_md, source=source,
                     left=left, right=right, post_edit=post_edit, reasons=reasons, assignment=assignment,
                     shown_at=shown_at, instructions=instructions, title=title, **esa,
                     **{f"plot_{key}": plot for key, plot in plots.items()})
        demo.load(page.on_load, None, [named[n] for n in Opened._fields])
        demo.load(None, None, None, js=KEYS_JS)
        wire_esa(page.esa, named)
        from_a.click(lambda text: text, [left], [post_edit], queue=False, show_progress="hidden")
        from_b.click(lambda text: text, [right], [post_edit], queue=False, show_progress="hidden")
        timer.tick(page.on_tick, [owner], [named[n] for n in Dashboard._fields], show_progress="hidden")
        for btn, (_, value, _) in zip(buttons, BUTTONS):
            btn.click(page.judge_handler(value), [token, assignment, shown_at, post_edit, reasons],
                      [named[n] for n in Shown._fields], show_progress="hidden",
                      concurrency_limit=None)
