"""bench.document_speed on the fake engine: the file it builds, both sides storing every
paragraph as a turn, and the table."""
from __future__ import annotations

from bench.document_speed import build_docx, markdown, one_side
from chat.model_host import ModelHost
from documents import open_document
from tests.fake_engine import FakeEngine


def test_both_sides_translate_every_paragraph(tmp_path):
    data = build_docx(7)
    document = open_document(data, "bench.docx")
    assert len(document.segments) == 7 and document.segments[0].kind == "heading"
    host = ModelHost.serving(FakeEngine(languages=("en", "de")))
    batched, single = one_side(host, data, 4, tmp_path), one_side(host, data, 1, tmp_path)
    assert batched.pop("texts") == single.pop("texts")
    assert batched["batch_size"] == 4 and single["completion_tokens"] == batched["completion_tokens"] > 0
    table = markdown({"batched": batched, "one_by_one": single, "speedup": 1.0, "same_translations": 7,
                      "paragraphs": 7})
    assert "| batched | 4 |" in table and "| one by one | 1 |" in table
