"""GPU decode benchmark: a LLaMA-2-7B-shaped model with random weights built directly on the
device (nothing downloaded), fp16/bf16.

Single-stream decoding reads every weight once per token, so its ceiling is
``HBM bandwidth / bytes read per step`` (the weights, less the input embedding table of which
only the looked-up rows are read, plus the KV cache). The benchmark reports measured tokens/s
against that bound, and aggregate tokens/s of 1, 4, 8… concurrent streams decoded as one batch.
The decode loop is eager PyTorch through transformers' ``LlamaForCausalLM`` (KV cache, greedy
argmax, no host sync per step), i.e. the forward pass the app's engine runs.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

import torch

from models.errors import ModelError

# LLaMA-2-7B (meta-llama/Llama-2-7b-hf config.json); "tiny" is for tests and CPU smoke runs.
SHAPES: dict[str, dict] = {
    "llama2-7b": dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                      num_attention_heads=32, num_key_value_heads=32, vocab_size=32000,
                      max_position_embeddings=4096, rms_norm_eps=1e-5),
    "tiny": dict(hidden_size=64, intermediate_size=172, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=4, vocab_size=512, max_position_embeddings=512, rms_norm_eps=1e-5),
}

# Peak memory bandwidth (TB/s) by device name, first match wins (vendor data sheets).
HBM_TBS: tuple[tuple[str, float], ...] = (
    (r"GH200.*144", 4.9), (r"GH200", 4.0), (r"H200", 4.8), (r"H100 NVL", 3.9), (r"H100 PCIE", 2.0),
    (r"H100", 3.35), (r"H800 PCIE", 2.0), (r"H800", 3.35), (r"B200", 8.0),
    (r"A100.*80GB PCIE|A100 PCIE 80GB", 1.935), (r"A100.*80GB", 2.039), (r"A100", 1.555),
    (r"L40S|L40\b", 0.864), (r"\bL4\b", 0.3), (r"A10G|\bA10\b", 0.6), (r"A6000", 0.768),
    (r"RTX 4090", 1.008), (r"RTX 3090", 0.936), (r"V100", 0.9), (r"\bT4\b", 0.32),
    (r"MI300X", 5.3), (r"MI250X?", 3.2),
)
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


def hbm_bandwidth_tbs(device_name: str) -> float | None:
    """Peak memory bandwidth of a GPU from its name (e.g. 'NVIDIA H100 80GB HBM3'), or None."""
    name = device_name.upper().replace("-", " ")
    for pattern, tbs in HBM_TBS:
        if re.search(pattern, name):
            return tbs
    return None


def llama_config(shape: str = "llama2-7b", layers: int | None = None):
    from transformers import LlamaConfig

    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    dims = dict(SHAPES[shape])
    if layers:
        dims["num_hidden_layers"] = int(layers)
    return LlamaConfig(**dims, tie_word_embeddings=False, use_cache=True, bos_token_id=1, eos_token_id=2)


def build_model(shape: str = "llama2-7b", device: str = "cuda", dtype: torch.dtype = torch.bfloat16,
                layers: int | None = None, seed: int = 0):
    """A random-weight ``LlamaForCausalLM`` of ``shape`` created on ``device`` in ``dtype``
    (on "meta" it allocates nothing: useful to check the shape)."""
    from transformers import AutoModelForCausalLM

    config = llama_config(shape, layers)
    torch.manual_seed(seed)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation="sdpa")
    return model.eval()


def weight_bytes(model) -> int:
    return sum(p.numel() * p.element_size() for p in model.parameters())


def streamed_bytes(model) -> int:
    """Bytes of weights read per decode step: all but the input embedding table."""
    return weight_bytes(model) - sum(p.numel() * p.element_size()
                                     for p in model.get_input_embeddings().parameters())


def kv_bytes_per_position(config, dtype: torch.dtype) -> int:
    head_dim = config.hidden_size // config.num_attention_heads
    return 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * torch.finfo(dtype).bits // 8


def bound_tok_per_s(model, streams: int, context: float, bandwidth_tbs: float | None) -> float | None:
    """Aggregate tokens/s if every decode step only had to move its bytes at peak bandwidth."""
    if not bandwidth_tbs:
        return None
    step = streamed_bytes(model) + streams * context * kv_bytes_per_position(model.config, model.dtype)
    return streams * bandwidth_tbs * 1e12 / step


@dataclass
class DecodeRun:
    streams: int
    prompt_tokens: int
    new_tokens: int
    prefill_s: float
    decode_s: float  # the new_tokens - 1 steps after the first token

    @property
    def step_ms(self) -> float:
        return 1000 * self.decode_s / max(1, self.new_tokens - 1)

    @property
    def aggregate_tok_per_s(self) -> float:
        return self.streams * (self.new_tokens - 1) / self.decode_s if self.decode_s > 0 else 0.0


def decode(model, streams: int, prompt_tokens: int, new_tokens: int, seed: int = 0) -> DecodeRun:
    """Prefill `streams` random prompts of `prompt_tokens`, then greedily decode `new_tokens`
    for all of them at once; the decode time covers the steps after the first token."""
    if new_tokens < 2:
        raise ValueError("new_tokens must be at least 2")
    device = next(model.parameters()).device
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    ids = torch.randint(3, model.config.vocab_size, (streams, prompt_tokens), generator=gen).to(device)
    with torch.inference_mode():
        sync()
        t0 = time.perf_counter()
        out = model(input_ids=ids, use_cache=True, logits_to_keep=1)
        nxt = out.logits[:, -1:].argmax(-1)
        sync()
        t1 = time.perf_counter()
        cache = out.past_key_values
        for _ in range(new_tokens - 1):
            out = model(input_ids=nxt, past_key_values=cache, use_cache=True, logits_to_keep=1)
            cache, nxt = out.past_key_values, out.logits[:, -1:].argmax(-1)
        sync()
        t2 = time.perf_counter()
    return DecodeRun(streams, prompt_tokens, new_tokens, t1 - t0, t2 - t1)


def _best(model, streams: int, prompt_tokens: int, new_tokens: int, repeat: int) -> DecodeRun:
    decode(model, streams, prompt_tokens, min(new_tokens, 4))  # warm-up (kernels, allocator)
    runs = [decode(model, streams, prompt_tokens, new_tokens, seed=i) for i in range(repeat)]
    return min(runs, key=lambda r: r.decode_s)


def device_name(device: str) -> str:
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return "cpu"


def run_gpu_bench(shape: str = "llama2-7b", dtype: str = "auto", layers: int | None = None,
                  prompt_tokens: int = 128, new_tokens: int = 128, concurrency: tuple[int, ...] = (1, 4, 8),
                  bandwidth_tbs: float | None = None, device: str = "cuda", repeat: int = 3) -> dict:
    """Build the model on `device`, time single-stream and batched decoding, compare with the
    bandwidth bound. Raises ``ModelError`` when there is no such device or too little memory."""
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError("The GPU benchmark needs a CUDA GPU and none is available "
                         f"(torch {torch.__version__}).")
    if dtype == "auto":
        dtype = "bf16" if not device.startswith("cuda") or torch.cuda.is_bf16_supported() else "fp16"
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be auto or one of {', '.join(DTYPES)}, got {dtype!r}")
    torch_dtype = DTYPES[dtype]
    if device.startswith("cuda"):
        if torch_dtype == torch.bfloat16 and not torch.cuda.is_bf16_supported():
            raise ModelError("This GPU has no bf16; run the GPU benchmark with --gpu-dtype fp16.")
    name = device_name(device)
    bandwidth = bandwidth_tbs or (hbm_bandwidth_tbs(name) if device.startswith("cuda") else None)
    config = llama_config(shape, layers)
    need = _param_count(config) * torch.finfo(torch_dtype).bits // 8
    if device.startswith("cuda"):
        free, _ = torch.cuda.mem_get_info(torch.device(device))
        if need * 1.15 > free:
            raise ModelError(f"The {shape} model needs {need / 2**30:.1f} GiB and {name} has "
                             f"{free / 2**30:.1f} GiB free; use fewer layers (--gpu-layers).")
        torch.cuda.reset_peak_memory_stats(torch.device(device))
    t0 = time.perf_counter()
    model = build_model(shape, device, torch_dtype, layers)
    build_s = time.perf_counter() - t0
    try:
        context = prompt_tokens + new_tokens / 2  # mean KV length while decoding
        rows = []
        for streams in concurrency:
            run = _best(model, streams, prompt_tokens, new_tokens, repeat)
            bound = bound_tok_per_s(model, streams, context, bandwidth)
            rows.append({"streams": streams, "aggregate_tok_per_s": _sig(run.aggregate_tok_per_s),
                         "per_stream_tok_per_s": _sig(run.aggregate_tok_per_s / streams),
                         "step_ms": _sig(run.step_ms), "prefill_s": _sig(run.prefill_s),
                         "bound_tok_per_s": _sig(bound),
                         "fraction_of_bound": None if bound is None else _sig(run.aggregate_tok_per_s / bound)})
        single = next((r for r in rows if r["streams"] == 1), rows[0])
        from bench.gpu_paths import compare_paths  # eager vs compiled through generate, as the engine runs
        paths = compare_paths(model, concurrency, prompt_tokens, new_tokens, repeat,
                              lambda n: bound_tok_per_s(model, n, context, bandwidth))
        peak = torch.cuda.max_memory_allocated(torch.device(device)) if device.startswith("cuda") else None
        return {"shape": shape, "layers": model.config.num_hidden_layers, "dtype": dtype,
                "device": device, "device_name": name, "parameters": sum(p.numel() for p in model.parameters()),
                "weight_gb": round(weight_bytes(model) / 1e9, 3),
                "streamed_gb_per_step": round(streamed_bytes(model) / 1e9, 3),
                "bandwidth_tbs": bandwidth,
                "bandwidth_source": "given" if bandwidth_tbs else ("table" if bandwidth else None),
                "prompt_tokens": prompt_tokens, "new_tokens": new_tokens, "repeat": repeat,
                "build_s": round(build_s, 2), "peak_memory_gb": None if peak is None else round(peak / 1e9, 2),
                "torch": torch.__version__, "cuda": torch.version.cuda,
                "single_stream": single, "concurrent": rows, "paths": paths}
    finally:
        del model
        if device.startswith("cuda"):
            torch.cuda.empty_cache()


def _sig(x: float | None, digits: int = 4) -> float | None:
    """``x`` to ``digits`` significant digits (for the report)."""
    return None if x is None else float(f"{x:.{digits}g}")


def _param_count(config) -> int:
    """Parameters of a Llama config without building it (embeddings, layers, norm, LM head)."""
    h, i, v, n = config.hidden_size, config.intermediate_size, config.vocab_size, config.num_hidden_layers
    kv = config.num_key_value_heads * (h // config.num_attention_heads)
    per_layer = h * h * 2 + h * kv * 2 + 3 * h * i + 2 * h
    return 2 * v * h + n * per_layer + h
