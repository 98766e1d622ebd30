"""Property tests (hypothesis) for what user text flows through: prompt building, output
extraction, language detection, input checks and the chat view's text round trip.

They extend tests/prompts/test_prompts_properties.py (round trips of fixed styles): here every
style, arbitrary language codes and hints, any Unicode (controls, NUL, lone surrogates),
and the contract is "the declared type, or the declared ValueError, and nothing else"."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from prompts import (
    END_MARKERS, LANGUAGES, PARROT_HINTS, STYLES, Detection, build_chat_prompt, build_prompt,
    detect_language, extract_translation, normalize_code, split_segments, stop_strings,
)
from prompts.langid.detect import _detect
from tests.fixtures_models import build_tokenizer

# Any code point, surrogates and controls included (hypothesis' default text has no surrogates).
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)
codes = st.sampled_from(sorted(LANGUAGES))
maybe_code = st.one_of(codes, codes.map(str.upper), st.sampled_from(["zh-CN", "nb", "iw"]),
                       st.text(max_size=8))
hints = st.one_of(st.none(), st.sampled_from([h for h in PARROT_HINTS if h]), any_text)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tokenizer():
    """A real tokenizer with a ChatML template (the chat and x-alma styles need one)."""
    return build_tokenizer()


def _code_ok(code) -> bool:
    try:
        normalize_code(code)
        return True
    except ValueError:
        return False


def _hint_ok(style: str, hint) -> bool:
    hint = hint.strip() or None if isinstance(hint, str) else hint
    return hint is None or style == "chat" or (style == "parrot" and hint in PARROT_HINTS)


@FAST
@given(style=st.sampled_from(STYLES), text=any_text, src=maybe_code, tgt=maybe_code, hint=hints)
def test_build_prompt_returns_text_or_names_the_bad_argument(tokenizer, style, text, src, tgt, hint):
    valid = _code_ok(src) and _code_ok(tgt) and _hint_ok(style, hint)
    event("valid request" if valid else "invalid request")
    try:
        prompt = build_prompt(style, text, src, tgt, hint=hint, tokenizer=tokenizer)
    except ValueError:
        assert not valid, "a valid request was refused"
        return
    assert valid, "an invalid code or hint was accepted"
    assert isinstance(prompt, str)
    assert text.strip() in prompt


turns = st.lists(st.tuples(st.sampled_from(["user", "assistant"]), any_text), max_size=6).map(
    lambda ts: ts + [("user", "last")])


@FAST
@given(style=st.sampled_from(STYLES), history=turns, hint=st.one_of(st.none(), any_text))
def test_build_chat_prompt_keeps_the_last_message(tokenizer, style, history, hint):
    prompt = build_chat_prompt(style, history, tokenizer=tokenizer, hint=hint)
    assert isinstance(prompt, str) and "last" in prompt


@settings(max_examples=300, deadline=None)
@given(style=st.sampled_from(STYLES), completion=any_text, src=st.one_of(st.none(), maybe_code),
       tgt=st.one_of(st.none(), maybe_code))
def test_extracted_translation_is_a_clean_piece_of_the_output(style, completion, src, tgt):
    out = extract_translation(style, completion, src, tgt)
    assert isinstance(out, str)
    assert out in completion, "extraction must only cut, never invent text"
    assert out == out.strip()
    assert not any(marker in out for marker in END_MARKERS)


@settings(max_examples=200, deadline=None)
@given(style=st.sampled_from(STYLES), tgt=st.one_of(st.none(), maybe_code))
def test_stop_strings_are_strings_or_a_value_error(style, tgt):
    try:
        stops = stop_strings(style, tgt)
    except ValueError:
        assert tgt is not None and not _code_ok(tgt)
        return
    assert isinstance(stops, list) and all(isinstance(s, str) and s for s in stops)


@settings(max_examples=300, deadline=None)
@given(code=st.one_of(maybe_code, any_text))
def test_normalize_code_is_idempotent_or_refuses(code):
    try:
        key = normalize_code(code)
    except ValueError as err:
        assert repr(code) in str(err)
        return
    assert key in LANGUAGES and normalize_code(key) == key


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(any_text, any_text.map(lambda s: s * 40)),
       candidates=st.one_of(st.none(), st.lists(codes, min_size=1, max_size=5)))
def test_detection_needs_no_safety_net_and_is_deterministic(value, candidates):
    """`detect_language` swallows internal errors; the inner path must never need that."""
    allowed = frozenset(candidates) if candidates else None
    first = _detect(value, allowed)
    assert isinstance(first, Detection)
    assert first.lang is None or first.lang in (allowed or LANGUAGES)
    assert isinstance(first.confidence, float) and 0.0 <= first.confidence <= 1.0
    assert detect_language(value, candidates) == first  # same text, same answer
    if candidates:
        assert detect_language(value, list(reversed(candidates))) == first


@settings(max_examples=200, deadline=None)
@given(value=any_text, data=st.data())
def test_segments_join_any_translations(value, data):
    seg = split_segments(value)
    outputs = data.draw(st.lists(any_text, min_size=len(seg), max_size=len(seg)))
    joined = seg.join(outputs)
    assert isinstance(joined, str)
    assert all(o.strip() in joined for o in outputs)
    with pytest.raises(ValueError):
        seg.join(outputs + ["extra"])


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.none(), any_text, any_text.map(lambda s: s * 200)))
def test_check_text_accepts_or_explains(value):
    from chat.pipeline import check_text
    from chat.settings import MAX_INPUT_CHARS, UserError

    clean = (value or "").replace("\x00", "").strip()
    if not clean or len(clean) > MAX_INPUT_CHARS:
        with pytest.raises(UserError) as err:
            check_text(value)
        assert str(err.value)
        return
    assert check_text(value) == clean


single_line = st.text(st.characters(codec=None, exclude_categories=("Cc", "Zl", "Zp")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(text=any_text, hint=st.one_of(st.none(), single_line), src=codes, tgt=codes,
       status=st.sampled_from(["complete", "stopped", "streaming"]))
def test_shown_reply_gives_back_the_translation(text, hint, src, tgt, status):
    """What the chat shows is escaped Markdown; an edit reads the text back out of it."""
    from chat.render import header_line, reply_markdown, strip_header

    assume(text or status != "streaming")  # an empty streaming reply is shown as "…"
    shown = reply_markdown(header_line(src, tgt, hint=hint, status=status), text, status)
    assert strip_header(shown) == text


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=1, max_size=40), before=single_line, after=single_line)
def test_shown_reply_with_a_multiline_hint(text, before, after):
    from chat.render import header_line, reply_markdown, strip_header

    shown = reply_markdown(header_line("de", "en", hint=f"{before}\n\n{after}"), text)
    assert strip_header(shown) == text


@settings(max_examples=300, deadline=None)
@given(value=any_text)
def test_conversation_title_is_one_short_line(value):
    from storage.store import TITLE_CHARS, title_from

    title = title_from(value)
    assert isinstance(title, str) and len(title) <= TITLE_CHARS
    assert not any(c in title for c in "\n\r")


@pytest.mark.parametrize("tag, code", [("pt-BR", "pt"), ("en_US", "en"), ("zh-Hant-TW", "zh"),
                                       ("DE", "de"), ("zh-cn", "zh"), ("sr-Latn", "sr")])
def test_bcp47_tags_name_their_language(tag, code):
    assert normalize_code(tag) == code
