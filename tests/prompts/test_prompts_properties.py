"""Property tests: prompts build and extract round-trip on arbitrary text without crashing."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from prompts import (
    END_MARKERS,
    LANGUAGES,
    PARROT_HINTS,
    build_prompt,
    extract_translation,
    split_segments,
)
from prompts.langid.detect import Detection, _detect, _normalize_candidates, detect_language

CODES = sorted(LANGUAGES)
text = st.text(max_size=200)
codes = st.sampled_from(CODES)


def _clean(s: str) -> bool:
    return not any(marker in s for marker in END_MARKERS)


def _first_line(s: str) -> str:
    return next((line.strip() for line in s.splitlines() if line.strip()), "")


@settings(max_examples=200, deadline=None)
@given(source=text, translation=text, src=codes, tgt=codes)
def test_alma_round_trip(source, translation, src, tgt):
    name = LANGUAGES[tgt]
    assume(_clean(translation) and f"{name}:" not in translation and _first_line(translation))
    prompt = build_prompt("alma", source, src, tgt)
    assert prompt.endswith(f"\n{name}:")
    completion = " " + translation + "\nrunaway line"
    assert extract_translation("alma", completion, src, tgt) == _first_line(translation)


@settings(max_examples=200, deadline=None)
@given(source=text, translation=text, hint=st.sampled_from(PARROT_HINTS),
       template=st.sampled_from(["input", "no_input"]))
def test_parrot_round_trip(source, translation, hint, template):
    assume(_clean(translation) and "###" not in translation)
    assume(not translation.lstrip().startswith("Below is an instruction that describes a task"))
    prompt = build_prompt("parrot", source, "zh", "en", hint=hint, template=template)
    assert prompt.endswith("### Response:")
    completion = "\n" + translation + "\n\n### Instruction:\nrunaway"
    assert extract_translation("parrot", completion) == translation.strip()
    # the whole decoded text works too when the source does not itself hold "###"
    if "###" not in source and _clean(source):
        assert extract_translation("parrot", prompt + "\n" + translation + "</s>") == translation.strip()


@settings(max_examples=200, deadline=None)
@given(translation=text, marker=st.sampled_from(END_MARKERS), junk=text)
def test_chat_round_trip(translation, marker, junk):
    assume(_clean(translation))
    assert extract_translation("chat", translation + marker + junk) == translation.strip()


@settings(max_examples=300, deadline=None)
@given(style=st.sampled_from(["alma", "x-alma", "parrot", "llamax", "chat"]), completion=text,
       tgt=st.one_of(st.none(), codes, text))
def test_extract_never_raises(style, completion, tgt):
    assert isinstance(extract_translation(style, completion, None, tgt), str)


@settings(max_examples=200, deadline=None)
@given(source=text, src=codes, tgt=codes)
def test_llamax_prompt_contains_stripped_source(source, src, tgt):
    prompt = build_prompt("llamax", source, src, tgt)
    assert f"\n### Input:\n{source.strip()}\n### Response:" in prompt


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=300))
def test_detect_language_never_raises(value):
    """The inner detector, not detect_language: the latter's catch-all would hide any exception."""
    result = _detect(value, None)
    assert result == detect_language(value)
    assert isinstance(result, Detection)
    assert result.lang is None or result.lang in LANGUAGES
    assert isinstance(result.confidence, float) and 0.0 <= result.confidence <= 1.0
    assert result.script is None or isinstance(result.script, str)
    if result.lang is None:
        assert result.confidence == 0.0


@settings(max_examples=150, deadline=None)
@given(value=st.text(max_size=120), candidates=st.lists(codes, min_size=1, max_size=6))
def test_detect_language_respects_candidates(value, candidates):
    result = _detect(value, _normalize_candidates(candidates))  # raises what detect_language would hide
    assert result == detect_language(value, candidates)
    assert result.lang is None or result.lang in candidates


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=300))
def test_segments_keep_content_and_lines(value):
    seg = split_segments(value)
    joined = seg.join(seg.segments)
    assert "".join(joined.split()) == "".join(value.split())
    assert joined.count("\n") == value.count("\n")
    assert all(s and s == s.strip() for s in seg.segments)
