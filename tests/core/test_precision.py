"""Precision names normalised, and the precision a kernel ran at read off its exec type: the
strings below were read off real runs of OpenVINO 2026.4 (person-vehicle-bike-detection-2002,
YOLOv8n int8) on an AVX-512/bf16 CPU, and the issue's AVX2 ones."""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from shared_data import image_path, model_path

from ovgui.core.precision import KNOWN, described, kernel_precision, normalise, ran_at
from ovgui.core.report import RunConfig
from ovgui.core.runner import RunRequest, run_profile


@pytest.mark.parametrize(("exec_type", "precision"), [
    ("brgconv_avx512_1x1_f32", "f32"), ("brgconv_avx512_dw_bf16", "bf16"), ("jit_avx512_bf16", "bf16"),
    ("ref_I8", "i8"), ("jit_avx512_i32", "i32"), ("reorder_brgemm_f32", "f32"), ("unknown_f32", "f32"),
    ("brgconv_avx2_1x1_f32", "f32"), ("jit_uni_FP32", "f32"), ("jit_avx512_u8", "u8"),
    ("unknown", ""), ("", ""), ("ref_any", ""), ("undef", ""),
])
def test_the_precision_a_kernel_ran_at(exec_type, precision) -> None:
    assert kernel_precision(exec_type) == precision


def test_names_are_normalised_and_the_kernel_wins() -> None:
    spellings = {"FP32": "f32", "float32": "f32", "f32": "f32", "FP16": "f16", "BF16": "bf16", "bfloat16": "bf16",
                 "I8": "i8", "U8": "u8", "int64": "i64", " f16 ": "f16"}
    assert {name: normalise(name) for name in spellings} == spellings
    assert ran_at("f16", "brgconv_avx512_1x1_f32") == "f32" and ran_at("FP16", "unknown") == "f16"
    assert described("f16", "brgconv_avx512_1x1_f32") == "f32 (runtime says f16)"
    assert described("bf16", "brgconv_avx512_1x1_bf16") == "bf16" and described("", "ref_I8") == "i8"


def openvino_type_names() -> set[str]:
    """Every element type name this OpenVINO knows that data can have."""
    types = (getattr(ov.Type, name) for name in dir(ov.Type))
    return {kind.get_type_name() for kind in types if isinstance(kind, ov.Type)} - {"dynamic", "string"}


def test_every_element_type_openvino_names_is_known() -> None:
    assert openvino_type_names() and {normalise(name) for name in openvino_type_names()} <= KNOWN


def convolution_exec_types(hint: str) -> dict[str, str]:
    """(exec type, runtimePrecision) of a small opset model's convolution, compiled with `hint`."""
    x = ops.parameter([1, 16, 32, 32], np.float32)
    weights = ops.constant(np.ones((16, 16, 3, 3), np.float32))
    model = ov.Model([ops.convolution(x, weights, [1, 1], [1, 1], [1, 1], [1, 1])], [x])
    compiled = ov.Core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": hint, "PERF_COUNT": True})
    request = compiled.create_infer_request()
    request.infer([np.ones((1, 16, 32, 32), np.float32)])
    runtime = {op.get_friendly_name(): op.get_rt_info()["runtimePrecision"].astype(str)
               for op in compiled.get_runtime_model().get_ordered_ops()}
    used = compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()
    return used, {info.exec_type: runtime.get(info.node_name, "") for info in request.get_profiling_info()
                  if info.node_type == "Convolution"}


@pytest.mark.parametrize("hint", ["f32", "bf16"])
def test_a_small_models_convolution_runs_at_the_precision_read_back(hint) -> None:
    """A bf16 request compiles as f32 on a CPU without bf16: the kernel says what was used."""
    used, kernels = convolution_exec_types(hint)
    assert kernels and all(kernel_precision(exec_type) == normalise(used) for exec_type in kernels)


def test_person_vehicle_bike_2002_labels_f32_kernels_f16() -> None:
    """Its FP16 IR under an f32 request: OpenVINO labels the convolutions f16, their kernels run f32."""
    report = run_profile(RunRequest(str(model_path("pvb2002")), str(image_path("bus.jpg")),
                                    RunConfig(iterations=2, precision="f32", roofline=False))).report
    convolutions = [layer for layer in report.layers if layer.executed and "onvolution" in layer.type]
    disagree = [layer for layer in convolutions if normalise(layer.runtime_precision) != layer.ran_precision]
    assert disagree, "no layer whose label and kernel disagree"
    for layer in disagree:
        assert layer.ran_precision == "f32" and kernel_precision(layer.exec_type) == "f32"
        assert described(layer.runtime_precision, layer.exec_type) == f"f32 (runtime says {normalise(layer.runtime_precision)})"
