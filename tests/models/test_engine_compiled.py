"""The transformers engine's static-cache compiled decode path (models/engines/compiled.py),
on CPU with the tiny model: every test of test_models_engine.py runs again here on an engine
whose decode path is ``compiled`` (static KV cache + torch.compile; the ``eager`` compile
backend, so no code generation on CPU), so streaming, stop strings, cancel, beams and batches
are proven on both paths. On a GPU the same path compiles with inductor and CUDA graphs."""
import pytest

from tests.models import test_models_engine as eager_tests


@pytest.fixture(scope="module")
def tiny_engine(tiny_model_dir):
    """This module's engine: the tiny model on the compiled path (shadows the session fixture)."""
    from models import Engine, load_model, resolve_preset

    return Engine(load_model(resolve_preset(str(tiny_model_dir))), decode="compiled", compile_backend="eager")


for _name in dir(eager_tests):
    if _name.startswith("test_"):
        globals()[_name] = getattr(eager_tests, _name)


def test_the_compiled_path_is_taken(tiny_engine, tiny_model_dir):
    from models import Engine, GenParams, load_model, resolve_preset
    from transformers import StaticCache

    model = tiny_engine.model
    seen = []
    real = model._prepare_static_cache

    def spy(*args, **kwargs):
        cache = real(*args, **kwargs)
        seen.append(cache)
        return cache

    model._prepare_static_cache = spy
    try:
        out = tiny_engine.generate("Hallo Welt", GenParams(max_new_tokens=12))
        beams = tiny_engine.generate("Hallo Welt", GenParams(max_new_tokens=12, num_beams=3))
    finally:
        del model._prepare_static_cache
    assert tiny_engine.decode_path == "compiled" and out.status == beams.status == "complete"
    assert len(seen) == 1 and isinstance(seen[0], StaticCache)  # greedy: static; beams: eager
    assert hasattr(model, "_compiled_call")
    eager = Engine(load_model(resolve_preset(str(tiny_model_dir))))
    assert eager.decode_path == "eager"  # the default on CPU
    assert eager.generate("Hallo Welt", GenParams(max_new_tokens=12)).text == out.text


def test_decode_path_choice(monkeypatch):
    from models.engines.compiled import COMPILED_MAX_BATCH, decode_path, generate_kwargs

    assert decode_path("cuda") == "compiled" and decode_path("cuda:1") == "compiled"
    assert decode_path("cpu") == "eager" and decode_path("cpu", "compiled") == "compiled"
    monkeypatch.setenv("HINTMT_DECODE", "eager")
    assert decode_path("cuda") == "eager"
    with pytest.raises(ValueError, match="decode path must be one of"):
        decode_path("cuda", "fast")
    kw = generate_kwargs("compiled", "cuda", 1, 1)
    assert kw["cache_implementation"] == "static" and kw["compile_config"].mode == "reduce-overhead"
    assert generate_kwargs("compiled", "cuda", COMPILED_MAX_BATCH + 1, 1) == {}
    assert generate_kwargs("compiled", "cuda", 1, 4) == {} and generate_kwargs("eager", "cuda", 1, 1) == {}
