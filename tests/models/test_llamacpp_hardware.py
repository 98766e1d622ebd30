"""llama.cpp's settings come from the hardware it reports at run time: where AMX kernels are
reported (they crash, llama.cpp #20824) the weights are not repacked; an override wins."""
from __future__ import annotations

import pytest

from models.engines import llamacpp_hardware as hw
from models.errors import ModelError

AMX_INFO = ("CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | AVX512 = 1 | "
            "AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | LLAMAFILE = 1 | REPACK = 1 |")
EPYC_INFO = AMX_INFO.replace("AMX_INT8 = 1 | ", "")


def test_features_and_amx_are_read_from_the_system_info():
    assert hw.features(AMX_INFO)["AMX_INT8"] and hw.features(AMX_INFO)["AVX2"]
    assert hw.amx_reported(AMX_INFO)
    assert not hw.amx_reported(EPYC_INFO)
    assert not hw.amx_reported(EPYC_INFO + " AMX_INT8 = 0 |")


@pytest.mark.parametrize("env, info, expected", [
    ("", AMX_INFO, False), ("auto", AMX_INFO, False), ("", EPYC_INFO, True),
    ("on", AMX_INFO, True), ("off", EPYC_INFO, False), ("OFF", AMX_INFO, False), ("1", AMX_INFO, True),
])
def test_extra_buffer_types_follow_amx_unless_overridden(env, info, expected):
    assert hw.use_extra_bufts(info, env) is expected


def test_a_bad_override_is_refused_by_name():
    with pytest.raises(ModelError, match="HINTMT_LLAMACPP_EXTRA_BUFTS"):
        hw.use_extra_bufts(EPYC_INFO, "sometimes")


@pytest.mark.integration
def test_the_engine_loads_without_extra_buffers_where_amx_is_reported(monkeypatch):
    from tests.fixtures_servers import smollm2_llamacpp

    monkeypatch.delenv(hw.EXTRA_BUFTS_ENV, raising=False)
    monkeypatch.setattr(hw, "system_info", lambda: AMX_INFO)
    engine = smollm2_llamacpp()
    try:
        assert engine.llm.model_params.use_extra_bufts is False
        assert engine.generate("Hello", engine.preset.decoding.replace(max_new_tokens=4)).status == "complete"
    finally:
        engine.close()
    monkeypatch.setattr(hw, "system_info", lambda: EPYC_INFO)
    engine = smollm2_llamacpp()
    try:
        assert engine.llm.model_params.use_extra_bufts is True  # elsewhere llama.cpp's default stays
    finally:
        engine.close()
    import llama_cpp.llama_cpp as low

    assert low.llama_model_default_params().use_extra_bufts is True  # the patch did not leak
