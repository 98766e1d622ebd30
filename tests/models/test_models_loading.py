"""load_model on local tiny models: adapters, X-ALMA-style group switching, and the errors a
user sees (missing path, wrong-base adapter, offline hub, not enough memory)."""
import json
import threading

import pytest

from models import Engine, GenParams, ModelError, Preset, load_model, resolve_preset

P = GenParams(max_new_tokens=30)
PROMPT = "Translate this from German to English:\nGerman: die Katze sitzt\nEnglish:"


def text(engine, group=None, prompt=PROMPT):
    g = engine.generate(prompt, P, adapter_group=group)
    assert g.status == "complete", g.error
    return g.text


@pytest.fixture(scope="module")
def group_engine(tiny_model_dir, tiny_adapter_dirs):
    preset = Preset(name="tiny-x-alma", model_id=str(tiny_model_dir), style="x-alma",
                    group_adapters={1: str(tiny_adapter_dirs[0]), 2: str(tiny_adapter_dirs[1])})
    return Engine(load_model(preset))


def test_load_local_like_a_hub_preset(tiny_model_dir):
    seen = []
    loaded = load_model(str(tiny_model_dir), progress=lambda f, m: seen.append((f, m)))
    assert loaded.device == "cpu" and str(loaded.dtype) == "torch.float32"
    assert loaded.preset.style == "chat" and loaded.preset.size.endswith("K")
    assert loaded.tokenizer.padding_side == "left" and loaded.tokenizer.pad_token == "<pad>"
    assert seen[0][0] == 0.0 and seen[-1][0] == 1.0
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


def test_load_tokenizer_only(tiny_model_dir, monkeypatch):
    from models import load_tokenizer

    tok = load_tokenizer(str(tiny_model_dir))
    assert tok.padding_side == "left" and tok.chat_template and tok.bos_token == "<s>"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="hintmt-test/none"):
        load_tokenizer("hintmt-test/none")


def test_auto_style_without_chat_template(tiny_model_dir, tmp_path):
    import shutil

    folder = tmp_path / "plain"
    shutil.copytree(tiny_model_dir, folder)
    cfg = json.loads((folder / "tokenizer_config.json").read_text())
    cfg.pop("chat_template", None)
    (folder / "tokenizer_config.json").write_text(json.dumps(cfg))
    for f in folder.glob("chat_template.*"):
        f.unlink()
    assert resolve_preset(str(folder)).style == "alma"
    loaded = load_model(resolve_preset(str(folder)).replace(style="auto"))
    assert loaded.preset.style == "alma" and loaded.preset.decoding.num_beams == 5


def test_adapter_changes_output(tiny_engine, tiny_model_dir, tiny_adapter_dirs):
    with_adapter = Engine(load_model(resolve_preset(str(tiny_model_dir), adapter=str(tiny_adapter_dirs[0]))))
    g = with_adapter.generate(PROMPT, P)
    assert g.adapter == str(tiny_adapter_dirs[0])
    assert g.text != text(tiny_engine)


def test_group_adapters_switch(group_engine, tiny_engine, tiny_model_dir, tiny_adapter_dirs):
    merged = [Engine(load_model(resolve_preset(str(tiny_model_dir), adapter=str(a)))) for a in tiny_adapter_dirs]
    g1, g2 = text(group_engine, 1), text(group_engine, 2)
    assert g1 != g2 and text(tiny_engine) not in (g1, g2)
    assert g1 == text(merged[0]) and g2 == text(merged[1])
    assert text(group_engine, 1) == g1  # switching back
    assert group_engine.generate(PROMPT, P, adapter_group=2).adapter == str(tiny_adapter_dirs[1])
    assert group_engine.loaded.groups.loaded == {1, 2}


def test_group_needed_and_known(group_engine):
    g = group_engine.generate(PROMPT, P)
    assert g.status == "error" and "group" in g.error
    h = group_engine.stream(PROMPT, P, adapter_group=7)
    assert list(h) == [] and h.result.status == "error" and "No adapter for group 7" in h.result.error


def test_concurrent_groups_match_sequential(group_engine):
    prompts = {1: PROMPT, 2: "Translate this from English to German:\nEnglish: the cat\nGerman:"}
    expected = {g: text(group_engine, g, p) for g, p in prompts.items()}
    results, barrier = {}, threading.Barrier(2)

    def worker(group):
        barrier.wait()
        out = []
        for _ in range(3):
            h = group_engine.stream(prompts[group], P, adapter_group=group)
            out.append(("".join(h), h.result.text))
        results[group] = out

    threads = [threading.Thread(target=worker, args=(g,)) for g in prompts]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    for g in prompts:
        assert results[g] == [(expected[g], expected[g])] * 3


def test_missing_local_path(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(str(tmp_path / "nope"))
    with pytest.raises(ModelError, match="no config.json"):
        load_model(str(tmp_path))
    with pytest.raises(ModelError, match="GGUF file not found"):
        load_model(str(tmp_path / "model.Q4.gguf"))


def test_adapter_for_a_different_base(tiny_model_dir, wrong_base_adapter_dir, tiny_adapter_dirs):
    with pytest.raises(ModelError) as err:
        load_model(resolve_preset(str(tiny_model_dir), adapter=str(wrong_base_adapter_dir)))
    assert "trained for a different base model" in str(err.value) and str(wrong_base_adapter_dir) in str(err.value)
    with pytest.raises(ModelError, match="Adapter folder not found"):
        load_model(resolve_preset(str(tiny_model_dir), adapter="/no/such/adapter"))
    # a bad group adapter fails only its own requests; the good ones keep working
    preset = Preset(name="mixed", model_id=str(tiny_model_dir), style="x-alma",
                    group_adapters={1: str(tiny_adapter_dirs[0]), 2: str(wrong_base_adapter_dir)})
    engine = Engine(load_model(preset))
    good = text(engine, 1)
    bad = engine.generate(PROMPT, P, adapter_group=2)
    assert bad.status == "error" and "trained for a different base model" in bad.error
    assert text(engine, 1) == good


def test_offline_hub_id_names_the_model(monkeypatch, tiny_model_dir):
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelError) as err:
        load_model("hintmt-test/no-such-model")
    assert "'hintmt-test/no-such-model'" in str(err.value) and "offline" in str(err.value)
    with pytest.raises(ModelError, match="adapter 'wxjiao/ParroT-Hint-7b-lora' is not in the local"):
        load_model(resolve_preset(str(tiny_model_dir), adapter="wxjiao/ParroT-Hint-7b-lora"))


def test_unreachable_hub_fails_fast(monkeypatch):
    from models.loading import hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hub, "offline_mode", lambda: False)
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: False)
    with pytest.raises(ModelError, match="can't be reached"):
        load_model("alma-7b")


def test_hub_error_messages():
    from models.loading.hub import explain

    class GatedRepoError(Exception):
        pass

    assert "gated" in str(explain(GatedRepoError("no"), "m/x"))
    assert "gated" in str(explain(OSError("You are trying to access a gated repo."), "m/x"))
    msg = str(explain(OSError("foo/bar is not a local folder and is not a valid model identifier"), "foo/bar"))
    assert "'foo/bar'" in msg and "not found" in msg


def test_not_enough_memory(monkeypatch):
    import models.loading.loader as loader
    from models.loading import memory

    monkeypatch.setattr(memory, "available_ram", lambda: 2 * 10**9)
    monkeypatch.delenv("HINTMT_SKIP_MEMORY_CHECK", raising=False)
    monkeypatch.setattr(loader, "hub_kwargs", lambda *a, **k: {})
    with pytest.raises(ModelError, match="Not enough memory.*smollm2"):
        load_model("alma-13b", device="cpu")
    assert memory.parse_size("135M") == 135e6 and memory.parse_size("?") is None
    assert memory.is_oom(RuntimeError("CUDA out of memory. Tried to allocate"))


def test_out_of_memory_while_loading(monkeypatch, tiny_model_dir):
    import torch
    import transformers

    def boom(*a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", boom)
    with pytest.raises(ModelError, match="Out of memory while loading.*smaller preset"):
        load_model(str(tiny_model_dir))
