"""The runaway guard's detector: loops are found where they start, ordinary text is left alone."""
from __future__ import annotations

import pytest

from models.engines.repeats import cut_repeats, repeat_start


@pytest.mark.parametrize("text, kept", [
    ("Ein Blick, ein Blick, ein Blick, ein Blick", "Ein Blick,"),
    ("He said: a look, a look, a look, a look, a look", "He said: a look,"),
    ("no " * 12, "no"),
    ("The cat sat on the mat and looked out. The cat sat on the mat and looked out.",
     "The cat sat on the mat and looked out."),
    ("我爱你我爱你我爱你", "我爱你"),
])
def test_loops_are_cut_after_the_first_occurrence(text, kept):
    out, cut = cut_repeats(text)
    assert cut and out == kept


def test_a_long_span_said_again_after_other_text_is_a_loop():
    sentence = "the committee will meet again next week to discuss the new budget for the city council"
    text = f"{sentence}. In the meantime nothing changes. {sentence}"
    out, cut = cut_repeats(text)
    assert cut and out == f"{sentence}. In the meantime nothing changes."


@pytest.mark.parametrize("text", [
    "Nein, nein, nein, das geht nicht.",
    "It was very, very, very good.",
    "Step by step by step we got there.",
    "The police said the man was arrested; the police said nothing more.",
    "Ha ha ha ha ha, that is funny.",
    "Die Katze sitzt auf der Matte.",
    "",
])
def test_ordinary_text_is_not_cut(text):
    assert repeat_start(text) == -1
    assert cut_repeats(text) == (text, False)


def test_an_unfinished_last_word_is_not_counted_while_streaming():
    # "Blick" then "Bli": the last three units match only once the word is finished
    growing = "ein Blick ein Blick ein Bli"
    assert repeat_start(growing, final=False) == -1
    assert repeat_start("ein Blick ein Blick ein Blick", final=False) == -1  # "Blicke"?
    assert repeat_start("ein Blick ein Blick ein Blick ", final=False) == len("ein Blick")
    assert repeat_start("ein Blick ein Blick ein Blick") == len("ein Blick")


def test_length_limit_counts_wide_characters_and_cuts_at_a_word():
    from models import GenParams, Generation
    from models.engines.repeats import mark_cut, runaway, text_size

    assert text_size("Guten Tag") == 9 and text_size("我爱你") == 9
    params = GenParams().for_source(10)  # 2.5 × 10 + 30
    assert params.max_chars == 55 and GenParams(max_len_a=0).for_source(10).max_chars is None
    chatty = "The German language is quite complex and translating it can be quite challenging."
    assert runaway(chatty, params) and not runaway(chatty[:50], params)
    gen = mark_cut(Generation(prompt="p", text=chatty, model_id="m", revision=None, adapter=None,
                              params={}, prompt_tokens=1, completion_tokens=20, ttft_s=None,
                              duration_s=0.1, status="complete"), params)
    assert gen.extra["cut"] == "too long" and chatty.startswith(gen.text)
    assert gen.text == "The German language is quite complex and translating it"  # 55 characters
