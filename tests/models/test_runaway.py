"""No runaway translations: on the embedded SmolLM2, `translate-file` on WMT'22 de→en keeps every
hypothesis within 3× its source in characters + 50 (the length cap relative to the source and
the stop at a repeated span; before them a 40-word sentence came back as "ein Blick, ein
Blick, …" up to the 256-token limit)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures_reliability import run_cli

pytestmark = pytest.mark.integration

WMT = Path(__file__).resolve().parents[3] / "shared" / "data" / "wmt22" / "de-en.jsonl"
if not WMT.is_file():  # the checkout beside ../shared, or /work/shared
    WMT = Path("/work/shared/data/wmt22/de-en.jsonl")


@pytest.mark.timeout(1200)  # 40 sentences on 2 busy CPU cores
def test_translate_file_has_no_runaway_hypotheses(tmp_path, smollm2_dir):
    if not WMT.is_file():
        pytest.skip(f"{WMT} is not there")
    src = tmp_path / "de-en.jsonl"
    src.write_text("".join(WMT.read_text(encoding="utf-8").splitlines(keepends=True)[:40]), encoding="utf-8")
    out = tmp_path / "hyp.jsonl"
    done = run_cli("translate-file", "--model", "smollm2", "--from", "de", "--to", "en",
                   "--in", str(src), "--out", str(out), cwd=tmp_path, timeout=1100)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 40
    too_long = [(r["source"], r["hypothesis"]) for r in rows
                if len(r["hypothesis"]) > 3 * len(r["source"]) + 50]
    assert not too_long, too_long
    assert sum(bool(r["hypothesis"].strip()) for r in rows) >= 35  # the guard does not empty them
