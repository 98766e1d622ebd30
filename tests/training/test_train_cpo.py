"""`python app.py train-cpo`: preference rows in every accepted format, the errors a user can
fix, and a real CPO run on the tiny random Llama (CPU) whose adapter loads back through the
normal `--adapter` path and raises the log-probability margin of chosen over rejected."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from models import ModelError, resolve_preset
from training.preference_rows import read_pairs, to_standard
from prompts import build_prompt
from storage import export_pairs, open_store

DE_EN = [("Die Katze sitzt auf der Matte.", "The cat sits on the mat.", "The dog runs in the park."),
         ("Wir übersetzen jeden Satz.", "We translate every sentence.", "We eat many apples."),
         ("Die Matte ist warm.", "The mat is warm.", "The mat is cold and wet."),
         ("Hallo Welt.", "Hello world.", "Goodbye moon."),
         ("Viele Sprachen heute.", "Many languages today.", "Few words tomorrow."),
         ("Die Katze übersetzt.", "The cat translates.", "A horse sings.")]


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """The tiny model gains nothing from intra-op threads, and they crawl on a busy 2-core CI box."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def pairs_db(tmp_path_factory) -> Path:
    """A real SQLite database with six de-en pairs (ALMA prompts) and one cs-en pair."""
    db = tmp_path_factory.mktemp("pairs") / "chat.db"
    store = open_store(db)
    user = store.ensure_user("anon:" + "7" * 32)
    rows = DE_EN + [("Kočka sedí.", "The cat sits.", "Cat is sitting there now.")]
    for i, (source, chosen, rejected) in enumerate(rows):
        src = "cs" if i == len(DE_EN) else "de"
        store.add_pair(user, prompt=build_prompt("alma", source, src, "en"), chosen=chosen,
                       rejected=rejected, kind="edit", src=src, tgt="en", source=source, style="alma")
    store.close()
    return db


def _export(db: Path, out: Path, fmt: str = "trl", **kw) -> Path:
    store = open_store(db)
    try:
        export_pairs(store, out, fmt, **kw)
    finally:
        store.close()
    return out


def _stored(db: Path) -> list[dict]:
    store = open_store(db)
    try:
        return [{"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected} for p in store.pairs()]
    finally:
        store.close()


# --- reading rows ---------------------------------------------------------------------------

def test_reads_the_storage_exports_unchanged(pairs_db, tmp_path):
    stored = _stored(pairs_db)
    standard = read_pairs(_export(pairs_db, tmp_path / "trl.jsonl"), "alma")
    conversational = read_pairs(_export(pairs_db, tmp_path / "conv.jsonl", conversational=True), "alma")
    alma_r = read_pairs(_export(pairs_db, tmp_path / "alma-r.jsonl", "alma-r"), "alma")
    assert standard.rows == stored and standard.formats == {"standard": 7}
    assert conversational.rows == stored and conversational.formats == {"conversational": 7}
    assert alma_r.rows == stored and alma_r.formats == {"ALMA-R": 7} and not alma_r.skipped
    assert stored[0]["prompt"] == ("Translate this from German to English:\n"
                                   "German: Die Katze sitzt auf der Matte.\nEnglish:")


def test_alma_r_preference_rows_follow_human_label_then_scores():
    def row(delta, required="", **scores):
        t = {"de": "Hallo Welt.", "en": "Hello world.", "alma_de": "Hallo, Welt!", "alma_en": "Hi world.",
             "gpt4_de": "Hallo Welt!", "gpt4_en": "Hello, world.", "Delta": delta,
             "required_directions": required, "language_pair": "de-en"}
        for name, value in scores.items():
            t[name.replace("__", "_")] = value
        return {"translation": t}
    scores = {"ref_en_kiwi_xcomet": 0.9, "gpt4_en_kiwi_xcomet": 0.95, "alma_en_kiwi_xcomet": 0.7,
              "ref_de_kiwi_xcomet": 0.8, "gpt4_de_kiwi_xcomet": 0.8, "alma_de_kiwi_xcomet": 0.8}
    read = to_standard(enumerate([row(0, **scores), row(1, "en-de"), row(-2, "de-en")], 1), "alma")
    assert read.rows == [
        # Delta 0, de->en: highest (gpt4) over lowest (alma) score; en->de: all tied -> skipped
        {"prompt": "Translate this from German to English:\nGerman: Hallo Welt.\nEnglish:",
         "chosen": "Hello, world.", "rejected": "Hi world."},
        # Delta > 0 prefers gpt4, only the required direction en-de
        {"prompt": "Translate this from English to German:\nEnglish: Hello world.\nGerman:",
         "chosen": "Hallo Welt!", "rejected": "Hallo, Welt!"},
        # Delta < 0 prefers alma
        {"prompt": "Translate this from German to English:\nGerman: Hallo Welt.\nEnglish:",
         "chosen": "Hi world.", "rejected": "Hello, world."},
    ]
    assert read.skipped == {"ALMA-R direction(s) without a preference": 1}
    assert read.formats == {"ALMA-R": 3}


def test_conversational_rows_for_chat_models_use_the_chat_template():
    from tests.fixtures_models import build_tokenizer

    tok = build_tokenizer()
    raw = {"prompt": [{"role": "user", "content": "Translate to English: Hallo"}],
           "chosen": [{"role": "assistant", "content": "Hello"}],
           "rejected": [{"role": "assistant", "content": "Bye"}]}
    rendered = tok.apply_chat_template(raw["prompt"], tokenize=False, add_generation_prompt=True)
    exported = dict(raw, prompt=[{"role": "user", "content": rendered}])
    read = to_standard(enumerate([raw, exported], 1), "chat", tok)
    assert read.rows[0] == {"prompt": "<s><|im_start|>user\nTranslate to English: Hallo<|im_end|>\n"
                                      "<|im_start|>assistant\n",
                            "chosen": "Hello<|im_end|>\n", "rejected": "Bye<|im_end|>\n"}
    assert read.rows[1] == {"prompt": rendered, "chosen": "Hello", "rejected": "Bye"}  # already a prompt


def test_malformed_rows_name_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "p", "chosen": "a", "rejected": "b"}\n{"prompt": "p", "chosen": 3}\n')
    with pytest.raises(ValueError, match="row 2: 'chosen' must be a string"):
        read_pairs(bad, "alma")
    bad.write_text('{"prompt": "p"\n')
    with pytest.raises(ValueError, match="line 1: not valid JSON"):
        read_pairs(bad, "alma")
    with pytest.raises(ValueError, match="not a preference row"):
        to_standard([(1, {"source": "x"})], "alma")


# --- errors before any training ---------------------------------------------------------------

def _cli(*args: str) -> int:
    from cli.main import main

    return main(list(map(str, args)))


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_too_few_and_too_long_pairs_are_clear_errors(pairs_db, tiny_model_dir, tmp_path, capsys):
    base = ("train-cpo", "--model", tiny_model_dir, "--style", "alma", "--out", tmp_path / "a")
    assert _cli(*base, "--db", pairs_db, "--pair", "cs-en") == 2
    err = capsys.readouterr().err
    assert "Only 1 usable preference pair" in err and "at least 2" in err and "Traceback" not in err
    assert _cli(*base, "--db", pairs_db, "--max-length", 20) == 2
    err = capsys.readouterr().err
    assert "7 of 7 prompt(s) are too long for --max-length 20" in err and "--drop-long" in err
    needs, suggested = map(int, re.search(r"longest pair needs (\d+)\)\. Pass --max-length (\d+)", err).groups())
    assert needs > 20 and suggested >= needs and suggested % 64 == 0
    assert _cli(*base, "--pairs", tmp_path / "x.jsonl", "--pair", "de-en") == 2
    assert "--pair filter the database" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_a_13b_model_on_cpu_is_refused_before_any_download():
    from training.cpo import prepare_training

    with pytest.raises(ModelError, match=r"about 13.0B parameters.*CUDA GPU.*--allow-cpu"):
        prepare_training(resolve_preset("alma-13b-lora"), device="cpu")
    # the override passes the size check and reaches the (offline) download
    with pytest.raises(ModelError, match="not in the local Hugging Face cache"):
        prepare_training(resolve_preset("alma-13b-lora"), device="cpu", allow_cpu=True)


# --- training on the tiny model ---------------------------------------------------------------

def _log_probs(model, tokenizer, prompt: str, answer: str) -> float:
    """log p(answer + EOS | prompt), written independently of training.cpo."""
    import torch

    prompt_ids = tokenizer(prompt)["input_ids"]  # BOS added by the tokenizer
    ids = tokenizer(prompt + answer)["input_ids"] + [tokenizer.eos_token_id]
    with torch.no_grad():
        logps = model(input_ids=torch.tensor([ids])).logits[0].float().log_softmax(-1)
    return sum(float(logps[i - 1, ids[i]]) for i in range(len(prompt_ids), len(ids)))


def _mean_margin(loaded, rows) -> float:
    return sum(_log_probs(loaded.model, loaded.tokenizer, r["prompt"], r["chosen"])
               - _log_probs(loaded.model, loaded.tokenizer, r["prompt"], r["rejected"]) for r in rows) / len(rows)


@pytest.fixture(scope="module")
def trained(pairs_db, tiny_model_dir, tmp_path_factory):
    """An adapter trained from a TRL export of the database, through the command."""
    root = tmp_path_factory.mktemp("cpo")
    pairs = _export(pairs_db, root / "pairs.jsonl", pair="de-en")
    out = root / "adapter"
    from cli.main import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        rc = main(["train-cpo", "--model", str(tiny_model_dir), "--style", "alma", "--pairs", str(pairs),
                   "--out", str(out), "--max-steps", "6", "--lr", "5e-3", "--batch-size", "2",
                   "--logging-steps", "2"])
    assert rc == 0
    return out, [json.loads(line) for line in pairs.read_text().splitlines()]


def test_trained_adapter_loads_back_and_prefers_the_chosen_translations(trained, tiny_model_dir, capsys):
    from models import load_model

    out, rows = trained
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(tiny_model_dir.resolve())
    assert config["r"] == 16 and config["lora_alpha"] == 32
    linear = {name.rsplit(".", 1)[-1] for name in config["target_modules"]}
    assert linear == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    info = json.loads((out / "training.json").read_text())
    assert info["steps"] == 6 and info["pairs"] == 6 and info["style"] == "alma"
    assert not (out / "checkpoints").exists()

    base = load_model(resolve_preset(str(tiny_model_dir), style="alma"))
    tuned = load_model(resolve_preset(str(tiny_model_dir), adapter=str(out), style="alma"))
    before, after = _mean_margin(base, rows), _mean_margin(tuned, rows)
    assert after > before + 2.0, (before, after)
    # the command's own before/after measure agrees with this independent one
    assert info["margin_before"] == pytest.approx(before, abs=1e-3)
    assert info["margin_after"] == pytest.approx(after, abs=0.05)


def test_translate_command_uses_the_trained_adapter(trained, tiny_model_dir, capsys):
    out, _ = trained
    outputs = []
    for adapter in ((), ("--adapter", out)):
        assert _cli("translate", "--model", tiny_model_dir, *adapter, "--style", "alma", "--from", "de",
                    "--to", "en", "--max-new-tokens", 8, "Die Katze sitzt auf der Matte.") == 0
        captured = capsys.readouterr()
        assert "German → English" in captured.err and "[complete:" in captured.err
        outputs.append(captured.out)
    assert outputs[0].strip() and outputs[1].strip() and outputs[0] != outputs[1]


def test_database_filters_checkpoints_and_resume(pairs_db, tiny_model_dir, tmp_path, capsys):
    out = tmp_path / "adapter"
    base = ("train-cpo", "--model", tiny_model_dir, "--style", "alma", "--db", pairs_db, "--pair", "de-en",
            "--out", out, "--save-steps", 2, "--keep-checkpoints", "--logging-steps", 1)
    assert _cli(*base, "--max-steps", 2) == 0
    captured = capsys.readouterr()
    assert "read 6 pair(s) (6 standard)" in captured.err and "pair=de-en" in captured.err
    assert captured.out.strip().endswith(f"--adapter {out} --style alma")
    assert (out / "checkpoints" / "checkpoint-2").is_dir()
    assert _cli(*base, "--max-steps", 2) == 2
    assert "--resume" in capsys.readouterr().err  # refuses to clobber the earlier run
    assert _cli(*base, "--max-steps", 4, "--resume") == 0
    assert "resuming from" in capsys.readouterr().err
    assert json.loads((out / "training.json").read_text())["steps"] == 4
    assert (out / "checkpoints" / "checkpoint-4").is_dir()


def test_continues_an_existing_adapter_and_names_a_mismatched_one(pairs_db, tiny_model_dir, tiny_adapter_dirs,
                                                                  wrong_base_adapter_dir, tmp_path, capsys):
    """ALMA-R's way: keep training the model's own LoRA (its rank, its modules), not a new one."""
    base = ("train-cpo", "--model", tiny_model_dir, "--style", "alma", "--db", pairs_db, "--pair", "de-en",
            "--max-steps", 1)
    assert _cli(*base, "--adapter", tiny_adapter_dirs[0], "--out", tmp_path / "continued") == 0
    assert f"continuing the adapter {tiny_adapter_dirs[0]}" in capsys.readouterr().err
    config = json.loads((tmp_path / "continued" / "adapter_config.json").read_text())
    assert config["r"] == 4 and sorted(config["target_modules"]) == ["q_proj", "v_proj"]
    assert config["base_model_name_or_path"] == str(tiny_model_dir.resolve())
    assert _cli(*base, "--adapter", wrong_base_adapter_dir, "--out", tmp_path / "wrong") == 2
    err = capsys.readouterr().err
    assert "trained for a different base model" in err and "Traceback" not in err


@pytest.mark.gpu
@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_trains_in_half_precision_on_cuda(pairs_db, tiny_model_dir, tmp_path):
    out = tmp_path / "adapter"
    assert _cli("train-cpo", "--model", tiny_model_dir, "--style", "alma", "--db", pairs_db, "--pair", "de-en",
                "--out", out, "--max-steps", 6, "--lr", "5e-3") == 0
    info = json.loads((out / "training.json").read_text())
    assert info["device"] == "cuda" and info["margin_after"] > info["margin_before"]
