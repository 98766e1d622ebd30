"""`python app.py translate-file` for documents: the fixture documents round-trip (fake engine
in-process, real SQLite), a progress bar on stderr, an interrupted run continued without sending
a segment twice, a finished run written again with the corrections made since, the extension
rule and every bad input as one line with nothing stored; one run as a user types it (tiny model)."""
from __future__ import annotations

import json
import sqlite3

import pytest

import cli.translate_document as translate_document
from chat.feedback import Feedback
from chat.model_host import ModelHost
from cli.main import main
from documents import open_document
from storage import open_store
from tests.documents.samples import BAD, SAMPLES, assert_translated, blank_docx, xxe_xliff, zip_bomb
from tests.fake_engine import FakeEngine
from tests.fixtures_reliability import db_rows, run_cli


@pytest.fixture
def fake(monkeypatch):
    """The command's model is the fake engine; how many times it was loaded."""
    loads = []

    def load_host(args):
        loads.append(args.model)
        return ModelHost.serving(FakeEngine(languages=("en", "de", "es")))
    monkeypatch.setattr(translate_document, "load_host", load_host)
    return loads


def translate(tmp_path, name: str, *extra: str, out: str | None = None) -> int:
    return main(["translate-file", "--in", str(tmp_path / name), "--out", str(tmp_path / (out or "out-" + name)),
                 "--from", "de", "--to", "en", "--db", str(tmp_path / "chat.db"), *extra])


def stored(tmp_path) -> tuple[int, int]:
    db = tmp_path / "chat.db"
    if not db.exists():
        return 0, 0
    with sqlite3.connect(db) as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("conversations", "messages"))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_fixture_round_trips(tmp_path, fake, capsys, name):
    data = SAMPLES[name]()
    (tmp_path / name).write_bytes(data)
    assert translate(tmp_path, name) == 0
    assert_translated(name, data, (tmp_path / f"out-{name}").read_bytes())
    err = capsys.readouterr().err
    assert "translating" in err and "written" in err  # the progress bar and the summary, on stderr
    run = json.loads((tmp_path / f"out-{name}.run.json").read_text())
    assert run["identity"]["src"] == "de" and run["conversation"] == 1
    [(title, user)] = db_rows(tmp_path / "chat.db", "SELECT c.title, u.key FROM conversations c JOIN users u ON u.id = c.user_id")
    assert (title, user) == (name, "cli:translate-file")


def test_interrupted_then_continued_then_written_again_with_corrections(tmp_path, fake, monkeypatch, capsys):
    data = SAMPLES["report.docx"]()
    (tmp_path / "report.docx").write_bytes(data)
    real_bar = translate_document._bar

    def breaking_bar(total, done):
        bar = real_bar(total, done)
        update = bar.update

        def interrupt(n):
            update(n)
            if bar.n:
                raise KeyboardInterrupt
        bar.update = interrupt
        return bar
    monkeypatch.setattr(translate_document, "_bar", breaking_bar)
    assert translate(tmp_path, "report.docx", "--batch-size", "2") == 130
    assert "interrupted: 2/7 segments are stored in conversation 1" in capsys.readouterr().err
    assert not (tmp_path / "out-report.docx").exists()  # written once, at the end

    monkeypatch.setattr(translate_document, "_bar", real_bar)
    assert translate(tmp_path, "report.docx", "--batch-size", "2") == 0
    assert "continuing" in capsys.readouterr().err and stored(tmp_path) == (1, 14)  # none sent twice
    assert_translated("report.docx", data, (tmp_path / "out-report.docx").read_bytes())

    store = open_store(tmp_path / "chat.db")
    user = store.ensure_user("cli:translate-file")
    first_reply = next(m for m in store.messages(user, 1) if m.role == "assistant")
    Feedback(store).edit(user, first_reply.id, "Annual report")
    store.close()
    loads = len(fake)
    assert translate(tmp_path, "report.docx", "--batch-size", "2") == 0
    assert "written again" in capsys.readouterr().err and len(fake) == loads  # no model needed
    assert open_document(tmp_path / "out-report.docx").segments[0].text == "Annual report"

    assert translate(tmp_path, "report.docx", "--to", "es") == 2  # another run: refused
    assert "other settings" in capsys.readouterr().err
    assert translate(tmp_path, "report.docx", "--overwrite") == 0 and stored(tmp_path)[0] == 2


def test_the_output_is_the_same_format_and_an_output_of_no_run_is_kept(tmp_path, fake, capsys):
    (tmp_path / "report.docx").write_bytes(SAMPLES["report.docx"]())
    assert translate(tmp_path, "report.docx", out="report.txt") == 2
    assert "--out must end in .docx" in capsys.readouterr().err
    (tmp_path / "mine.docx").write_bytes(b"precious")
    assert translate(tmp_path, "report.docx", out="mine.docx") == 2
    assert "not written by translate-file" in capsys.readouterr().err
    assert (tmp_path / "mine.docx").read_bytes() == b"precious" and not fake


def test_bad_input_is_one_line_and_stores_nothing(tmp_path, fake, capsys):
    cases = {name: (data if data is not None else blank_docx(), word) for name, (data, word) in BAD.items()
             if name.endswith((".docx", ".srt"))}
    cases["bomb.docx"] = (zip_bomb(), "unpacks to 513 MiB")
    for name, (data, word) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert translate(tmp_path, name) == 2, name
        err = capsys.readouterr().err
        assert err.startswith("error: ") and word in err and "Traceback" not in err, (name, err)
        lines = [line for line in err.splitlines() if not line.startswith(("[", "smollm2", "fake"))]
        assert len(lines) == 1, err
    assert stored(tmp_path) == (0, 0) and not fake  # refused before a model is loaded
    (tmp_path / "missing.docx").unlink(missing_ok=True)
    assert translate(tmp_path, "missing.docx") == 2 and "does not exist" in capsys.readouterr().err

    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    (tmp_path / "evil.xlf").write_bytes(xxe_xliff(secret))
    assert translate(tmp_path, "evil.xlf") == 0
    assert b"TOPSECRET" not in (tmp_path / "out-evil.xlf").read_bytes()


@pytest.mark.timeout(600)
def test_as_a_user_types_it_with_the_tiny_model(tmp_path, tiny_model_dir):
    data = SAMPLES["film.srt"]()
    (tmp_path / "film.srt").write_bytes(data)
    args = ("translate-file", "--model", str(tiny_model_dir), "--style", "alma", "--in", "film.srt",
            "--out", "film.en.srt", "--from", "de", "--to", "en", "--db", "chat.db", "--max-new-tokens", "8")
    done = run_cli(*args, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "translating" in done.stderr and "2/2 segments translated" in done.stderr
    before, after = open_document(data, "film.srt"), open_document(tmp_path / "film.en.srt")
    assert [(s.id, s.context) for s in after.segments] == [(s.id, s.context) for s in before.segments]
    rows = db_rows(tmp_path / "chat.db", "SELECT u.params, a.prompt FROM messages u JOIN messages a "
                                         "ON a.parent_id = u.id WHERE u.role = 'user'")
    assert [json.loads(p)["segment"] for p, _ in rows] == ["1", "2"]
    assert all(prompt.startswith("Translate this from German to English") for _, prompt in rows)
    again = run_cli(*args, cwd=tmp_path, timeout=300)
    assert again.returncode == 0 and "written again" in again.stderr
