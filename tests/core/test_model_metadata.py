"""Preprocessing read from what a model says about itself, before any guess, with where each value came from."""

from __future__ import annotations

import json

import msgspec
import numpy as np
import openvino as ov
import pytest
from metadata_models import image_model, ir_with_rt_info, onnx_with_metadata
from shared_data import image_path, model_path

from ovgui.cli import profile_main
from ovgui.core.image import load_image
from ovgui.core.model_metadata import stated_preprocessing
from ovgui.core.options import PRESETS
from ovgui.core.preprocess import SET_BY_YOU, prepare_inputs, recipe_for
from ovgui.core.report import PreprocessInfo, RunConfig
from ovgui.core.schema import decode

MODEL_INFO = {("model_info", "mean_values"): "123.675 116.28 103.53", ("model_info", "scale_values"): "58.395 57.12 57.375",
              ("model_info", "reverse_input_channels"): "True", ("model_info", "resize_type"): "fit_to_window_letterbox"}


def applied(path, model_format: str, config: RunConfig | None = None, family: str = "") -> PreprocessInfo:
    model = ov.Core().read_model(path)
    return prepare_inputs(model, load_image(image_path("bus.jpg")), family, model_format, config or RunConfig()).info


def test_the_legacy_converter_put_squeezenets_mean_inside_the_ir_so_it_is_not_applied_again():
    model = ov.Core().read_model(model_path("squeezenet"))
    assert model.get_rt_info(["conversion_parameters", "mean_values"]).astype(str) == "data[104.0,117.0,123.0]"
    mean_node = next(op for op in model.get_ordered_ops() if op.get_friendly_name() == "data/mean")
    assert mean_node.get_type_name() == "Add"
    added = next(value.get_node() for value in mean_node.input_values() if value.get_node().get_type_name() == "Constant")
    assert np.allclose(added.get_data().ravel(), [-104, -117, -123])

    info = applied(model_path("squeezenet"), "OpenVINO IR", family="classify")
    assert (info.color_order, info.mean, info.scale) == ("bgr", [], [])
    assert info.sources["mean"].startswith("from the model's rt_info: the converter put mean_values=data[104.0,117.0,123.0]")


def test_todays_converter_takes_no_mean_values_so_model_info_is_what_an_ir_states_to_apply():
    with pytest.raises(TypeError, match="mean_values"):
        ov.convert_model(image_model(), mean_values=[1, 2, 3])


def test_an_irs_model_info_is_read_into_the_preprocessing(tmp_path):
    info = applied(ir_with_rt_info(tmp_path, MODEL_INFO), "OpenVINO IR")
    assert (info.color_order, info.mean, info.scale, info.resize) == (
        "rgb", [123.675, 116.28, 103.53], [58.395, 57.12, 57.375], "letterbox")
    assert info.sources["color_order"] == "from the model's rt_info (model_info: reverse_input_channels=True)"
    assert info.sources["mean"] == "from the model's rt_info (model_info: mean_values=123.675 116.28 103.53)"
    assert info.sources["resize"] == "from the model's rt_info (model_info: resize_type=fit_to_window_letterbox)"


def test_model_info_with_the_processing_embedded_is_fed_raw(tmp_path):
    path = ir_with_rt_info(tmp_path, {**MODEL_INFO, ("model_info", "embedded_processing"): "True"})
    info = applied(path, "OpenVINO IR")
    assert (info.color_order, info.mean, info.scale) == ("bgr", [], [])
    assert "embedded_processing" in info.sources["scale"]


def test_a_legacy_conversion_record_written_with_save_model_means_raw_bgr(tmp_path):
    path = ir_with_rt_info(tmp_path, {("conversion_parameters", "scale_values"): "x[255.0]",
                                      ("conversion_parameters", "reverse_input_channels"): "True"})
    info = applied(path, "OpenVINO IR")
    assert (info.color_order, info.scale) == ("bgr", [])
    assert "scale_values=x[255.0], reverse_input_channels=True inside the IR" in info.sources["color_order"]


def test_onnx_metadata_props_reach_openvino_and_the_preprocessing(tmp_path):
    path = onnx_with_metadata(tmp_path, {"stride": "32", "names": "{0: 'person'}", "imgsz": "[32, 32]", "author": "Ultralytics"})
    model = ov.Core().read_model(path)
    assert model.get_rt_info(["framework", "imgsz"]).astype(str) == "[32, 32]"
    info = applied(path, "ONNX")
    assert (info.color_order, info.mean, info.scale, info.resize) == ("rgb", [], [255.0], "letterbox")
    assert info.sources["scale"] == "from the ONNX metadata (Ultralytics export: imgsz, stride, names)"


def test_onnx_metadata_that_says_nothing_of_preprocessing_leaves_the_guess(tmp_path):
    path = onnx_with_metadata(tmp_path, {"author": "someone"})
    assert stated_preprocessing(ov.Core().read_model(path)).values == {}
    assert applied(path, "ONNX").sources["color_order"].startswith("ovgui's default (raw BGR 0..255)")


def test_tflite_models_are_guessed_rgb_in_minus_one_to_one_and_say_so():
    recipe = recipe_for("", "TensorFlow Lite")
    assert (recipe.color_order, recipe.mean, recipe.scale) == ("rgb", (127.5,), (127.5,))
    assert recipe.source("mean") == "guessed: TFLite models are usually RGB in [-1, 1]"
    assert recipe_for("yolov8", "TensorFlow Lite").scale == (255.0,)


def test_the_users_setting_beats_the_models_and_a_preset_fills_the_rest(tmp_path):
    path = ir_with_rt_info(tmp_path, MODEL_INFO)
    info = applied(path, "OpenVINO IR", RunConfig(color_order="bgr", preset="signed", layout="NCHW", input_shape=[1, 3, 32, 32]))
    assert (info.color_order, info.mean, info.scale, info.resize) == ("bgr", [127.5], [127.5], "letterbox")
    assert info.sources["color_order"] == SET_BY_YOU
    assert info.sources["mean"] == f"{SET_BY_YOU} (preset {PRESETS['signed'].label})"
    assert info.sources["resize"].startswith("from the model's rt_info")
    assert (info.sources["layout"], info.sources["input_shape"]) == (SET_BY_YOU, SET_BY_YOU)


def test_the_imagenet_presets_hold_the_same_statistics_in_both_colour_orders():
    rgb, bgr = PRESETS["imagenet-rgb"], PRESETS["imagenet-bgr"]
    assert (rgb.color_order, bgr.color_order) == ("rgb", "bgr")
    assert (bgr.mean, bgr.scale) == (rgb.mean[::-1], rgb.scale[::-1])


def test_a_report_written_before_sources_still_loads():
    old = msgspec.to_builtins(PreprocessInfo(input_name="x"))
    del old["sources"]
    assert decode(PreprocessInfo, old, "report.preprocess").sources == {}


def test_the_command_lines_preset_reaches_the_report_with_its_sources(tmp_path, capsys):
    saved = tmp_path / "run.json"
    argv = [str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "1", "-q", "--preset", "imagenet-rgb", "--bgr",
            "--json", str(saved)]
    assert profile_main(argv) == 0
    info = json.loads(saved.read_text())["preprocess"]
    assert (info["color_order"], info["mean"]) == ("bgr", list(PRESETS["imagenet-rgb"].mean))
    assert info["sources"]["color_order"] == SET_BY_YOU
    assert info["sources"]["mean"] == f"{SET_BY_YOU} (preset ImageNet mean/std, RGB)"
    assert info["sources"]["resize"].startswith("guessed from the model format")


def test_an_unknown_preset_is_one_line_on_the_command_line(capsys):
    with pytest.raises(SystemExit) as leaving:
        profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), "--preset", "imagenet"])
    assert leaving.value.code == 2
    assert capsys.readouterr().err.startswith("error: argument --preset: invalid choice: 'imagenet'")
