"""CPO training of a LoRA adapter from preference pairs, ALMA-R's recipe: TRL's ``CPOTrainer``
(``trl.experimental.cpo``) with a PEFT LoRA on the model, checkpoints, resume, and an adapter
folder that ``load_model`` (``--adapter``) takes back.

Two steps, so data problems surface before any weights load: ``prepare_training`` resolves the
weights, refuses a big model on CPU and loads the tokenizer; ``train_cpo`` checks the pairs
(count, length), trains and saves. A model that comes with an adapter (``alma-13b-lora`` is
ALMA-13B-Pretrain + a LoRA, or ``--adapter``) has that adapter trained further, so the result is
the whole difference from the base and ``--model alma-13b-lora --adapter OUT`` loads it in its
place; otherwise a new LoRA goes on every linear layer. Needs the ``[train]`` extra (trl, datasets).
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from models.loading.adapters import fetch_adapter, mismatch_error
from models.errors import ModelError
from models.loading.loader import guarded, model_source, tokenizer_from
from models.loading.memory import parse_size
from models.presets import AUTO, Preset

MIN_PAIRS = 2
CPU_PARAM_LIMIT = 1.0e9  # above this, training on CPU is refused unless allow_cpu
MARGIN_SAMPLE = 32  # pairs scored before/after training
INFO_FILE = "training.json"
CHECKPOINTS = "checkpoints"
Say = Callable[[str], None]


@dataclass(frozen=True)
class CPOSettings:
    """Hyper-parameters; the defaults are ALMA-R's (beta 0.1, lr 1e-4, 1 epoch, max_length 512,
    LoRA r 16 / alpha 32) and TRL's (sigmoid loss, cpo_alpha 1.0)."""

    epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    lr: float = 1e-4
    beta: float = 0.1
    cpo_alpha: float = 1.0
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    batch_size: int = 2
    grad_accum: int = 1
    max_length: int = 512
    save_steps: int = 200
    logging_steps: int = 10
    seed: int = 42
    gradient_checkpointing: bool | None = None  # None: on for CUDA, off for CPU

    def check(self) -> None:
        for name in ("lr", "beta", "epochs", "lora_r", "lora_alpha", "batch_size", "grad_accum",
                     "max_length", "save_steps", "logging_steps"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name.replace('_', '-')} must be > 0, got {getattr(self, name)}")
        if self.cpo_alpha < 0 or not 0 <= self.lora_dropout < 1:
            raise ValueError("cpo-alpha must be >= 0 and lora dropout in [0, 1)")


@dataclass
class TrainingSetup:
    """What ``prepare_training`` found: weights, tokenizer, device and prompt style."""

    preset: Preset
    source: str
    source_kwargs: dict
    base_model: str  # recorded as base_model_name_or_path in the adapter
    tokenizer: Any
    style: str
    device: str
    parameters: float | None


@dataclass
class CPOResult:
    out_dir: Path
    pairs: int
    steps: int
    seconds: float
    margin_before: float
    margin_after: float
    train_loss: float | None = None
    truncated: int = 0
    info: dict = field(default_factory=dict)
    processes: int = 1  # data-parallel processes (``accelerate launch --num_processes N``)


def is_main_process() -> bool:
    """False in the other processes of an ``accelerate launch``/``torchrun`` run (RANK > 0):
    only the main one writes the adapter, its record and card, and removes checkpoints."""
    return int(os.environ.get("RANK", "0")) == 0


def _count_parameters(src: str, kw: dict) -> float:
    """Parameter count from the config alone (weights built on the meta device)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(src, **kw)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return float(sum(p.numel() for p in model.parameters()))


def _base_reference(preset: Preset, src: str, is_hub: bool) -> str:
    """What the adapter records as its base: the hub id, or the absolute local folder."""
    if is_hub or preset.embedded:
        return preset.model_id
    return str(Path(src).expanduser().resolve())


def prepare_training(preset: Preset, *, allow_cpu: bool = False, device: str | None = None,
                     say: Say = print) -> TrainingSetup:
    """Resolve the weights of ``preset``, refuse a > 1B model on CPU (unless ``allow_cpu``)
    and load the tokenizer. Raises ``ModelError`` with what to do instead."""
    import torch

    if preset.group_adapters and not preset.adapter:
        some = min(preset.group_adapters)
        raise ModelError(f"'{preset.name}' switches language-group adapters per request: train one "
                         f"group, e.g. --adapter {preset.group_adapters[some]} (continues that group's "
                         f"adapter) or a merged preset such as x-alma-group{some}.")
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")

    def check_size(params: float | None) -> None:
        if device == "cpu" and params and params > CPU_PARAM_LIMIT and not allow_cpu:
            raise ModelError(
                f"'{preset.name}' has about {params / 1e9:.1f}B parameters: training it on CPU would take "
                "days and more memory than this machine likely has. Run train-cpo on a machine with a "
                "CUDA GPU (see README, 'Training a CPO adapter'), or pass --allow-cpu to try anyway.")

    def work():
        params = parse_size(preset.size)
        check_size(params)  # before any download
        src, kw, is_hub = model_source(preset, lambda f, m: say(m))
        if params is None:
            params = _count_parameters(src, kw)
            check_size(params)
        tokenizer = tokenizer_from(src, kw)
        style = preset.style
        if style == AUTO:
            style = "chat" if getattr(tokenizer, "chat_template", None) else "alma"
        return TrainingSetup(preset, src, kw, _base_reference(preset, src, is_hub), tokenizer,
                             style, device, params)
    return guarded(preset, work)


def _token_lengths(tokenizer, row: dict[str, str]) -> tuple[int, int]:
    """(prompt tokens, longest prompt + answer tokens) as TRL counts them: BOS and EOS included."""
    def n(text: str) -> int:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        bos = tokenizer.bos_token_id is not None and (not ids or ids[0] != tokenizer.bos_token_id)
        return len(ids) + int(bos)
    prompt = n(row["prompt"])
    return prompt, max(n(row["prompt"] + row[k]) for k in ("chosen", "rejected")) + 1


def check_pairs(rows: list[dict[str, str]], tokenizer, max_length: int,
                drop_long: bool = False) -> tuple[list[dict[str, str]], int, int]:
    """(usable rows, rows left out as too long, rows whose answers TRL will truncate).

    A prompt that leaves no room for an answer within ``max_length`` (TRL would silently drop the
    pair) is an error, or left out with ``drop_long``; so is having fewer than ``MIN_PAIRS`` pairs."""
    def too_few(n: int, why: str = "") -> ModelError:
        return ModelError(f"Only {n} usable preference pair(s){why}; CPO needs at least {MIN_PAIRS}. "
                          "Collect more in the app (pick, edit or rate translations) or loosen the filters.")
    if len(rows) < MIN_PAIRS:
        raise too_few(len(rows))
    lengths = [_token_lengths(tokenizer, r) for r in rows]
    long = {i for i, (prompt, _) in enumerate(lengths) if prompt >= max_length}
    if long and not drop_long:
        longest = max(lengths[i][1] for i in long)
        suggest = 64 * math.ceil(longest / 64)
        raise ModelError(
            f"{len(long)} of {len(rows)} prompt(s) are too long for --max-length {max_length} tokens "
            f"(the longest pair needs {longest}). Pass --max-length {suggest}, or --drop-long to "
            "leave those pairs out.")
    keep = [r for i, r in enumerate(rows) if i not in long]
    if len(keep) < MIN_PAIRS:
        raise too_few(len(keep), f" after leaving out {len(long)} too long for --max-length {max_length}")
    truncated = sum(1 for i, (_, full) in enumerate(lengths) if i not in long and full > max_length)
    return keep, len(long), truncated


def _load_for_training(setup: TrainingSetup, settings: CPOSettings):
    """(model, peft_config): the base with the preset's adapter made trainable, or with a
    ``LoraConfig`` for the trainer to add."""
    import torch
    from peft import LoraConfig, PeftModel
    from transformers import AutoModelForCausalLM

    cuda = setup.device.startswith("cuda")
    dtype = torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(setup.source, dtype=dtype, **setup.source_kwargs)
    if model.config.pad_token_id is None:
        model.config.pad_token_id = setup.tokenizer.pad_token_id
    adapter = setup.preset.adapter
    if adapter:
        folder = fetch_adapter(adapter)
        try:
            return PeftModel.from_pretrained(model, folder, is_trainable=True), None
        except Exception as exc:
            raise mismatch_error(exc, adapter, setup.preset.model_id, folder) from exc
    return model, LoraConfig(r=settings.lora_r, lora_alpha=settings.lora_alpha,
                             lora_dropout=settings.lora_dropout, target_modules="all-linear",
                             task_type="CAUSAL_LM")


def _config(setup: TrainingSetup, settings: CPOSettings, out: Path):
    import torch
    from trl.experimental.cpo import CPOConfig

    cuda = setup.device.startswith("cuda")
    bf16 = cuda and torch.cuda.is_bf16_supported()
    checkpointing = cuda if settings.gradient_checkpointing is None else settings.gradient_checkpointing
    # transformers 5 renamed gradient_checkpointing (TRL defaults it to True) to activation_checkpointing
    renamed = "activation_checkpointing" in CPOConfig.__dataclass_fields__
    return CPOConfig(
        **{"activation_checkpointing" if renamed else "gradient_checkpointing": checkpointing},
        output_dir=str(out / CHECKPOINTS), num_train_epochs=settings.epochs, max_steps=settings.max_steps,
        learning_rate=settings.lr, beta=settings.beta, cpo_alpha=settings.cpo_alpha, loss_type="sigmoid",
        max_length=settings.max_length, per_device_train_batch_size=settings.batch_size,
        gradient_accumulation_steps=settings.grad_accum,
        bf16=bf16, fp16=cuda and not bf16, use_cpu=not cuda, save_strategy="steps",
        save_steps=settings.save_steps, save_total_limit=2, logging_steps=settings.logging_steps,
        report_to="none", disable_tqdm=False, seed=settings.seed, remove_unused_columns=False)


def pair_margin(model, dataset, limit: int = MARGIN_SAMPLE) -> float:
    """Mean log p(chosen | prompt) - log p(rejected | prompt), in nats summed over answer tokens,
    on the first ``limit`` rows of a dataset tokenized by ``CPOTrainer`` (its labels mark the
    answer tokens, EOS included)."""
    import torch

    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    margins = []
    try:
        with torch.no_grad():
            for row in dataset.select(range(min(limit, len(dataset)))):
                logps = []
                for side in ("chosen", "rejected"):
                    ids = torch.tensor([row[f"{side}_input_ids"]], device=device)
                    labels = torch.tensor(row[f"{side}_labels"][1:], device=device)
                    logits = model(input_ids=ids).logits[0, :-1].float()
                    mask = labels != -100
                    token_logps = logits.log_softmax(-1).gather(-1, labels.clamp(min=0)[:, None])[:, 0]
                    logps.append(float(token_logps[mask].sum()))
                margins.append(logps[0] - logps[1])
    finally:
        model.train(was_training)
    return sum(margins) / max(1, len(margins))


def _prepare_out(out: Path, resume: bool, overwrite: bool) -> str | None:
    """The checkpoint to resume from (or None); refuses to clobber an earlier result."""
    from transformers.trainer_utils import get_last_checkpoint

    ckpt_dir = out / CHECKPOINTS
    if resume:
        last = get_last_checkpoint(str(ckpt_dir)) if ckpt_dir.is_dir() else None
        if last is None:
            raise ModelError(f"Nothing to resume: {ckpt_dir} holds no checkpoint-N folder. "
                             "Run without --resume to start training.")
        return last
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ModelError(f"{out} is not empty (an earlier adapter or checkpoints?). Pass --resume to "
                             "continue an interrupted run, --overwrite to start over, or another --out.")
        for name in (CHECKPOINTS,):
            shutil.rmtree(out / name, ignore_errors=True)
    return None


def train_cpo(setup: TrainingSetup, rows: list[dict[str, str]], out: str | Path,
              settings: CPOSettings = CPOSettings(), *, resume: bool = False, overwrite: bool = False,
              drop_long: bool = False, keep_checkpoints: bool = False, say: Say = print) -> CPOResult:
    """Train a CPO LoRA on ``rows`` (TRL standard form) and save the adapter in ``out``.

    Checkpoints go to ``out/checkpoints`` every ``save_steps`` (kept with ``keep_checkpoints``,
    removed after a successful run otherwise); ``resume`` continues from the last one."""
    settings.check()
    out = Path(out).expanduser()
    rows, dropped, truncated = check_pairs(rows, setup.tokenizer, settings.max_length, drop_long)
    if dropped:
        say(f"left out {dropped} pair(s) longer than --max-length {settings.max_length}")
    if truncated:
        say(f"note: {truncated} pair(s) have answers cut at --max-length {settings.max_length} tokens")
    checkpoint = _prepare_out(out, resume, overwrite)
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    missing = [name for name in ("trl", "datasets") if importlib.util.find_spec(name) is None]
    if missing:
        raise ModelError(f"Training needs {' and '.join(missing)}: pip install 'hintmt-chat[train]'.")
    import transformers

    transformers.logging.set_verbosity_warning()
    with warnings.catch_warnings():  # a transformers 5 deprecation that PEFT and Trainer trip over
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
        result = _train(setup, rows, out, settings, checkpoint, say)
    result.truncated = truncated
    if is_main_process():
        result.info = _write_info(out, setup, settings, result)
        if not keep_checkpoints:
            shutil.rmtree(out / CHECKPOINTS, ignore_errors=True)
    return result


def _train(setup: TrainingSetup, rows, out: Path, settings: CPOSettings, checkpoint: str | None,
           say: Say) -> CPOResult:
    """Load, measure the margin, train (resuming from ``checkpoint``), measure again, save."""
    from datasets import Dataset
    from trl.experimental.cpo import CPOTrainer

    say(f"loading {setup.preset.model_id} for training on {setup.device} …")
    model, peft_config = guarded(setup.preset, lambda: _load_for_training(setup, settings))
    trainer = CPOTrainer(model=model, args=_config(setup, settings, out), train_dataset=Dataset.from_list(rows),
                         processing_class=setup.tokenizer, peft_config=peft_config)
    before = pair_margin(trainer.model, trainer.train_dataset)
    say(f"training on {len(rows)} pair(s)" + (f", resuming from {checkpoint}" if checkpoint else ""))
    started = time.perf_counter()
    try:
        output = trainer.train(resume_from_checkpoint=checkpoint)
    except KeyboardInterrupt:
        say(f"interrupted: continue later with --resume (checkpoints every {settings.save_steps} steps "
            f"in {out / CHECKPOINTS})")
        raise
    seconds = time.perf_counter() - started
    after = pair_margin(trainer.model, trainer.train_dataset)
    trainer.save_model(str(out))  # the main process writes; the others wait for it
    if trainer.accelerator.is_main_process:
        _record_base(out, setup.base_model)
    return CPOResult(out, len(rows), int(output.global_step), seconds, before, after,
                     output.metrics.get("train_loss"), processes=trainer.accelerator.num_processes)


def _record_base(out: Path, base: str) -> None:
    """Name the base in adapter_config.json as the user gave it (hub id or absolute folder), not
    the cache folder the weights were read from, so PEFT's own loaders find it too."""
    path = out / "adapter_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _write_info(out: Path, setup: TrainingSetup, settings: CPOSettings, result: CPOResult) -> dict:
    """``training.json`` next to the adapter: how to load it and how it was made."""
    import trl

    info = {"model": setup.preset.name, "model_id": setup.preset.model_id, "style": setup.style,
            "base_model_name_or_path": setup.base_model, "started_from_adapter": setup.preset.adapter,
            "pairs": result.pairs, "steps": result.steps, "seconds": round(result.seconds, 1),
            "margin_before": result.margin_before, "margin_after": result.margin_after,
            "train_loss": result.train_loss, "settings": asdict(settings), "trl": trl.__version__,
            "device": setup.device, "processes": result.processes}
    (out / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    _write_card(out, setup, settings, result)
    return info


def _write_card(out: Path, setup: TrainingSetup, settings: CPOSettings, result: CPOResult) -> None:
    """A short model card in place of PEFT's empty template."""
    started = f" (continued from `{setup.preset.adapter}`)" if setup.preset.adapter else ""
    lora = ("" if setup.preset.adapter
            else f", LoRA r {settings.lora_r} / alpha {settings.lora_alpha} on all linear layers")
    card = f"""---
base_model: {setup.base_model}
library_name: peft
tags: [cpo, lora, trl, translation]
---

# CPO LoRA adapter for {setup.preset.model_id}

Trained with `python app.py train-cpo` (hintmt-chat): TRL `CPOTrainer`, beta {settings.beta},
cpo_alpha {settings.cpo_alpha}, lr {settings.lr}{lora}{started}; {result.pairs} preference pairs,
{result.steps} steps, {setup.style} prompts, max_length {settings.max_length}.
Log-probability margin chosen - rejected on the training pairs:
{result.margin_before:+.2f} -> {result.margin_after:+.2f} nats.

Chat with it: `python app.py --model {setup.preset.name} --adapter {out}`
"""
    (out / "README.md").write_text(card, encoding="utf-8")
