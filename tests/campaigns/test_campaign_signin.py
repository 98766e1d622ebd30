"""On a Space, a signed-in Hugging Face user named ``hf:USERNAME`` in `--annotators` reaches
their queue at ``/campaign?campaign=NAME`` without the token (the page's handlers called
in-process with a profile object, as Gradio passes it); everyone else gets a one-line notice."""
from __future__ import annotations

import gradio as gr
import pytest
from starlette.requests import Request

from campaigns.systems import parse_annotators
from chat.settings import UserError
from cli.campaign import links
from tests.campaign_helpers import make_campaign
from tests.fixtures_app import as_on_space
from web.campaign_page import CampaignPage, add_campaign_page

TOKEN, NOTICE, PROGRESS, ASSIGNMENT, SHOWN_AT = 0, 2, 12, 18, 19


def _request(query: str) -> gr.Request:
    return gr.Request(request=Request({"type": "http", "method": "GET", "path": "/campaign",
                                       "query_string": query.encode(), "headers": []}))


def _profile(username: str) -> gr.OAuthProfile:
    return gr.OAuthProfile({"preferred_username": username, "name": username.title(),
                            "profile": f"https://huggingface.co/{username}", "picture": ""})


@pytest.fixture
def campaign(tmp_path):
    store, campaigns, info = make_campaign(tmp_path / "chat.db", name="de en/1", n_items=4,
                                           annotators=("hf:alice", "bob"), redundancy=1)
    yield campaigns, info
    store.close()


def test_a_signed_in_annotator_reaches_and_resumes_their_queue(campaign):
    campaigns, info = campaign
    alice = next(a for a in campaigns.annotators(info.id) if a.name == "hf:alice")
    total = len(campaigns.assignments(info.id, alice.id))
    page = CampaignPage(campaigns)
    query = "campaign=de%20en%2F1"
    out = page.on_load(_request(query), _profile("alice"))
    assert out[TOKEN] == alice.token and out[NOTICE] == ""
    assert f"item 1 / {total}" in out[PROGRESS] and out[ASSIGNMENT] is not None
    shown = page.judge_handler("left")(out[TOKEN], out[ASSIGNMENT], out[SHOWN_AT], "", [])
    assert f"item 2 / {total}" in shown[3]
    assert [j.annotator for j in campaigns.judgements(info.id)] == ["hf:alice"]
    again = page.on_load(_request(query), _profile("alice"))  # a new tab, signed in
    assert f"item 2 / {total}" in again[PROGRESS]
    with_link = page.on_load(_request(f"token={alice.token}"), None)  # the link still works
    assert with_link[TOKEN] == alice.token and f"item 2 / {total}" in with_link[PROGRESS]


@pytest.mark.parametrize("query, username, message", [
    ("campaign=de%20en%2F1", None, "Sign in with Hugging Face"),     # OAuth off, or signed out
    ("campaign=de%20en%2F1", "bob", "hf:bob is not an annotator"),   # "bob" has a link, not hf:
    ("campaign=de%20en%2F1", "carol", "hf:carol is not an annotator"),
    ("campaign=other", "alice", "hf:alice is not an annotator"),      # no such campaign
])
def test_everyone_else_gets_a_notice_and_no_queue(campaign, query, username, message):
    campaigns, info = campaign
    before = len(campaigns.judgements(info.id))
    out = CampaignPage(campaigns).on_load(_request(query),
                                          _profile(username) if username else None)
    assert out[TOKEN] in ("", gr.update()) and message in out[NOTICE] and out[NOTICE].startswith("⚠️")
    assert "\n" not in out[NOTICE] and len(campaigns.judgements(info.id)) == before


def test_gradio_injects_the_profile_into_the_page_load():
    from gradio.helpers import special_args

    inputs, *_ = special_args(CampaignPage(None).on_load, inputs=[], request=None)
    assert inputs == [None, None]  # outside a Space: no request here and no profile


@pytest.mark.parametrize("text, error", [("ann,hf:", "not a Hugging Face username"),
                                         ("hf:bad name", "not a Hugging Face username"),
                                         ("hf:a,hf:a", "given twice")])
def test_hf_annotator_names_are_checked(text, error):
    with pytest.raises(UserError, match=error):
        parse_annotators(text)
    assert parse_annotators("hf:alice-b.c_d,bob") == ["hf:alice-b.c_d", "bob"]


def test_links_name_the_sign_in_address_and_the_page_has_a_login_button(campaign, monkeypatch):
    campaigns, info = campaign
    lines = links(campaigns, info, "https://x.hf.space")
    assert "signed in on the Space (hf:NAME annotators): https://x.hf.space/campaign?campaign=" \
           "de%20en%2F1" in lines
    assert sum(line.startswith("hf:alice: https://x.hf.space/campaign?token=") for line in lines) == 1
    for client_id, expected in ((None, False), ("space-oauth-id", True)):
        as_on_space(monkeypatch, client_id)
        with gr.Blocks() as demo:
            gr.Markdown("chat")
        add_campaign_page(demo, campaigns)
        assert demo.expects_oauth is expected
