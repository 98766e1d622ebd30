"""The generation engine on the tiny random Llama: streaming, stop strings, cancel, beams,
batches, token accounting."""
import threading
import time

from models import GenParams, Generation
from models.engines.transformers_engine import CancelCriteria
from tests.stream_helpers import cancel_after

G40 = GenParams(max_new_tokens=40)


def chat_prompt(engine, text):
    return engine.tokenizer.apply_chat_template([{"role": "user", "content": text}], tokenize=False,
                                                add_generation_prompt=True)


def test_generate_record(tiny_engine, tiny_model_dir):
    g = tiny_engine.generate("Translate this from German to English:\nGerman: Hallo\nEnglish:", G40)
    assert isinstance(g, Generation) and g.status == "complete" and g.error is None
    assert g.text and g.completion_tokens == 40 and g.prompt_tokens > 5
    assert g.model_id == str(tiny_model_dir) and g.revision is None and g.adapter is None
    assert g.params == G40.as_dict() and g.duration_s > 0 and g.draft is None


def test_bos_not_doubled(tiny_engine):
    tok = tiny_engine.tokenizer
    p = chat_prompt(tiny_engine, "hi")
    assert p.startswith(tok.bos_token)
    enc, (n,) = tiny_engine._encode([p])
    assert enc["input_ids"][0].tolist().count(tok.bos_token_id) == 1 == tok(p)["input_ids"].count(tok.bos_token_id) - 1
    assert tiny_engine.count_tokens(p) == n
    assert tiny_engine.count_tokens("Hallo Welt") == len(tok("Hallo Welt")["input_ids"])  # plain: BOS added
    assert tiny_engine.context_limit() == 512


def test_stream_pieces_make_the_text(tiny_engine):
    p = chat_prompt(tiny_engine, "die Katze sitzt")
    h = tiny_engine.stream(p, G40)
    pieces = list(h)
    r = h.result
    assert len(pieces) > 5 and "".join(pieces) == r.text and list(h) == []
    assert r.status == "complete" and r.completion_tokens == 40
    assert r.text == tiny_engine.generate(p, G40).text  # streamed == plain decode
    assert r.ttft_s is not None and 0 <= r.ttft_s <= r.duration_s + 0.05


def test_stop_strings_cut(tiny_engine):
    p = chat_prompt(tiny_engine, "le chat est assis")
    full = tiny_engine.generate(p, GenParams(max_new_tokens=60)).text
    stop = full[len(full) // 2: len(full) // 2 + 3]
    expected = full[: full.find(stop)]
    params = GenParams(max_new_tokens=60, stop=(stop, "\x00never"))
    h = tiny_engine.stream(p, params)
    pieces = list(h)
    r = h.result
    assert r.text == expected == "".join(pieces) and stop not in "".join(pieces)
    assert r.status == "complete" and r.completion_tokens < 60
    g = tiny_engine.generate(p, params)
    assert g.text == expected and g.completion_tokens == r.completion_tokens


def test_partial_stop_held_back():
    from models.engines.stopping import held_back

    assert held_back("abc ##", ("###",)) == 2
    assert held_back("abc", ("###",)) == 0
    assert held_back("ab\ufffd", ()) == 1
    assert held_back("x\n#", ("\n###", "\n\n")) == 2


def test_cancel_stops_the_model(tiny_engine):
    p = chat_prompt(tiny_engine, "we translate")
    h = tiny_engine.stream(p, GenParams(max_new_tokens=500))
    pieces = cancel_after(h)
    r = h.result
    assert h.join(5) and h.done
    assert r.status == "stopped" and r.completion_tokens < 100
    assert r.text == "".join(pieces)


def test_closing_the_iterator_cancels(tiny_engine):
    h = tiny_engine.stream(chat_prompt(tiny_engine, "x"), GenParams(max_new_tokens=500))
    it = iter(h)
    next(it)
    it.close()
    assert h.result.status == "stopped" and h.result.completion_tokens < 100


def test_beam_draft_then_beam_text(tiny_engine):
    p = chat_prompt(tiny_engine, "die Katze sitzt auf einer Matte")
    beam = GenParams(max_new_tokens=30, num_beams=4)
    h = tiny_engine.stream(p, beam)
    pieces = list(h)
    r = h.result
    greedy = tiny_engine.generate(p, beam.replace(num_beams=1)).text
    assert r.draft == "".join(pieces) == greedy
    assert r.text == tiny_engine.generate(p, beam).text and r.text != greedy
    assert r.status == "complete" and r.params["num_beams"] == 4


def test_beam_cancel_during_beam_phase(tiny_engine, monkeypatch):
    """Cancel arriving while the beam search runs: the reply stops there and keeps the draft."""
    model, real_generate, calls = tiny_engine.model, tiny_engine.model.generate, []

    def generate(*args, **kwargs):
        calls.append(kwargs["num_beams"])
        if kwargs["num_beams"] > 1:  # the beam phase has begun: the user presses Stop now
            next(c for c in kwargs["stopping_criteria"] if isinstance(c, CancelCriteria)).event.set()
        return real_generate(*args, **kwargs)

    monkeypatch.setattr(model, "generate", generate)
    h = tiny_engine.stream(chat_prompt(tiny_engine, "abc"), GenParams(max_new_tokens=20, num_beams=3))
    draft = "".join(h)
    r = h.result
    assert calls == [1, 3]  # the greedy draft, then the beam search that was cancelled
    assert r.status == "stopped" and r.text == r.draft == draft


def test_batch_equals_sequential(tiny_engine):
    prompts = ["Hallo", chat_prompt(tiny_engine, "die Katze sitzt auf einer warmen Matte und wir"),
               "le chat est assis sur un tapis", chat_prompt(tiny_engine, "猫")]
    params = GenParams(max_new_tokens=25, stop=("zzq",))
    batch = tiny_engine.generate_batch(prompts, params)
    seq = [tiny_engine.generate(p, params) for p in prompts]
    assert [b.text for b in batch] == [s.text for s in seq]
    assert [b.prompt_tokens for b in batch] == [s.prompt_tokens for s in seq]
    assert [b.completion_tokens for b in batch] == [s.completion_tokens for s in seq]
    assert len({b.prompt_tokens for b in batch}) == 4


def test_batch_with_beams_and_stops(tiny_engine):
    prompts = ["Hallo Welt", "the cat sat on a warm mat"]
    params = GenParams(max_new_tokens=20, num_beams=3)
    batch = tiny_engine.generate_batch(prompts, params)
    assert [b.text for b in batch] == [tiny_engine.generate(p, params).text for p in prompts]
    assert tiny_engine.generate_batch([], params) == []


def test_concurrent_requests_queue(tiny_engine):
    p = chat_prompt(tiny_engine, "many languages")
    expected = tiny_engine.generate(p, G40).text
    handles = [tiny_engine.stream(p, G40) for _ in range(3)]
    texts = ["".join(h) for h in handles]
    assert texts == [expected] * 3 and all(h.result.text == expected for h in handles)


def test_errors_come_back_in_the_result(tiny_engine):
    long = "Hallo " * 600  # more tokens than the 512 positions
    h = tiny_engine.stream(long, G40)
    assert list(h) == []
    r = h.result
    assert r.status == "error" and "reads at most 512" in r.error
    g = tiny_engine.generate_batch([long, "x"], G40)
    assert [x.status for x in g] == ["error", "error"]


def test_max_new_tokens_clamped_to_context(tiny_engine):
    per = tiny_engine.count_tokens("Hallo " * 11) - tiny_engine.count_tokens("Hallo " * 10)
    p = "Hallo " * (400 // per)
    n = tiny_engine.count_tokens(p)
    assert 300 < n < 500
    g = tiny_engine.generate(p, GenParams(max_new_tokens=400, repeat_guard=False))
    assert g.status == "complete" and g.completion_tokens == 512 - n == g.params["max_new_tokens"]


def test_sampling_runs(tiny_engine):
    g = tiny_engine.generate("Hallo", GenParams(max_new_tokens=10, do_sample=True, temperature=0.7, top_p=0.9))
    assert g.status == "complete" and g.completion_tokens <= 10


def test_cancel_before_start(tiny_engine):
    with tiny_engine._lock:  # hold the model: the request waits, is cancelled, never runs
        h = tiny_engine.stream("Hallo", G40)
        time.sleep(0.05)
        h.cancel()
    r = h.result
    assert r.status == "stopped" and r.completion_tokens == 0 and r.text == ""
    assert not any(t.name == "hintmt-generate" and t is h._thread for t in threading.enumerate())
