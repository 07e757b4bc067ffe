"""`--data-shape`: one run per shape in one ovgui run, each with its own latency and layers, in the
report and the text summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from shape_models import height_48_any_width, image_and_vector, needs_height_48
from shared_data import image_path

from ovgui.core import events
from ovgui.core.options import RunConfig
from ovgui.core.report import Report
from ovgui.core.runner import RunRequest, run_profile
from ovgui.core.shape_runs import config_for

PROJECT = Path(__file__).resolve().parents[2]


def run(model, on_event=events.ignore_event, **config):
    request = RunRequest(str(model), str(image_path("bus.jpg")), RunConfig(iterations=3, roofline=False, **config))
    return run_profile(request, on_event).report


def convolution(shape_run):
    return next(layer for layer in shape_run.layers if layer.type == "Convolution")


def test_each_shape_has_its_own_latency_and_layers(tmp_path):
    notes = []
    report = run(height_48_any_width(tmp_path), notes.append, data_shapes="[1,3,48,64][1,3,48,640]")
    small, wide = report.shape_runs
    assert (small.inputs, wide.inputs) == ({"x": [1, 3, 48, 64]}, {"x": [1, 3, 48, 640]})
    assert small.latency_ms.count == wide.latency_ms.count == 3 and small.latency_ms is not wide.latency_ms
    # a layer's FLOPs follow the shape it ran at: the wide run's are its own, not the first run's
    assert convolution(wide).flops == 10 * convolution(small).flops
    assert report.preprocess.input_shape == [1, 3, 48, 64] and report.layers == small.layers
    assert report.config.data_shapes == "[1,3,48,64][1,3,48,640]"
    assert report.preprocess.sources["input_shape"] == "the first of the 2 --data-shape shapes"
    assert [n.text for n in notes if isinstance(n, events.Note)][:2] == ["shape 1 of 2: image [1,3,48,64]",
                                                                        "shape 2 of 2: image [1,3,48,640]"]


def test_named_groups_give_each_run_its_shapes(tmp_path):
    report = run(image_and_vector(tmp_path), data_shapes="image[1,3,32,32][1,3,64,64],vector[1,2][1,4]")
    assert [shape.inputs for shape in report.shape_runs] == [{"image": [1, 3, 32, 32], "vector": [1, 2]},
                                                             {"image": [1, 3, 64, 64], "vector": [1, 4]}]


def test_a_shape_run_joins_the_shapes_given_per_input():
    base = RunConfig(input_shapes="vector[1,9],image[1,3,8,8]", data_shapes="image[1,3,32,32]")
    assert config_for(base, {"image": [1, 3, 32, 32]}).input_shapes == "vector[1,9],image[1,3,32,32]"
    assert config_for(base, {"": [1, 3, 16, 16]}).input_shape == [1, 3, 16, 16]


def test_a_report_with_shape_runs_round_trips_and_an_old_one_still_loads(tmp_path):
    report = run(height_48_any_width(tmp_path), data_shapes="[1,3,48,64][1,3,48,96]")
    data = json.loads(report.to_json())
    assert Report.from_dict(data).shape_runs == report.shape_runs
    del data["shape_runs"]
    assert Report.from_dict(data).shape_runs == []


def profile(*argv: object) -> subprocess.CompletedProcess:
    main = "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())"
    return subprocess.run([sys.executable, "-c", main, *map(str, argv)], capture_output=True, text=True, timeout=300,
                          cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)})


def test_the_summary_prints_a_row_per_shape_and_the_json_has_them(tmp_path):
    report_path = tmp_path / "report.json"
    result = profile(height_48_any_width(tmp_path), image_path("bus.jpg"), "-n", "2", "--no-roofline",
                     "--data-shape", "[1,3,48,64][1,3,48,128]", "--json", report_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    title = lines.index("Shapes, one run each (--data-shape; each compiled for its shape; FPS completed/elapsed)")
    assert lines[title + 1].split()[:4] == ["shape", "iterations", "median", "ms"]
    assert lines[title + 2].startswith("  x [1,3,48,64] ") and lines[title + 3].startswith("  x [1,3,48,128] ")
    assert len(json.loads(report_path.read_text())["shape_runs"]) == 2


def test_a_shape_the_model_refuses_is_one_error_line(tmp_path):
    result = profile(needs_height_48(tmp_path), image_path("bus.jpg"), "-n", "2", "--no-roofline",
                     "--data-shape", "[1,3,48,64][1,3,64,64]", "-q")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[2].startswith("error: cannot reshape the model to x [1,3,64,64] (the input shape given)")
