"""prompts/ must stay importable without torch, transformers or gradio."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_import_prompts_loads_no_heavy_framework():
    code = (
        "import prompts, sys; "
        "assert 'torch' not in sys.modules and 'gradio' not in sys.modules and 'transformers' not in sys.modules; "
        "prompts.detect_language('Hallo Welt, wie geht es dir?'); prompts.build_prompt('alma', 'x', 'de', 'en'); "
        "assert 'torch' not in sys.modules and 'gradio' not in sys.modules and 'transformers' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_no_file_over_350_lines():
    for path in (REPO / "prompts").glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 350, path.name
