"""Bad input, case by case: every one gets a clear message for the person who made it and
nothing is lost. The terminal cases run `python app.py …` (exit 2, one `error:` line, no
traceback); the page cases go through the real server (gradio_client) or, where the
database must be made to fail on purpose, through the event handlers in-process."""
from __future__ import annotations

import resource
import shutil
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chat.render import from_text  # notices are escaped Markdown
from tests.fixtures_reliability import db_rows, run_cli, send_args
from tests.unprivileged import as_user, open_dir

pytestmark = pytest.mark.integration

EMOJI = "😀🎉👍"
LONG = ("Die Katze schläft. " * 5_300)[:99_999] + "!"  # 100,000 characters

# (case id, argv with {placeholders}, stdin, what the error line must say)
CLI_CASES = [
    ("empty-text", ["translate", ""], None, "Type some text to translate"),
    ("whitespace-text", ["translate", " \n\t "], None, "Type some text to translate"),
    ("100k-characters", ["translate"], LONG, "100,000 characters long; the limit is 20,000"),
    ("unknown-model", ["translate", "--model", "no-such-model", "Hallo"], None,
     "Unknown model 'no-such-model'"),
    ("missing-model-folder", ["translate", "--model", "{tmp}/nowhere", "Hallo"], None,
     "Local model folder not found"),
    ("missing-adapter", ["translate", "--model", "{tiny}", "--adapter", "{tmp}/no-lora", "Hallo"],
     None, "Adapter folder not found"),
    ("adapter-for-wrong-base", ["translate", "--model", "{tiny}", "--adapter", "{wrong}", "Hallo"],
     None, "trained for a different base model"),
    ("source-equals-target", ["translate", "--model", "{tiny}", "--from", "de", "--to", "de", "Hallo"],
     None, "Source and target are both German"),
    ("unknown-language-code", ["translate", "--model", "{tiny}", "--to", "klingon", "Hallo"], None,
     "unknown language code 'klingon'"),
    ("emoji-only", ["translate", "--model", "{tiny}", EMOJI], None, "no letters to tell its language from"),
    ("corrupt-database-export", ["export", "--db", "{corrupt}", "--out", "-"], None,
     "is not a valid chat database"),
    ("corrupt-database-serve", ["--db", "{corrupt}", "--port", "9"], None,
     "is not a valid chat database"),
    ("read-only-database", ["--db", "{readonly}", "--port", "9"], None, "is read-only"),
    ("export-disk-full", ["export", "--db", "{pairs}", "--out", "{tmp}/out.jsonl"], None,
     "Cannot write the export to"),
    ("export-into-a-folder", ["export", "--db", "{pairs}", "--out", "{tmp}"], None,
     "Cannot write the export to"),
    ("export-bad-since", ["export", "--db", "{pairs}", "--since", "2024-13-45", "--out", "-"], None,
     "since must be an ISO date"),
    ("export-bad-pair", ["export", "--db", "{pairs}", "--pair", "deen", "--out", "-"], None,
     "pair must be two language codes"),
    ("db-folder-cannot-exist", ["api-key", "create", "x", "--db", "/proc/nowhere/chat.db"], None,
     "Cannot create the folder /proc/nowhere"),
    ("db-is-a-folder", ["export", "--db", "{tmp}", "--out", "-"], None, "is a folder, not a database"),
    ("db-server-not-running", ["export", "--db", "postgresql://hintmt@127.0.0.1:9/chat", "--out", "-"],
     None, "Cannot open the database"),
    ("db-empty-path", ["export", "--db", "", "--out", "-"], None, "No database file was given"),
]
FILE_LIMIT = 64 * 1024  # bytes a process may write per file in the disk-full case


def _no_file_over_limit():  # runs in the child: writes past the limit fail with EFBIG
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))


def _read_only_db(folder: Path) -> Path:
    """A database file and folder nobody may write; the case runs as an unprivileged user
    (tests/unprivileged.py), whom the modes stop even when the tests run as root."""
    path = _pairs_db(folder / "readonly.db")
    path.chmod(0o444)
    folder.chmod(0o555)  # no -wal/-journal file can be created beside it either
    return path


def _pairs_db(path: Path) -> Path:
    """A database holding ~200 KB of preference pairs (more than FILE_LIMIT exported)."""
    from storage import open_store

    with open_store(path) as store:
        user = store.ensure_user("anon:" + "b" * 32)
        for i in range(100):
            store.add_pair(user, prompt=f"Translate {i}: " + "x" * 1000, chosen="good " * 100,
                           rejected="bad " * 100, kind="pick")
    return path


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory, tiny_model_dir, wrong_base_adapter_dir):
    """Every CLI case run once, three at a time (they are independent processes)."""
    tmp = tmp_path_factory.mktemp("bad-cli")
    corrupt = tmp / "corrupt.db"
    corrupt.write_bytes(b"this is not SQLite " * 300)
    shared = open_dir()  # pytest's tmp folders are private to root: this one `nobody` can enter
    readonly = _read_only_db(shared)
    places = dict(tmp=str(tmp), tiny=str(tiny_model_dir), wrong=str(wrong_base_adapter_dir),
                  corrupt=str(corrupt), readonly=str(readonly), pairs=str(_pairs_db(tmp / "pairs.db")))

    def one(case):
        name, argv, stdin, _ = case
        extra = {"preexec_fn": _no_file_over_limit} if name == "export-disk-full" else {}
        if name == "read-only-database":
            extra = {"prefix": as_user([]), "cwd": shared, "env": {"HOME": str(shared)}}
        return run_cli(*[a.format(**places) for a in argv], input=stdin, **{"cwd": tmp, **extra})

    try:
        with ThreadPoolExecutor(3) as pool:
            yield dict(zip((c[0] for c in CLI_CASES), pool.map(one, CLI_CASES)))
    finally:
        shared.chmod(0o755)
        shutil.rmtree(shared, ignore_errors=True)


@pytest.mark.timeout(600)  # the first case also waits for the module's 21 CLI runs (3 at a time)
@pytest.mark.parametrize("case", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_refuses_with_a_clear_message(cli_results, case):
    name, _, _, expected = case
    result = cli_results[name]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert len(errors) == 1 and expected in errors[0], result.stderr[-2000:]


def test_cli_case_matrix_is_complete():
    assert len(CLI_CASES) >= 20 and len({c[0] for c in CLI_CASES}) == len(CLI_CASES)


# -- the page, through the real server -------------------------------------------------

@pytest.fixture(scope="module")
def page(tiny_server):
    """A fresh user on the tiny-model server, with one finished turn already stored."""
    from gradio_client import Client

    api = Client(tiny_server.url, verbose=False)
    key = api.predict(None, api_name="/on_load")[0]
    assert not api.predict(*send_args("Der erste Satz bleibt."), api_name="/on_send")[1].startswith("⚠️")
    user = db_rows(tiny_server.db, "SELECT id FROM users WHERE key = ?", (key,))[0][0]
    return api, user, tiny_server.db


def stored_texts(db, user: int) -> list[tuple[str, str]]:
    return db_rows(db, "SELECT m.role, m.content FROM messages m JOIN conversations c ON "
                   "c.id = m.conversation_id WHERE c.user_id = ? ORDER BY m.id", (user,))


REFUSED = [
    ("empty", "", {}, "Type some text to translate."),
    ("whitespace", " \n\t ", {}, "Type some text to translate."),
    ("100k-characters", LONG, {}, "the limit is 20,000"),
    ("emoji-only", EMOJI, {"src": "auto"}, "I could not tell which language this is"),
    ("source-equals-target", "Hallo Welt, wie geht es?", {"src": "de", "tgt": "de"},
     "Source and target are both German"),
]


@pytest.mark.parametrize("text,over,expected", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_page_refuses_and_keeps_the_text(page, text, over, expected):
    api, user, db = page
    before = stored_texts(db, user)
    box, notice, shown = api.predict(*send_args(text, **over), api_name="/on_send")
    assert notice.startswith("⚠️") and expected in from_text(notice)
    assert box == {"__type__": "update"}, "the input box must keep what was typed"
    assert shown == {"__type__": "update"}
    assert stored_texts(db, user) == before


ACCEPTED = [
    ("control-characters-and-nul", "Guten\x00 Morgen\x07 \x1b[31mrot\x1b[0m", "de",
     "Guten Morgen\x07 \x1b[31mrot\x1b[0m"),
    ("mixed-scripts", "Hallo 世界, Привет мир and مرحبا", "auto", "Hallo 世界, Привет мир and مرحبا"),
]


@pytest.mark.parametrize("text,src,stored", [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_page_accepts_odd_but_valid_text(page, text, src, stored):
    api, user, db = page
    job = api.submit(*send_args(text, src=src), api_name="/on_send")
    box, notice, shown = job.result()
    assert not notice.startswith("⚠️"), notice
    boxes = [out[0] for out in job.outputs()]  # emptied by the first update only: what is typed
    assert boxes[0] == "" and all(b == {"__type__": "update"} for b in boxes[1:])  # later stays
    rows = db_rows(db, "SELECT m.role, m.content, m.status FROM messages m JOIN conversations c "
                   "ON c.id = m.conversation_id WHERE c.user_id = ? ORDER BY m.id DESC LIMIT 2", (user,))
    assert rows[1][:2] == ("user", stored) and rows[0][0] == "assistant" and rows[0][2] == "complete"


@pytest.mark.parametrize("field,value", [("tgt", "xx"), ("src", "klingon"), ("mode", "banana")])
def test_forged_choices_are_refused_by_the_page(page, field, value):
    from gradio_client.exceptions import AppError

    api, user, db = page
    before = stored_texts(db, user)
    with pytest.raises(AppError, match=f"{value}.* is not in the list of choices"):
        api.predict(*send_args("Hallo Welt", **{field: value}), api_name="/on_send")
    assert stored_texts(db, user) == before


def test_unknown_model_id_keeps_the_running_model(page):
    api, user, db = page
    notice, status, _ = api.predict("no-such-model", api_name="/on_load_model")
    assert notice.startswith("⚠️") and "Unknown model 'no-such-model'" in from_text(notice)
    assert api.predict("auto", "en", None, api_name="/on_tick")[0].startswith("🟢")
    _, notice, _ = api.predict(*send_args("Nach dem Tippfehler geht es weiter."), api_name="/on_send")
    assert not notice.startswith("⚠️"), notice


# -- in-process: a language the model does not know, a full disk ------------------------

def test_language_the_model_does_not_translate(tiny_model_dir):
    from chat.pipeline import plan_turn
    from chat.settings import TurnSettings, UserError
    from models import Engine, load_model, resolve_preset

    preset = resolve_preset(str(tiny_model_dir), style="alma").replace(languages=("en", "de"))
    engine = Engine(load_model(preset))
    with pytest.raises(UserError, match="does not translate Japanese; it knows: English, German"):
        plan_turn(engine, "猫はマットの上に座っています。", TurnSettings(src="ja", tgt="en"))
    assert plan_turn(engine, "Guten Morgen.", TurnSettings(src="de", tgt="en")).tgt == "en"


def test_disk_full_while_chatting(tmp_path, tiny_model_dir):
    """SQLite's own full-database error (max_page_count) on the app's real file."""
    from sqlalchemy import event

    from chat.feedback import Feedback
    from web.handlers import Handlers
    from chat.model_host import ModelHost
    from chat.session import ChatSession
    from storage import open_store

    store = open_store(tmp_path / "chat.db")
    host = ModelHost(str(tiny_model_dir), style="alma")
    host.start()
    assert host.wait(120).ready
    h = Handlers(ChatSession(store, host), Feedback(store), host)
    user = store.ensure_user("anon:" + "c" * 32)
    conv = store.create_conversation(user)

    def send(text):
        return list(h.on_send(text, user, conv, "de", "en", "none", "", "translate", 1, 0, 1.0, 8, "", {}))

    assert send("Der erste Satz.")[-1][1] == ""
    before = store.messages(user, conv)

    def limit(dbapi_conn, _record):  # the file may not grow by a single page
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    event.listen(store.engine, "connect", limit)
    store.engine.dispose()
    # 50 sentences, ~4,800 characters: more than a 4 KB page, well within the input limits
    big = "Die Katze sitzt auf der warmen Matte und schaut aus dem Fenster in den Garten. " * 50
    box, notice, *_ = send(big)[-1]
    assert notice.startswith("⚠️") and "disk is full" in from_text(notice)
    assert box == {"__type__": "update"}  # the text stays in the box to send again
    event.remove(store.engine, "connect", limit)
    store.engine.dispose()
    assert [(m.id, m.content, m.status) for m in store.messages(user, conv)] == \
        [(m.id, m.content, m.status) for m in before]
    assert send(big)[-1][1] == ""  # space again: the same text goes through
    assert store.messages(user, conv)[-2].content == big.strip()
    store.close()
