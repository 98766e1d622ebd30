"""Batched decoding on llama.cpp (models/engines/llamacpp_batch.py) with the real embedded
SmolLM2 GGUF: a batch's prompts are decoded together, and under greedy decoding every text,
token count and status equals one-by-one generation; streaming, stop strings, max_new_tokens
and cancel behave per sequence as on the one-sequence path."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from models import GenParams
from models.engines.llamacpp_batch import SPLIT_BELOW
from tests.fixtures_servers import smollm2_llamacpp

WMT = Path(__file__).resolve().parents[3] / "shared" / "data" / "wmt22" / "de-en.jsonl"
COUNTING = "1, 2, 3, 4, 5, 6, 7,"


@pytest.fixture(scope="module")
def engine():
    eng = smollm2_llamacpp()
    yield eng
    eng.close()


def wmt_prompts(engine, n: int) -> list[str]:
    from prompts import build_prompt

    if WMT.is_file():
        sources = [json.loads(line)["source"] for line in WMT.read_text(encoding="utf-8").splitlines()[:n]]
    else:  # a checkout without ../shared: sentences of the same kind
        sources = [f"Das ist der {i}. Satz über das Wetter in Berlin und die Kinder der Familie." for i in range(n)]
    return [build_prompt("chat", s, "de", "en", tokenizer=engine.tokenizer) for s in sources]


def test_batch_is_decoded_together_and_equals_one_by_one(engine, monkeypatch):
    """20 WMT'22 sentences (the bench's workload) in one batch (the engine's batch_size), each
    with its own length cap as the chat gives them; sequences that end leave the others'
    KV cells moved together, and nothing changes."""
    import llama_cpp

    prompts = wmt_prompts(engine, 20)
    own = [GenParams(max_new_tokens=48).for_source(20 + 5 * i) for i in range(20)]  # 80..195 characters
    one_by_one = [engine.generate(p, params) for p, params in zip(prompts, own)]
    sizes, moves, steps = [], [], []  # steps: calls of several rows that all want logits
    real_decode, real_cp = llama_cpp.llama_decode, llama_cpp.llama_memory_seq_cp

    def counting(ctx, batch):
        sizes.append(batch.n_tokens)
        if batch.n_tokens > 1 and all(batch.logits[i] for i in range(batch.n_tokens)):
            steps.append(batch.n_tokens)
        return real_decode(ctx, batch)

    def copying(mem, src, dst, p0, p1):
        if src != 0:  # stream 0 -> others is the shared prefix; the rest is compaction
            moves.append((src, dst))
        return real_cp(mem, src, dst, p0, p1)

    monkeypatch.setattr(llama_cpp, "llama_decode", counting)
    monkeypatch.setattr(llama_cpp, "llama_memory_seq_cp", copying)
    monkeypatch.setenv("HINTMT_BATCH_WORKERS", "1")
    kept, engine._batcher = engine._batcher, None
    try:
        assert engine.batch_size >= 20
        batched = engine.generate_batch(prompts, own)
    finally:
        engine._batcher.close()
        engine._batcher = kept
        monkeypatch.undo()
    assert [b.text for b in batched] == [s.text for s in one_by_one]
    assert [b.completion_tokens for b in batched] == [s.completion_tokens for s in one_by_one]
    assert [b.prompt_tokens for b in batched] == [s.prompt_tokens for s in one_by_one]
    assert [b.extra.get("cut") for b in batched] == [s.extra.get("cut") for s in one_by_one]
    assert any(s.extra.get("cut") == "too long" for s in one_by_one)  # the own caps did work
    assert [b.params["max_chars"] for b in batched] == [p.max_chars for p in own]
    assert all(b.status == "complete" and b.extra["batched"] for b in batched)
    assert len({b.text for b in batched}) == 20 and all(b.text for b in batched)
    # decode steps carry one token of each live sequence: 20 in one llama_decode at first
    assert sizes.count(20) >= 5  # (the other calls: the shared prefix, each prompt's rest, smaller steps)
    assert len(sizes) < sum(b.completion_tokens for b in batched) / 5
    assert moves and all(dst < src for src, dst in moves)  # ended sequences' streams were refilled
    # the last steps, with fewer than SPLIT_BELOW sequences left, go one row a call
    assert SPLIT_BELOW > 2 and min(steps) >= SPLIT_BELOW and sizes.count(1) > 1


def test_a_batch_spread_over_two_workers_gives_the_same_texts(engine, monkeypatch):
    """Two single-thread decoders in parallel (what a 2-thread engine uses for SmolLM2)."""
    from models.engines.llamacpp_batch import BatchWorkers

    prompts = wmt_prompts(engine, 8)
    params = GenParams(max_new_tokens=32)
    expected = [engine.generate(p, params) for p in prompts]
    monkeypatch.setenv("HINTMT_BATCH_WORKERS", "2")
    workers, kept = BatchWorkers(engine.llm), engine._batcher
    engine._batcher = workers
    try:
        assert len(workers.decoders) == 2 and all(d.threads == 1 for d in workers.decoders)
        batched = engine.generate_batch(prompts, params)
        again = engine.generate_batch(prompts, params)  # the prefix kept in each decoder is reused
    finally:
        engine._batcher = kept
        workers.close()
    assert [b.text for b in batched] == [b.text for b in again] == [e.text for e in expected]
    assert [b.completion_tokens for b in batched] == [e.completion_tokens for e in expected]


def test_stop_strings_and_max_new_tokens_per_sequence(engine):
    full = engine.generate(COUNTING, GenParams(max_new_tokens=40)).text
    prompts = [COUNTING, COUNTING.replace("1, 2", "0, 1, 2"), "Ich habe heute einen Brief geschrieben."]
    for params in (GenParams(max_new_tokens=7), GenParams(max_new_tokens=40, stop=(" 12", "2, 13,", "zzq"))):
        batched = engine.generate_batch(prompts, params)
        singles = [engine.generate(p, params) for p in prompts]
        assert [b.text for b in batched] == [s.text for s in singles]
        assert [b.completion_tokens for b in batched] == [s.completion_tokens for s in singles]
    assert batched[0].text == full[:full.find(" 12")] and " 12" not in batched[0].text
    assert engine.generate_batch([COUNTING], GenParams(max_new_tokens=7))[0].completion_tokens == 7
    assert engine.generate_batch([], GenParams()) == []


def test_a_prompt_that_does_not_fit_fails_alone(engine):
    prompts = [COUNTING, "word " * 5000, COUNTING]
    out = engine.generate_batch(prompts, GenParams(max_new_tokens=5))
    assert [g.status for g in out] == ["complete", "error", "complete"]
    assert "reads at most 4096" in out[1].error and out[0].text == out[2].text != ""


def test_stream_batch_streams_each_sequence(engine):
    prompts = wmt_prompts(engine, 3)
    params = GenParams(max_new_tokens=32)
    handles = engine.stream_batch(prompts, params)
    pieces = [list(h) for h in handles]
    results = [h.result for h in handles]
    assert all(len(p) >= 3 for p in pieces)
    assert ["".join(p) for p in pieces] == [r.text for r in results]
    assert [r.text for r in results] == [engine.generate(p, params).text for p in prompts]


def test_cancel_stops_one_sequence_or_all(engine):
    prompts = [COUNTING, COUNTING.replace("1, 2", "0, 1, 2")]
    handles = engine.stream_batch(prompts, GenParams(max_new_tokens=2000, repeat_guard=False))
    first = iter(handles[0])
    got = [next(first) for _ in range(3)]
    handles[0].cancel()
    rest = "".join(first)
    second = handles[1]
    for i, _ in enumerate(second):
        if i == 30:
            second.cancel()
    a, b = handles[0].result, handles[1].result
    assert a.status == "stopped" and a.completion_tokens < 100 and a.text == "".join(got) + rest
    assert b.status == "stopped" and 30 <= b.completion_tokens < 300 and b.completion_tokens > a.completion_tokens
    # the engine is free again at once
    assert engine.generate(COUNTING, GenParams(max_new_tokens=3)).status == "complete"


class _WithoutStreams:
    """The same engine whose ``stream_batch`` streams nothing: one ``generate_batch`` call ends
    every handle (``batch_streams``, what engines without streamed batches do)."""

    def __init__(self, engine):
        self._engine = engine

    def __getattr__(self, name):
        if name == "stream_batch":
            from models.engines.base import batch_streams

            return lambda prompts, params, adapter_group=None: batch_streams(self, prompts, params, adapter_group)
        return getattr(self._engine, name)


def test_the_chat_streams_a_batch_segment_by_segment_and_stop_ends_it(engine):
    from chat.pipeline import plan_turn, run_plan
    from chat.settings import TurnSettings

    text = ("Die Ware hat unter 20 Euro gekostet. Ich habe heute einen langen Brief geschrieben. "
            "Das Wetter in Berlin ist schön.")
    settings = TurnSettings(src="de", tgt="en", mode="translate", max_new_tokens=24, num_beams=1, temperature=0)
    plan = plan_turn(engine, text, settings)
    assert len(plan.prompts) == 3
    events = list(run_plan(engine, plan))
    final = events[-1].final
    plain = list(run_plan(_WithoutStreams(engine), plan_turn(engine, text, settings)))[-1].final
    assert final.status == plain.status == "complete" and final.text == plain.text != ""
    shown = [e.text for e in events[:-1]]
    assert len(shown) > 6  # the segments' pieces as they come, not one event a batch
    assert any("translating 2/3" in (e.note or "") for e in events)
    # Stop during the batch: the handles the session cancels stop every sequence
    handles: list = []
    steps = run_plan(engine, plan_turn(engine, text, dataclasses.replace(settings, max_new_tokens=200)), handles)
    while len(next(steps).text) < 12:  # the first segment is shown growing (the others decode unseen)
        pass
    for handle in handles:
        handle.cancel()
    stopped = [e for e in steps][-1].final
    assert stopped.status == "stopped"
    assert all(g.status == "stopped" and g.completion_tokens < 200 for g in stopped.generations)
    # only the segment shown growing keeps its partial text: no fragments nobody saw
    unseen = [g.text.strip() for g in stopped.generations[1:] if g.status == "stopped" and g.text.strip()]
    assert unseen and not any(t in stopped.text for t in unseen) and stopped.text.strip()
