"""The page's document and glossary events in-process, on the fake engine and a real SQLite file:
a DOCX translated with progress and a preview, its file written again with a correction, bad
files refused with a one-line notice and nothing stored (no conversation, no original kept),
another user unable to download someone's document, and a glossary imported, selected for a
turn, its missed term listed under the reply."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from chat.feedback import Feedback
from chat.model_host import ModelHost
from chat.session import ChatSession
from documents import open_document
from storage import open_store
from tests.documents.samples import BAD, assert_translated, blank_docx, docx_bytes, shouted
from tests.fake_engine import FakeEngine
from web import outputs as out
from web.document_files import hand_out, originals_folder
from web.documents_panel import DocumentPanel
from web.glossary_panel import GlossaryPanel
from web.handlers import CONTROL_NAMES, Controls, Handlers

DE_EN = dict(src="de", tgt="en", hint_parrot="none", hint_free="", mode="translate", beams=0,
             temperature=-0.05, top_p=1.0, max_new=0, glossary="")


def controls(**changes) -> list:
    """The turn controls' values in the order the page passes them."""
    values = Controls(**{**DE_EN, **changes})
    return [getattr(values, name) for name in CONTROL_NAMES]


@pytest.fixture
def page(tmp_path):
    store = open_store(tmp_path / "chat.db")
    host = ModelHost.serving(FakeEngine(languages=("en", "de", "es")))
    handlers = Handlers(ChatSession(store, host), Feedback(store), host)
    yield handlers, DocumentPanel(handlers), store
    store.close()


def upload(tmp_path: Path, name: str, data: bytes) -> str:
    folder = tmp_path / "upload"  # Gradio's upload folder keeps the file's own name
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    return str(folder / name)


def translate(panel, path, user, **changes) -> list:
    return [out.DocumentTranslated(*step) for step in panel.on_document(path, user, *controls(**changes))]


def test_a_docx_is_translated_with_progress_a_preview_and_written_again_corrected(page, tmp_path):
    handlers, panel, store = page
    user = store.ensure_user("anon:" + "a" * 32)
    data = docx_bytes()
    steps = translate(panel, upload(tmp_path, "report.docx", data), user)
    first, last = steps[0], steps[-1]
    assert "<progress" in first.doc_progress and first.doc_file["visible"] is False
    assert "Done" in last.doc_progress and "⚠️" not in last.notice
    assert "Dieser Satz hat ein fettes Wort in der Mitte." in last.doc_preview
    assert shouted("Dieser Satz hat ein fettes Wort in der Mitte.") in last.doc_preview
    conv = last.conv_id
    assert [c.id for c in store.list_conversations(user)] == [conv]
    assert store.get_conversation(user, conv).title == "report.docx"
    translated = Path(last.doc_file["value"])
    assert translated.name == "report.en.docx"
    assert_translated("report.docx", data, translated.read_bytes())
    assert len(list(originals_folder(handlers.conversations, user).iterdir())) == 1

    reply = next(m for m in reversed(store.messages(user, conv)) if m.role == "assistant")
    handlers.feedback.edit(user, reply.id, "A corrected translation.")
    again = out.DocumentFile(*panel.on_download_again(user, conv))
    assert "written again" in again.notice
    texts = [s.text for s in open_document(Path(again.doc_file["value"]).read_bytes(), "x.docx").segments]
    assert "A corrected translation." in texts
    assert Path(again.doc_file["value"]).parent != translated.parent  # every download its own folder


@pytest.mark.parametrize("name", sorted(BAD) + ["huge.txt", "blank.txt"])
def test_a_bad_file_is_a_one_line_notice_and_nothing_is_stored(page, tmp_path, name):
    handlers, panel, store = page
    user = store.ensure_user("anon:" + "b" * 32)
    if name == "huge.txt":  # over the page's 16 MiB (sparse: no disk used)
        path = upload(tmp_path, name, b"")
        with open(path, "r+b") as f:
            f.truncate(17 * 2**20)
        word = "16 MiB"
    elif name == "blank.txt":
        path, word = upload(tmp_path, name, b"\n  \n"), "empty"
    else:
        data, word = BAD[name]
        path = upload(tmp_path, name, data if data is not None else blank_docx())
    steps = translate(panel, path, user)
    assert len(steps) == 1
    notice = steps[0].notice
    assert notice.startswith("⚠️") and word in notice and "\n" not in notice, notice
    assert store.list_conversations(user) == []
    folder = originals_folder(handlers.conversations, user)
    assert not folder.exists() or not list(folder.iterdir())


def test_no_file_and_a_text_conversation_are_notices(page, tmp_path):
    handlers, panel, store = page
    user = store.ensure_user("anon:" + "c" * 32)
    assert "Choose a document" in translate(panel, None, user)[0].notice
    assert "Open a document" in out.DocumentFile(*panel.on_download_again(user, None)).notice
    chat = store.create_conversation(user)
    assert "not a document" in out.DocumentFile(*panel.on_download_again(user, chat)).notice


def test_another_user_cannot_download_someone_elses_document(page, tmp_path):
    handlers, panel, store = page
    alice, mallory = store.ensure_user("hf:alice"), store.ensure_user("anon:" + "m" * 32)
    conv = translate(panel, upload(tmp_path, "report.docx", docx_bytes()), alice)[-1].conv_id
    stolen = out.DocumentFile(*panel.on_download_again(mallory, conv))
    assert stolen.notice == "⚠️ That item does not exist." and not isinstance(stolen.doc_file, str)
    assert "value" not in stolen.doc_file  # no file handed out
    assert not originals_folder(handlers.conversations, mallory).exists()
    mine = out.DocumentFile(*panel.on_download_again(alice, conv))
    assert mine.doc_file["value"].endswith("report.en.docx")


def test_an_original_is_kept_while_a_conversation_names_it(page, tmp_path):
    handlers, panel, store = page
    user = store.ensure_user("anon:" + "k" * 32)
    path = upload(tmp_path, "report.docx", docx_bytes())
    first, second = (translate(panel, path, user)[-1].conv_id for _ in range(2))
    folder = originals_folder(handlers.conversations, user)
    assert len(list(folder.iterdir())) == 1  # the same file, kept once
    handlers.on_delete(user, first)
    assert len(list(folder.iterdir())) == 1  # the other conversation still names it
    handlers.on_delete(user, second)
    assert list(folder.iterdir()) == []
    third = translate(panel, path, user)[-1].conv_id
    for file in folder.iterdir():
        file.unlink()  # gone (e.g. the data folder moved): the same file uploaded again serves
    assert "upload it again" in out.DocumentFile(*panel.on_download_again(user, third)).notice
    assert out.DocumentFile(*panel.on_download_again(user, third, path)).doc_file["value"].endswith(".en.docx")
    other = upload(tmp_path, "other.docx", blank_docx())
    assert "not the file" in out.DocumentFile(*panel.on_download_again(user, third, other)).notice


def test_downloads_live_in_unguessable_folders():
    first, second = Path(hand_out("a.en.txt", b"one")), Path(hand_out("a.en.txt", b"one"))
    assert first.parent != second.parent and len(first.parent.name) >= 20
    assert first.read_bytes() == b"one"


# -- glossaries -------------------------------------------------------------------------
CSV = b"source,target,note\nHaus,house,\nDach,roof,\n"


class Tokenizer:
    chat_template = "stub"

    @staticmethod
    def apply_chat_template(messages, tokenize=False, add_generation_prompt=True):
        return "".join(f"<{m['role']}>{m['content']}\n" for m in messages) + "<assistant>"


@pytest.fixture
def chat_page(tmp_path):
    store = open_store(tmp_path / "chat.db")
    engine = FakeEngine("chat", script=lambda prompt: ["The house ", "has a red top."],
                        languages=("de", "en", "fr"))
    engine.tokenizer = Tokenizer()
    host = ModelHost.serving(engine)
    handlers = Handlers(ChatSession(store, host), Feedback(store), host)
    yield handlers, GlossaryPanel(store), store, engine
    store.close()


def test_a_selected_glossary_is_on_the_turn_and_a_missed_term_is_listed(chat_page, tmp_path):
    handlers, glossaries, store, engine = chat_page
    user = store.ensure_user("hf:alice")
    assert out.Glossaries(*glossaries.on_list(user)).glossary["choices"] == [("No glossary", "")]
    done = out.GlossaryImported(*glossaries.on_import(user, upload(tmp_path, "bau.csv", CSV), "", "de", "en"))
    assert done.glossary["value"] == "bau" and "2 terms" in done.notice
    assert done.glossary["choices"][1] == ("bau (German → English, 2 terms)", "bau")

    text = "Das Haus hat ein rotes Dach."
    steps = [out.Sent(*s) for s in handlers.on_send(text, user, None, *controls(glossary="bau"), {})]
    assert "Glossary: 1 of 2 terms missed: Dach → roof." in steps[-1].notice
    reply = next(m for m in store.messages(user, steps[-1].conv_id) if m.role == "assistant")
    assert reply.params["glossary"]["name"] == "bau"
    assert [m["source"] for m in reply.params["glossary"]["missed"]] == ["Dach"]
    assert "use: Haus → house; Dach → roof" in engine.prompts[-1]
    shown = handlers.refresh(user, steps[-1].conv_id, {}).chatbot[-1]["content"]
    assert "term missed: **Dach** → **roof**" in shown and "Haus** →" not in shown

    before = len(engine.prompts)
    list(handlers.on_send("Das Haus.", user, steps[-1].conv_id, *controls(), {}))  # no glossary
    assert "use:" not in engine.prompts[before]


def test_a_bad_glossary_file_is_a_notice_and_nothing_is_stored(chat_page, tmp_path):
    handlers, glossaries, store, _ = chat_page
    user = store.ensure_user("hf:bob")
    bad = out.GlossaryImported(*glossaries.on_import(user, upload(tmp_path, "bad.csv", b"Haus\n"), "x", "de", "en"))
    assert bad.notice.startswith("⚠️") and "line 1" in bad.notice
    assert out.GlossaryImported(*glossaries.on_import(user, None, "x", "de", "en")).notice.startswith("⚠️")
    assert glossaries.choices(user) == [("No glossary", "")]
