"""Output drift: exact figures on made-up tensors, then f32 against bf16 and OpenVINO against ONNX Runtime on real models."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import openvino as ov
import pytest
from shared_data import image_path, model_path

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.drift import cosine_similarity, format_drift, output_drift
from ovgui.core.engines.openvino import read_outputs
from ovgui.core.image import load_image
from ovgui.core.preprocess import prepare_inputs
from ovgui.core.report import RunConfig


def out(data, *names: str) -> ModelOutput:
    data = np.asarray(data, np.float32)
    return ModelOutput(list(names) or ["out"], list(data.shape), data)


def test_identical_outputs_do_not_drift():
    (drift,) = output_drift([out([[1, 2, 3]])], [out([[1, 2, 3]])])
    assert (drift.name, drift.shape, drift.compared) == ("out", [1, 3], True)
    assert (drift.max_abs_diff, drift.mean_abs_diff, drift.cosine_similarity) == (0.0, 0.0, 1.0)


def test_largest_and_mean_difference_and_cosine():
    (drift,) = output_drift([out([[3, 4, 0]])], [out([[3, 4, 1]])])
    assert drift.max_abs_diff == 1.0 and drift.mean_abs_diff == pytest.approx(1 / 3)
    assert drift.cosine_similarity == pytest.approx(25 / (5 * np.sqrt(26)))
    assert output_drift([out([[1, 0]])], [out([[-1, 0]])])[0].cosine_similarity == -1.0


def test_zero_tensors():
    assert cosine_similarity(np.zeros(3), np.zeros(3)) == 1.0
    assert cosine_similarity(np.zeros(3), np.ones(3)) == 0.0


def test_outputs_matched_by_name_whatever_their_order_then_by_position():
    reference = [out([[1.0]], "291", "cls_8"), out([[2.0]], "303", "cls_16")]
    other = [out([[2.5]], "cls_16"), out([[1.0]], "cls_8")]
    first, second = output_drift(reference, other)
    assert (first.name, first.max_abs_diff, second.name, second.max_abs_diff) == ("cls_8", 0.0, "cls_16", 0.5)
    (by_position,) = output_drift([out([[1.0]], "a")], [out([[4.0]], "b")])
    assert by_position.max_abs_diff == 3.0


def test_shape_change_missing_output_and_non_numbers_are_reported_not_compared():
    changed, missing = output_drift([out(np.zeros((37, 5)), "boxes"), out([[1]], "labels")], [out(np.zeros((38, 5)), "boxes")])
    assert not changed.compared and changed.note == "shapes differ ([37,5] vs [38,5])"
    assert not missing.compared and missing.note == "the other run has no such output"
    text = ModelOutput(["t"], [2], np.array(["a", "b"]))
    assert output_drift([text], [text])[0].note == "not numbers"


def test_non_finite_elements_are_counted_and_left_out_of_the_figures():
    (drift,) = output_drift([out([[1, np.nan, np.inf, 5]])], [out([[2, np.nan, 7, 5]])])
    assert drift.nonfinite_mismatch == 1
    assert drift.max_abs_diff == 1.0 and drift.mean_abs_diff == 0.5


def test_text_rows():
    rows = format_drift(output_drift([out([[3, 4, 0]], "prob"), out(np.zeros(2), "x")], [out([[3, 4, 1]], "prob")]))
    lines = rows.splitlines()
    assert lines[0].split() == ["output", "max", "|Δ|", "mean", "|Δ|", "cosine"]
    assert lines[1].split() == ["prob", "1", "0.3333", "0.980581"]
    assert lines[2].split()[:3] == ["x", "not", "compared:"]


# --- real models -----------------------------------------------------------------------------------


def infer(key: str, image: str, precision: str) -> list[ModelOutput]:
    """Compile the shared model with one INFERENCE_PRECISION_HINT and run it on a photo, the runner's way."""
    core = ov.Core()
    model = core.read_model(model_path(key))
    prepared = prepare_inputs(model, load_image(image_path(image)), "none", "OpenVINO IR", RunConfig())
    compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": precision})
    used = compiled.get_property("INFERENCE_PRECISION_HINT")
    if used.get_type_name() != precision:
        pytest.skip(f"this CPU runs {used.get_type_name()} when asked for {precision}")
    request = compiled.create_infer_request()
    request.infer({index: array for index, array in prepared.arrays.items()})
    return read_outputs(compiled, request)


def test_squeezenet_f32_against_bf16():
    (drift,) = output_drift(infer("squeezenet", "dog.jpg", "f32"), infer("squeezenet", "dog.jpg", "bf16"))
    assert drift.name == "prob" and drift.compared
    assert 0 < drift.max_abs_diff < 0.01 and drift.cosine_similarity > 0.9999


def test_yunet_f32_against_bf16_every_head():
    drift = output_drift(infer("yunet_640", "zidane.jpg", "f32"), infer("yunet_640", "zidane.jpg", "bf16"))
    assert [entry.name for entry in drift] == [f"{head}_{s}" for head in ("cls", "obj", "bbox", "kps") for s in (8, 16, 32)]
    assert all(entry.compared and entry.cosine_similarity > 0.998 and entry.max_abs_diff < 0.5 for entry in drift)
    assert max(entry.max_abs_diff for entry in drift) > 1e-3


def test_ssd_row_list_drifts_by_reordering_not_by_values():
    """bf16 moves near-tied detections in the sorted row list, so element-wise drift is large there."""
    (drift,) = output_drift(infer("face", "zidane.jpg", "f32"), infer("face", "zidane.jpg", "bf16"))
    assert drift.compared and drift.shape == [1, 1, 200, 7]
    assert drift.max_abs_diff > 0.05 and drift.cosine_similarity < 0.999


def test_yunet_openvino_against_onnx_runtime():
    reference = infer("yunet_640", "zidane.jpg", "f32")
    model = ov.Core().read_model(model_path("yunet_640"))
    prepared = prepare_inputs(model, load_image(image_path("zidane.jpg")), "none", "ONNX", RunConfig())
    session = ort.InferenceSession(str(model_path("yunet_640")), providers=["CPUExecutionProvider"])
    results = session.run(None, {session.get_inputs()[0].name: prepared.arrays[0]})
    other = [ModelOutput([port.name], list(data.shape), data) for port, data in zip(session.get_outputs(), results)]
    drift = output_drift(reference, other)
    assert len(drift) == 12 and all(entry.compared for entry in drift)
    assert all(entry.max_abs_diff < 1e-4 and entry.cosine_similarity > 0.99999 for entry in drift)
