"""Model layer: presets, loading (hub, local, embedded GGUF, PEFT adapters) and a
streaming generation engine. Imports nothing from the UI, chat or storage layers.

Names are imported lazily, so ``from models import PRESETS`` doesn't import torch.
"""
from importlib import import_module

_WHERE = {
    "Preset": "presets", "PRESETS": "presets", "resolve_preset": "presets", "describe_presets": "presets",
    "GenParams": "params", "Generation": "params", "ModelError": "errors",
    "Engine": "engine", "StreamHandle": "engine", "LoadedModel": "loader", "load_model": "loader",
    "load_tokenizer": "loader",
    "embedded_gguf_path": "embedded", "cached_folder": "embedded",
    "BACKENDS": "backends", "choose_backend": "backends", "create_engine": "backends",
    "LlamaCppEngine": "llamacpp_engine", "RemoteEngine": "remote_engine",
    "CPOSettings": "cpo", "prepare_training": "cpo", "train_cpo": "cpo", "read_pairs": "preference_rows",
}
__all__ = list(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'models' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
