"""Odd images and odd model inputs: what preprocessing feeds the model, checked value by value.

Identity models built with the opset API return their input, so the test sees
exactly what the in-graph preprocessing produced.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from shared_data import image_path, model_path

from ovgui.core.errors import OvguiError
from ovgui.core.image import load_image
from ovgui.core.report import RunConfig
from ovgui.core.runner import ProfileRun, RunRequest, run_profile


def identity_model(tmp_path: Path, shape: list[int], name: str = "identity") -> Path:
    """input -> input * 1, saved as IR so it goes through read_model like a user's file."""
    param = ops.parameter(ov.PartialShape(shape), ov.Type.f32, name="pixels")
    result = ops.multiply(param, ops.constant(np.float32(1.0)))
    path = tmp_path / f"{name}.xml"
    ov.save_model(ov.Model([result], [param], name), path)
    return path


def run(model: Path, image: Path, **config):
    request = RunRequest(str(model), str(image), RunConfig(iterations=2, decoder="none", **config))
    profile_run = ProfileRun(request)
    report = profile_run.run().report
    return report, profile_run


def model_input_seen(model: Path, image: Path, **config) -> np.ndarray:
    """What the model received: its identity output, read back through a plain OpenVINO call."""
    from ovgui.core.preprocess import prepare_inputs

    core = ov.Core()
    graph = core.read_model(model)
    prepared = prepare_inputs(graph, load_image(image), "none", "OpenVINO IR", RunConfig(**config))
    compiled = core.compile_model(graph, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return compiled(prepared.arrays)[0]


def write_image(path: Path, pixels: np.ndarray) -> Path:
    ok, data = cv2.imencode(path.suffix, pixels)
    assert ok
    data.tofile(str(path))
    return path


def test_nchw_bgr_values_pass_unchanged(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    image = write_image(tmp_path / "p.png", pixels)
    seen = model_input_seen(identity_model(tmp_path, [1, 3, 8, 8]), image)
    np.testing.assert_array_equal(seen[0], pixels.transpose(2, 0, 1).astype(np.float32))


def test_nhwc_rgb_mean_scale(tmp_path):
    pixels = np.random.default_rng(1).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    image = write_image(tmp_path / "p.png", pixels)
    model = identity_model(tmp_path, [1, 8, 8, 3])
    seen = model_input_seen(model, image, color_order="rgb", mean=[10.0, 20.0, 30.0], scale=[2.0, 4.0, 8.0])
    expected = (pixels[:, :, ::-1].astype(np.float32) - [10, 20, 30]) / [2, 4, 8]
    np.testing.assert_allclose(seen[0], expected, rtol=1e-6)


def test_resize_in_graph_matches_opencv(tmp_path):
    pixels = cv2.imread(str(image_path("chelsea.png")))
    seen = model_input_seen(identity_model(tmp_path, [1, 3, 64, 96]), image_path("chelsea.png"))
    expected = cv2.resize(pixels, (96, 64), interpolation=cv2.INTER_LINEAR).transpose(2, 0, 1)
    assert np.abs(seen[0] - expected).mean() < 2.0


def test_letterbox_pads_with_grey(tmp_path):
    pixels = np.full((20, 40, 3), 200, dtype=np.uint8)
    image = write_image(tmp_path / "wide.png", pixels)
    seen = model_input_seen(identity_model(tmp_path, [1, 3, 40, 40]), image, resize="letterbox")
    assert seen[0, :, 0, 0].tolist() == [114.0] * 3
    assert seen[0, :, 20, 20].tolist() == [200.0] * 3


def test_dynamic_spatial_dims_round_up_to_32(tmp_path):
    image = write_image(tmp_path / "odd.png", np.zeros((50, 70, 3), np.uint8))
    report, _ = run(identity_model(tmp_path, [-1, 3, -1, -1]), image)
    assert report.preprocess.input_shape == [1, 3, 64, 96]


def test_grayscale_alpha_and_16bit_images(tmp_path):
    source = cv2.imread(str(image_path("zidane.jpg")))
    variants = {
        "gray.png": cv2.cvtColor(source, cv2.COLOR_BGR2GRAY),
        "alpha.png": cv2.cvtColor(source, cv2.COLOR_BGR2BGRA),
        "deep.png": source.astype(np.uint16) * 257,
    }
    for name, pixels in variants.items():
        image = write_image(tmp_path / name, pixels)
        report = run_profile(RunRequest(str(model_path("face")), str(image), RunConfig(iterations=2, precision="f32"))).report
        assert report.image.dtype == str(pixels.dtype)
        faces = [d for d in report.detections if d.score > 0.9]
        assert faces and abs(faces[0].box[0] - 915) < 12, (name, report.detections)


def test_non_ascii_path(tmp_path):
    image = tmp_path / "фото_été.jpg"
    shutil.copy(image_path("zidane.jpg"), image)
    report = run_profile(RunRequest(str(model_path("face")), str(image), RunConfig(iterations=2, precision="f32"))).report
    assert len(report.detections) == 2


def test_huge_wide_image(tmp_path):
    image = write_image(tmp_path / "ocr.png", np.random.default_rng(2).integers(0, 256, (800, 12000, 3), dtype=np.uint8))
    report = run_profile(RunRequest(str(model_path("face")), str(image), RunConfig(iterations=1))).report
    assert report.image.width == 12000 and len(report.latency_ms.samples) == 1


def test_grayscale_model_input(tmp_path):
    report, _ = run(identity_model(tmp_path, [1, 1, 16, 16]), image_path("dog.jpg"))
    assert report.preprocess.input_shape == [1, 1, 16, 16]


def test_model_without_image_input_gets_random_data(tmp_path):
    param = ops.parameter([1, 10], ov.Type.f32, name="features")
    path = tmp_path / "vector.xml"
    ov.save_model(ov.Model([ops.relu(param)], [param], "vector"), path)
    report, _ = run(path, image_path("dog.jpg"))
    assert any("'features' [1,10] is not an image; fed random[0,255] seed 0" in note for note in report.notes)
    assert len(report.latency_ms.samples) == 2


def test_bad_shape_override_is_a_clear_error(tmp_path):
    with pytest.raises(OvguiError, match="cannot reshape"):
        run(model_path("face"), image_path("dog.jpg"), input_shape=[1, 3, 7])


def test_cancel_stops_between_iterations():
    request = RunRequest(str(model_path("squeezenet")), str(image_path("chelsea.png")), RunConfig(iterations=100_000))
    holder: dict[str, ProfileRun] = {}

    def cancel_after_some(event) -> None:
        if getattr(event, "iterations_done", 0) >= 3:
            holder["run"].cancel()

    holder["run"] = ProfileRun(request, cancel_after_some)
    report = holder["run"].run().report
    assert not report.completed
    assert 3 <= len(report.latency_ms.samples) < 100_000
    assert report.layers and report.classes
