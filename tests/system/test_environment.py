"""Settings cannot drift: every ``HINTMT_*`` variable is a field of ``Settings`` and is read
there only (no other module touches ``os.environ`` for one), the README's list is exactly the one
generated from the fields, values are typed and checked once, and on/off values go through one
parser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.environment import VARIABLES, Settings, load, parse_flag, readme_block, settings
from models.errors import ModelError

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"]
SOURCES = [path for package in PACKAGES for path in package.rglob("*.py")] + [ROOT / "app.py"]


def test_every_variable_the_code_names_is_a_setting():
    named = set()
    for path in SOURCES:
        if path.name != "environment.py":
            named |= set(re.findall(r"HINTMT_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    assert named, "the walk found the code"
    assert named - set(VARIABLES) == set(), "add these to models/environment.py Settings"


def test_no_module_but_environment_reads_a_hintmt_variable():
    reads = re.compile(r"(environ(\.get)?\(|environ\[|getenv\()\s*[\"'](HINTMT_[A-Z0-9_]+)")
    readers = {str(path.relative_to(ROOT)): reads.findall(path.read_text(encoding="utf-8"))
               for path in SOURCES if path.name != "environment.py"}
    assert {path: found for path, found in readers.items() if found} == {}


def test_the_readme_lists_exactly_the_generated_block():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- env:start -->\n", 1)[1].split("\n<!-- env:end -->", 1)[0]
    assert block == readme_block(), "run `python -m models.environment` and paste it into the README"


def test_values_are_typed_and_defaults_apply():
    s = Settings.from_env({"HINTMT_N_CTX": " 2048 ", "HINTMT_RUNAWAY_GUARD": "off", "HINTMT_GGUF_RUNTIME": " F16 ",
                           "HINTMT_CACHE": "~/x", "HINTMT_THREADS": ""})
    assert (s.n_ctx, s.runaway_guard, s.gguf_runtime, s.threads, s.api_rpm) == (2048, False, "f16", None, 60)
    assert s.cache_root == Path("~/x").expanduser()
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize("env, message", [
    ({"HINTMT_N_CTX": "lots"}, "HINTMT_N_CTX='lots': use a whole number"),
    ({"HINTMT_GGUF_RUNTIME": "q2_k"}, "HINTMT_GGUF_RUNTIME='q2_k' is not one of q8_0, f16, shipped"),
    ({"HINTMT_API_KEYS": "never"}, "HINTMT_API_KEYS='never' is not one of auto, required, optional"),
    ({"HINTMT_LLAMACPP_WORKER": "sometimes"}, "HINTMT_LLAMACPP_WORKER='sometimes'"),
])
def test_a_bad_value_names_the_variable(env, message):
    with pytest.raises(ModelError, match=re.escape(message)):
        Settings.from_env(env)


def test_read_once(monkeypatch):
    monkeypatch.delenv("HINTMT_N_CTX", raising=False)
    first = load()
    import os
    os.environ["HINTMT_N_CTX"] = "1024"  # changed behind the app's back: not seen until load()
    try:
        assert settings() is first and settings().n_ctx == 4096
        assert load().n_ctx == 1024
    finally:
        del os.environ["HINTMT_N_CTX"]


def test_the_app_stops_at_start_on_a_bad_value(monkeypatch, capsys):
    from cli.main import main

    monkeypatch.setenv("HINTMT_API_RPM", "sixty")
    assert main(["models"]) == 2
    assert "HINTMT_API_RPM='sixty': use a whole number" in capsys.readouterr().err


@pytest.mark.parametrize("value, expected", [("", True), ("1", True), ("ON", True), (" yes ", True),
                                             ("0", False), ("off", False), ("False", False), ("no", False)])
def test_one_on_off_parser(value, expected):
    assert parse_flag("HINTMT_RUNAWAY_GUARD", value, True) is expected
    assert Settings.from_env({"HINTMT_RUNAWAY_GUARD": value}).runaway_guard is expected
