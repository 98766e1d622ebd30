"""The embedded model's shipped Q4_1 GGUF re-encoded for llama.cpp (models/loading/runtime_gguf.py):
made once in the cache, atomically; the choice by HINTMT_GGUF_RUNTIME; and the re-encoded
weights are the shipped ones within Q8_0's rounding, checked tensor by tensor with the ``gguf``
reader that the transformers backend uses to read the same file."""
from __future__ import annotations

import numpy as np
import pytest

from models import ModelError
from models.loading.runtime_gguf import runtime_choice, runtime_gguf, runtime_label
from tests.fixtures_servers import embedded_gguf, need_llamacpp


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HINTMT_CACHE", str(tmp_path))
    return tmp_path


def test_choice_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("HINTMT_GGUF_RUNTIME", raising=False)
    assert runtime_choice() == "q8_0"
    monkeypatch.setenv("HINTMT_GGUF_RUNTIME", " F16 ")
    assert runtime_choice() == "f16"
    monkeypatch.setenv("HINTMT_GGUF_RUNTIME", "q2_k")
    with pytest.raises(ModelError, match="HINTMT_GGUF_RUNTIME='q2_k' is not one of q8_0, f16, shipped"):
        runtime_choice()


def test_shipped_runs_the_file_as_it_is(cache, monkeypatch):
    monkeypatch.setenv("HINTMT_GGUF_RUNTIME", "shipped")
    shipped = embedded_gguf()
    assert runtime_gguf(shipped) == shipped and runtime_label(shipped) == ""
    assert not any(cache.rglob("*.gguf"))


def _tensors(path):
    from gguf import GGUFReader
    from gguf.quants import dequantize

    reader = GGUFReader(str(path))
    return {t.name: (t.tensor_type.name, dequantize(t.data, t.tensor_type)) for t in reader.tensors}


def test_q8_0_copy_is_made_once_and_holds_the_shipped_weights(cache, monkeypatch):
    need_llamacpp()
    monkeypatch.delenv("HINTMT_GGUF_RUNTIME", raising=False)
    shipped = embedded_gguf()
    steps = []
    out = runtime_gguf(shipped, progress=lambda f, msg: steps.append(msg))
    assert out.parent == cache / "smollm2-135m-instruct" and out.name.endswith(".Q8_0.gguf")
    assert runtime_label(out) == "Q8_0" and len(steps) == 1 and "Q8_0" in steps[0]
    assert not list(out.parent.glob(".*.part"))  # written atomically, nothing left over
    mtime = out.stat().st_mtime_ns
    assert runtime_gguf(shipped, progress=lambda f, msg: steps.append(msg)) == out
    assert out.stat().st_mtime_ns == mtime and len(steps) == 1  # made once

    before, after = _tensors(shipped), _tensors(out)
    assert before.keys() == after.keys()
    kinds = {kind for kind, _ in after.values()}
    assert "Q8_0" in kinds and "Q4_1" not in kinds
    worst = 0.0
    for name, (kind, values) in before.items():
        new = after[name][1]
        assert new.shape == values.shape, name
        # Q8_0: each block of 32 rounded to steps of 1/127 of its largest magnitude, the step
        # stored as fp16: at most half a step, plus 127 × the step's own fp16 rounding (2^-11)
        blocks = values.reshape(-1, 32)
        step = np.abs(blocks).max(axis=1, keepdims=True) / 127
        err = np.abs(new.reshape(-1, 32) - blocks)
        assert (err <= step * (0.5 + 127 * 2 ** -11) + 1e-8).all(), name
        if kind == "Q4_1":  # against the 4-bit grid the file already has
            grid = (blocks.max(axis=1) - blocks.min(axis=1)) / 15
            worst = max(worst, float((err.max(axis=1) / np.maximum(grid, 1e-12)).max()))
    assert worst < 0.1  # re-encoding error a small part of the shipped 4-bit step (0.055 measured)


def test_f16_copy_is_within_fp16_rounding(cache, monkeypatch):
    need_llamacpp()
    monkeypatch.setenv("HINTMT_GGUF_RUNTIME", "f16")
    shipped = embedded_gguf()
    out = runtime_gguf(shipped)
    assert out.name.endswith(".F16.gguf") and runtime_label(out) == "F16"
    before, after = _tensors(shipped), _tensors(out)
    for name, (_, values) in before.items():
        np.testing.assert_allclose(after[name][1].reshape(values.shape), values, rtol=2 ** -10, atol=1e-7,
                                   err_msg=name)


def test_a_cache_that_cannot_be_written_runs_the_shipped_file(tmp_path, monkeypatch, caplog):
    need_llamacpp()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("HINTMT_CACHE", str(blocked))
    monkeypatch.delenv("HINTMT_GGUF_RUNTIME", raising=False)
    shipped = embedded_gguf()
    with caplog.at_level("WARNING"):
        assert runtime_gguf(shipped) == shipped
    assert f"Running {shipped.name} as shipped" in caplog.text
