"""Settings cannot drift: every ``HINTMT_*`` variable the code reads is in
``models/environment.py``, and the README's list is exactly the one generated from it; on/off
values go through one parser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.environment import VARIABLES, flag, readme_block
from models.errors import ModelError

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"]


def test_every_variable_the_code_reads_is_listed():
    used = set()
    for package in PACKAGES:
        for path in package.rglob("*.py"):
            if path.name != "environment.py":
                used |= set(re.findall(r"HINTMT_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    assert used, "the walk found the code"
    assert used - set(VARIABLES) == set(), "add these to models/environment.py VARIABLES"
    assert set(VARIABLES) - used == set(), "listed but read nowhere"


def test_the_readme_lists_exactly_the_generated_block():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- env:start -->\n", 1)[1].split("\n<!-- env:end -->", 1)[0]
    assert block == readme_block(), "run `python -m models.environment` and paste it into the README"


@pytest.mark.parametrize("value, expected", [("", True), ("1", True), ("ON", True), (" yes ", True),
                                             ("0", False), ("off", False), ("False", False), ("no", False)])
def test_one_on_off_parser(monkeypatch, value, expected):
    monkeypatch.setenv("HINTMT_RUNAWAY_GUARD", value)
    assert flag("HINTMT_RUNAWAY_GUARD", True) is expected


def test_a_bad_on_off_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("HINTMT_LLAMACPP_WORKER", "sometimes")
    with pytest.raises(ModelError, match="HINTMT_LLAMACPP_WORKER='sometimes'"):
        flag("HINTMT_LLAMACPP_WORKER", True)
