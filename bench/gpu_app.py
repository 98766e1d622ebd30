"""One streamed reply through the app path on a GPU: a random-weight LLaMA-2-7B-shaped model
(bf16, built on the device, the embedded SmolLM2 tokenizer and chat template, vocabulary sized
to it) behind the real session layer (ChatSession + SQLite), timed by bench.speed.app_vs_raw:
time to first token and tokens/s of the app path against the engine's raw ``generate`` on the
stored prompt, per decode path (eager, compiled); then 1, 4 and 8 concurrent streams through
the engine with continuous batching on (aggregate tokens/s, per-stream time to first token).
Used by bench/gpu_check.sh (``python -m bench.gpu_app``). Prints JSON."""
from __future__ import annotations

import argparse
import json
import sys
import types

import torch


def random_engine(decode: str, layers: int | None = None, continuous: str = "off", device: str = "cuda",
                  shape: str = "llama2-7b"):
    """An ``Engine`` on a random LLaMA-2-7B-shaped model on ``device``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from bench.gpu import llama_config
    from models import Engine, cached_folder, resolve_preset
    from models.loading.loader import LoadedModel

    tokenizer = AutoTokenizer.from_pretrained(str(cached_folder()))
    config = llama_config(shape, layers)
    config.vocab_size = len(tokenizer)
    config.bos_token_id, config.eos_token_id = tokenizer.bos_token_id, tokenizer.eos_token_id
    dtype = torch.bfloat16 if device != "cuda" or torch.cuda.is_bf16_supported() else torch.float16
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation="sdpa").eval()
    preset = resolve_preset("smollm2").replace(model_id="random/llama2-7b-shaped", size="7B")
    loaded = LoadedModel(preset=preset, model=model, tokenizer=tokenizer, device=device, dtype=dtype,
                         revision=None, load_s=0.0)
    return Engine(loaded, decode=decode, continuous=continuous)


def concurrent_streams(engine, text: str, streams: int, tokens: int) -> dict:
    """``streams`` greedy streams started at once (one reader thread each, as the page's
    generation slots are): aggregate new tokens/s and the median time to first token."""
    import statistics
    import threading
    import time

    from models import GenParams
    from prompts import build_prompt

    prompt = build_prompt("chat", text, "de", "en", tokenizer=engine.tokenizer)
    params = GenParams(max_new_tokens=tokens, repeat_guard=False)
    list(engine.stream(prompt, params.replace(max_new_tokens=4)))  # warm-up
    handles, t0 = [], time.perf_counter()
    handles = [engine.stream(prompt, params) for _ in range(streams)]
    readers = [threading.Thread(target=lambda h=h: list(h)) for h in handles]
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    seconds = time.perf_counter() - t0
    results = [h.result for h in handles]
    return {"streams": streams, "seconds": seconds,
            "aggregate_tok_per_s": sum(r.completion_tokens for r in results) / seconds,
            "ttft_s_median": statistics.median(r.ttft_s for r in results),
            "continuous_batching": all(r.extra.get("continuous_batching") for r in results)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layers", type=int, default=None, help="fewer decoder layers (smoke run)")
    parser.add_argument("--device", default="cuda", help="cpu with --shape tiny: a smoke run of the script")
    parser.add_argument("--shape", default="llama2-7b", choices=("llama2-7b", "tiny"))
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        print("error: bench.gpu_app needs a CUDA GPU", file=sys.stderr)
        return 2
    from chat.model_host import LoadStatus
    from bench.speed import app_vs_raw

    text = ("Die Bundesregierung hat am Mittwoch beschlossen, die Förderung für erneuerbare Energien "
            "in den kommenden fünf Jahren deutlich auszubauen, um die Klimaziele zu erreichen.")
    results = {}
    for decode in ("eager", "compiled"):
        engine = random_engine(decode, args.layers, device=args.device, shape=args.shape)
        host = types.SimpleNamespace(engine=engine, status=lambda: LoadStatus("ready", 1.0, "ready"))
        results[decode] = app_vs_raw(host, text, args.tokens, args.repeat)
        del engine, host
        if args.device == "cuda":
            torch.cuda.empty_cache()
    engine = random_engine("compiled", args.layers, continuous="on", device=args.device, shape=args.shape)
    results["continuous"] = [concurrent_streams(engine, text, n, args.tokens) for n in (1, 4, 8)]
    engine.close()
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else args.device
    print(json.dumps({"device": name, "results": results}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
