"""Entry point: `python app.py` serves the translation chat; `python app.py --help` lists the
terminal commands (translate, prompt, models, export). Also the Hugging Face Space's app file."""
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from cli.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
