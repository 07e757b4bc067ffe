"""Output statistics: exact figures on arrays made for them, then on real models and in the report and CLI text."""

from __future__ import annotations

import numpy as np
import openvino as ov
import pytest
from output_models import brightness_map, photo, run, square_photo, vectors
from shared_data import image_path, model_path

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.image import load_image
from ovgui.core.outputs import HISTOGRAM_BINS, SMALL_TENSOR, format_outputs, output_stats, sparkline, tensor_stats
from ovgui.core.report import DeviceInfo, ModelInfo, Report, RunConfig


def stats_of(data: np.ndarray, *names: str):
    return tensor_stats(ModelOutput(list(names) or ["out"], list(data.shape), data))


def test_finite_figures_with_nan_and_inf_counted_apart():
    data = np.array([[1.0, 2.0, np.nan, 3.0, np.inf, -np.inf, 6.0]], np.float32)
    stats = stats_of(data)
    assert (stats.shape, stats.element_type) == ([1, 7], "f32")
    assert (stats.nan, stats.inf) == (1, 2)
    assert (stats.min, stats.max, stats.mean) == (1.0, 6.0, 3.0)
    assert stats.std == pytest.approx(np.std([1, 2, 3, 6]))
    assert stats.values == [1.0, 2.0, None, 3.0, None, None, 6.0]
    assert len(stats.histogram_counts) == HISTOGRAM_BINS and sum(stats.histogram_counts) == 4
    assert stats.histogram_edges[0] == 1.0 and stats.histogram_edges[-1] == 6.0
    assert stats.histogram_counts[0] == 1 and stats.histogram_counts[-1] == 1


def test_large_tensors_keep_no_values_and_float16_is_read_in_full_precision():
    data = np.linspace(0, 1, SMALL_TENSOR + 1, dtype=np.float16).reshape(1, -1)
    stats = stats_of(data)
    assert stats.values is None and stats.element_type == "f16"
    assert stats.mean == pytest.approx(float(data.astype(np.float64).mean()))
    assert stats_of(np.zeros((1, SMALL_TENSOR), np.float32)).values == [0.0] * SMALL_TENSOR


def test_constant_integer_boolean_and_empty_tensors():
    constant = stats_of(np.full((1, 100), 7, np.int64))
    assert (constant.element_type, constant.min, constant.max, constant.std) == ("i64", 7.0, 7.0, 0.0)
    assert constant.histogram_edges[0] == 6.5 and sum(constant.histogram_counts) == 100
    flags = stats_of(np.array([True, False, True]))
    assert (flags.element_type, flags.mean, flags.values) == ("boolean", pytest.approx(2 / 3), [1.0, 0.0, 1.0])
    empty = stats_of(np.zeros((0, 5), np.float32))
    assert (empty.shape, empty.min, empty.histogram_counts, empty.values) == ([0, 5], None, [], [])
    only_nan = stats_of(np.full((2,), np.nan, np.float32))
    assert (only_nan.nan, only_nan.min, only_nan.mean, only_nan.histogram_counts) == (2, None, None, [])


def test_strings_and_missing_data_get_name_shape_and_type_only():
    text = stats_of(np.array(["a", "b"]))
    assert (text.element_type, text.min, text.values) == ("str32", None, None)
    declared = tensor_stats(ModelOutput(["291", "cls_8"], [1, -1, 1]))
    assert (declared.name, declared.shape, declared.element_type, declared.names) == ("cls_8", [1, -1, 1], "", ["291", "cls_8"])


def test_opset_models_map_and_vector_outputs():
    image = photo(square_photo(200, 100, [(0, 0, 100, 100)]))
    (heat,) = output_stats(run(brightness_map(64, 64, 4), image)[0])
    assert heat.shape == [1, 1, 16, 16] and heat.values is None
    assert (heat.min, heat.max) == (pytest.approx(0.0), pytest.approx(1.0)) and heat.mean == pytest.approx(0.5, abs=0.05)
    vector, pooled = output_stats(run(vectors(64, 64), image)[0])
    assert (vector.name, vector.shape, pooled.shape) == ("vector", [1, 3], [1, 3, 1, 1])
    assert vector.values == pytest.approx([0.5, 0.5, 0.5], abs=0.02) and vector.values == pooled.values


def test_real_models_squeezenet_and_head_pose():
    core = ov.Core()
    (prob,) = output_stats(run(core.read_model(model_path("squeezenet")), load_image(image_path("chelsea.png")))[0])
    assert (prob.name, prob.shape, prob.element_type) == ("prob", [1, 1000, 1, 1], "f32")
    assert prob.min >= 0 and prob.max == pytest.approx(0.507, abs=0.03) and prob.mean == pytest.approx(1e-3, rel=1e-3)
    assert prob.histogram_counts[0] > 990 and (prob.nan, prob.inf) == (0, 0)
    angles = output_stats(run(core.read_model(model_path("headpose")), load_image(image_path("astronaut.png")))[0])
    assert sorted(stats.name for stats in angles) == ["angle_p_fc", "angle_r_fc", "angle_y_fc"]
    assert all(stats.shape == [1, 1] and len(stats.values) == 1 and stats.values[0] == stats.mean for stats in angles)


def report_with(outputs) -> Report:
    return Report(ModelInfo("m.xml", "OpenVINO IR", 1), DeviceInfo("CPU", "cpu"), RunConfig(), outputs=outputs)


def test_outputs_survive_the_json_round_trip_with_non_finite_values():
    stats = [stats_of(np.array([[1.0, np.nan, np.inf]], np.float32), "a"), stats_of(np.zeros((1, 100), np.float32), "b")]
    report = report_with(stats)
    again = Report.from_json(report.to_json())
    assert again.outputs == stats and again.outputs[0].values == [1.0, None, None]


def test_cli_section_rows_values_and_histogram():
    stats = [
        stats_of(np.array([[0.25, -1.5, np.nan]], np.float32), "gaze_vector"),
        stats_of(np.arange(1000, dtype=np.float32).reshape(1, 1000, 1, 1), "prob"),
    ]
    text = format_outputs(report_with(stats))
    lines = text.splitlines()
    assert lines[0] == "Outputs (2)"
    assert lines[1].split() == ["output", "shape", "type", "min", "max", "mean", "std", "nan", "inf"]
    assert lines[2].split()[:5] == ["gaze_vector", "[1,3]", "f32", "-1.5", "0.25"] and lines[2].split()[-2:] == ["1", "0"]
    assert lines[3].strip() == "values 0.25, -1.5, —"
    assert lines[4].split()[:3] == ["prob", "[1,1000,1,1]", "f32"]
    assert lines[5].strip() == "histogram " + "█" * HISTOGRAM_BINS + "  over [0, 999]"
    assert format_outputs(report_with([])) == ""


def test_sparkline_marks_empty_bins_blank_and_small_ones_visible():
    assert sparkline([0, 1, 100, 50]) == " ▁█▅"
    assert sparkline([0, 0]) == "  "
