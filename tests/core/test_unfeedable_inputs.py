"""Models and images ovgui cannot feed as they are: a line that names the problem, or the
benchmark_app-like answer (a batch gets the image repeated), never a runtime error."""

from __future__ import annotations

import os
import threading

import cv2
import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from shared_data import image_path, model_path

from ovgui.core.devices import shared_core
from ovgui.core.errors import OvguiError
from ovgui.core.model import read_model
from ovgui.core.report import RunConfig
from ovgui.core.runner import RunRequest, run_profile


def save(model: ov.Model, folder) -> str:
    path = folder / "model.xml"
    ov.save_model(model, str(path), compress_to_fp16=False)
    return str(path)


def conv_model(batch: int) -> ov.Model:
    """Big enough (43 MFLOP an image) that an inference outlasts the loop's own work between
    inferences on any CPU, so the throughput check below is not a race against Python."""
    image = ops.parameter([batch, 3, 224, 224], ov.Type.f32, name="image")
    weights = ops.constant(np.full((16, 3, 3, 3), 0.01, dtype=np.float32))
    conv = ops.convolution(image, weights, [1, 1], [1, 1], [1, 1], [1, 1])
    return ov.Model([ops.result(conv)], [image], "batch_conv")


def run(model: str, image: str, **config):
    return run_profile(RunRequest(model, image, RunConfig(iterations=3, **config))).report


def test_a_string_input_is_named(tmp_path):
    text = ops.parameter([1], ov.Type.string, name="text")
    path = save(ov.Model([ops.result(text)], [text], "strings"), tmp_path)
    with pytest.raises(OvguiError, match="input 'text' is a string tensor: ovgui feeds images"):
        run(path, str(image_path("bus.jpg")))


@pytest.mark.parametrize("preprocess", ["host", "graph"])
def test_a_batch_gets_the_image_repeated(tmp_path, preprocess):
    report = run(save(conv_model(2), tmp_path), str(image_path("dog.jpg")), preprocess=preprocess)
    assert report.preprocess.batch == 2
    assert any("batch 2" in note for note in report.notes)
    per_inference = 1000.0 / report.latency_ms.mean
    assert per_inference < report.throughput_fps <= 2 * per_inference * 1.001, "both images of each inference count"


def test_a_one_pixel_wide_image_is_letterboxed(tmp_path):
    sliver = tmp_path / "sliver.png"
    cv2.imwrite(str(sliver), np.full((2000, 1, 3), 128, dtype=np.uint8))
    report = run(str(model_path("yolov8")), str(sliver))
    assert report.completed and report.image.width == 1


def test_reading_damaged_models_leaves_stderr_alone(tmp_path, capfd):
    """No thread may point fd 2 elsewhere: fifty damaged files read from two threads at once,
    then a line written straight to fd 2 must still arrive."""
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(np.random.default_rng(0).bytes(4000))

    def read_many() -> None:
        for _ in range(25):
            with pytest.raises(OvguiError, match="not a valid ONNX file"):
                read_model(shared_core(), damaged)

    threads = [threading.Thread(target=read_many) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    os.write(2, b"fd 2 still reaches the terminal\n")
    assert capfd.readouterr().err == "fd 2 still reaches the terminal\n"
