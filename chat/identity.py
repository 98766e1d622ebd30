"""Who is chatting: a random per-browser key (kept in the browser, encrypted) or the
Hugging Face username on Spaces with OAuth. Knows no Gradio."""
from __future__ import annotations

import secrets
from pathlib import Path
from models.environment import settings


def new_browser_key() -> str:
    """A fresh anonymous identity: 128 random bits, unguessable."""
    return "anon:" + secrets.token_hex(16)


def valid_browser_key(key) -> bool:
    return isinstance(key, str) and key.startswith("anon:") and len(key) == 37 and \
        all(c in "0123456789abcdef" for c in key[5:])


def hf_key(username: str) -> str:
    return f"hf:{username}"


def browser_secret(data_dir: Path) -> str:
    """The key that encrypts the browser's identity: env HINTMT_SECRET, else a file made once
    beside the database (so identities survive restarts)."""
    env = settings().secret
    if env:
        return env
    path = data_dir / ".browser-secret"
    try:
        if path.exists():
            return path.read_text().strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_hex(32)
        path.write_text(value)
        path.chmod(0o600)
        return value
    except OSError:
        return secrets.token_hex(32)  # read-only disk: identities last for this run only
