"""`python app.py bench`: quick runs on the tiny model and small sizes, checking the JSON report's
shape and sanity (never timings), the raw baselines, the sentence sources and the GPU mode."""
from __future__ import annotations

import json

import pytest

from cli.main import main

torch = pytest.importorskip("torch")


def bench(tmp_path, *args) -> dict:
    out = tmp_path / "bench.json"
    assert main(["bench", "--json", str(out), *args]) == 0
    return json.loads(out.read_text())


def _positive(*values):
    return all(isinstance(v, (int, float)) and v > 0 for v in values)


def test_quick_bench_on_tiny_model(tiny_model_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    report = bench(tmp_path, "--quick", "--model", str(tiny_model_dir), "--data", "builtin",
                   "--only", "ttft,batch,detect,export,cold")
    table = capsys.readouterr().out
    assert report["schema"] == 1 and report["settings"]["quick"] is True
    machine = report["machine"]
    assert machine["cores"] >= 1 and machine["ram_gb"] > 0 and machine["device"]
    assert machine["packages"]["torch"] and machine["packages"]["transformers"]
    res = report["results"]
    assert list(res) == ["ttft", "batch", "detect", "export", "cold"]

    speed = res["ttft"]
    for side in ("app", "raw"):
        assert _positive(speed[side]["tok_per_s"], speed[side]["ttft_s"], speed[side]["tokens"])
        assert speed[side]["ttft_s"] < speed[side]["seconds"]
    assert speed["ratio"] > 0 and speed["engine"] == "Engine"
    # raw generated from exactly the prompt the app stored, greedy: the same tokens
    assert speed["same_prompt_tokens"] and speed["same_tokens"]
    assert speed["app"]["runs"][0]["prompt_tokens"] > 10
    assert _positive(speed["app"]["stored"][0]["ttft_s"], speed["app"]["stored"][0]["duration_s"])
    # a few writes per turn (conversation, messages, final update), none per streamed token
    assert 3 <= speed["app"]["sql_writes_per_turn"] <= 12 < speed["app"]["tokens"]

    batch = res["batch"]
    assert batch["sentences"] == 8 and batch["data"] == "built-in"
    for side in ("batched", "one_by_one"):
        assert _positive(batch[side]["seconds"], batch[side]["tokens"], batch[side]["sentences_per_s"])
    assert batch["speedup"] > 0

    detect = res["detect"]
    assert detect["calls"] == 100 and detect["decided"] == 100
    assert 0 < detect["ms"]["p50"] <= detect["ms"]["p95"] <= detect["ms"]["max"]

    export = res["export"]
    assert export["pairs"] == export["written"] == 1000
    assert _positive(export["export_s"], export["export_rows_per_s"], export["file_mb"], export["add_pair_ms"])

    cold = res["cold"]
    assert cold["error"] is None, cold["log_tail"]
    assert 0 < cold["page_served_s"] and 0 < cold["model_ready_s"]

    assert "| section | measure | value |" in table
    for words in ("app / raw tokens/s", "batched speed-up", "detect_language", "pairs to TRL JSONL",
                  "page served after"):
        assert words in table


def test_raw_baseline_matches_the_engine(tiny_engine):
    from bench.baselines import raw_generate
    from models import GenParams

    prompt = "Translate this from German to English:\nGerman: Die Katze sitzt.\nEnglish:"
    params = GenParams(max_new_tokens=12)
    raw = raw_generate(tiny_engine, prompt, params)
    gen = tiny_engine.generate(prompt, params)
    assert raw.tokens == gen.completion_tokens == 12
    assert raw.prompt_tokens == gen.prompt_tokens == tiny_engine.count_tokens(prompt)
    assert 0 < raw.ttft_s < raw.seconds and raw.tok_per_s > 0
    # a stop string from the middle of the greedy text ends both at the same token
    stop = gen.text[len(gen.text) // 2:][:3]
    stopped = tiny_engine.generate(prompt, params.replace(stop=(stop,)))
    raw_stopped = raw_generate(tiny_engine, prompt, params.replace(stop=(stop,)))
    assert stopped.completion_tokens < 12 and stop not in stopped.text
    assert raw_stopped.tokens == stopped.completion_tokens


@pytest.mark.integration
def test_llamacpp_raw_baseline_matches_the_engine():
    from tests.fixtures_servers import embedded_gguf, need_llamacpp

    need_llamacpp()
    embedded_gguf()
    from bench.baselines import fresh_state, raw_generate
    from models import GenParams
    from models.engines.llamacpp import LlamaCppEngine
    from prompts import build_prompt

    engine = LlamaCppEngine.load("smollm2")
    try:
        prompt = build_prompt("chat", "Der Zug hatte eine Stunde Verspätung.", "de", "en", tokenizer=engine.tokenizer)
        params = GenParams(max_new_tokens=6)
        gen = engine.generate(prompt, params)
        fresh_state(engine)
        raw = raw_generate(engine, prompt, params)
        assert gen.status == "complete" and gen.completion_tokens == 6
        assert raw.tokens == 6 and raw.prompt_tokens == engine.count_tokens(prompt) == gen.prompt_tokens
        assert 0 < raw.ttft_s < raw.seconds
        # a stop string ends both at the same token
        full = engine.generate(prompt, params.replace(max_new_tokens=24))
        stop = full.text[len(full.text) // 2:][:3]
        stopped = engine.generate(prompt, params.replace(max_new_tokens=24, stop=(stop,)))
        fresh_state(engine)
        raw_stopped = raw_generate(engine, prompt, params.replace(max_new_tokens=24, stop=(stop,)))
        assert stopped.completion_tokens < full.completion_tokens
        assert raw_stopped.tokens == stopped.completion_tokens
    finally:
        engine.close()


def test_raw_baseline_dispatch():
    from bench.baselines import Run, raw_generate
    from chat.settings import UserError
    from models import GenParams

    class Remote:
        backend = "openai"

    assert Run(7, 0.5, 0.1, 3).tok_per_s == 14.0
    with pytest.raises(UserError, match="no raw baseline for the openai backend"):
        raw_generate(Remote(), "abc", GenParams())


def test_sentences_come_from_a_wmt_folder_when_given(tmp_path):
    from bench import data as bench_data
    from prompts import split_segments

    rows = [{"source": f"Das ist der Satz Nummer {i} in diesem Test.", "reference": f"This is sentence {i}.",
             "alma_13b_r": f"That is sentence {i}."} for i in range(5)]
    rows.insert(1, {"source": "Zwei Sätze hier. Und noch einer dazu, bitte.", "reference": "x", "alma_13b_r": "y"})
    # one segment alone, but the next sentence would merge into it (no final punctuation)
    rows.insert(3, {"source": "Wie du das machst ist dein Ermessen ;)", "reference": "z", "alma_13b_r": "w"})
    (tmp_path / "de-en.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    rows.append(rows[0])  # a repeated segment, as WMT'22 has some
    (tmp_path / "zh-en.jsonl").write_text(json.dumps({"source": "今天天气很好。", "reference": "Nice day.",
                                                      "alma_13b_r": "Weather good."}, ensure_ascii=False) + "\n")
    corpus = bench_data.sentences(str(tmp_path), 3)
    assert corpus.source.startswith("WMT'22 de-en")
    assert [s for s, _ in corpus.pairs] == [rows[0]["source"], rows[2]["source"], rows[4]["source"]]
    assert len(split_segments(" ".join(s for s, _ in corpus.pairs)).segments) == 3
    detect = bench_data.detection_texts(str(tmp_path), 3)
    assert [t for t, _ in detect.pairs] == [rows[0]["source"], "今天天气很好。", rows[1]["source"]]
    label, prefs = bench_data.preference_rows(str(tmp_path), 9)
    assert label.startswith("WMT'22") and len(prefs) == 9 and len(set(prefs)) == 9
    assert prefs[0] == ("de", "en", rows[0]["source"], "This is sentence 0.", "That is sentence 0.")
    assert bench_data.sentences(bench_data.BUILTIN, 25).source == "built-in"
    with pytest.raises(ValueError, match="no such folder"):
        bench_data.sentences(str(tmp_path / "missing"), 3)


def test_bench_errors_are_messages(capsys):
    assert main(["bench", "--only", "ttft,speed", "--json", "-"]) == 2
    assert "unknown: speed" in capsys.readouterr().err
    assert main(["bench", "--only", "gpu", "--tokens", "0", "--json", "-"]) == 2
    assert "--tokens must be at least 1" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert main(["bench", "--only", "gpu", "--json", "-"]) == 2
        assert "needs a CUDA GPU" in capsys.readouterr().err


# -- GPU mode --------------------------------------------------------------------------------

def test_llama2_7b_shape_on_meta_device():
    from bench import gpu as gpu_bench

    model = gpu_bench.build_model("llama2-7b", "meta", torch.float16)
    n = sum(p.numel() for p in model.parameters())
    assert n == 6_738_415_616 == gpu_bench._param_count(model.config)  # LLaMA-2-7B
    assert gpu_bench.streamed_bytes(model) == 2 * (n - 32000 * 4096)
    assert gpu_bench.kv_bytes_per_position(model.config, torch.float16) == 2 * 32 * 4096 * 2
    bound = gpu_bench.bound_tok_per_s(model, 1, 0, 3.35)
    assert bound == pytest.approx(3.35e12 / (2 * (n - 32000 * 4096)))


@pytest.mark.parametrize("name, tbs", [
    ("NVIDIA H100 80GB HBM3", 3.35), ("NVIDIA H100 PCIe", 2.0), ("NVIDIA H100 NVL", 3.9),
    ("NVIDIA H200", 4.8), ("NVIDIA A100-SXM4-80GB", 2.039), ("NVIDIA A100-SXM4-40GB", 1.555),
    ("NVIDIA L4", 0.3), ("NVIDIA L40S", 0.864), ("Tesla T4", 0.32), ("NVIDIA GeForce RTX 4090", 1.008),
    ("Some Future Accelerator", None)])
def test_bandwidth_table(name, tbs):
    from bench.gpu import hbm_bandwidth_tbs

    assert hbm_bandwidth_tbs(name) == tbs


def test_gpu_mode_runs_on_cpu_at_tiny_shape(tmp_path, capsys):
    report = bench(tmp_path, "--only", "gpu", "--quick", "--gpu-shape", "tiny", "--gpu-device", "cpu",
                   "--gpu-dtype", "bf16", "--bandwidth", "0.05", "--prompt-tokens", "8")
    gpu = report["results"]["gpu"]
    assert (gpu["shape"], gpu["layers"], gpu["dtype"], gpu["device_name"]) == ("tiny", 2, "bf16", "cpu")
    assert gpu["bandwidth_tbs"] == 0.05 and gpu["bandwidth_source"] == "given"
    assert [row["streams"] for row in gpu["concurrent"]] == [1, 4, 8]
    for row in gpu["concurrent"]:
        assert _positive(row["aggregate_tok_per_s"], row["step_ms"], row["bound_tok_per_s"], row["fraction_of_bound"])
        assert row["per_stream_tok_per_s"] == pytest.approx(row["aggregate_tok_per_s"] / row["streams"], rel=2e-3)
    assert gpu["single_stream"] == gpu["concurrent"][0]
    # eager against compiled (static cache + torch.compile) through generate, as the engine runs
    assert [(row["path"], row["streams"]) for row in gpu["paths"]] == \
        [(p, n) for p in ("eager", "compiled") for n in (1, 4, 8)]
    for row in gpu["paths"]:
        assert _positive(row["aggregate_tok_per_s"], row["bound_tok_per_s"]) and row["new_tokens"] == 16
        assert (row["ttft_s"] is not None) == (row["streams"] == 1)
    out = capsys.readouterr().out
    assert "decode, 1 stream" in out and "generate, compiled, 1 stream(s)" in out


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_mode_on_cuda(tmp_path):
    report = bench(tmp_path, "--only", "gpu", "--quick")
    gpu = report["results"]["gpu"]
    assert gpu["shape"] == "llama2-7b" and gpu["layers"] == 2 and gpu["device"] == "cuda"
    assert gpu["dtype"] in ("bf16", "fp16") and gpu["peak_memory_gb"] > gpu["weight_gb"] > 0
    for row in gpu["concurrent"]:
        assert row["aggregate_tok_per_s"] > 0
        if row["bound_tok_per_s"] is not None:  # a GPU in the bandwidth table
            assert 0 < row["fraction_of_bound"] < 1.5  # cannot stream weights faster than HBM
