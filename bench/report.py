"""What the bench reports: the machine it ran on, summary statistics and the markdown table."""
from __future__ import annotations

import importlib.metadata
import math
import os
import platform
import statistics
from datetime import datetime, timezone

import psutil

PACKAGES = ("torch", "transformers", "gradio", "sqlalchemy", "llama-cpp-python")


def rounded(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


def describe(values: list[float]) -> dict:
    """Mean, median, 95th percentile and max of some timings (same unit as given)."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"n": len(ordered), "mean": rounded(statistics.fmean(ordered)),
            "p50": rounded(statistics.median(ordered)), "p95": rounded(p95), "max": rounded(ordered[-1])}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float:
    return round(psutil.virtual_memory().total / 2**30, 1)


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def load_average() -> list[float] | None:
    return [round(x, 2) for x in psutil.getloadavg()]


def machine_info() -> dict:
    """CPU, cores, RAM, load, accelerator and package versions (imports torch)."""
    import torch

    cuda = torch.cuda.is_available()
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": _cpu_model(), "cores": os.cpu_count(),
        "usable_cores": len(psutil.Process().cpu_affinity() or []) or os.cpu_count(),
        "ram_gb": _ram_gb(), "load_average": load_average(), "torch_threads": torch.get_num_threads(),
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "cuda": torch.version.cuda if cuda else None,
        "python": platform.python_version(), "platform": platform.platform(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def _num(x, unit: str = "", digits: int = 2) -> str:
    return "–" if x is None else f"{x:,.{digits}f}{unit}"


def _bound(row: dict) -> str:
    if row["bound_tok_per_s"] is None:
        return " (no bandwidth known: --bandwidth)"
    return f" ({100 * row['fraction_of_bound']:.0f}% of the {row['bound_tok_per_s']:,.0f} tok/s bandwidth bound)"


def table_rows(results: dict) -> list[tuple[str, str, str]]:
    """(section, measure, value) rows for what was measured."""
    rows: list[tuple[str, str, str]] = []
    if t := results.get("ttft"):
        for side, label in (("raw", "raw engine"), ("app", "app path (session + SQLite)")):
            rows.append(("speed", f"{label}: tokens/s", _num(t[side]["tok_per_s"])))
            rows.append(("speed", f"{label}: time to first token", _num(t[side]["ttft_s"], " s", 3)))
        rows.append(("speed", "app path: database writes per turn",
                     f"{t['app']['sql_writes_per_turn']:g} ({t['app']['tokens'] // len(t['app']['runs'])} tokens a turn)"))
        mark = "meets" if t["meets_target"] else "BELOW"
        rows.append(("speed", "app / raw tokens/s", f"{t['ratio']:.3f}× ({mark} the {t['target']}× target)"))
    if b := results.get("batch"):
        for side, label in (("batched", "batched"), ("one_by_one", "one by one")):
            rows.append(("long input", f"{b['sentences']} sentences {label}",
                         f"{_num(b[side]['seconds'], ' s')} ({_num(b[side]['sentences_per_s'])} sentences/s)"))
        rows.append(("long input", "batched speed-up", f"{b['speedup']:.2f}×"))
    if d := results.get("detect"):
        ms = d["ms"]
        rows.append(("detection", f"detect_language, {ms['n']} calls", f"mean {_num(ms['mean'], ' ms')}, "
                     f"median {_num(ms['p50'], ' ms')}, p95 {_num(ms['p95'], ' ms')}"))
        rows.append(("detection", "first call (loads profiles)", _num(d["first_call_ms"], " ms")))
    if e := results.get("export"):
        rows.append(("export", f"{e['pairs']:,} pairs to TRL JSONL",
                     f"{_num(e['export_s'], ' s')} ({e['export_rows_per_s']:,.0f} rows/s)"))
        rows.append(("export", "Store.add_pair, per pair", _num(e["add_pair_ms"], " ms")))
    if c := results.get("cold"):
        rows.append(("cold start", "page served after `python app.py`", _num(c["page_served_s"], " s", 1)
                     + ("" if c["page_served_s"] is None else f" (target ≤ {c['page_target_s']:.0f} s)")))
        rows.append(("cold start", "model ready after `python app.py`", _num(c["model_ready_s"], " s", 1)))
    if g := results.get("gpu"):
        single = g["single_stream"]
        rows.append(("gpu", f"{g['shape']} {g['dtype']} on {g['device_name']}: decode, 1 stream",
                     f"{_num(single['aggregate_tok_per_s'], ' tok/s', 1)}" + _bound(single)))
        for row in g["concurrent"]:
            rows.append(("gpu", f"{row['streams']} concurrent streams (batched decode)",
                         f"{_num(row['aggregate_tok_per_s'], ' tok/s', 1)} aggregate" + _bound(row)))
        for row in g.get("paths", []):
            rows.append(("gpu", f"generate, {row['path']}, {row['streams']} stream(s)",
                         f"{_num(row['aggregate_tok_per_s'], ' tok/s', 1)}"
                         + ("" if row["ttft_s"] is None else f", first token {_num(row['ttft_s'] * 1000, ' ms', 1)}")
                         + _bound(row)))
    return rows


def table(results: dict, machine: dict) -> str:
    """The markdown table printed at the end of a run."""
    lines = [f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GiB RAM, "
             f"device {machine['device']}, load average {machine['load_average']}", "",
             "| section | measure | value |", "|---|---|---|"]
    lines += [f"| {s} | {m} | {v} |" for s, m, v in table_rows(results)]
    loads = [x[0] for x in (machine.get("load_average"), machine.get("load_average_end")) if x]
    if loads and max(loads) > (machine.get("usable_cores") or 1):
        lines += ["", f"Note: the machine was busy (load average up to {max(loads):.1f} on "
                      f"{machine.get('usable_cores')} cores); these figures are not representative."]
    return "\n".join(lines)
