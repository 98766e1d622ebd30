"""Generation speed through the app: the full path against the raw engine, and long input
batched against one sentence at a time."""
from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

from models import GenParams

from bench.baselines import Run, fresh_state, raw_generate
from bench.report import rounded
from chat.pipeline import plan_turn, run_plan
from chat.session import ChatSession
from chat.settings import AUTO, TurnSettings, UserError

APP_TARGET = 0.95  # the app path must keep this share of the raw engine's tokens/s


def off_main(fn, *args):
    """``fn(*args)`` in a fresh thread, as the app generates (Engine.stream's worker, Gradio's
    handler threads): on a busy machine the main thread can run inference many times slower,
    which would make a main-thread baseline look worse than the app."""
    out: dict = {}

    def target():
        try:
            out["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            out["error"] = exc

    worker = threading.Thread(target=target, name="hintmt-bench")
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def greedy(tokens: int, src: str = AUTO, tgt: str = "en") -> TurnSettings:
    """Translate-mode settings that make app and raw runs comparable: greedy, one beam."""
    return TurnSettings(src=src, tgt=tgt, mode="translate", max_new_tokens=tokens, num_beams=1,
                        temperature=0)


def _app_run(session: ChatSession, store, user: int, text: str, settings: TurnSettings):
    """One turn as the UI sends it; times the first visible text and the whole reply."""
    conv = store.create_conversation(user)
    t0 = time.perf_counter()
    first = last = None
    for reply in session.send(user, conv, text, settings):
        if first is None and reply.text:
            first = time.perf_counter() - t0
        last = reply
    seconds = time.perf_counter() - t0
    msg = store.get_message(user, last.message_id)
    if msg.status != "complete":
        raise UserError(f"The app path ended '{msg.status}': {msg.error or last.note}")
    return Run(msg.completion_tokens or 0, seconds, first, msg.prompt_tokens or 0), msg


class SqlCounter:
    """Counts the SQL statements (and the writes among them) a store's engine executes."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements = self.writes = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements += 1
        self.writes += statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")


def _side(runs: list[Run]) -> dict:
    ttfts = [r.ttft_s for r in runs if r.ttft_s is not None]
    return {"tokens": sum(r.tokens for r in runs), "seconds": rounded(sum(r.seconds for r in runs)),
            "tok_per_s": rounded(median(r.tok_per_s for r in runs)),
            "ttft_s": rounded(median(ttfts)) if ttfts else None,
            "runs": [{"tokens": r.tokens, "seconds": rounded(r.seconds), "ttft_s": rounded(r.ttft_s),
                      "prompt_tokens": r.prompt_tokens} for r in runs]}


def app_vs_raw(host, text: str, tokens: int, repeat: int) -> dict:
    """The full app path (ChatSession on a real SQLite file, Translate mode, source detected)
    against the engine's raw generation of the very prompt the app stored, same decoding.

    Raw gets the app's stored parameters (greedy, same ``max_new_tokens``, same stop strings
    through the library's own mechanism), so both sides run the same forward passes, the EOS
    step included (``same_tokens`` checks it). One warm-up each,
    then ``repeat`` interleaved pairs. Tokens/s are new tokens over wall seconds, and the ratio
    is the median of the pairs' ratios (robust to a busy machine's spikes); medians per side.
    """
    from storage import open_store

    engine = host.engine
    app_runs: list[Run] = []
    raw_runs: list[Run] = []
    stored = []
    with tempfile.TemporaryDirectory(prefix="hintmt-bench-") as tmp:
        store = open_store(Path(tmp) / "bench.db")
        try:
            session = ChatSession(store, host)
            user = store.ensure_user("bench:app-path")
            settings = greedy(tokens)
            sql = SqlCounter(store.engine)
            for i in range(repeat + 1):
                fresh_state(engine)
                if i == 1:  # count the measured turns only
                    sql.statements = sql.writes = 0
                app, msg = off_main(_app_run, session, store, user, text, settings)
                params = GenParams.from_dict(msg.params)  # exactly the decoding the app used
                if app.tokens < params.max_new_tokens:  # ended early (EOS, or the runaway guard's cut,
                    # which the raw library call does not have): raw makes the same number of steps
                    params = params.replace(max_new_tokens=max(1, app.tokens))
                fresh_state(engine)
                raw = off_main(raw_generate, engine, msg.prompt, params)
                print(f"  app-vs-raw run {i}{' (warm-up)' if i == 0 else ''}: app {app.tok_per_s:.1f} tok/s, "
                      f"raw {raw.tok_per_s:.1f} tok/s", file=sys.stderr)
                if i:
                    app_runs.append(app)
                    raw_runs.append(raw)
                    stored.append({"ttft_s": rounded(msg.ttft_s), "duration_s": rounded(msg.duration_s)})
        finally:
            store.close()
    app_side, raw_side = _side(app_runs), _side(raw_runs)
    app_side["stored"] = stored
    # per turn (new conversation, user + assistant message, one final update): not per token
    app_side["sql_statements_per_turn"] = rounded(sql.statements / repeat, 1)
    app_side["sql_writes_per_turn"] = rounded(sql.writes / repeat, 1)
    ratio = median(a.tok_per_s / r.tok_per_s if r.tok_per_s else 0.0 for a, r in zip(app_runs, raw_runs))
    return {"sentence": text, "model": engine.model_id, "engine": type(engine).__name__,
            "backend": getattr(engine, "backend", "transformers"),
            "new_tokens_cap": tokens, "repeat": repeat, "app": app_side, "raw": raw_side,
            "ratio": rounded(ratio), "target": APP_TARGET, "meets_target": ratio >= APP_TARGET,
            "same_tokens": all(a.tokens == r.tokens for a, r in zip(app_runs, raw_runs)),
            "same_prompt_tokens": all(a.prompt_tokens == r.prompt_tokens for a, r in zip(app_runs, raw_runs))}


def _finish(events) -> object:
    for event in events:
        if event.final is not None:
            return event.final
    raise RuntimeError("run_plan ended without a final event")


def batched_vs_single(engine, sentences: list[str], tokens: int) -> dict:
    """`len(sentences)` German sentences sent as one text (split into segments, batched by
    run_plan) against a loop of single-sentence turns (each streamed), both greedy, both run
    off the main thread as a Gradio handler runs them."""
    settings = greedy(tokens, src="de", tgt="en")
    segments = len(plan_turn(engine, " ".join(sentences), settings).prompts)
    if segments != len(sentences):
        raise UserError(f"The {len(sentences)} sentences split into {segments} segments.")

    def one_text():
        return _finish(run_plan(engine, plan_turn(engine, " ".join(sentences), settings)))

    def one_by_one():
        return [_finish(run_plan(engine, plan_turn(engine, s, settings))) for s in sentences]

    off_main(lambda: _finish(run_plan(engine, plan_turn(engine, sentences[0], settings))))  # warm-up
    t0 = time.perf_counter()
    batched = off_main(one_text)
    batched_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    singles = off_main(one_by_one)
    single_s = time.perf_counter() - t0
    failed = [o for o in [batched, *singles] if o.status != "complete"]
    if failed:
        raise UserError(f"A translation ended '{failed[0].status}': {failed[0].error}")
    b_tokens = batched.token_counts()[1]
    s_tokens = sum(o.token_counts()[1] for o in singles)
    n = len(sentences)
    return {"sentences": n, "new_tokens_cap": tokens,
            "batched": {"seconds": rounded(batched_s), "sentences_per_s": rounded(n / batched_s),
                        "tokens": b_tokens, "tok_per_s": rounded(b_tokens / batched_s),
                        "first_batch_s": rounded(batched.ttft_s)},
            "one_by_one": {"seconds": rounded(single_s), "sentences_per_s": rounded(n / single_s),
                           "tokens": s_tokens, "tok_per_s": rounded(s_tokens / single_s)},
            "speedup": rounded(single_s / batched_s)}
