"""Inputs not fed the photo as such are each one line in `PreprocessInfo.substitutions`, the field
the window shows beside the photo: the real gaze model gets random data for its head pose and the
whole photo for both eyes; a plain detector gets none; a saved report keeps them."""

from __future__ import annotations

import json

import numpy as np
import openvino as ov
import openvino.opset13 as ops
from shared_data import image_path, model_path

from ovgui.core.report import Report, RunConfig
from ovgui.core.runner import RunRequest, run_profile

GAZE = [
    "input 'head_pose_angles' [1,3] is not an image; fed random[0,255] seed 0 as benchmark_app does "
    "(give it data with --input head_pose_angles=SOURCE)",
    "the model has several image inputs ('left_eye_image', 'right_eye_image'); each is fed the same whole photo "
    "(1280x720), stretched to 60x60",
]


def profiled(model: str, image: str) -> Report:
    return run_profile(RunRequest(str(model_path(model)), str(image_path(image)), RunConfig(iterations=2, roofline=False))).report


def test_the_gaze_models_substitutions_are_one_line_each():
    report = profiled("gaze", "zidane.jpg")
    assert report.preprocess.substitutions == GAZE
    assert all(line in report.notes for line in GAZE)


def test_a_detector_fed_the_photo_has_none():
    assert profiled("face", "zidane.jpg").preprocess.substitutions == []


def test_a_one_channel_input_is_fed_the_photo_in_grey(tmp_path):
    pixels = ops.parameter(ov.PartialShape([1, 1, 16, 16]), ov.Type.f32, name="pixels")
    path = tmp_path / "grey.xml"
    ov.save_model(ov.Model([ops.multiply(pixels, ops.constant(np.float32(1.0)))], [pixels], "grey"), path)
    request = RunRequest(str(path), str(image_path("dog.jpg")), RunConfig(iterations=2, roofline=False, decoder="none"))
    assert run_profile(request).report.preprocess.substitutions == ["input 'pixels' has one channel: fed the photo in grey"]


def test_a_saved_report_keeps_them_and_an_older_one_reads_without(tmp_path):
    report = profiled("gaze", "zidane.jpg")
    assert Report.from_json(report.to_json()).preprocess.substitutions == GAZE
    older = report.to_json_dict()
    del older["preprocess"]["substitutions"]
    assert Report.from_json(json.dumps(older)).preprocess.substitutions == []
