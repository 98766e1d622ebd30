"""PEFT adapters: fetch only the adapter files, attach one adapter, or keep several named
adapters on one base and switch between them (X-ALMA's language groups)."""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

from models.errors import ModelError
from models.loading.hub import explain, hub_kwargs

ADAPTER_FILES = ["adapter_config.json", "adapter_model.safetensors", "adapter_model.bin"]


def fetch_adapter(adapter: str) -> str:
    """Local folder holding ``adapter`` (a local path, or downloaded adapter files only:
    X-ALMA group repos also hold full merged weights we must not download)."""
    path = Path(adapter).expanduser()
    if path.exists() or adapter.startswith(("/", ".", "~")):
        if not (path / "adapter_config.json").is_file():
            raise ModelError(f"Adapter folder not found or has no adapter_config.json: {adapter}")
        return str(path)
    kw = hub_kwargs(adapter, "adapter", "adapter_config.json")
    try:
        from huggingface_hub import snapshot_download
        return snapshot_download(adapter, allow_patterns=ADAPTER_FILES, **kw)
    except Exception as exc:
        raise explain(exc, adapter, "adapter") from exc


def _trained_on(folder: str | None) -> str:
    try:
        base = json.loads((Path(folder) / "adapter_config.json").read_text()).get("base_model_name_or_path")
    except (OSError, ValueError, TypeError):
        return ""
    return f"; its config names '{base}'" if base else ""


def mismatch_error(exc: BaseException, adapter: str, base: str, folder: str | None = None) -> ModelError:
    """Plain words for an adapter whose shapes or target modules don't fit the base."""
    text = str(exc)
    if isinstance(exc, (RuntimeError, ValueError, KeyError)) and (
        "size mismatch" in text or "Target modules" in text or "not found in the base model" in text
    ):
        m = re.search(r"shape torch.Size\((\[[^\]]*\])\) from checkpoint, the shape in current model is "
                      r"torch.Size\((\[[^\]]*\])\)", text)
        detail = (f"its weights have shape {m.group(1)} where the base needs {m.group(2)}" if m
                  else text.strip().splitlines()[0][:200])
        return ModelError(f"The adapter '{adapter}' was trained for a different base model than "
                          f"'{base}' ({detail}{_trained_on(folder)}).")
    return ModelError(f"Could not apply the adapter '{adapter}' to '{base}': {type(exc).__name__}: {text[:300]}")


def attach(model, adapter: str, base: str, merge: bool = True):
    """``model`` with ``adapter`` applied; merged into the weights by default (faster decoding)."""
    from peft import PeftModel

    folder = fetch_adapter(adapter)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            peft_model = PeftModel.from_pretrained(model, folder, is_trainable=False)
    except Exception as exc:
        raise mismatch_error(exc, adapter, base, folder) from exc
    return peft_model.merge_and_unload() if merge else peft_model


class AdapterSwitch:
    """Several named adapters on one base model, loaded lazily, one active at a time.

    ``model`` is the current module to run (the base until the first adapter loads, then a
    ``PeftModel``). Not thread-safe: the engine calls ``use`` under its generation lock.
    """

    def __init__(self, model, adapters: dict[int, str], base: str):
        self.model, self.adapters, self.base = model, dict(adapters), base
        self.loaded: set[int] = set()
        self.active: int | None = None

    def _load(self, group: int) -> None:
        from peft import PeftConfig, PeftModel
        from peft.auto import MODEL_TYPE_TO_PEFT_MODEL_MAPPING

        adapter, name = self.adapters[group], f"group{group}"
        folder = fetch_adapter(adapter)
        self.active = None  # PEFT may change the active adapter below: force set_adapter
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                if not isinstance(self.model, PeftModel):
                    config = PeftConfig.from_pretrained(folder)
                    config.inference_mode = True
                    cls = MODEL_TYPE_TO_PEFT_MODEL_MAPPING.get(config.task_type, PeftModel)
                    self.model = cls(self.model, config, adapter_name=name)  # kept even if loading fails
                self.model.load_adapter(folder, adapter_name=name, is_trainable=False)
        except Exception as exc:
            raise mismatch_error(exc, adapter, self.base, folder) from exc
        self.loaded.add(group)

    def use(self, group: int | None) -> str:
        """Activate the adapter of ``group`` (loading it first if needed); returns its id."""
        if group is None:
            raise ModelError(
                "This model serves one language group per request: pass the X-ALMA group "
                f"({min(self.adapters)}-{max(self.adapters)}) of the pair's non-English language."
            )
        if group not in self.adapters:
            raise ModelError(f"No adapter for group {group}; available groups: {sorted(self.adapters)}.")
        if group not in self.loaded:
            self._load(group)
        if self.active != group:
            self.model.set_adapter(f"group{group}")
            self.active = group
        return self.adapters[group]
