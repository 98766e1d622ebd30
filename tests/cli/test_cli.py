"""`python app.py …` in a subprocess, as a user runs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def app(*args, stdin=None, cwd=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_prompt_prints_parrot_golden_exactly():
    out = app("prompt", "--style", "parrot", "--from", "zh", "--to", "en", "--hint", "no-errors", "我爱你。")
    assert out.returncode == 0, out.stderr
    assert out.stdout == (
        "Below is an instruction that describes a task, paired with an input that provides further "
        "context. Write a response that appropriately completes the request.\n\n### Instruction:\n"
        "Translate the following sentences from Chinese to English.\n\n### Input:\n我爱你。\n\n"
        "### Hint: A translation with no errors could be\n\n### Response:")


def test_prompt_reads_stdin_and_alma_format():
    out = app("prompt", "--style", "alma", "--from", "de", "--to", "en", stdin="Hallo Welt.\n")
    assert out.stdout == "Translate this from German to English:\nGerman: Hallo Welt.\nEnglish:"


def test_models_lists_every_seed_preset():
    out = app("models")
    assert out.returncode == 0
    names = {line.split()[0] for line in out.stdout.splitlines()}
    expected = {"smollm2", "alma-7b", "alma-13b", "alma-7b-lora", "alma-13b-lora", "alma-7b-r",
                "alma-13b-r", "x-alma", "llamax2-7b-alpaca", "llamax3-8b-alpaca", "parrot-7b",
                "parrot-hint-7b", "parrot-hint-7b-lora"} | {f"x-alma-group{i}" for i in range(1, 9)}
    assert expected <= names


def test_help_documents_commands():
    out = app("--help")
    for word in ("translate", "prompt", "models", "export", "--model", "--db", "--port", "--share"):
        assert word in out.stdout


def test_translate_local_model_with_adapter(tiny_model_dir, tiny_adapter_dirs):
    out = app("translate", "--model", str(tiny_model_dir), "--adapter", str(tiny_adapter_dirs[0]),
              "--style", "alma", "--from", "de", "--to", "en", "--max-new-tokens", "8", "Hallo Welt.")
    assert out.returncode == 0, out.stderr
    assert "German → English" in out.stderr and "[complete:" in out.stderr
    assert out.stdout.endswith("\n")


def test_piped_translate_writes_one_text_and_keeps_text_already_in_the_target(tiny_model_dir):
    """Piped stdout gets the final translation only (no streamed draft before a beam result);
    text already in the asked-for target comes back as it is (as the APIs do)."""
    model = ("--model", str(tiny_model_dir), "--style", "alma")
    out = app("translate", *model, "--from", "de", "--to", "en", "--beams", "2", "--max-new-tokens", "8",
              "Hallo Welt.")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\n") == 1 and "replaces the draft" not in out.stderr
    english = "The weather is really nice today, isn't it?"
    out = app("translate", *model, "--to", "en", english)
    assert out.returncode == 0 and out.stdout == english + "\n"
    assert "already English" in out.stderr and "[complete" not in out.stderr
    out = app("translate", *model, "--max-new-tokens", "4", english)  # no --to: into German, said so
    assert out.returncode == 0 and "English → German" in out.stderr and "already English" in out.stderr


def test_errors_are_messages_not_tracebacks(tmp_path):
    out = app("translate", "--model", "alma-7b-typo", "Hallo")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "alma-7b" in out.stderr  # did you mean …
    out = app("translate", "--model", str(tmp_path / "missing"), "--style", "alma", "Hallo")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    out = app("translate", "--beams", "0", "Hallo")  # refused before the model loads
    assert out.returncode == 2 and "must be at least 1" in out.stderr and "ready" not in out.stderr
    out = app("prompt", "--style", "alma", "--from", "xx", "--to", "en", "Hallo")
    assert out.returncode == 2 and "xx" in out.stderr and "Traceback" not in out.stderr


def test_export_writes_trl_jsonl(tmp_path):
    from storage import open_store

    db = tmp_path / "chat.db"
    store = open_store(db)
    user = store.ensure_user("anon:" + "1" * 32)
    store.add_pair(user, prompt="Translate this from German to English:\nGerman: Hallo\nEnglish:",
                   chosen="Hello", rejected="Hi there", kind="edit", src="de", tgt="en", source="Hallo")
    store.close()
    out_file = tmp_path / "pairs.jsonl"
    out = app("export", "--db", str(db), "--format", "trl", "--out", str(out_file))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert rows == [{"prompt": "Translate this from German to English:\nGerman: Hallo\nEnglish:",
                     "chosen": "Hello", "rejected": "Hi there"}]
    bad = app("export", "--db", str(db), "--pair", "de_en", "--out", str(out_file))
    assert bad.returncode == 2 and "de_en" in bad.stderr
    missing = tmp_path / "typo.db"  # a wrong --db is an error, not a new empty database
    for command in (("export", "--out", str(out_file)), ("api-key", "list"), ("campaign", "status", "x")):
        out = app(*command, "--db", str(missing))
        assert out.returncode == 2 and "There is no database at" in out.stderr, (command, out.stderr)
    assert not missing.exists()


@pytest.mark.integration
def test_translate_embedded_streams_to_stdout(smollm2_dir):
    out = app("translate", "--to", "en", "--max-new-tokens", "16", stdin="Der Hund schläft.")
    assert out.returncode == 0, out.stderr
    assert "German → English" in out.stderr and out.stdout.strip()
