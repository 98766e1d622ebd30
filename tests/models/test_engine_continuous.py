"""Continuous batching in the transformers engine (models/engines/continuous.py), switched on
for the tiny model on CPU: concurrent streams are decoded together by transformers' own
continuous batching manager, each stream gets exactly its own text (as eager generation gives
it), in its own order, and cancel, stop strings and the fallbacks behave as on the eager path."""
import threading
import time

import pytest

from models import GenParams
from tests.stream_helpers import cancel_after

PROMPTS = ["Hallo Welt", "the cat sat on a warm mat", "le chat est assis", "猫坐在温暖的垫子上"]


@pytest.fixture(scope="module")
def engines(tiny_model_dir):
    from models import Engine, load_model, resolve_preset

    eager = Engine(load_model(resolve_preset(str(tiny_model_dir))))
    batching = Engine(load_model(resolve_preset(str(tiny_model_dir))), continuous="on")
    yield eager, batching
    batching.close()


def test_off_on_cpu_by_default(engines):
    eager, batching = engines
    assert eager.continuous is False and batching.continuous is True


def test_concurrent_streams_run_together_and_each_gets_its_own_text(engines):
    eager, batching = engines
    params = GenParams(max_new_tokens=60)
    expected = [eager.generate(p, params) for p in PROMPTS]
    handles = [batching.stream(p, params) for p in PROMPTS]
    seen: dict[int, list] = {i: [] for i in range(len(PROMPTS))}
    stamps: dict[int, list] = {i: [] for i in range(len(PROMPTS))}

    def read(i):
        for piece in handles[i]:
            seen[i].append(piece)
            stamps[i].append(time.monotonic())

    readers = [threading.Thread(target=read, args=(i,)) for i in range(len(PROMPTS))]
    for t in readers:
        t.start()
    for t in readers:
        t.join(120)
    results = [h.result for h in handles]
    assert [r.text for r in results] == [e.text for e in expected]  # each its own, none swapped
    assert [r.completion_tokens for r in results] == [e.completion_tokens for e in expected] == [60] * 4
    assert ["".join(seen[i]) for i in seen] == [r.text for r in results]
    assert all(r.status == "complete" and r.extra["continuous_batching"] for r in results)
    # decoded together: every stream had shown text before the first one finished
    assert max(s[0] for s in stamps.values()) < min(s[-1] for s in stamps.values())


def test_cancel_stops_one_stream_only(engines):
    eager, batching = engines
    params = GenParams(max_new_tokens=200, repeat_guard=False)
    expected = eager.generate(PROMPTS[1], params.replace(max_new_tokens=40)).text
    long = batching.stream(PROMPTS[0], params)
    other = batching.stream(PROMPTS[1], params.replace(max_new_tokens=40))
    pieces = cancel_after(long)
    r = long.result
    assert r.status == "stopped" and r.completion_tokens < 200 and r.text == "".join(pieces)
    assert "".join(other) == other.result.text == expected and other.result.status == "complete"
    # the manager keeps serving
    assert batching.generate(PROMPTS[2], GenParams(max_new_tokens=5)).status == "complete"


def test_stop_strings_and_fallbacks(engines):
    eager, batching = engines
    full = eager.generate(PROMPTS[2], GenParams(max_new_tokens=60)).text
    stop = full[len(full) // 2: len(full) // 2 + 3]
    params = GenParams(max_new_tokens=60, stop=(stop, "\x00never"))
    h = batching.stream(PROMPTS[2], params)
    pieces = list(h)
    want = eager.generate(PROMPTS[2], params)
    assert "".join(pieces) == h.result.text == want.text == full[:full.find(stop)]
    assert h.result.completion_tokens == want.completion_tokens and h.result.extra["continuous_batching"]
    beams = batching.stream(PROMPTS[0], GenParams(max_new_tokens=10, num_beams=3))
    list(beams)
    assert beams.result.status == "complete" and "continuous_batching" not in beams.result.extra
    assert beams.result.text == eager.generate(PROMPTS[0], GenParams(max_new_tokens=10, num_beams=3)).text
