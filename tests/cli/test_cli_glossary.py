"""`python app.py glossary import|list|export|delete` on a real SQLite file: owners (a user, an
API key, a campaign), a bad file stores nothing, export reads back."""
from __future__ import annotations

from cli.main import main
from storage import open_store
from storage.api_keys import ApiKeys


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_list_export_delete(tmp_path, capsys):
    db = str(tmp_path / "chat.db")
    terms = tmp_path / "bau.csv"
    terms.write_text("source,target,note\nHaus,house,\nDach,roof,flat\n", encoding="utf-8")
    with open_store(db) as store:
        _, key = ApiKeys(store).create("weblate")
    code, _, err = run(capsys, "glossary", "import", "bau", str(terms), "--from", "de", "--to", "en", "--db", db)
    assert code == 2 and "say whose glossary it is" in err
    code, out, _ = run(capsys, "glossary", "import", "bau", str(terms), "--from", "de", "--to", "en",
                       "--user", "hf:alice", "--db", db)
    assert code == 0 and "2 terms for user hf:alice" in out
    assert run(capsys, "--db", db, "glossary", "import", "bau", str(terms), "--from", "DE", "--to", "en-GB",
               "--key", str(key.id))[0] == 0
    listed = run(capsys, "glossary", "list", "--db", db)[1].splitlines()
    assert [line.split("\t")[1:5] for line in listed] == [["bau", "de-en", "2 terms", "user hf:alice"],
                                                          ["bau", "de-en", "2 terms", f"user api:{key.id}"]]
    assert run(capsys, "glossary", "export", "bau", "--out", "-", "--db", db)[0] == 2  # two of that name
    out_file = tmp_path / "out.csv"
    assert run(capsys, "glossary", "export", "bau", "--user", "hf:alice", "--out", str(out_file), "--db", db)[0] == 0
    assert out_file.read_text(encoding="utf-8") == terms.read_text(encoding="utf-8")
    assert run(capsys, "glossary", "delete", "bau", "--key", str(key.id), "--db", db)[0] == 0
    assert len(run(capsys, "glossary", "list", "--db", db)[1].splitlines()) == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("Haus,house\nDach\n", encoding="utf-8")
    code, _, err = run(capsys, "glossary", "import", "x", str(bad), "--from", "de", "--to", "en",
                       "--user", "hf:alice", "--db", db)
    assert code == 2 and "line 2" in err
    assert run(capsys, "glossary", "list", "--user", "hf:alice", "--db", db)[1].count("\n") == 1
    code, _, err = run(capsys, "glossary", "import", "c", str(terms), "--from", "de", "--to", "en",
                       "--campaign", "nope", "--db", db)
    assert code == 2 and "no campaign named 'nope'" in err
