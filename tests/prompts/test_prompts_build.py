"""Golden prompt strings, written by hand from REFERENCE.md section 1."""

import pytest

from prompts import PARROT_HINTS, build_chat_prompt, build_prompt, stop_strings

from .test_prompts_tokenizers import chatml_tokenizer, no_system_tokenizer, plain_tokenizer  # noqa: F401

PARROT_HEAD_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.\n\n### Instruction:\n"
)
PARROT_HEAD_NO_INPUT = (
    "Below is an instruction that describes a task. "
    "Write a response that appropriately completes the request.\n\n### Instruction:\n"
)
ZH_EN = "Translate the following sentences from Chinese to English."

# The golden string of REFERENCE.md, verbatim.
REFERENCE_GOLDEN = 'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\nTranslate the following sentences from Chinese to English.\n\n### Input:\n我爱你。\n\n### Hint: A translation with no errors could be\n\n### Response:'

PARROT_GOLDEN_INPUT = {
    None: PARROT_HEAD_INPUT + ZH_EN + "\n\n### Input:\n我爱你。\n\n### Response:",
    "no-errors": REFERENCE_GOLDEN,
    "minor-errors": PARROT_HEAD_INPUT + ZH_EN
    + "\n\n### Input:\n我爱你。\n\n### Hint: A translation with minor errors could be\n\n### Response:",
    "major-errors": PARROT_HEAD_INPUT + ZH_EN
    + "\n\n### Input:\n我爱你。\n\n### Hint: A translation with major errors could be\n\n### Response:",
    "preferred": PARROT_HEAD_INPUT + ZH_EN
    + "\n\n### Input:\n我爱你。\n\n### Hint: We prefer to translate it to\n\n### Response:",
}
PARROT_GOLDEN_NO_INPUT = {
    None: PARROT_HEAD_NO_INPUT + ZH_EN + "\n\n我爱你。\n\n### Response:",
    "no-errors": PARROT_HEAD_NO_INPUT + ZH_EN
    + "\n\n我爱你。\n\n### Hint: A translation with no errors could be\n\n### Response:",
    "minor-errors": PARROT_HEAD_NO_INPUT + ZH_EN
    + "\n\n我爱你。\n\n### Hint: A translation with minor errors could be\n\n### Response:",
    "major-errors": PARROT_HEAD_NO_INPUT + ZH_EN
    + "\n\n我爱你。\n\n### Hint: A translation with major errors could be\n\n### Response:",
    "preferred": PARROT_HEAD_NO_INPUT + ZH_EN
    + "\n\n我爱你。\n\n### Hint: We prefer to translate it to\n\n### Response:",
}


def test_reference_golden_byte_exact():
    assert build_prompt("parrot", "我爱你。", "zh", "en", hint="no-errors") == REFERENCE_GOLDEN


@pytest.mark.parametrize("hint", PARROT_HINTS)
def test_parrot_input_template(hint):
    assert build_prompt("parrot", "我爱你。", "zh", "en", hint=hint) == PARROT_GOLDEN_INPUT[hint]
    assert build_prompt("parrot", "我爱你。", "zh", "en", hint=hint, template="input") == PARROT_GOLDEN_INPUT[hint]


@pytest.mark.parametrize("hint", PARROT_HINTS)
def test_parrot_no_input_template(hint):
    assert build_prompt("parrot", "我爱你。", "zh", "en", hint=hint, template="no_input") == PARROT_GOLDEN_NO_INPUT[hint]


def test_parrot_strips_source_and_uses_names():
    got = build_prompt("parrot", "  Guten Tag!\n", "de", "ja")
    assert got == PARROT_HEAD_INPUT + (
        "Translate the following sentences from German to Japanese.\n\n### Input:\nGuten Tag!\n\n### Response:"
    )
    other = build_prompt("parrot", "Dobrý den", "cs", "is")
    assert "from Czech to Icelandic." in other


def test_parrot_blank_hint_is_no_hint():
    assert build_prompt("parrot", "我爱你。", "zh", "en", hint="  ") == PARROT_GOLDEN_INPUT[None]


def test_alma_zero_shot_reference():
    assert build_prompt("alma", "我爱机器翻译。", "zh", "en") == (
        "Translate this from Chinese to English:\nChinese: 我爱机器翻译。\nEnglish:"
    )


def test_alma_strips_surrounding_whitespace_only():
    assert build_prompt("alma", "  Ahoj,  světe! \n", "cs", "en") == (
        "Translate this from Czech to English:\nCzech: Ahoj,  světe!\nEnglish:"
    )


def test_alma_few_shot():
    shots = [("Guten Morgen.", "Good morning."), ("Wie spät ist es?", "What time is it?")]
    assert build_prompt("alma", "Danke.", "de", "en", shots=shots) == (
        "Translate this from German to English:"
        "\nGerman: Guten Morgen.\nEnglish: Good morning."
        "\nGerman: Wie spät ist es?\nEnglish: What time is it?"
        "\nGerman: Danke.\nEnglish:"
    )


def test_llamax_single_newlines():
    assert build_prompt("llamax", "我爱你。", "zh", "en") == (
        "Below is an instruction that describes a task, paired with an input that provides further context. "
        "Write a response that appropriately completes the request.\n### Instruction:\n"
        "Translate the following sentences from Chinese to English.\n### Input:\n我爱你。\n### Response:"
    )


def test_xalma_wraps_alma_prompt_in_chat_template(chatml_tokenizer):
    assert build_prompt("x-alma", "我爱机器翻译。", "zh", "en", tokenizer=chatml_tokenizer) == (
        "<|im_start|>user\nTranslate this from Chinese to English:\nChinese: 我爱机器翻译。\nEnglish:"
        "<|im_end|>\n<|im_start|>assistant\n"
    )


def test_xalma_few_shot(chatml_tokenizer):
    got = build_prompt("x-alma", "Danke.", "de", "en", tokenizer=chatml_tokenizer, shots=[("Ja.", "Yes.")])
    assert got == (
        "<|im_start|>user\nTranslate this from German to English:\nGerman: Ja.\nEnglish: Yes.\n"
        "German: Danke.\nEnglish:<|im_end|>\n<|im_start|>assistant\n"
    )


def test_chat_without_hint(chatml_tokenizer):
    assert build_prompt("chat", "Wie geht es Ihnen?", "de", "en", tokenizer=chatml_tokenizer) == (
        "<|im_start|>user\nTranslate the following text from German to English. Reply with the translation only."
        "\n\nWie geht es Ihnen?<|im_end|>\n<|im_start|>assistant\n"
    )


def test_chat_with_free_text_hint(chatml_tokenizer):
    got = build_prompt("chat", "Wie geht es Ihnen?", "de", "en", hint="formal register", tokenizer=chatml_tokenizer)
    assert got == (
        "<|im_start|>user\nTranslate the following text from German to English. Reply with the translation only."
        "\nNote: formal register\n\nWie geht es Ihnen?<|im_end|>\n<|im_start|>assistant\n"
    )


def test_same_source_and_target_is_allowed():
    assert build_prompt("alma", "Hello", "en", "en") == "Translate this from English to English:\nEnglish: Hello\nEnglish:"


def test_language_codes_are_normalised():
    assert build_prompt("alma", "你好", "zh-CN", "EN") == build_prompt("alma", "你好", "zh", "en")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(style="marian"), "unknown style"),
        (dict(src="xx"), "'xx'"),
        (dict(tgt="klingon"), "'klingon'"),
        (dict(style="parrot", hint="great"), "ParroT hint"),
        (dict(style="alma", hint="no-errors"), "takes no hint"),
        (dict(style="llamax", hint="formal"), "takes no hint"),
        (dict(style="parrot", template="chat"), "unknown template"),
        (dict(style="alma", template="no_input"), "only available for style 'parrot'"),
        (dict(style="parrot", shots=[("a", "b")]), "few-shot"),
        (dict(style="x-alma"), "needs a tokenizer"),
        (dict(style="chat"), "needs a tokenizer"),
        (dict(style="chat", hint=3), "hint must be text"),
    ],
)
def test_value_errors(kwargs, message):
    args = dict(style="parrot", text="Hallo", src="de", tgt="en") | kwargs
    with pytest.raises(ValueError, match=message):
        build_prompt(**args)


def test_x_alma_hint_is_refused(chatml_tokenizer):
    with pytest.raises(ValueError, match="takes no hint"):
        build_prompt("x-alma", "Hallo", "de", "en", hint="formal", tokenizer=chatml_tokenizer)


@pytest.mark.parametrize("style", ["x-alma", "chat"])
def test_tokenizer_without_chat_template(style, plain_tokenizer):
    with pytest.raises(ValueError, match="has none"):
        build_prompt(style, "Hallo", "de", "en", tokenizer=plain_tokenizer)


def test_stop_strings():
    assert stop_strings("alma") == ["\n"]
    assert stop_strings("x-alma", "de") == ["\n"]
    assert stop_strings("parrot") == ["###"]
    assert stop_strings("llamax") == ["###"]
    assert stop_strings("chat") == []
    with pytest.raises(ValueError):
        stop_strings("gpt")
    with pytest.raises(ValueError):
        stop_strings("alma", "xx")


# --- free chat -------------------------------------------------------------------------

def test_chat_prompt_parrot_single_turn():
    assert build_chat_prompt("parrot", [("user", "  Write a haiku about tea. ")]) == (
        PARROT_HEAD_NO_INPUT + "Write a haiku about tea.\n\n### Response:"
    )


def test_chat_prompt_parrot_with_history_and_hint():
    turns = [("user", "Hi!"), ("assistant", "Hello, how can I help?"), ("user", "Name a colour.")]
    assert build_chat_prompt("parrot", turns, hint="answer in one word") == (
        PARROT_HEAD_NO_INPUT
        + "User: Hi!\nAssistant: Hello, how can I help?\n\nName a colour.\nNote: answer in one word\n\n### Response:"
    )


def test_chat_prompt_accepts_message_dicts():
    turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}]
    assert build_chat_prompt("parrot", turns) == build_chat_prompt(
        "parrot", [("user", "Hi"), ("assistant", "Hello"), ("user", "Bye")]
    )


def test_chat_prompt_alma_uses_parrot_layout():
    assert build_chat_prompt("alma", [("user", "Hello")]) == build_chat_prompt("parrot", [("user", "Hello")])


def test_chat_prompt_llamax_single_newlines():
    assert build_chat_prompt("llamax", [("user", "Hello")]) == (
        "Below is an instruction that describes a task. Write a response that appropriately completes the request."
        "\n### Instruction:\nHello\n### Response:"
    )


def test_chat_prompt_chat_template_with_system_hint(chatml_tokenizer):
    turns = [("user", "Hi"), ("assistant", "Hello!"), ("user", "Translate 'cat' to German.")]
    assert build_chat_prompt("chat", turns, tokenizer=chatml_tokenizer, hint="Be brief.") == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nTranslate 'cat' to German.<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    assert build_chat_prompt("x-alma", turns[-1:], tokenizer=chatml_tokenizer) == (
        "<|im_start|>user\nTranslate 'cat' to German.<|im_end|>\n<|im_start|>assistant\n"
    )


def test_chat_prompt_system_refused_by_template(no_system_tokenizer):
    got = build_chat_prompt("chat", [("user", "Hi")], tokenizer=no_system_tokenizer, hint="Be brief.")
    assert got == "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n"


@pytest.mark.parametrize(
    "turns",
    [[], [("assistant", "Hello")], [("user", "a"), ("assistant", "b")], [("system", "x"), ("user", "y")]],
)
def test_chat_prompt_bad_turns(turns):
    with pytest.raises(ValueError):
        build_chat_prompt("parrot", turns)


def test_chat_prompt_needs_tokenizer_for_chat_styles():
    with pytest.raises(ValueError, match="needs a tokenizer"):
        build_chat_prompt("chat", [("user", "Hi")])
    with pytest.raises(ValueError, match="needs a tokenizer"):
        build_chat_prompt("x-alma", [("user", "Hi")], hint="x")
