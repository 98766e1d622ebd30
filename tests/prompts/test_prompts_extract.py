"""extract_translation on realistic raw completions."""

import pytest

from prompts import build_prompt, extract_translation


@pytest.mark.parametrize(
    "completion, expected",
    [
        (" I love machine translation.", "I love machine translation."),
        (" I love machine translation.\n", "I love machine translation."),
        ("\n I love you.\nChinese: 我爱你。\nEnglish: I love you.", "I love you."),  # repeats \nEnglish:
        (" I love you.\nEnglish: I love you so much.\nEnglish: Really.", "Really."),  # ALMA rule: last one
        ("English: Good morning.", "Good morning."),
        (" Good morning.</s>", "Good morning."),
        (" Good morning.<|im_end|>\n<|im_start|>user\nEnglish: no", "Good morning."),
        ("\n\n   \n  Hello there.  \nSecond line", "Hello there."),
        (" Hello.\nEnglish:", "Hello."),  # empty after the marker: fall back to the first line
        ("", ""),
        ("\n\n", ""),
        ("<|eot_id|>", ""),
    ],
)
def test_alma(completion, expected):
    assert extract_translation("alma", completion, "zh", "en") == expected


def test_xalma_end_markers():
    assert extract_translation("x-alma", "Ich liebe dich.<|eot_id|>garbage", tgt="de") == "Ich liebe dich."
    assert extract_translation("x-alma", "Ich liebe dich.<|endoftext|>", tgt="de") == "Ich liebe dich."


def test_alma_without_target_keeps_first_line():
    assert extract_translation("alma", " Ahoj.\nEnglish: Hi") == "Ahoj."


@pytest.mark.parametrize("style", ["parrot", "llamax"])
@pytest.mark.parametrize(
    "completion, expected",
    [
        ("\nI love you.", "I love you."),
        (" I love you.\n\n### Instruction:\nTranslate the following sentences from English to German.\n\n"
         "### Input:\nHello\n\n### Response:\nHallo", "I love you."),  # ParroT issue #5 runaway block
        ("I love you.\n### Hint: A translation with no errors could be", "I love you."),
        ("Line one.\nLine two.\n\n###", "Line one.\nLine two."),
        ("I love you.</s>", "I love you."),
        ("I love you.<|im_end|>", "I love you."),
        ("", ""),
        ("###", ""),
    ],
)
def test_alpaca_styles(style, completion, expected):
    assert extract_translation(style, completion) == expected


@pytest.mark.parametrize("style", ["parrot", "llamax"])
def test_alpaca_full_decoded_text(style):
    full = build_prompt(style, "我爱你。", "zh", "en") + "\nI love you.\n\n### Instruction:\nmore"
    assert extract_translation(style, full, "zh", "en") == "I love you."


def test_completion_starting_with_response_header():
    assert extract_translation("parrot", "### Response:\nI love you.\n###") == "I love you."


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("Good morning!<|im_end|>", "Good morning!"),
        ("\n  Good morning!  <|eot_id|><|start_header_id|>user", "Good morning!"),
        ("Guten Morgen!<end_of_turn>\n<start_of_turn>user\nagain", "Guten Morgen!"),
        ("Bonjour.<|end|>", "Bonjour."),
        ("First paragraph.\n\nSecond paragraph.</s>", "First paragraph.\n\nSecond paragraph."),
        ("Hola<|endoftext|>Hola", "Hola"),
        ("", ""),
    ],
)
def test_chat(completion, expected):
    assert extract_translation("chat", completion) == expected


def test_unknown_target_code_does_not_raise():
    assert extract_translation("alma", " Hi\nKlingon: x", tgt="xx") == "Hi"


def test_non_string_completion_does_not_raise():
    assert extract_translation("chat", None) == ""


def test_unknown_style():
    with pytest.raises(ValueError, match="unknown style"):
        extract_translation("marian", "x")
