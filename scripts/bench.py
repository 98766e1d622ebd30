"""Benchmark (not a test): cold start of `python app.py`, and tokens/s through the full app path
(session layer + SQLite) against raw `model.generate` on the same prompt and settings.

    .venv/bin/python scripts/bench.py [--model smollm2] [--tokens 64] [--runs 3] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SENTENCE = "Die Ware hat unter 20 Euro gekostet, aber die Lieferung dauerte drei Wochen."


def cold_start(model: str) -> dict:
    """Seconds from launching `python app.py` to the first served page and to the model ready."""
    with tempfile.TemporaryDirectory() as tmp:
        port = 7899
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
        log = Path(tmp) / "log"
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port),
                                 "--db", str(Path(tmp) / "b.db"), "--model", model],
                                stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
        page = ready = None
        try:
            while time.perf_counter() - started < 300 and (page is None or ready is None):
                if page is None:
                    try:
                        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read(10)
                        page = time.perf_counter() - started
                    except OSError:
                        pass
                if ready is None and re.search(r"model \S+ ready", log.read_text()):
                    ready = time.perf_counter() - started
                time.sleep(0.1)
        finally:
            proc.terminate()
            proc.wait(10)
    return {"page_served_s": page, "model_ready_s": ready}


def speed(model: str, tokens: int, runs: int) -> dict:
    """Raw engine.generate vs the app's session path, greedy, no stop strings."""
    from chat.model_host import ModelHost
    from chat.session import ChatSession
    from chat.settings import TurnSettings
    from models import GenParams
    from storage import open_store

    host = ModelHost(model)
    host.start()
    assert host.wait().ready, host.status().message
    engine = host.engine
    engine.preset = engine.preset.replace(decoding=GenParams(max_new_tokens=tokens))
    settings = TurnSettings(src="de", tgt="en", mode="chat", max_new_tokens=tokens, temperature=0)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        session = ChatSession(store, host)
        user = store.ensure_user("anon:" + "0" * 32)
        raw, app = [], []
        for _ in range(runs):
            conv = store.create_conversation(user)
            t0 = time.perf_counter()
            replies = list(session.send(user, conv, SENTENCE, settings))
            total = time.perf_counter() - t0
            msg = store.get_message(user, replies[-1].message_id)
            app.append((msg.completion_tokens, total, msg.ttft_s))
            params = GenParams(**{k: v for k, v in msg.params.items() if k in GenParams.__dataclass_fields__})
            t0 = time.perf_counter()
            gen = engine.generate(msg.prompt, params.replace(stop=()))
            raw.append((gen.completion_tokens, time.perf_counter() - t0, gen.ttft_s))
    def summary(rows):
        toks = sum(r[0] for r in rows)
        secs = sum(r[1] for r in rows)
        return {"tokens": toks, "seconds": round(secs, 3), "tok_per_s": round(toks / secs, 2),
                "ttft_s": min((round(r[2], 3) for r in rows if r[2] is not None), default=None)}
    result = {"raw_generate": summary(raw), "app_path": summary(app)}
    result["ratio"] = round(result["app_path"]["tok_per_s"] / result["raw_generate"]["tok_per_s"], 3)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", default="bench-results.json")
    args = ap.parse_args()
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
              "model": args.model, "cold_start": cold_start(args.model),
              "speed": speed(args.model, args.tokens, args.runs)}
    Path(args.json).write_text(json.dumps(result, indent=2))
    cs, sp = result["cold_start"], result["speed"]
    print(f"| measure | value |\n|---|---|")
    print(f"| page served after `python app.py` | {cs['page_served_s']:.1f} s |")
    print(f"| model ready after `python app.py` | {cs['model_ready_s']:.1f} s |")
    for key in ("raw_generate", "app_path"):
        print(f"| {key}: tokens/s ({args.tokens} new, greedy) | {sp[key]['tok_per_s']} |")
        if sp[key]["ttft_s"] is not None:
            print(f"| {key}: time to first token | {sp[key]['ttft_s']} s |")
    print(f"| app path / raw | {sp['ratio']}× |")


if __name__ == "__main__":
    main()
