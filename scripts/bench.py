"""Kept for old instructions: the benchmark is `python app.py bench` (chat/bench.py).

    .venv/bin/python scripts/bench.py [bench options]   # same as: python app.py bench [options]
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from chat.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
