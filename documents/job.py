"""A document translated as a conversation: the service behind `translate-file` for documents,
the API's `/translate_file` and the page.

One conversation per document (titled with the file's name) holds one stored turn per segment,
sent through `ChatSession.send_batch` (one model batch for several paragraphs, their sentences
included), each with its exact prompt, so rating, regenerating and correcting a segment work as
in the chat and make preference pairs. The conversation's settings keep the document's record
(``"document"``: name, SHA-256, direction, how many segments) and each segment's user message
its id (``params["segment"]``). `DocumentJob.write` rebuilds the file from the stored turns:
a segment's latest correction, pick or 👍 wins over its first translation.

    job = DocumentJob.start(session, user_id, open_document("a.docx"), TurnSettings(src="de", tgt="en"))
    job.run(progress=lambda done, total: ...)            # every segment a stored turn
    data = job.write()
    DocumentJob.open(session, user_id, job.conv_id, open_document("a.docx")).write()  # again, corrected
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from chat.conversations import Conversations
from chat.pipeline import check_text, plan_turn
from chat.settings import MIN_DETECTION_CONFIDENCE, TurnSettings, UserError, is_auto
from prompts import detect_language, language_name, normalize_code

from documents import Document, DocumentError, Segment, open_document

RECORD = "document"  # the conversation settings' key of the document's record
TAG = "segment"      # the user message params' key of the segment id
Progress = Callable[[int, int], None]  # progress(segments done, segments in all)


class JobFailed(RuntimeError):
    """The model failed on a segment; the segments translated before it stay stored."""


@dataclass(frozen=True)
class Row:
    """A segment of the job and where it stands: its translation (the chosen reply's text;
    None while untranslated), the chosen reply's message id (to rate, regenerate or correct it
    as in the chat) and its user message id."""

    segment: Segment
    translation: str | None = None
    message_id: int | None = None
    user_message_id: int | None = None


class DocumentJob:
    """One document in one conversation of ``user_id``; `start` makes one, `open` finds it again."""

    def __init__(self, session, user_id: int, conv_id: int, document: Document, record: dict,
                 settings: TurnSettings):
        self.session, self.user_id, self.conv_id = session, user_id, conv_id
        self.document, self.record, self.settings = document, record, settings
        self.conversations = Conversations(session.store)
        kept = set(record.get("kept", []))
        self.segments = [s for s in document.pending if s.id not in kept]  # what the job translates
        self._numbers = {s.id: n for n, s in enumerate(document.segments, 1)}
        self._checked = False
        self._stop = threading.Event()

    # -- creating and finding ------------------------------------------------------
    @classmethod
    def start(cls, session, user_id: int, document: Document, settings: TurnSettings, *,
              originals: Path | None = None, title: str | None = None) -> "DocumentJob":
        """Check every segment against the loaded model as its turn would be planned, then create
        the conversation; a refusal (`UserError` naming the segment, `DocumentError` for a
        document with nothing to translate) stores nothing. ``settings``: direction (``src``
        may be auto: the document's language, detected once), hint, decoding. ``originals``: a
        folder to keep a copy of the file in, so `open` needs only the conversation."""
        name = document.filename
        check_document(document)
        engine = session.engine()
        src, kept = _direction(engine, document, settings)
        turn = settings.with_(src=src, mode="translate", unsure="guess")
        digest = hashlib.sha256(document._data).hexdigest()
        record = {"name": name, "sha256": digest, "src": src, "tgt": turn.tgt,
                  "total": len(document.pending) - len(kept), "kept": sorted(kept), "original": None}
        job = cls(session, user_id, 0, document, record, turn)
        job.check()
        if originals is not None:
            record["original"] = f"{digest}{Path(name).suffix.lower()}"
            Path(originals).mkdir(parents=True, exist_ok=True)
            (Path(originals) / record["original"]).write_bytes(document._data)
        job.conv_id = job.conversations.create(user_id, {**turn.as_dict(), RECORD: record}, title or name)
        return job

    @classmethod
    def open(cls, session, user_id: int, conv_id: int, document: Document | None = None,
             originals: Path | None = None) -> "DocumentJob":
        """The job of conversation ``conv_id`` (storage's NotFound if it is not the user's);
        ``document``: the file again (else the copy kept under ``originals``), which must be
        the one the job began with (`DocumentError` otherwise)."""
        stored = Conversations(session.store).settings(user_id, conv_id) or {}
        record = stored.get(RECORD)
        if not isinstance(record, dict):
            raise DocumentError(f"conversation {conv_id} is not a document's")
        if document is None:
            if originals is None or not record.get("original"):
                raise DocumentError(f"the file of conversation {conv_id} was not kept: give it again")
            document = open_document(Path(originals) / record["original"], record["name"])
        if hashlib.sha256(document._data).hexdigest() != record["sha256"]:
            raise DocumentError(f"{document.filename} is not the file conversation {conv_id} "
                                f"translated ({record['name']}): it has changed")
        return cls(session, user_id, conv_id, document, record, TurnSettings.from_dict(stored))

    # -- translating ---------------------------------------------------------------
    def check(self, segments: list[Segment] | None = None) -> None:
        """Plan each segment's turn (nothing stored): a `UserError` names the first the chat
        would refuse (too long, too many sentences, a sentence over the model's context)."""
        engine = self.session.engine()
        for segment in self.segments if segments is None else segments:
            try:
                plan_turn(engine, check_text(segment.text), self.settings)
            except UserError as err:
                raise UserError(f"{self.where(segment)}: {err}") from None
        self._checked = segments is None or self._checked

    def run(self, progress: Progress | None = None, *, limit: int | None = None,
            batch_size: int | None = None) -> int:
        """Translate the segments without a finished translation, in document order,
        ``batch_size`` a `send_batch` call (default: the engine's); ``limit``: at most that many
        (a preview: `run(limit=5)`, then `rows()[:5]`). ``progress(done, total)`` at the start
        and after each call. Returns how many are left (`stop` ends it between calls). Raises
        `UserError` before storing anything of a refused segment, `JobFailed` when the model
        fails."""
        self._stop.clear()
        todo = self.todo()
        total, done = len(self.segments), len(self.segments) - len(todo)
        todo = todo[:limit] if limit is not None else todo
        if not self._checked:
            self.check(todo)
        size = max(1, batch_size or self.session.engine().batch_size)
        if progress:
            progress(done, total)
        for at in range(0, len(todo), size):
            if self._stop.is_set():
                break
            chunk = todo[at:at + size]
            replies = self.session.send_batch(self.user_id, self.conv_id, [s.text for s in chunk],
                                              self.settings, tags=[{TAG: s.id} for s in chunk], multi=True)
            for segment, reply in zip(chunk, replies):
                if reply.status == "error" or (reply.status == "stopped" and not self._stop.is_set()):
                    raise JobFailed(f"{self.where(segment)}: {reply.note or 'the model failed'}")
            done += len(chunk)
            if progress:
                progress(done, total)
        return len(self.todo())

    def stop(self) -> None:
        """End `run` (from another thread): the running call is cancelled, its replies stored
        "stopped"; `run` again continues."""
        self._stop.set()
        self.session.stop(self.user_id, self.conv_id)

    # -- reading back --------------------------------------------------------------
    def turns(self) -> dict[str, tuple[int, object]]:
        """Segment id → (user message id, chosen reply) for the translated segments; a segment
        sent more than once (after a failure) counts its latest turn with a finished reply."""
        chosen = self.conversations.chosen_replies(self.user_id, self.conv_id)
        ids = {s.id for s in self.segments}
        found = {}
        for msg in self.session.store.messages(self.user_id, self.conv_id):
            tag = msg.params.get(TAG) if msg.role == "user" else None
            if tag in ids and msg.id in chosen:
                found[tag] = (msg.id, chosen[msg.id])
        return found

    def todo(self) -> list[Segment]:
        """The segments still to translate, in document order."""
        done = self.turns()
        return [s for s in self.segments if s.id not in done]

    def rows(self) -> list[Row]:
        """Every segment of the job in document order with its translation so far."""
        done = self.turns()
        return [Row(s, done[s.id][1].content, done[s.id][1].id, done[s.id][0]) if s.id in done
                else Row(s) for s in self.segments]

    def translations(self) -> dict[str, str]:
        """Segment id → its chosen translation."""
        return {key: reply.content for key, (_, reply) in self.turns().items()}

    def write(self) -> bytes:
        """The file with the chosen translations put in (untranslated segments keep their text);
        call it again after corrections for the corrected file."""
        return self.document.write(self.translations(), target_lang=self.record.get("tgt"))

    def where(self, segment: Segment) -> str:
        """The segment for a message: file, number, kind, place and its first words."""
        text = " ".join(segment.text.split())
        text = text if len(text) <= 40 else text[:39] + "…"
        place = f", {segment.context}" if segment.context else ""
        return (f"{self.document.filename}, segment {self._numbers.get(segment.id, '?')} "
                f"({segment.kind}{place}: “{text}”)")


def check_document(document: Document) -> None:
    """`DocumentError` for a document with nothing to translate (before a model is needed)."""
    if not document.segments:
        raise DocumentError(f"{document.filename} has no text to translate")
    if not document.pending:
        raise DocumentError(f"every segment of {document.filename} has a translation already: "
                            "nothing to translate")


def _direction(engine, document: Document, settings: TurnSettings) -> tuple[str, set[str]]:
    """(source language, ids of segments kept as they are). A given source is used for every
    segment, as the chat uses a chosen one. Auto: the file's own source language, else the
    document's, detected once over its text; a segment then detected in the target language
    is kept as it is, as the APIs keep such text (not the page's switch to another target)."""
    languages = engine.preset.languages
    tgt = normalize_code(settings.tgt)
    name = document.filename
    if not is_auto(settings.src):
        src = normalize_code(settings.src)
    else:
        src = _code(document.source_lang)
        if src is None:
            found = detect_language(" ".join(s.text for s in document.pending)[:20_000],
                                    candidates=languages or None)
            if found.lang is None or found.confidence < MIN_DETECTION_CONFIDENCE:
                raise UserError(f"{name}: its language could not be told surely enough; give the "
                                "source language")
            src = found.lang
    if src == tgt:
        raise UserError(f"{name} is already {language_name(tgt)}: pick another target language")
    for code, what in ((src, "from"), (tgt, "into")):
        if languages and code not in languages:
            raise UserError(f"{engine.preset.name} cannot translate {what} {language_name(code)}")
    kept: set[str] = set()
    if is_auto(settings.src):
        for segment in document.pending:
            found = detect_language(segment.text, candidates=languages or None)
            if found.lang == tgt and found.confidence >= MIN_DETECTION_CONFIDENCE:
                kept.add(segment.id)
    if len(kept) == len(document.pending):
        raise UserError(f"{name} is already {language_name(tgt)}: pick another target language")
    return src, kept


def _code(code: str | None) -> str | None:
    try:
        return normalize_code(code) if code else None
    except ValueError:
        return None
