"""split_segments / Segmented.join: sentence splitting that keeps the layout."""

import pytest

from prompts import split_segments


def test_single_sentence_is_one_segment():
    seg = split_segments("How are you today?")
    assert seg.segments == ("How are you today?",)
    assert seg.join(["Wie geht es dir heute?"]) == "Wie geht es dir heute?"


def test_sentences_on_one_line():
    seg = split_segments("I came home. The door was open! Was anyone there?")
    assert seg.segments == ("I came home.", "The door was open!", "Was anyone there?")
    assert seg.join(["A.", "B!", "C?"]) == "A. B! C?"


def test_layout_preserved():
    text = "Dear Anna,\n\nThanks for the letter. It arrived today.\n  See you soon!\n\n\nBest,\nTom\n"
    seg = split_segments(text)
    assert seg.segments == (
        "Dear Anna,", "Thanks for the letter.", "It arrived today.", "See you soon!", "Best,", "Tom",
    )
    out = seg.join(["Liebe Anna,", "Danke für den Brief.", "Er kam heute an.", "Bis bald!", "Viele Grüße,", "Tom"])
    assert out == "Liebe Anna,\n\nDanke für den Brief. Er kam heute an.\n  Bis bald!\n\n\nViele Grüße,\nTom\n"


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Smith arrived at 3.5 p.m. yesterday.",
        "We need e.g. apples and i.e. fruit.",
        "Mr. and Mrs. Brown live on Baker St. near the park.",
        "Am 3. Oktober ist ein Feiertag.",
        "See No. 5 for details.",
        "J. R. R. Tolkien wrote it.",
        "Wait... what happened?",
        "Version 2.0.1 is out.",
    ],
)
def test_no_split_inside_abbreviations_and_numbers(text):
    assert split_segments(text).segments == (text,)


def test_lowercase_after_period_does_not_split():
    assert split_segments("The value is approx. ten units.").segments == ("The value is approx. ten units.",)


def test_cjk_sentences():
    seg = split_segments("我爱你。你好吗？我很好！")
    assert seg.segments == ("我爱你。", "你好吗？", "我很好！")
    assert seg.join(["I love you.", "How are you?", "I'm fine!"]) == "I love you. How are you? I'm fine!"


def test_cjk_target_joined_without_spaces():
    seg = split_segments("Hello. How are you?")
    assert seg.join(["你好。", "你好吗？"]) == "你好。你好吗？"


def test_japanese_with_closing_bracket():
    assert split_segments("「はい。」と言った。次です。").segments == ("「はい。」", "と言った。", "次です。")


def test_other_scripts():
    assert split_segments("Привет! Как дела?").segments == ("Привет!", "Как дела?")
    assert split_segments("मैं घर जा रहा हूँ। तुम कहाँ हो?").segments == ("मैं घर जा रहा हूँ।", "तुम कहाँ हो?")


def test_empty_and_blank():
    for text in ("", "   ", "\n\n"):
        seg = split_segments(text)
        assert seg.segments == ()
        assert seg.join([]) == text


def test_join_checks_count():
    seg = split_segments("One. Two.")
    with pytest.raises(ValueError, match="expected 2"):
        seg.join(["Eins."])
    assert len(seg) == 2


def test_join_identity_keeps_text():
    text = "  First line. Second sentence.\n\nNew paragraph!\n"
    seg = split_segments(text)
    assert seg.join(seg.segments) == text
