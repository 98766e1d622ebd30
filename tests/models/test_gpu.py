"""The engine on a CUDA GPU (skipped without one): tiny model in bf16/fp16 via device_map."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]


@pytest.fixture(scope="module")
def gpu_engine(tiny_model_dir):
    from models import Engine, load_model

    return Engine(load_model(str(tiny_model_dir)))


def test_loads_on_cuda_in_half_precision(gpu_engine):
    loaded = gpu_engine.loaded
    want = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    assert loaded.device == "cuda" and loaded.dtype == want
    assert next(loaded.model.parameters()).device.type == "cuda"
    assert next(loaded.model.parameters()).dtype == want


def test_stream_and_batch_on_cuda(gpu_engine):
    from models import GenParams

    params = GenParams(max_new_tokens=24)
    h = gpu_engine.stream("Hallo Welt", params)
    pieces = list(h)
    r = h.result
    assert r.status == "complete", r.error
    assert "".join(pieces) == r.text and r.completion_tokens == 24
    prompts = ["Hallo", "the cat sat on a warm mat", "猫", "le chat"]
    batch = gpu_engine.generate_batch(prompts, params)
    assert all(b.status == "complete" and b.completion_tokens == 24 for b in batch)
    beam = gpu_engine.stream("Hallo Welt", params.replace(num_beams=3))
    list(beam)
    assert beam.result.status == "complete" and beam.result.draft is not None


def test_cancel_on_cuda(gpu_engine):
    from models import GenParams

    h = gpu_engine.stream("Hallo", GenParams(max_new_tokens=500))
    for i, _ in enumerate(h):
        if i == 2:
            h.cancel()
    assert h.result.status == "stopped" and h.result.completion_tokens < 500


def test_compiled_path_and_continuous_batching_on_cuda(tiny_model_dir):
    """On CUDA the engine defaults to the static-cache compiled decode path (inductor, CUDA
    graphs) and to continuous batching. Half-precision kernels differ between the paths, so
    texts are compared where they must agree: a stream with its own record, run to the end."""
    import threading

    from models import Engine, GenParams, load_model

    eager = Engine(load_model(str(tiny_model_dir)), decode="eager", continuous="off")
    fast = Engine(load_model(str(tiny_model_dir)))
    assert fast.decode_path == "compiled" and fast.continuous
    params = GenParams(max_new_tokens=24)
    prompts = ["Hallo Welt", "the cat sat on a warm mat", "le chat", "猫"]
    assert all(eager.generate(p, params).completion_tokens == 24 for p in prompts)
    compiled = [fast.generate(p, params) for p in prompts]  # compiled generate
    assert all(g.status == "complete" and g.completion_tokens == 24 for g in compiled)
    handles = [fast.stream(p, params) for p in prompts]  # continuous batching
    texts = [None] * 4
    readers = [threading.Thread(target=lambda i=i: texts.__setitem__(i, "".join(handles[i]))) for i in range(4)]
    for r in readers:
        r.start()
    for r in readers:
        r.join(300)
    results = [h.result for h in handles]
    assert texts == [r.text for r in results] and all(r.completion_tokens == 24 for r in results)
    assert all(r.status == "complete" and r.extra.get("continuous_batching") for r in results)
    fast.close()
