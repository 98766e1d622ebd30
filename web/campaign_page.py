"""The campaign page at ``/campaign`` on the chat's server: the annotator's side-by-side
judgements (``?token=…``) and the owner's dashboard (``?owner=…``).

Annotator: one item at a time, the source between its dimmed neighbours, candidates A and B
without system names, buttons (keys 1–4), optional post-edit and reasons, "37 / 120"; every
click is stored at once, and the link always opens at the first unjudged item. Owner:
progress, the leaderboard and the charts, refreshed every few seconds.
"""
from __future__ import annotations

import html
import logging
import time

import gradio as gr

from campaigns import annotate
from campaigns.plots import figures
from campaigns.report import report_text
from chat.feedback import REASONS
from chat.settings import UserError
from chat.zerogpu import oauth_enabled
from storage import NotFound, StorageError
from web.handlers import warn

log = logging.getLogger(__name__)
PATH = "campaign"
REFRESH_S = 5.0
BUTTONS = (("A is better [1]", "left", "camp-pick-a"), ("B is better [2]", "right", "camp-pick-b"),
           ("Tie [3]", "tie", "camp-pick-tie"), ("Both bad [4]", "both-bad", "camp-pick-both-bad"))
KEYS_JS = """() => {
  if (window.__hintmtCampaignKeys) return;
  window.__hintmtCampaignKeys = true;
  const ids = {"1": "camp-pick-a", "2": "camp-pick-b", "3": "camp-pick-tie", "4": "camp-pick-both-bad"};
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT")) return;
    const id = ids[event.key];
    const button = id && document.getElementById(id);
    if (button && button.offsetParent !== null && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });
}"""
CSS = """
#camp-source .ctx { opacity: .45; font-size: .9em; }
#camp-source .src { font-size: 1.15em; margin: .3em 0; }
#camp-progress progress { width: 12em; vertical-align: middle; margin-left: .5em; }
"""


def source_html(view: annotate.ItemView) -> str:
    """The source sentence between its neighbours (dimmed), all escaped."""
    parts = []
    if view.previous:
        parts.append(f'<div class="ctx">{html.escape(view.previous)}</div>')
    parts.append(f'<div class="src"><b>{html.escape(view.source)}</b></div>')
    if view.next:
        parts.append(f'<div class="ctx">{html.escape(view.next)}</div>')
    return "".join(parts)


def _dashboard_markdown(campaign, progress: dict, results: dict) -> str:
    rows = ["| annotator | judged | imported |", "|---|---|---|"]
    rows += [f"| {html.escape(name)} | {p['done']} / {p['total']} | {p.get('imported', 0)} |"
             for name, p in progress["annotators"].items()]
    return (f"## Campaign {html.escape(campaign.name)} — dashboard\n\n" + "\n".join(rows) +
            "\n\n```\n" + report_text(campaign.name, results) + "\n```")


class CampaignPage:
    """Handlers of the page (campaign calls in, Gradio updates out)."""

    def __init__(self, campaigns):  # noqa: ANN001 - a storage.CampaignStore
        self.campaigns = campaigns

    def show(self, token: str) -> tuple:
        """(notice, annotate box, end box, progress, source, left, right, post-edit, reasons,
        assignment id, time shown)."""
        view = annotate.current_item(self.campaigns, token)
        number = (f"<b>{html.escape(view.campaign)}</b> · {html.escape(view.annotator)} · item "
                  f"{min(view.done + 1, view.total)} / {view.total} "
                  f'<progress value="{view.done}" max="{max(view.total, 1)}"></progress>')
        if view.finished:
            return ("", gr.update(visible=False), gr.update(visible=True), number, "", "", "",
                    "", [], None, 0.0)
        return ("", gr.update(visible=True), gr.update(visible=False), number, source_html(view),
                view.left, view.right, view.left, [], view.assignment_id, time.time())

    def on_load(self, request: gr.Request, profile: gr.OAuthProfile | None = None):
        """Open the page from its link: ``?owner=`` (dashboard), ``?token=`` (annotator), or
        ``?campaign=NAME`` for a Hugging Face user signed in on a Space who is ``hf:NAME``'s
        annotator (the token is looked up on the server and kept in its session state)."""
        params = dict(request.query_params) if request is not None else {}
        token, owner = params.get("token", ""), params.get("owner", "")
        hidden = gr.update(visible=False)
        try:
            if owner:
                return (token, owner, "", hidden, hidden, gr.update(visible=True),
                        *self.refresh_dashboard(owner), gr.update(active=True),
                        *[gr.update()] * 8)
            if not token and params.get("campaign"):
                username = profile.get("preferred_username") if profile else None
                token = annotate.signed_in_token(self.campaigns, params["campaign"], username)
            if not token:
                raise UserError("This page needs the link you were given (it ends in ?token=…).")
            return (token, "", *self._annotator_outputs(token, hidden))
        except (UserError, NotFound, StorageError) as err:
            return ("", "", warn(str(err)), hidden, hidden, hidden, *[gr.update()] * 5,
                    gr.update(active=False), *[gr.update()] * 8)

    def _annotator_outputs(self, token: str, hidden) -> tuple:
        shown = self.show(token)
        return (shown[0], shown[1], shown[2], hidden, *[gr.update()] * 5, gr.update(active=False),
                *shown[3:])

    def refresh_dashboard(self, owner: str) -> tuple:
        campaign, progress, results, judgements = annotate.dashboard(self.campaigns, owner)
        charts = figures(results, judgements)
        return (_dashboard_markdown(campaign, progress, results), *charts.values())

    def on_tick(self, owner: str):
        if not owner:
            return (gr.update(),) * 5
        try:
            return self.refresh_dashboard(owner)
        except (NotFound, StorageError) as err:
            return (warn(str(err)), *[gr.update()] * 4)

    def judge_handler(self, button: str):
        def handler(token, assignment_id, shown_at, post_edit, reasons):  # noqa: ANN001
            try:
                if assignment_id is None:
                    raise UserError("There is no item to judge on this page; reload the link.")
                seconds = round(time.time() - shown_at, 2) if shown_at else None
                annotate.judge(self.campaigns, token, int(assignment_id), button, seconds,
                               post_edit, list(reasons or []))
                return self.show(token)
            except (UserError, NotFound, StorageError, ValueError) as err:
                return (warn(str(err)), *[gr.update()] * 10)
            except Exception as err:  # noqa: BLE001 - the page never shows a traceback
                log.exception("campaign judgement failed")
                return (warn(f"Something went wrong: {err}"), *[gr.update()] * 10)
        handler.__name__ = f"on_pick_{button.replace('-', '_')}"
        return handler


def add_campaign_page(demo: gr.Blocks, campaigns) -> None:  # noqa: ANN001
    """Add the ``/campaign`` page (hidden from the navigation bar) to the app."""
    page = CampaignPage(campaigns)
    with demo.route("Campaign", PATH, show_in_navbar=False):
        gr.HTML(f"<style>{CSS}</style>", padding=False)
        if oauth_enabled():  # on a Space: hf:NAME annotators sign in instead of using a token
            gr.LoginButton(elem_id="camp-login")
        token, owner = gr.State(""), gr.State("")
        assignment, shown_at = gr.State(None), gr.State(0.0)
        notice = gr.Markdown(elem_id="camp-notice")
        with gr.Column(visible=False, elem_id="camp-annotate") as annotate_box:
            progress_md = gr.HTML(elem_id="camp-progress")
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
        with gr.Column(visible=False, elem_id="camp-end") as end_box:
            gr.Markdown("## All done — thank you!\n\nEvery judgement is saved. You can close this "
                        "page.", elem_id="camp-done")
        with gr.Column(visible=False, elem_id="camp-dashboard") as dash_box:
            dash_md = gr.Markdown(elem_id="camp-dash-text")
            with gr.Row():
                plots = [gr.Plot(label=label, elem_id=f"camp-plot-{key}") for key, label in
                         (("leaderboard", "Leaderboard"), ("win_rates", "Win rates"))]
            with gr.Row():
                plots += [gr.Plot(label=label, elem_id=f"camp-plot-{key}") for key, label in
                          (("timeline", "Judgements over time"), ("qc", "Quality control"))]
        timer = gr.Timer(REFRESH_S, active=False)
        shown = [progress_md, source, left, right, post_edit, reasons, assignment, shown_at]
        demo.load(page.on_load, None, [token, owner, notice, annotate_box, end_box, dash_box,
                                       dash_md, *plots, timer, *shown])
        demo.load(None, None, None, js=KEYS_JS)
        from_a.click(lambda text: text, [left], [post_edit], queue=False, show_progress="hidden")
        from_b.click(lambda text: text, [right], [post_edit], queue=False, show_progress="hidden")
        timer.tick(page.on_tick, [owner], [dash_md, *plots], show_progress="hidden")
        for btn, (_, value, _) in zip(buttons, BUTTONS):
            btn.click(page.judge_handler(value), [token, assignment, shown_at, post_edit, reasons],
                      [notice, annotate_box, end_box, *shown], show_progress="hidden",
                      concurrency_limit=None)
