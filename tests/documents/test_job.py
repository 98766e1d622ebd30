"""The document job (documents/job.py) on the fake engine and a real SQLite file: every segment a
stored turn with its exact prompt, the file written back with nothing else changed, progress,
a preview, corrections and picks in the file written again, resuming, refusals that store
nothing, auto source, and the documents package's defences (XXE, ZIP bomb)."""
from __future__ import annotations

import pytest

from chat.feedback import Feedback
from chat.model_host import ModelHost
from chat.session import ChatSession
from chat.settings import TurnSettings, UserError
from documents import DocumentError, open_document
from documents.job import RECORD, DocumentJob, JobFailed
from prompts import build_prompt
from storage import open_store
from tests.documents.samples import SAMPLES, assert_translated, shouted, xxe_xliff, zip_bomb
from tests.fake_engine import FakeEngine

DE_EN = TurnSettings(src="de", tgt="en")


@pytest.fixture
def setup(tmp_path):
    store = open_store(tmp_path / "chat.db")
    engine = FakeEngine(languages=("en", "de", "es"))
    session = ChatSession(store, ModelHost.serving(engine))
    user = store.ensure_user("anon:" + "d" * 32)
    yield session, store, user, engine
    store.close()


def conversations(store, user) -> int:
    return len(store.list_conversations(user))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_segment_is_a_stored_turn_and_the_file_comes_back_translated(setup, name):
    session, store, user, engine = setup
    data = SAMPLES[name]()
    document = open_document(data, name)
    seen = []
    job = DocumentJob.start(session, user, document, DE_EN)
    assert job.run(progress=lambda done, total: seen.append((done, total))) == 0
    total = len(document.pending)
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) >= 2
    assert_translated(name, data, job.write())

    info = store.get_conversation(user, job.conv_id)
    assert info.title == name and info.settings[RECORD]["name"] == name
    asked = [m for m in store.messages(user, job.conv_id) if m.role == "user"]
    assert [m.params["segment"] for m in asked] == [s.id for s in document.pending]
    replies = {m.parent_id: m for m in store.messages(user, job.conv_id) if m.role == "assistant"}
    for segment, ask in zip(document.pending, asked):
        reply = replies[ask.id]
        assert ask.content == segment.text and reply.status == "complete"
        assert reply.content == job.translations()[segment.id]
        if "." not in segment.text.rstrip(".") and "," not in segment.text:  # one sentence: its own prompt
            assert reply.prompt == build_prompt("alma", segment.text, "de", "en")


def test_several_paragraphs_and_their_sentences_share_model_batches(setup):
    session, store, user, engine = setup
    job = DocumentJob.start(session, user, open_document(SAMPLES["report.docx"](), "report.docx"), DE_EN)
    job.run()
    replies = [m for m in store.messages(user, job.conv_id) if m.role == "assistant"]
    assert any(m.params.get("batch", 0) > 1 for m in replies)
    several = next(m for m in replies if "HUND" in m.content)
    assert len(several.params["segments"]) == 2  # per sentence: the pairs stay per sentence


def test_a_preview_then_the_rest_and_rows_for_the_page(setup):
    session, store, user, engine = setup
    job = DocumentJob.start(session, user, open_document(SAMPLES["report.docx"](), "report.docx"), DE_EN)
    assert job.run(limit=2) == len(job.segments) - 2
    rows = job.rows()
    assert [r.translation is not None for r in rows[:3]] == [True, True, False]
    assert rows[0].translation == shouted(rows[0].segment.text)
    assert store.get_message(user, rows[0].message_id).parent_id == rows[0].user_message_id
    again = DocumentJob.open(session, user, job.conv_id, job.document)
    assert again.run() == 0 and all(r.translation for r in again.rows())
    asked = [m for m in store.messages(user, job.conv_id) if m.role == "user"]
    assert len(asked) == len(job.segments)  # nothing sent twice


def test_written_again_with_the_users_corrections_and_picks(setup):
    session, store, user, engine = setup
    document = open_document(SAMPLES["report.docx"](), "report.docx")
    job = DocumentJob.start(session, user, document, DE_EN)
    job.run()
    rows = job.rows()
    feedback = Feedback(store)
    edited = feedback.edit(user, rows[0].message_id, "Annual report")
    assert edited.pairs == 1
    engine.script = lambda prompt: ["Another ", "one"]
    for alt in session.regenerate(user, rows[1].message_id, DE_EN):
        pass
    for other in session.regenerate(user, rows[2].message_id, DE_EN):
        pass  # an alternative nobody picked: the first translation stays
    assert feedback.pick(user, rows[1].message_id, alt.message_id, "b").pairs == 1
    out = open_document(DocumentJob.open(session, user, job.conv_id, document).write(), "report.docx")
    texts = [s.text for s in out.segments]
    assert texts[:3] == ["Annual report", "Another one", shouted(rows[2].segment.text)]
    later = feedback.edit(user, alt.message_id, "A sentence with a bold word in the middle.")
    assert later.message_id
    out = open_document(job.write(), "report.docx")
    assert out.segments[1].text == "A sentence with a bold word in the middle."
    feedback.pick(user, rows[1].message_id, alt.message_id, "a")  # changed mind, latest act wins
    assert open_document(job.write(), "report.docx").segments[1].text == shouted(rows[1].segment.text)


def test_a_model_failure_keeps_what_was_done_and_the_next_run_continues(setup):
    session, store, user, engine = setup
    document = open_document(SAMPLES["report.docx"](), "report.docx")
    job = DocumentJob.start(session, user, document, DE_EN)
    job.run(limit=3, batch_size=3)
    engine.fail = "out of memory"
    with pytest.raises(JobFailed, match="report.docx, segment 4 .*out of memory"):
        job.run(batch_size=3)
    engine.fail = None
    again = DocumentJob.open(session, user, job.conv_id, document)
    assert len(again.todo()) == len(job.segments) - 3
    assert again.run() == 0
    assert_translated("report.docx", SAMPLES["report.docx"](), again.write())


def test_a_refused_segment_is_named_and_nothing_is_stored(setup, tmp_path):
    session, store, user, engine = setup
    long = ("Das ist ein Satz. " * 1300).strip()
    text = open_document(f"Erster Absatz.\n\n{long}\n".encode(), "long.txt")
    with pytest.raises(UserError, match=r"long.txt, segment 2 \(paragraph: “Das ist ein Satz.*limit is 20,000"):
        DocumentJob.start(session, user, text, DE_EN)
    with pytest.raises(UserError, match="both German|already German"):
        DocumentJob.start(session, user, open_document(b"Hallo Welt.", "a.md"), TurnSettings(src="de", tgt="de"))
    with pytest.raises(UserError, match="cannot translate from French"):
        DocumentJob.start(session, user, open_document(b"Bonjour.", "a.md"), TurnSettings(src="fr", tgt="en"))
    for name, data, words in (("blank.md", b"12 345\n", "no text"),
                              ("done.po", b'msgid "Ja"\nmsgstr "Yes"\n', "nothing to translate")):
        with pytest.raises(DocumentError, match=words):
            DocumentJob.start(session, user, open_document(data, name), DE_EN)
    assert conversations(store, user) == 0 and not list(tmp_path.glob("originals"))


def test_auto_source_detects_the_document_and_keeps_text_already_in_the_target(setup):
    session, store, user, engine = setup
    md = ("# Der Bericht über das Jahr\n\nDie Firma hat in diesem Jahr viele neue Kunden gewonnen und "
          "ist stark gewachsen.\n\nThe company grew strongly this year and won many new customers.\n")
    document = open_document(md.encode(), "bericht.md")
    job = DocumentJob.start(session, user, document, TurnSettings(src="auto", tgt="en"))
    assert job.record["src"] == "de" and job.record["kept"] == ["3"]
    job.run()
    out = open_document(job.write(), "bericht.md")
    assert out.segments[2].text == document.segments[2].text  # kept as it was, never sent
    assert [m.params.get("segment") for m in store.messages(user, job.conv_id) if m.role == "user"] == ["1", "2"]
    english = open_document(b"The weather is very nice today in the whole country.\n", "en.md")
    with pytest.raises(UserError, match="already English"):
        DocumentJob.start(session, user, english, TurnSettings(src="auto", tgt="en"))


def test_open_needs_the_same_file_or_the_kept_copy(setup, tmp_path):
    session, store, user, engine = setup
    data = SAMPLES["film.srt"]()
    job = DocumentJob.start(session, user, open_document(data, "film.srt"), DE_EN, originals=tmp_path / "kept")
    job.run()
    again = DocumentJob.open(session, user, job.conv_id, originals=tmp_path / "kept")
    assert again.write() == job.write() and again.document.filename == "film.srt"
    with pytest.raises(DocumentError, match="has changed"):
        DocumentJob.open(session, user, job.conv_id, open_document(data + b"\n4\n", "film.srt"))
    plain = store.create_conversation(user)
    with pytest.raises(DocumentError, match="not a document"):
        DocumentJob.open(session, user, plain)


def test_xliff_entities_are_not_resolved(tmp_path, setup):
    """XXE: an entity naming a local file is neither read into a segment nor written out."""
    session, store, user, engine = setup
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    document = open_document(xxe_xliff(secret), "evil.xlf")
    assert [" ".join(s.text.split()) for s in document.segments] == ["Hallo Welt"]
    job = DocumentJob.start(session, user, document, DE_EN)
    job.run()
    assert b"TOPSECRET" not in job.write()
    assert not any("TOPSECRET" in (m.content + (m.prompt or "")) for m in store.messages(user, job.conv_id))


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    with pytest.raises(DocumentError, match="unpacks to 513 MiB"):
        open_document(zip_bomb(), "bomb.docx")
