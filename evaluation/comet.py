"""COMET (with references) and COMET-Kiwi (reference-free) through ``unbabel-comet``, when it
and the model are available locally. Nothing is downloaded: a missing package or model is
reported as an ``Unavailable`` with the command that fixes it."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from evaluation.metrics import MetricScore, Unavailable

COMET_MODEL = "Unbabel/wmt22-comet-da"
KIWI_MODEL = "Unbabel/wmt22-cometkiwi-da"
INSTALL_COMET = 'pip install "hintmt-chat[comet]"'


def comet_missing() -> str | None:
    """Why COMET can't be imported, or None."""
    if importlib.util.find_spec("comet") is None:
        return f"unbabel-comet is not installed ({INSTALL_COMET})"
    return None


def find_checkpoint(model: str) -> Path | None:
    """A local COMET checkpoint: a .ckpt file, a model folder, or a hub id already cached."""
    path = Path(model).expanduser()
    if path.is_file():
        return path
    if (path / "checkpoints" / "model.ckpt").is_file():
        return path / "checkpoints" / "model.ckpt"
    try:
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(model, local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached, gated or not a hub id: all mean "not here"
        return None
    checkpoint = folder / "checkpoints" / "model.ckpt"
    return checkpoint if checkpoint.is_file() else None


def comet_score(name: str, model: str, sources: list[str], hypotheses: list[str],
                references: list[str] | None, batch_size: int = 8) -> MetricScore | Unavailable:
    """System-level COMET (``references`` given) or COMET-Kiwi (``references`` None)."""
    missing = comet_missing()
    if missing:
        return Unavailable(name, missing)
    checkpoint = find_checkpoint(model)
    if checkpoint is None:
        return Unavailable(name, f"model {model} is not on this machine; download it once with "
                                 f"`huggingface-cli download {model}` or pass a local checkpoint")
    try:
        import torch
        from comet import load_from_checkpoint

        scorer = load_from_checkpoint(str(checkpoint))
        rows = [{"src": s, "mt": h} for s, h in zip(sources, hypotheses)]
        if references is not None:
            for row, ref in zip(rows, references):
                row["ref"] = ref
        output = scorer.predict(rows, batch_size=batch_size, gpus=1 if torch.cuda.is_available() else 0,
                                progress_bar=False)
    except Exception as err:  # noqa: BLE001 - a broken COMET install must not lose the BLEU scores
        return Unavailable(name, f"COMET failed: {type(err).__name__}: {err}")
    version = getattr(importlib.import_module("comet"), "__version__", "?")
    return MetricScore(name, 100 * float(output.system_score), f"model:{model}|comet:{version}",
                       "system score x 100 (mean of segment scores)")
