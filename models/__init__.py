"""Model layer: presets (presets.py), decoding parameters (params.py), loading a model
(loading/: hub, local folders, the embedded GGUF, PEFT adapters, memory) and the engines
that run it (engines/: transformers, llama.cpp, an OpenAI-compatible server), chosen by
backends.py. Imports nothing from the chat, storage, web or terminal layers.

Importing `models` does not import torch: the names below come from light modules, and
`Engine` (the transformers engine, which needs torch) is imported the first time it is used.
"""
from models.backends import BACKENDS, choose_backend, create_engine
from models.engines.base import StreamHandle, TextEngine
from models.errors import ModelError
from models.loading.embedded import cached_folder, embedded_gguf_path
from models.loading.loader import LoadedModel, load_model, load_tokenizer
from models.params import GenParams, Generation
from models.presets import PRESETS, Preset, describe_presets, resolve_preset

__all__ = [
    "BACKENDS", "Engine", "GenParams", "Generation", "LoadedModel", "ModelError", "PRESETS", "Preset",
    "StreamHandle", "TextEngine", "cached_folder", "choose_backend", "create_engine", "describe_presets",
    "embedded_gguf_path", "load_model", "load_tokenizer", "resolve_preset",
]


def __getattr__(name: str):
    """`models.Engine`: the transformers engine, imported (with torch) on first use."""
    if name == "Engine":
        from models.engines.transformers_engine import Engine
        return Engine
    raise AttributeError(f"module 'models' has no attribute {name!r}")
