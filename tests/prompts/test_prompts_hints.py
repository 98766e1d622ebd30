"""Hint rules live in the style registry: ``Style.normalize_hint`` says whether a hint is allowed
for a style and what it becomes, with the one message the page, both APIs, the CLI and
campaigns show."""
from __future__ import annotations

import pytest

from prompts.styles import CONTRAST_HINT, get_style


@pytest.mark.parametrize("style, hint, expected", [
    ("parrot", None, None), ("parrot", "", None), ("parrot", "none", None), ("parrot", "No hint", None),
    ("parrot", "no-errors", "no-errors"), ("parrot", " Minor errors ", "minor-errors"),
    ("parrot", CONTRAST_HINT, "major-errors"), ("parrot", "preferred", "preferred"),
    ("chat", "  formal register; Vertrag = contract ", "formal register; Vertrag = contract"),
    ("chat", "   ", None), ("alma", None, None), ("alma", " ", None), ("x-alma", "", None), ("llamax", None, None),
])
def test_what_a_hint_becomes(style, hint, expected):
    assert get_style(style).normalize_hint(hint) == expected


@pytest.mark.parametrize("style, hint, message", [
    ("parrot", "great", "'great' is not a ParroT hint; the kinds are: no errors, minor errors, major errors, "
                        "preferred (or no hint)."),
    ("alma", "no-errors", "The alma prompt takes no hint; leave the hint out."),
    ("llamax", "formal", "The llamax prompt takes no hint; leave the hint out."),
    ("chat", 3, "The hint must be text, not int."),
])
def test_one_message_per_refusal(style, hint, message):
    with pytest.raises(ValueError) as err:
        get_style(style).normalize_hint(hint)
    assert str(err.value) == message


def test_a_chat_turn_takes_free_hints_only():
    assert get_style("chat").chat_hint(" formal ") == "formal"
    assert get_style("parrot").chat_hint("no-errors") is None  # ParroT's kinds regulate translations
    with pytest.raises(ValueError):
        get_style("alma").chat_hint("formal")


def test_the_page_and_the_api_say_the_same(tiny_model_dir):
    """The page's settings and the API's hint check refuse with the style's own message."""
    from web.handlers import Controls

    controls = Controls("auto", "en", "great", "", "translate", 0, -0.05, 1.0, 0)
    with pytest.raises(ValueError, match="'great' is not a ParroT hint"):
        controls.settings("parrot")
    assert controls.settings("alma").hint is None  # no hint box is shown for alma: nothing is read
