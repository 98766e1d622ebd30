"""`train-cpo` under `accelerate launch --num_processes 2` (data-parallel, the gloo backend on
CPU): two processes train the tiny model from a real export and produce one adapter, which
loads back through the normal `--adapter` path. On GPUs the same command scales it (README)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_app import free_port
from tests.training.test_train_cpo import _export, pairs_db  # noqa: F401 - the database fixture

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(600)
def test_two_processes_train_one_adapter_that_loads_back(pairs_db, tiny_model_dir, tmp_path):  # noqa: F811
    pytest.importorskip("trl")
    pytest.importorskip("accelerate")
    pairs = _export(pairs_db, tmp_path / "pairs.jsonl", pair="de-en")
    out = tmp_path / "adapter"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           "--main_process_port", str(free_port()), "app.py", "train-cpo", "--model", str(tiny_model_dir),
           "--style", "alma", "--pairs", str(pairs), "--out", str(out), "--max-steps", "4", "--lr", "5e-3",
           "--batch-size", "1", "--logging-steps", "2"]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=540)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    info = json.loads((out / "training.json").read_text())
    assert info["processes"] == 2 and info["steps"] == 4
    assert info["margin_after"] > info["margin_before"]
    assert sorted(p.name for p in out.glob("adapter_*")) == ["adapter_config.json", "adapter_model.safetensors"]
    assert not (out / "checkpoints").exists()

    from models import Engine, GenParams, load_model, resolve_preset

    base = Engine(load_model(resolve_preset(str(tiny_model_dir))))
    tuned = Engine(load_model(resolve_preset(str(tiny_model_dir), adapter=str(out))))
    assert tuned.loaded.preset.adapter == str(out)
    prompt = "Translate this from German to English:\nGerman: Hallo Welt.\nEnglish:"
    params = GenParams(max_new_tokens=8, repeat_guard=False)
    assert tuned.generate(prompt, params).status == "complete"
    assert tuned.generate(prompt, params).text != base.generate(prompt, params).text
