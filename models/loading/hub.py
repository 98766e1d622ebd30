"""Talking to the Hugging Face Hub without surprises: decide up front whether a download can
work (offline mode, unreachable hub, local cache) and turn hub failures into clear messages.

Without this, an unreachable hub costs ~45 s of retries per file before transformers gives up.
``HF_HUB_OFFLINE`` is read, never set.
"""
from __future__ import annotations

import os
import socket
import time
from urllib.parse import urlsplit

from models.errors import ModelError

_TRUE = {"1", "true", "yes", "on"}
_probe: tuple[float, bool] | None = None  # (time, reachable), cached for a minute


def offline_mode() -> bool:
    """True when the user asked for offline mode (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE)."""
    if any(os.environ.get(k, "").strip().lower() in _TRUE for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")):
        return True
    try:
        from huggingface_hub import constants
        return bool(constants.HF_HUB_OFFLINE)
    except Exception:
        return False


def hub_reachable(timeout: float = 3.0) -> bool:
    """Quick TCP probe of the hub endpoint (assumed reachable behind a proxy)."""
    global _probe
    if any(os.environ.get(k) for k in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    if _probe and time.monotonic() - _probe[0] < 60:
        return _probe[1]
    try:
        from huggingface_hub import constants
        url = urlsplit(constants.ENDPOINT)
    except Exception:
        url = urlsplit("https://huggingface.co")
    try:
        with socket.create_connection((url.hostname, url.port or 443), timeout=timeout):
            ok = True
    except OSError:
        ok = False
    _probe = (time.monotonic(), ok)
    return ok


def in_cache(repo_id: str, filename: str = "config.json") -> bool:
    """True when ``filename`` of ``repo_id`` is in the local hub cache."""
    try:
        from huggingface_hub import try_to_load_from_cache
        return isinstance(try_to_load_from_cache(repo_id, filename), str)
    except Exception:
        return False


def hub_kwargs(repo_id: str, what: str = "model", filename: str = "config.json") -> dict:
    """Extra ``from_pretrained`` kwargs for a hub id, or ``ModelError`` if it can't be had."""
    if offline_mode():
        if in_cache(repo_id, filename):
            return {"local_files_only": True}
        raise ModelError(
            f"The {what} '{repo_id}' is not in the local Hugging Face cache and offline mode is on "
            "(HF_HUB_OFFLINE=1). Download it once with network access, or pick a local or embedded model."
        )
    if not hub_reachable():
        if in_cache(repo_id, filename):
            return {"local_files_only": True}
        raise ModelError(
            f"Can't download the {what} '{repo_id}': the Hugging Face Hub can't be reached (no network?) "
            "and it is not in the local cache. Pick a local or embedded model, or connect and retry."
        )
    return {}


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def explain(exc: BaseException, repo_id: str, what: str = "model") -> ModelError:
    """A ``ModelError`` saying in plain words why ``repo_id`` could not be fetched or read."""
    names = {type(e).__name__ for e in _chain(exc)}
    text = " ".join(str(e) for e in _chain(exc))
    low = text.lower()
    if "GatedRepoError" in names or "gated repo" in low:
        why = ("it is gated: accept its licence on its Hugging Face page, then log in "
               "(`hf auth login`) or set HF_TOKEN")
    elif "RepositoryNotFoundError" in names or "not a valid model identifier" in low or "404" in low:
        why = "it was not found on the Hugging Face Hub (check the spelling; private repos need a token)"
    elif "RevisionNotFoundError" in names:
        why = "the requested revision does not exist"
    elif ("OfflineModeIsEnabled" in names or "LocalEntryNotFoundError" in names
          or "couldn't connect" in low or "offline" in low or "connection" in low):
        why = "it is not in the local cache and the Hugging Face Hub can't be reached"
    elif "does not appear to have a file named" in low or "EntryNotFoundError" in names:
        why = f"the repository has no usable {what} files ({text.splitlines()[0][:200]})"
    else:
        why = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    return ModelError(f"Could not load the {what} '{repo_id}': {why}.")
