#!/usr/bin/env bash
# One run of every GPU check (issue 17), for a machine with a CUDA GPU. From the checkout:
#   bash bench/gpu_check.sh [OUT_DIR]        (default: gpu-check-<date>/)
# Prints the GPU and its measured device-to-device copy bandwidth, runs tests/models/test_gpu.py and the
# engine tests on both decode paths, runs `python app.py bench --only gpu` (single stream,
# 1/4/8 streams, eager vs compiled, bandwidth bound from the measured copy bandwidth), and times
# one streamed reply through the session layer on a random-weight 7B-shaped model
# (python -m bench.gpu_app). Everything is also written to OUT_DIR for the README.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=${1:-gpu-check-$(date -u +%Y-%m-%d)}
mkdir -p "$OUT"
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
status=0

echo "== GPU"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory --format=csv | tee "$OUT/gpu.txt"
"$PY" - <<'PYEOF' | tee "$OUT/bandwidth.json"
import json, time, torch
assert torch.cuda.is_available(), "no CUDA GPU"
n = 4 * 2**30  # 4 GiB, copied device to device: read + write
a = torch.empty(n, dtype=torch.uint8, device="cuda"); b = torch.empty_like(a)
for _ in range(3): b.copy_(a)
torch.cuda.synchronize(); best = float("inf")
for _ in range(10):
    t0 = time.perf_counter(); b.copy_(a); torch.cuda.synchronize(); best = min(best, time.perf_counter() - t0)
print(json.dumps({"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
                  "copy_bandwidth_tbs": round(2 * n / best / 1e12, 3)}))
PYEOF
BW=$("$PY" -c "import json,sys; print(json.load(open('$OUT/bandwidth.json'))['copy_bandwidth_tbs'])") || status=1

echo "== tests on the GPU"
"$PY" -m pytest -q tests/models/test_gpu.py tests/models/test_engine_compiled.py tests/models/test_engine_continuous.py \
    2>&1 | tee "$OUT/tests.txt" || status=1

echo "== bench --only gpu (bound from the measured copy bandwidth: $BW TB/s)"
"$PY" app.py bench --only gpu --bandwidth "$BW" --json "$OUT/bench-gpu.json" 2>&1 | tee "$OUT/bench-gpu.txt" || status=1

echo "== one streamed reply through the session layer (random 7B-shaped model)"
"$PY" -m bench.gpu_app 2>&1 | tee "$OUT/app-path.json" || status=1

echo "== done: figures in $OUT/ (exit $status)"
exit $status
