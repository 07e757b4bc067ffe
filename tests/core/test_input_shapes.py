"""Shapes and batch as benchmark_app takes them: `-b N`, `--shape NAME[...]` per input, and a
dynamic input's fixed dimensions kept."""

from __future__ import annotations

import openvino as ov
import openvino.opset13 as ops
import pytest
from shape_models import height_48_any_width, image_and_vector, needs_height_48
from shared_data import image_path

from ovgui.core import runner
from ovgui.core.errors import SettingError
from ovgui.core.options import data_shape_runs, named_shapes
from ovgui.core.preprocess import batched_shapes
from ovgui.core.report import RunConfig
from ovgui.core.runner import RunRequest, run_profile


def run(model, **config):
    request = RunRequest(str(model), str(image_path("bus.jpg")), RunConfig(iterations=2, roofline=False, **config))
    return run_profile(request).report


def test_batch_4_feeds_four_images_and_throughput_counts_images(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "throughput", lambda frames, loop, mode: 10.0)
    report = run(height_48_any_width(tmp_path), batch=4)
    assert report.preprocess.batch == 4 and report.preprocess.input_shape[0] == 4
    assert report.throughput_fps == 40.0
    assert any(line.startswith("batch 4: the image is repeated 4 times") for line in report.preprocess.substitutions)


def shapes_fed(report) -> dict[str, list[int]]:
    return {feed.name: feed.shape for feed in report.preprocess.inputs}


def test_batch_reaches_inputs_that_are_not_images(tmp_path):
    report = run(image_and_vector(tmp_path), batch=3, input_shapes="vector[1,5]")
    assert report.preprocess.input_shape[0] == 3
    assert shapes_fed(report)["vector"] == [3, 5]


def test_each_input_gets_its_own_shape_by_name_or_index(tmp_path):
    model = image_and_vector(tmp_path)
    by_name = run(model, input_shapes="image[1,3,32,64],vector[1,5]")
    by_index = run(model, input_shapes="0[1,3,32,64],1[1,7]")
    assert by_name.preprocess.input_shape == by_index.preprocess.input_shape == [1, 3, 32, 64]
    assert shapes_fed(by_name)["vector"] == [1, 5]
    assert shapes_fed(by_index)["vector"] == [1, 7]


def test_a_dynamic_input_keeps_its_fixed_height(tmp_path):
    height = run(height_48_any_width(tmp_path)).preprocess.input_shape[2]
    assert height == 48


def test_a_text_recogniser_runs_with_a_named_shape(tmp_path):
    assert run(needs_height_48(tmp_path), input_shapes="x[1,3,48,320]").preprocess.input_shape == [1, 3, 48, 320]


@pytest.mark.parametrize("shapes, message", [
    ("nose[1,3,48,320]", "input shapes (--shape): the model has no input 'nose'; its inputs: x [?,3,?,?]"),
    ("x[1,3,48]", "cannot reshape the model: shape [1, 3, 48] does not fit input 'x' [?,3,?,?]; give 4 positive sizes with "
                  "--shape NAME[1,3,48,320] on the command line, Preprocessing › Input shapes in the window"),
    ("x[1,3,64,320]", "cannot reshape the model to x [1,3,64,320] (the input shapes given): give a shape it takes with "
                      "--shape NAME[1,3,48,320] on the command line, Preprocessing › Input shapes in the window"),
])
def test_a_named_shape_the_model_cannot_take_names_the_setting(tmp_path, shapes, message):
    with pytest.raises(SettingError) as caught:
        run(needs_height_48(tmp_path), input_shapes=shapes)
    assert str(caught.value).splitlines()[0] == message
    assert caught.value.setting == "input_shapes"


def test_a_batch_the_model_refuses_names_the_batch(tmp_path):
    with pytest.raises(SettingError, match=r"^cannot reshape the model to x \[2,3,48,320\] \(batch 2\): give a shape it takes "
                                           r"with -b N on the command line") as caught:
        run(needs_height_48(tmp_path), input_shapes="x[1,3,48,320]", batch=2)
    assert caught.value.setting == "batch"


def test_benchmark_app_spellings_are_read():
    assert named_shapes("x[1,3,48,320], 1[2,5]") == {"x": [1, 3, 48, 320], "1": [2, 5]}
    assert data_shape_runs("[1,3,32,32][1,3,64,64]") == [{"": [1, 3, 32, 32]}, {"": [1, 3, 64, 64]}]
    assert data_shape_runs("a[1,3,8,8][1,3,16,16],b[1,2][1,4]") == [{"a": [1, 3, 8, 8], "b": [1, 2]},
                                                                  {"a": [1, 3, 16, 16], "b": [1, 4]}]


def test_the_batch_follows_a_declared_layout_else_the_first_dimension():
    declared = ops.parameter([2, 5], ov.Type.f32, name="declared")
    declared.set_layout(ov.Layout("CN"))
    plain = ops.parameter([1, 5], ov.Type.f32, name="plain")
    for parameter in (declared, plain):
        parameter.output(0).get_tensor().set_names({parameter.get_friendly_name()})
    model = ov.Model([ops.relu(declared), ops.relu(plain)], [declared, plain])
    assert batched_shapes(model, 7) == {"declared": ov.PartialShape([2, 7]), "plain": ov.PartialShape([7, 5])}
