"""`translate-file`: batched test-set translation with the chat's prompts, resumable output.

A tiny random Llama built in-process stands in for a translation model: its output is
nonsense, but deterministic and different per segment, which is what equality tests need."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluation.columns import read_column
from evaluation.resume import ResumableOutput

ROOT = Path(__file__).resolve().parents[2]
LINES = [
    "die Katze sitzt auf einer warmen Matte.",
    "Hallo Welt",
    "und wir übersetzen jeden Satz in viele Sprachen",
    "",
    "kurz",
    "die Matte ist warm und die Katze sitzt dort.",
    "jeden Satz",
    "viele Sprachen und Sätze in der Welt",
    "Katze",
    "warme Matte, auf der die Katze sitzt",
]


def app(*args, timeout=300):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout)


def chat_path(engine, text: str, settings) -> str:
    """What the chat replies to ``text`` (plan_turn + run_plan, streamed when one segment)."""
    from chat.pipeline import plan_turn, run_plan

    if not text.strip():
        return ""
    *_, last = run_plan(engine, plan_turn(engine, text, settings))
    assert last.final.status == "complete"
    return last.final.text


def batch_path(engine, lines, settings, **kw) -> list[str]:
    from evaluation.batch import translate_segments

    return [t for batch in translate_segments(engine, lines, settings, **kw) for t in batch.texts]


@pytest.mark.parametrize("beams", [1, 4])
def test_batches_equal_the_chat_path(tiny_engine, beams):
    """Left-padded batches of 3 give each segment exactly the chat's translation."""
    from chat.settings import TurnSettings

    settings = TurnSettings(src="de", tgt="en", max_new_tokens=12, num_beams=beams)
    expected = [chat_path(tiny_engine, line, settings) for line in LINES]
    assert batch_path(tiny_engine, LINES, settings, batch_size=3) == expected
    assert expected[3] == "" and all(expected[i] for i in range(len(LINES)) if i != 3)
    assert len(set(expected)) == len(LINES)  # the model really depends on the input


def test_sentence_segmentation_joins_like_the_chat(tiny_engine):
    """--segmentation sentence splits multi-sentence lines and re-joins them as the chat does;
    the default (line) sends the whole line as one prompt, as test-set evaluations do."""
    from chat.settings import TurnSettings

    settings = TurnSettings(src="de", tgt="en", max_new_tokens=8)
    lines = ["Die Katze sitzt. Wir übersetzen jeden Satz! Hallo Welt.", "Katze", "Eins. Zwei."]
    expected = [chat_path(tiny_engine, line, settings) for line in lines]
    assert batch_path(tiny_engine, lines, settings, segmentation="sentence", batch_size=2) == expected
    whole = batch_path(tiny_engine, lines, settings, segmentation="line", batch_size=2)
    assert whole[1] == expected[1] and whole[0] != expected[0]


def test_cli_with_adapter_matches_chat_and_keeps_jsonl_fields(tiny_model_dir, tiny_adapter_dirs, tmp_path):
    """JSONL in/out through the command line, with a LoRA adapter and the ALMA prompt."""
    from chat.settings import TurnSettings
    from models import Engine, load_model, resolve_preset

    src = tmp_path / "test.jsonl"
    src.write_text("".join(json.dumps({"id": i, "source": line, "reference": f"ref {i}"}) + "\n"
                           for i, line in enumerate(LINES[:5])), encoding="utf-8")
    out = tmp_path / "hyp.jsonl"
    run = app("translate-file", "--model", tiny_model_dir, "--adapter", tiny_adapter_dirs[0],
              "--style", "alma", "--from", "de", "--to", "en", "--beams", "1", "--max-new-tokens", "10",
              "--in", src, "--out", out)
    assert run.returncode == 0, run.stderr
    assert "seg/s" in run.stderr and "translated 5 segments" in run.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(range(5)) and rows[0]["reference"] == "ref 0"
    engine = Engine(load_model(resolve_preset(str(tiny_model_dir), adapter=str(tiny_adapter_dirs[0]),
                                              style="alma")))
    settings = TurnSettings(src="de", tgt="en", max_new_tokens=10, num_beams=1)
    assert [r["hypothesis"] for r in rows] == [chat_path(engine, line, settings) for line in LINES[:5]]
    record = json.loads((tmp_path / "hyp.jsonl.run.json").read_text())
    assert record["decoding"]["num_beams"] == 1 and record["identity"]["adapter"] == str(tiny_adapter_dirs[0])


def test_resume_after_a_killed_run(tiny_model_dir, tiny_engine, tmp_path):
    """SIGKILL mid-run, then the same command finishes the file; the result equals an
    uninterrupted translation, with no line lost, repeated or half-written."""
    from chat.settings import TurnSettings

    lines = [f"{LINES[i % len(LINES)] or 'Welt'} {i}" for i in range(24)]
    src = tmp_path / "source.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "hyp.txt"
    args = [sys.executable, str(ROOT / "app.py"), "translate-file", "--model", str(tiny_model_dir),
            "--from", "de", "--to", "en", "--max-new-tokens", "16", "--batch-size", "1",
            "--in", str(src), "--out", str(out)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 3:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = out.read_bytes().count(b"\n")
    assert 3 <= done < len(lines), "the run should have been killed part-way"
    with out.open("ab") as handle:  # what a kill in the middle of a write would leave
        handle.write("half a transl".encode())
    again = app(*args[2:])
    assert again.returncode == 0, again.stderr
    assert f"continuing {out}: {done}/{len(lines)} segments are done" in again.stderr
    expected = batch_path(tiny_engine, lines, TurnSettings(src="de", tgt="en", max_new_tokens=16))
    assert out.read_text(encoding="utf-8") == "".join(t + "\n" for t in expected)
    finished = app(*args[2:])
    assert finished.returncode == 0 and "nothing to do" in finished.stderr


def test_a_segment_too_long_for_the_model_is_named(tiny_engine):
    """The error names the segment; the batches before it were already yielded (and so written)."""
    from evaluation.batch import translate_segments
    from chat.settings import TurnSettings, UserError
    from models import ModelError

    lines = ["Hallo Welt", "kurz", "Katze", " ".join(["Katze sitzt"] * 400), "Welt"]
    batches = translate_segments(tiny_engine, lines, TurnSettings(src="de", tgt="en", max_new_tokens=4),
                                 batch_size=2)
    assert len(next(batches).texts) == 2
    with pytest.raises(UserError, match=r"segment 4: The text takes \d+ tokens with its prompt"):
        next(batches)
    # Short sentences pass the chat's per-sentence check, but as one line the prompt is too
    # long: the failed batch is retried segment by segment and the engine's error names it.
    lines[3] = "Katze sitzt. " * 150
    batches = translate_segments(tiny_engine, lines, TurnSettings(src="de", tgt="en", max_new_tokens=4),
                                 batch_size=2)
    assert len(next(batches).texts) == 2
    with pytest.raises(ModelError, match=r"segment 4 could not be translated: The prompt is \d+ tokens"):
        next(batches)


def _output(tmp_path, lines, identity=None) -> ResumableOutput:
    src = tmp_path / "src.txt"
    src.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return ResumableOutput(tmp_path / "out.txt", read_column(str(src)), identity or {"model": "m"})


def test_partial_last_line_is_cut_before_counting(tmp_path):
    output = _output(tmp_path, ["a", "b", "c"])
    assert output.prepare() == 0
    output.append(0, ["one", "two\nlines"])
    output.path.write_bytes(output.path.read_bytes() + b"thr")
    assert output.prepare() == 2
    assert output.path.read_text() == "one\ntwo lines\n"


def test_other_settings_or_foreign_files_are_not_continued(tmp_path):
    from chat.settings import UserError

    output = _output(tmp_path, ["a", "b"])
    output.prepare()
    output.append(0, ["x"])
    changed = _output(tmp_path, ["a", "b"], {"model": "other"})
    with pytest.raises(UserError, match="started with other settings.*model"):
        changed.prepare()
    assert changed.prepare(overwrite=True) == 0
    output.run_path.unlink()
    output.path.write_text("someone's file\n")
    with pytest.raises(UserError, match="not written by translate-file"):
        output.prepare()


def test_jsonl_rows_must_match_the_input(tmp_path):
    from chat.settings import UserError

    src = tmp_path / "src.jsonl"
    src.write_text('{"source": "a"}\n{"source": "b"}\n', encoding="utf-8")
    output = ResumableOutput(tmp_path / "out.jsonl", read_column(str(src), "source"), {"model": "m"})
    output.prepare()
    output.path.write_text('{"source": "zzz", "hypothesis": "x"}\n')
    with pytest.raises(UserError, match="line 1: its 'source' differs"):
        output.prepare()


def test_user_errors_come_before_loading_a_model(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    src = tmp_path / "src.txt"
    src.write_text("Hallo\n")
    cases = [
        (["--model", "alma-7b", "--from", "ja", "--to", "en", "--in", src], "ALMA-7b does not translate Japanese"),
        (["--from", "auto", "--to", "en", "--in", src], "give the source language with --from"),
        (["--from", "de", "--to", "xx", "--in", src], "unknown language code 'xx'"),
        (["--from", "de", "--to", "en", "--in", empty], "empty.txt is empty"),
        (["--from", "de", "--to", "en", "--in", tmp_path / "missing.txt"], "missing.txt: no such file"),
        (["--from", "de", "--to", "en", "--in", src, "--batch-size", "0"], "--batch-size must be at least 1"),
    ]
    for args, message in cases:
        run = app("translate-file", *args, "--out", tmp_path / "out.txt", timeout=60)
        assert run.returncode == 2 and message.lower() in run.stderr.lower(), run.stderr
        assert "Traceback" not in run.stderr and "loading" not in run.stderr


def test_jsonl_rows_carry_the_runs_direction(tmp_path):
    """Translating a test set's reference column the other way: the copied row says en→de."""
    src = tmp_path / "de-en.jsonl"
    src.write_text('{"source": "Hallo", "reference": "Hello", "src_lang": "de", "tgt_lang": "en"}\n',
                   encoding="utf-8")
    output = ResumableOutput(tmp_path / "out.jsonl", read_column(f"{src}:reference"),
                             {"src": "en", "tgt": "de"})
    row = json.loads(output.row(0, "Hallo"))
    assert (row["src_lang"], row["tgt_lang"], row["hypothesis"], row["reference"]) == ("en", "de", "Hallo", "Hello")
