"""`score`: the same numbers and signatures as sacreBLEU's own command line on the same files,
the right BLEU tokenizer per target language, and clear errors for unusable input."""
from __future__ import annotations

import importlib.util
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cli.main as cli

pytest.importorskip("sacrebleu")

EN = [
    "The goods cost less than 20 euros.",
    "The fee would equal 40% of the value of the goods.",
    "We understand that, and we will check it again tomorrow.",
    "Kind regards from the whole team in Berlin.",
    "Please send the parcel back to the address on the label.",
    "Our shop is open from nine in the morning until six in the evening.",
    "Unfortunately the order arrived two days late.",
    "Can you tell me when the next train to Munich leaves?",
    "The weather was cold, but the concert was wonderful.",
    "She has been working on this translation for three weeks.",
    "If the item is damaged, we will refund the full price.",
    "The meeting has been moved to Thursday afternoon.",
]
ZH = [
    "这件商品的价格不到二十欧元。", "费用相当于货物价值的百分之四十。", "我们理解这一点，明天会再检查一次。",
    "来自柏林全体团队的问候。", "请把包裹寄回标签上的地址。", "我们的商店从早上九点营业到晚上六点。",
    "很遗憾，订单晚到了两天。", "你能告诉我下一班去慕尼黑的火车什么时候开吗？", "天气很冷，但音乐会很精彩。",
    "她翻译这篇文章已经三个星期了。",
]


def perturb(lines: list[str], seed: int, cjk: bool = False) -> list[str]:
    """A 'system output': references with words (or characters) dropped, swapped or replaced."""
    rng = random.Random(seed)
    out = []
    for line in lines:
        units = list(line) if cjk else line.split()
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(units))
            action = rng.choice(("drop", "swap", "replace"))
            if action == "drop" and len(units) > 2:
                units.pop(i)
            elif action == "swap" and i + 1 < len(units):
                units[i], units[i + 1] = units[i + 1], units[i]
            else:
                units[i] = rng.choice(("的", "了", "是") if cjk else ("very", "a", "thing"))
        out.append(("" if cjk else " ").join(units))
    return out


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def score_json(capsys, *args) -> dict:
    assert cli.main(["score", "--json", *map(str, args)]) == 0
    return json.loads(capsys.readouterr().out)


def sacrebleu_cli(*args) -> list[dict]:
    """sacreBLEU's own command line (JSON, 4 decimals)."""
    exe = shutil.which("sacrebleu", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "sacrebleu"]
    run = subprocess.run([*command, *map(str, args), "-f", "json", "-w", "4"],
                         capture_output=True, text=True, check=True)
    data = json.loads(run.stdout)
    return data if isinstance(data, list) else [data]


def by_metric(report: dict) -> dict:
    return {s["metric"]: s for s in report["scores"]}


@pytest.mark.parametrize("lang,refs,cjk,cli_lang", [("en", EN, False, "de-en"), ("zh", ZH, True, "en-zh")])
def test_scores_and_signatures_equal_the_sacrebleu_command_line(tmp_path, capsys, lang, refs, cjk, cli_lang):
    ref = write(tmp_path / "ref.txt", refs)
    hyp = write(tmp_path / "hyp.txt", perturb(refs, seed=1, cjk=cjk))
    ours = by_metric(score_json(capsys, "--hyp", hyp, "--ref", ref, "--lang", lang, "--metrics", "bleu", "chrf"))
    theirs = {s["name"]: s for s in sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "chrf", "-l", cli_lang)}
    for metric in ("BLEU", "chrF2"):
        assert round(ours[metric]["score"], 4) == theirs[metric]["score"]
        assert ours[metric]["signature"] == theirs[metric]["signature"]
    assert ("tok:zh" if cjk else "tok:13a") in ours["BLEU"]["signature"]
    assert 5 < ours["BLEU"]["score"] < 100  # a real, imperfect system


def test_chinese_bleu_needs_the_zh_tokenizer(tmp_path, capsys):
    """Without word boundaries 13a sees one 'word' a sentence; the zh tokenizer is what makes
    Chinese BLEU meaningful, and it is picked from the data (here the xx-yy file name)."""
    ref = write(tmp_path / "wmt.en-zh.ref", ZH)
    hyp = write(tmp_path / "hyp.txt", perturb(ZH, seed=2, cjk=True))
    report = score_json(capsys, "--hyp", hyp, "--ref", ref, "--metrics", "bleu")
    assert report["lang"] == "zh" and "file name" in report["lang_from"]
    zh = by_metric(report)["BLEU"]["score"]
    as_13a = sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "--tokenize", "13a")[0]["score"]
    assert zh > as_13a + 20


def test_several_references_and_jsonl_fields(tmp_path, capsys):
    """FILE.jsonl:FIELD reads a column; two --ref give multi-reference BLEU like sacreBLEU's."""
    second = perturb(EN, seed=5)
    system = perturb(EN, seed=3)
    rows = [{"source": "x", "reference": r, "alt": a, "sys_a": h} for r, a, h in zip(EN, second, system)]
    data = tmp_path / "set.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ours = by_metric(score_json(capsys, "--hyp", f"{data}:sys_a", "--ref", data, "--ref", f"{data}:alt",
                                "--lang", "en", "--metrics", "bleu", "chrf"))
    ref1, ref2 = write(tmp_path / "r1.txt", EN), write(tmp_path / "r2.txt", second)
    theirs = {s["name"]: s for s in sacrebleu_cli(ref1, ref2, "-i", write(tmp_path / "h.txt", system),
                                                  "-m", "bleu", "chrf")}
    assert round(ours["BLEU"]["score"], 4) == theirs["BLEU"]["score"]
    assert round(ours["chrF2"]["score"], 4) == theirs["chrF2"]["score"]
    assert "nrefs:2" in ours["BLEU"]["signature"]


@pytest.mark.skipif(importlib.util.find_spec("MeCab") is not None, reason="ja-mecab is installed")
def test_japanese_falls_back_to_char_tokens_with_a_note(tmp_path, capsys):
    refs = ["猫は暖かいマットの上に座っています。", "私たちは毎日文章を翻訳します。", "明日の天気は晴れです。"]
    ref, hyp = write(tmp_path / "ref.txt", refs), write(tmp_path / "hyp.txt", perturb(refs, 4, cjk=True))
    report = score_json(capsys, "--hyp", hyp, "--ref", ref, "--lang", "ja", "--metrics", "bleu")
    assert "tok:char" in report["scores"][0]["signature"]
    assert any("ja-mecab" in note and "sacrebleu[ja]" in note for note in report["notes"])
    char = sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "--tokenize", "char")[0]["score"]
    assert round(report["scores"][0]["score"], 4) == char


def test_unavailable_metrics_are_reported_not_raised(tmp_path, capsys, monkeypatch):
    import sacrebleu.utils

    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(tmp_path / "no-sacrebleu-home"))
    ref, hyp = write(tmp_path / "ref.txt", EN), write(tmp_path / "hyp.txt", perturb(EN, 6))
    report = score_json(capsys, "--hyp", hyp, "--ref", ref, "--lang", "en")
    assert [s["metric"] for s in report["scores"]] == ["BLEU", "chrF2"]
    reasons = {u["metric"]: u["reason"] for u in report["unavailable"]}
    assert "sentencepiece" in reasons["spBLEU"] or "no-sacrebleu-home" in reasons["spBLEU"]
    assert reasons["COMET"] == reasons["COMET-Kiwi"] == "needs the sources: give --src"
    if importlib.util.find_spec("comet") is None:
        src = write(tmp_path / "src.txt", EN)
        report = score_json(capsys, "--hyp", hyp, "--ref", ref, "--src", src, "--lang", "en")
        reasons = {u["metric"]: u["reason"] for u in report["unavailable"]}
        assert reasons["COMET"].startswith("unbabel-comet is not installed")
        assert "hintmt-chat[comet]" in reasons["COMET-Kiwi"]


def test_table_for_people(tmp_path, capsys):
    ref, hyp = write(tmp_path / "ref.txt", EN), write(tmp_path / "hyp.txt", perturb(EN, 7))
    assert cli.main(["score", "--hyp", str(hyp), "--ref", str(ref), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"hyp.txt vs ref.txt: {len(EN)} segments, target English (en)")
    assert "BLEU " in out and "nrefs:1|case:mixed|eff:no|tok:13a" in out and "spBLEU " in out


def test_clear_errors(tmp_path, capsys):
    ref = write(tmp_path / "ref.txt", EN)
    short = write(tmp_path / "short.txt", EN[:-1])
    empty = write(tmp_path / "empty.txt", [])
    data = tmp_path / "d.jsonl"
    data.write_text('{"source": "a", "reference": "b"}\n', encoding="utf-8")
    cases = [
        (["--hyp", short, "--ref", ref], f"short.txt has {len(EN) - 1} segments but ref.txt has {len(EN)}"),
        (["--hyp", empty, "--ref", ref], "empty.txt is empty: no hypotheses"),
        (["--hyp", ref, "--ref", empty], "empty.txt is empty: no references"),
        (["--hyp", ref, "--ref", ref, "--lang", "xx"], "unknown language code 'xx'"),
        (["--hyp", ref, "--ref", ref, "--lang", "klingon"], "unknown language code 'klingon'"),
        (["--hyp", f"{data}:gpt4", "--ref", data], "no field 'gpt4' (fields: reference, source)"),
        (["--hyp", tmp_path / "nope.txt", "--ref", ref], "nope.txt: no such file"),
    ]
    for args, message in cases:
        assert cli.main(["score", *map(str, args)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err, err
