"""Export of preference pairs: trl (plain and conversational), alma-r, full; filters."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from storage import export_pairs
from tests.storage.test_storage_common import ALMA, db_url, seed, store  # noqa: F401


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def pairs(store):
    a = seed(store, "anon:alice", "Guten Morgen")
    b = seed(store, "hf:bob", "Gute Nacht")
    u = a.user
    store.add_pair(u, prompt=ALMA.format("Guten Morgen"), chosen="Good morning, all.",
                   rejected="Good morning", kind="edit", source="Guten Morgen", src="de",
                   tgt="en", style="formal", hint="no errors", rejected_message_id=a.reply)
    c = store.create_conversation(u)
    q = store.add_message(u, c, "user", "我爱你。", src="zh", tgt="en")
    zh_prompt = "Translate this from Chinese to English:\nChinese: 我爱你。\nEnglish:"
    store.add_pair(u, prompt=zh_prompt, chosen="I love you.", rejected="Me love you.",
                   kind="rating", source="我爱你。", src="zh", tgt="en")
    store.add_pair(u, prompt="chat prompt", chosen="Sure!", rejected="No.", kind="hint-contrast")
    return store, a, b, q


def test_trl_standard_loads_with_datasets(pairs, tmp_path):
    datasets = pytest.importorskip("datasets")
    store, a, b, _ = pairs
    out = tmp_path / "nested" / "trl.jsonl"
    assert export_pairs(store, out) == 5
    rows = _lines(out)
    assert all(set(r) == {"prompt", "chosen", "rejected"} for r in rows)
    assert rows[0] == {"prompt": ALMA.format("Guten Morgen"), "chosen": "Good morning",
                       "rejected": "Morning"}
    assert "我爱你。" in out.read_text(encoding="utf-8")  # written as UTF-8, not \u escapes
    ds = datasets.load_dataset("json", data_files=str(out), split="train")
    assert ds.num_rows == 5 and ds.column_names == ["prompt", "chosen", "rejected"]
    assert ds[0]["chosen"] == "Good morning"


def test_trl_conversational(pairs, tmp_path):
    datasets = pytest.importorskip("datasets")
    store, a, *_ = pairs
    out = tmp_path / "conv.jsonl"
    assert export_pairs(store, out, "trl", user_id=a.user, conversational=True) == 4
    row = _lines(out)[0]
    assert row == {"prompt": [{"role": "user", "content": ALMA.format("Guten Morgen")}],
                   "chosen": [{"role": "assistant", "content": "Good morning"}],
                   "rejected": [{"role": "assistant", "content": "Morning"}]}
    ds = datasets.load_dataset("json", data_files=str(out), split="train")
    assert ds[1]["chosen"] == [{"role": "assistant", "content": "Good morning, all."}]


def test_alma_r_rows(pairs, tmp_path):
    store, a, *_ = pairs
    out = tmp_path / "alma.jsonl"
    assert export_pairs(store, out, "alma-r", user_id=a.user) == 3  # the chat pair is skipped
    zh = _lines(out)[2]["translation"]
    assert zh["zh"] == "我爱你。" and zh["en"] == "I love you."
    assert zh["gpt4_en"] == "I love you." and zh["alma_en"] == "Me love you."
    assert zh["Delta"] == 1 and zh["language_pair"] == "zh-en"
    assert zh["required_directions"] == "zh-en"
    assert zh["gpt4_en_kiwi_xcomet"] > zh["alma_en_kiwi_xcomet"]
    # ALMA's rule: Delta > 0 -> (gpt4, alma) is (chosen, rejected)
    chosen, rejected = ((zh["gpt4_en"], zh["alma_en"]) if zh["Delta"] > 0
                        else (zh["alma_en"], zh["gpt4_en"]))
    assert (chosen, rejected) == ("I love you.", "Me love you.")


def test_full_format_and_file_object(pairs):
    store, a, *_ = pairs
    buf = io.StringIO()
    assert export_pairs(store, buf, "full", kind="edit") == 1
    (row,) = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert row["kind"] == "edit" and row["style"] == "formal" and row["hint"] == "no errors"
    assert row["rejected_message_id"] == a.reply and row["chosen_message_id"] is None
    assert row["source"] == "Guten Morgen" and row["user_id"] == a.user
    assert datetime.fromisoformat(row["created"]).tzinfo is not None


def test_filters(pairs, tmp_path):
    store, a, b, _ = pairs
    out = tmp_path / "f.jsonl"
    assert export_pairs(store, out, pair="zh-en") == 1
    assert export_pairs(store, out, pair="DE-EN") == 3
    assert export_pairs(store, out, pair="en-de") == 0
    assert export_pairs(store, out, kind="pick") == 2
    assert export_pairs(store, out, kind="pick", user_id=b.user) == 1
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    assert export_pairs(store, out, since=tomorrow) == 0
    assert export_pairs(store, out, since=tomorrow.date().isoformat()) == 0
    assert export_pairs(store, out, since="2020-01-01") == 5
    assert export_pairs(store, out, since=datetime(2020, 1, 1)) == 5
    assert store.count_pairs(since="2020-01-01T00:00:00Z", pair="de-en", kind="pick") == 2


@pytest.mark.parametrize("kwargs", [
    {"pair": "de_en"}, {"pair": "german-english"}, {"pair": "de"}, {"pair": "de-en-fr"},
    {"since": "yesterday"}, {"since": "2026-13-01"}, {"since": 12}, {"kind": "vote"},
    {"fmt": "csv"},
])
def test_malformed_filters(pairs, tmp_path, kwargs):
    store, *_ = pairs
    out = tmp_path / "never.jsonl"
    with pytest.raises(ValueError) as err:
        export_pairs(store, out, **kwargs)
    assert str(err.value)  # a message, not a bare error
    assert not out.exists()
    if "fmt" not in kwargs:
        with pytest.raises(ValueError):
            list(store.pairs(**kwargs))


def test_progress_callback(pairs, tmp_path):
    store, *_ = pairs
    calls = []
    n = export_pairs(store, tmp_path / "p.jsonl", progress=lambda d, t: calls.append((d, t)))
    assert n == 5 and calls[0] == (0, 5) and calls[-1] == (5, 5)
    calls.clear()
    assert export_pairs(store, tmp_path / "e.jsonl", kind="edit", user_id=999,
                        progress=lambda d, t: calls.append((d, t))) == 0
    assert calls == [(0, 0)]
