"""Batched decoding for the llama.cpp engine: several prompts decoded together, as llama.cpp's
own ``batched`` example does, through llama-cpp-python's low-level API.

A ``BatchDecoder`` is a second ``llama_context`` on the engine's model with one KV stream per
sequence (``kv_unified=False``: each sequence attends only to its own cells, laid out as in a
one-sequence context). The prompts' common token prefix (the chat template's system prompt and
instruction) is decoded once and copied to every stream, and kept for the next batch; each
prompt's rest is decoded on its own; then each step is one ``llama_decode`` with one token per
live sequence, and each sequence draws its next token from its own sampler chain (the chain
``Llama.generate`` builds, so greedy decoding is the same argmax). ``BatchWorkers`` spreads a
batch over one such decoder per core for small models. Per sequence, tokens go through the engine's own rules:
end-of-generation tokens end it, text is decoded incrementally (whole UTF-8 characters),
``StopFilter`` holds back and cuts at stop strings, ``max_new_tokens`` and cancel end it. A
sequence's text can be streamed as it grows (``on_piece``).
"""
from __future__ import annotations

import codecs
import ctypes
import inspect
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from models.engines.completion import StopFilter
from models.engines.repeats import mark_cut, runaway
from models.errors import ModelError
from models.params import GenParams, Generation, per_prompt
from models.environment import settings


MAX_SEQS = 32  # sequences decoded together, over all workers (the engine's batch_size)
KV_BUDGET_MB = 512  # most memory the batch context's KV cache may take (env HINTMT_BATCH_KV_MB)
CELL_ROUND = 256
# A step with fewer live sequences than this decodes them one call each: llama.cpp reads one row
# with its vector kernel and two or more with a small-matrix kernel that costs more per row until
# about 8 rows (one core, SmolLM2 Q8_0: 9.4 ms for one row, 28 ms for two, 32 ms for three).
SPLIT_BELOW = 4


@dataclass
class _Seq:
    """One sequence of a batch: its prompt tokens, sampler and the text it has produced."""

    index: int
    prompt: str
    tokens: list[int]
    params: GenParams
    filt: StopFilter
    cancel: threading.Event
    sampling: dict = field(default_factory=dict)  # Llama._init_sampler keyword arguments
    sampler: object = None
    requested: GenParams | None = None  # the caller's params (the runaway guard reads them, as _one does)
    on_end: Callable[["_Seq"], None] | None = None  # called once, when the sequence ends
    n: int = 0  # completion tokens
    done: bool = False
    decoder: object = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace"))

    def take(self, token: int, detokenize, is_eog) -> bool:
        """Handle a sampled token as the engine's one-sequence loop does; False once ended."""
        if is_eog(token):
            return self._end()
        self.n += 1
        text = self.decoder.decode(detokenize(token))
        if (text and not self._feed(text)) or self.cancel.is_set() or self.n >= self.params.max_new_tokens:
            return self._end()
        return True

    def _feed(self, text: str) -> bool:
        # the one-sequence engine's on_text: stop strings, then the runaway guard
        return self.filt.feed(text) and not runaway(self.filt.text, self.requested)

    def _end(self) -> bool:
        if not self.done:
            self.done = True
            tail = self.decoder.decode(b"", final=True)
            if tail:
                self.filt.feed(tail)
            if self.on_end is not None:
                self.on_end(self)
        return False


class BatchDecoder:
    """Decodes lists of ``_Seq`` together on a context of its own (created on first use and
    grown when a batch needs more cells). Callers hold the engine's lock."""

    def __init__(self, llm, threads: int):
        import llama_cpp

        self.llm, self._ll, self.threads = llm, llama_cpp, threads
        self._ctx = None
        self._shape = (0, 0)  # (sequences, cells per sequence)
        self._prefix: list[int] = []  # tokens held in stream 0 from the last batch
        self._batch = None
        self._batch_size = 0
        vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self._is_eog = lambda t: llama_cpp.llama_vocab_is_eog(vocab, t)
        model = llm.model
        n_head = max(1, llama_cpp.llama_model_n_head(model))
        head_dim = llama_cpp.llama_model_n_embd(model) // n_head
        self.cell_bytes = 2 * 2 * llama_cpp.llama_model_n_layer(model) * llama_cpp.llama_model_n_head_kv(model) * head_dim

    def close(self) -> None:
        if self._batch is not None:
            self._ll.llama_batch_free(self._batch)
            self._batch = None
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None

    # --- sizing -------------------------------------------------------------------------
    def max_seqs(self, cells: int) -> int:
        """How many sequences of ``cells`` positions fit the KV budget (at least one)."""
        budget = settings().batch_kv_mb * 2**20
        return max(1, min(MAX_SEQS, budget // max(1, cells * self.cell_bytes)))

    def _ensure(self, n_seq: int, cells: int) -> None:
        cells = -(-cells // CELL_ROUND) * CELL_ROUND
        if self._ctx is not None and n_seq <= self._shape[0] and cells <= self._shape[1]:
            return
        from llama_cpp import _internals

        self.close()
        n_seq, cells = max(n_seq, self._shape[0]), max(cells, self._shape[1])
        src = self.llm.context_params
        cp = self._ll.llama_context_default_params()
        cp.n_ctx = n_seq * cells
        cp.n_batch = cp.n_ctx  # a whole batch's prompts in one call (llama.cpp splits it in ubatches)
        cp.n_ubatch = src.n_ubatch
        cp.n_seq_max = n_seq
        cp.kv_unified = False  # one stream per sequence
        cp.n_threads = cp.n_threads_batch = self.threads
        cp.flash_attn_type, cp.type_k, cp.type_v = src.flash_attn_type, src.type_k, src.type_v
        cp.offload_kqv, cp.no_perf = src.offload_kqv, True
        try:
            self._ctx = _internals.LlamaContext(model=self.llm._model, params=cp, verbose=False)
        except Exception as exc:
            raise ModelError(f"llama.cpp could not create a context for {n_seq} sequences: {exc}") from exc
        adapter = getattr(self.llm, "_lora_adapter", None)
        if adapter is not None:  # the same LoRA as the one-sequence context
            adapters = (self._ll.llama_adapter_lora_p_ctypes * 1)(adapter)
            scales = (ctypes.c_float * 1)(self.llm.lora_scale)
            self._ll.llama_set_adapters_lora(self._ctx.ctx, adapters, 1, scales)
        self._batch = self._ll.llama_batch_init(cp.n_batch, 0, 1)
        self._batch_size, self._shape, self._prefix = cp.n_batch, (n_seq, cells), []

    # --- decoding -----------------------------------------------------------------------
    def _decode(self, rows: list[tuple[int, int, int, bool]]) -> None:
        """One ``llama_decode`` of (token, position, sequence, wants logits) rows."""
        b = self._batch
        for i, (tok, pos, seq, out) in enumerate(rows):
            b.token[i], b.pos[i], b.n_seq_id[i], b.logits[i] = tok, pos, 1, out
            b.seq_id[i][0] = seq
        b.n_tokens = len(rows)
        rc = self._ll.llama_decode(self._ctx.ctx, b)
        if rc != 0:
            self._prefix = []
            raise ModelError(f"llama.cpp failed to decode a batch of {len(rows)} tokens (code {rc}).")

    def _compact(self, stream: dict[int, int], live: list[int]) -> None:
        """Keep the live sequences' KV cells in streams 0..n-1: when some ended, the live ones
        in higher streams move into the freed ones. llama.cpp decodes a step over scattered
        streams much slower (10 of 20, every other one: 95 ms a step against 56 ms for 10 side
        by side; SmolLM2 Q8_0, one core). A move is a copy llama.cpp makes before the next
        step (well under a millisecond here); sources and destinations never overlap, and the
        numbers are unchanged (tests/models/test_llamacpp_batch.py)."""
        n = len(live)
        taken = {stream[q] for q in live}
        gaps = [r for r in range(n) if r not in taken]
        movers = sorted((q for q in live if stream[q] >= n), key=lambda q: stream[q])
        mem = self._ctx.memory
        for gap, seq in zip(gaps, movers):
            self._ll.llama_memory_seq_rm(mem, gap, -1, -1)
            self._ll.llama_memory_seq_cp(mem, stream[seq], gap, -1, -1)
            self._ll.llama_memory_seq_rm(mem, stream[seq], -1, -1)
            stream[seq] = gap

    def _share_prefix(self, seqs: list[_Seq]) -> int:
        """Decode the prompts' common prefix once in stream 0 (reusing what it holds from the
        last batch) and copy it to the other streams; returns its length."""
        mem = self._ctx.memory
        common = os.path.commonprefix([s.tokens for s in seqs])[:min(len(s.tokens) for s in seqs) - 1]
        keep = len(os.path.commonprefix([self._prefix, common]))
        for seq in range(1, self._shape[0]):
            self._ll.llama_memory_seq_rm(mem, seq, -1, -1)
        self._ll.llama_memory_seq_rm(mem, 0, keep, -1)
        self._prefix = list(common[:keep])
        if len(common) > keep:
            self._decode([(tok, keep + i, 0, False) for i, tok in enumerate(common[keep:])])
            self._prefix = list(common)
        for seq in range(1, len(seqs)):
            if common:
                self._ll.llama_memory_seq_cp(mem, 0, seq, -1, -1)
        return len(common)

    def run(self, seqs: list[_Seq], cancel: threading.Event) -> None:
        """Decode ``seqs`` (at most ``max_seqs``) to the end; each seq's filter gets its text."""
        if not seqs:
            return
        cells = max(len(s.tokens) + s.params.max_new_tokens for s in seqs)
        self._ensure(len(seqs), cells)
        detok = lambda t: self.llm.detokenize([t])  # noqa: E731 - as the one-sequence loop does
        for s in seqs:
            s.sampler = self.llm._init_sampler(**s.sampling)
        start = self._share_prefix(seqs)
        pending: dict[int, int] = {}  # sequence -> its first token, sampled after its own prefill
        for seq, s in enumerate(seqs):
            # Each prompt's rest is decoded on its own: prompt processing is compute-bound
            # anyway, and llama.cpp's equal split of several uneven prompts over streams gave
            # logits that differ from one-sequence decoding (decode steps agree exactly).
            if cancel.is_set() or s.cancel.is_set():
                s._end()
                continue
            self._decode([(tok, i, seq, i == len(s.tokens) - 1) for i, tok in enumerate(s.tokens[start:], start)])
            pending[seq] = s.sampler.sample(self._ctx, -1)
        pos = {seq: len(s.tokens) for seq, s in enumerate(seqs)}
        stream = {seq: seq for seq in range(len(seqs))}  # where each sequence's KV cells are
        while True:
            live = {}  # sequence -> its next token
            for seq, token in pending.items():
                s = seqs[seq]
                if cancel.is_set() or s.cancel.is_set():
                    s._end()
                    continue
                if s.take(token, detok, self._is_eog):
                    live[seq] = token
            if not live:
                return
            self._compact(stream, list(live))
            order = sorted(live, key=lambda q: stream[q])  # rows in stream order: faster steps, as above
            if len(order) < SPLIT_BELOW:  # a few rows: one call each is cheaper (see SPLIT_BELOW)
                pending = {}
                for seq in order:
                    self._decode([(live[seq], pos[seq], stream[seq], True)])
                    pos[seq] += 1
                    pending[seq] = seqs[seq].sampler.sample(self._ctx, -1)
                continue
            self._decode([(live[seq], pos[seq], stream[seq], True) for seq in order])
            for seq in order:
                pos[seq] += 1
            pending = {seq: seqs[seq].sampler.sample(self._ctx, row) for row, seq in enumerate(order)}


class BatchWorkers:
    """The decoders a batch is spread over, each on its own context and thread(s), run in
    parallel. For a small model (under 1B parameters) each of the engine's threads gets a
    decoder with one thread: llama.cpp's threads wait for each other at every operation, which
    costs more than a small model's operations take, so one sequence-group per core is faster
    (and on a machine busy with other work, much faster). A big model gets one decoder with all
    threads. ``HINTMT_BATCH_WORKERS`` overrides. Results do not depend on the split: each
    sequence's numbers are computed alike on any thread count."""

    def __init__(self, llm):
        import llama_cpp

        threads = max(1, int(llm.n_threads or 1))
        small = llama_cpp.llama_model_n_params(llm.model) < 1e9
        workers = settings().batch_workers or (threads if small else 1)
        workers = max(1, min(workers, MAX_SEQS))
        self.decoders = [BatchDecoder(llm, max(1, threads // workers)) for _ in range(workers)]

    def close(self) -> None:
        for decoder in self.decoders:
            decoder.close()

    def run(self, seqs: list[_Seq], cancel: threading.Event) -> list[tuple[list[_Seq], Exception]]:
        """Decode ``seqs`` spread over the decoders (``_spread``), in parallel; returns the
        (sequences, error) of each part that failed."""
        parts = [(d, part) for d, part in zip(self.decoders, _spread(seqs, len(self.decoders))) if part]
        failed: list[tuple[list[_Seq], Exception]] = []

        def work(decoder: BatchDecoder, part: list[_Seq]) -> None:
            try:
                decoder.run(part, cancel)
            except Exception as exc:  # reported per record by the caller
                failed.append((part, exc))

        threads = [threading.Thread(target=work, args=part, name="hintmt-llamacpp-batch", daemon=True)
                   for part in parts[1:]]
        for t in threads:
            t.start()
        work(*parts[0])
        for t in threads:
            t.join()
        return failed

    def group_size(self, seqs: list[_Seq]) -> int:
        """How many of ``seqs`` (from the first) to decode at once."""
        cells = max(len(s.tokens) + s.params.max_new_tokens for s in seqs[:MAX_SEQS])
        return min(MAX_SEQS, self.decoders[0].max_seqs(cells) * len(self.decoders))


def _spread(seqs: list[_Seq], n: int) -> list[list[_Seq]]:
    """``seqs`` dealt to ``n`` decoders with about equal work (longest prompt first, each to the
    least loaded; a longer prompt tends to a longer translation), each part in input order."""
    parts: list[list[_Seq]] = [[] for _ in range(n)]
    load = [0] * n
    for s in sorted(seqs, key=lambda s: -len(s.tokens)):
        k = load.index(min(load))
        parts[k].append(s)
        load[k] += len(s.tokens)
    return [sorted(part, key=lambda s: s.index) for part in parts]


def sampler_kwargs(engine, params: GenParams) -> dict | None:
    """The engine's sampler settings for ``params`` when ``Llama._init_sampler`` takes them all
    (then batched decoding draws exactly as ``Llama.generate``), else None."""
    kw = engine._sampling(params)
    accepted = inspect.signature(engine.llm._init_sampler).parameters
    return kw if set(kw) <= set(accepted) else None


def generate_batch(engine, prompts: list[str], params: GenParams | Sequence[GenParams], group: int | None = None,
                   cancel: threading.Event | None = None,
                   on_piece: Callable[[int, str], None] | None = None,
                   cancels: list[threading.Event] | None = None,
                   on_done: Callable[[int, Generation], None] | None = None) -> list[Generation]:
    """Completions for ``prompts`` decoded together on ``engine`` (a ``LlamaCppEngine``), one
    record each, in order; ``params`` one for all or one per prompt. ``on_piece(i, text)``
    streams sequence i's visible text and ``on_done(i, record)`` says it ended (the others may go on); ``cancel`` stops them all,
    ``cancels[i]`` sequence i only. A prompt that can't run (too long) gets an error record;
    the others still run."""
    cancel = cancel or threading.Event()
    t0 = time.monotonic()
    records: list[Generation | None] = [None] * len(prompts)
    seqs: list[_Seq] = []

    def finish(s: _Seq) -> None:
        stopped = cancel.is_set() or s.cancel.is_set() or not s.done
        records[s.index] = _record(engine, s.prompt, s.requested, s.params, group, t0, s.filt.finish(),
                                   len(s.tokens), s.n, "stopped" if stopped else "complete")
        if on_done is not None:
            on_done(s.index, records[s.index])
    for i, (prompt, params) in enumerate(zip(prompts, per_prompt(params, len(prompts)))):
        sampling = sampler_kwargs(engine, engine._decoding(params))
        emit = (lambda piece, i=i: on_piece(i, piece)) if on_piece is not None else None
        own = cancels[i] if cancels else threading.Event()
        if sampling is None:  # settings the batch can't reproduce exactly: one by one
            records[i] = engine._one(prompt, params, group, own if cancels else cancel, emit)
            continue
        used = params
        try:
            engine._check_group(group)
            tokens = engine._tokenize(prompt)
            used = engine._fit(len(tokens), engine._decoding(params))
            seqs.append(_Seq(i, prompt, tokens, used, StopFilter(used.stop, emit), own,
                             sampler_kwargs(engine, used), requested=params, on_end=finish))
        except Exception as exc:  # reported in the record, never raised into the caller
            records[i] = _record(engine, prompt, params, used, group, t0, status="error",
                                 error=engine._error_text(exc))
    with engine._lock:
        workers = engine._batch_decoder()
        at = 0
        while at < len(seqs) and not cancel.is_set():
            group_seqs = seqs[at:at + workers.group_size(seqs[at:])]
            for part, exc in workers.run(group_seqs, cancel):  # failures become error records
                error = engine._error_text(exc)
                for s in (s for s in part if records[s.index] is None):
                    records[s.index] = _record(engine, s.prompt, s.requested, s.params, group, t0, s.filt.finish(),
                                               len(s.tokens), s.n, "error", error)
            at += len(group_seqs)
    for s in seqs:
        if records[s.index] is None:  # never started (all cancelled)
            finish(s)
    return records


def _record(engine, prompt, requested: GenParams, used: GenParams, group, t0, text="", ptoks=0, ctoks=0,
            status="complete", error=None) -> Generation:
    """A record as ``CompletionEngine._one`` writes it, plus ``extra["batched"]``."""
    extra = {"backend": engine.backend, "batched": True}
    if requested.num_beams > 1:
        extra["num_beams_requested"] = requested.num_beams
    if group is not None:
        extra["adapter_group"] = group
    return mark_cut(Generation(prompt=prompt, text=text, model_id=engine.model_id, revision=engine.revision,
                               adapter=engine.preset.adapter, params=used.as_dict(), prompt_tokens=ptoks,
                               completion_tokens=ctoks, ttft_s=None, duration_s=time.monotonic() - t0,
                               status=status, error=error, extra=extra), used)
