"""``--db`` (and any option a command shares with the app) works before the command and after
it, for every command that has it; before this, a sub-command's default silently overwrote a
``--db`` given first and the command wrote into data/chat.db."""
from __future__ import annotations

import argparse

import pytest

from cli.main import main, parser

COMMANDS = {  # every command with --db, with the arguments it requires
    ("serve",): [], ("export",): ["--out", "o.jsonl"], ("train-cpo",): ["--out", "adapter"],
    ("api-key", "create"): ["bot"], ("api-key", "list"): [], ("api-key", "revoke"): ["k"],
    ("campaign", "create"): ["demo", "--test-set", "t.jsonl", "--annotators", "2"],
    ("campaign", "status"): ["demo"], ("campaign", "import"): ["demo", "--judgements", "j.csv"],
    ("campaign", "report"): ["demo"], ("campaign", "export"): ["demo", "--out", "o.jsonl"],
    ("doctor",): [],
    ("translate-file",): ["--in", "a.docx", "--out", "b.docx", "--from", "de", "--to", "en"],
    ("glossary", "import"): ["it", "t.csv", "--from", "de", "--to", "en"], ("glossary", "list"): [],
    ("glossary", "export"): ["it", "--out", "x.csv"], ("glossary", "delete"): ["it"],
}


def test_the_table_names_every_command_with_db():
    found = set()

    def walk(p, path):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, path + (name,))
        if path and any(a.dest == "db" for a in p._actions) and not any(
                isinstance(a, argparse._SubParsersAction) for a in p._actions):
            found.add(path)
    walk(parser(), ())
    assert found == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=" ".join)
def test_db_before_or_after_the_command(command):
    rest = COMMANDS[command]
    before = parser().parse_args(["--db", "sqlite:////tmp/before.db", *command, *rest])
    after = parser().parse_args([*command, *rest, "--db", "sqlite:////tmp/after.db"])
    neither = parser().parse_args([*command, *rest])
    assert (before.db, after.db, neither.db) == ("sqlite:////tmp/before.db", "sqlite:////tmp/after.db", None)


def test_after_wins_over_before():
    args = parser().parse_args(["--db", "first.db", "campaign", "status", "demo", "--db", "second.db"])
    assert args.db == "second.db"


def test_a_key_made_with_db_first_is_in_that_database(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default database would be tmp_path/data/chat.db
    url = f"sqlite:///{tmp_path / 'chosen.db'}"
    assert main(["--db", url, "api-key", "create", "bot"]) == 0
    capsys.readouterr()
    assert main(["api-key", "list", "--db", url]) == 0
    assert "bot" in capsys.readouterr().out
    assert not (tmp_path / "data" / "chat.db").exists()
