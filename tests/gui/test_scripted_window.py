"""`ovgui MODEL IMAGE --run --screenshot --report --exit-after-run`: the real window, as a process.

Each process has a cache of its own, so a run with roofs would measure them in a child process
of seconds; these runs skip them (--no-roofline).  A window process that measures its roofs is
test_graph_window.py::test_view_option_opens_on_the_graph_in_a_scripted_run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import pytest
from shape_models import needs_height_48
from shared_data import image_path, model_path


def run_window(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "ovgui", *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize(
    "model, image, expect",
    [("yolov8", "bus.jpg", "detections"), ("face", "zidane.jpg", "detections"), ("squeezenet", "chelsea.png", "classes")],
)
def test_scripted_run_writes_screenshot_and_report(tmp_path, model, image, expect):
    shot, report_path = tmp_path / "window.png", tmp_path / "report.json"
    result = run_window(
        tmp_path, str(model_path(model)), str(image_path(image)), "-n", "20", "--precision", "f32",
        "--run", "--no-roofline", "--screenshot", str(shot), "--report", str(report_path), "--exit-after-run",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    assert len(report["latency_ms"]["samples"]) == 20 and report[expect]
    picture = cv2.imread(str(shot))
    # The whole window, not one view: it opens maximised on the 800x800 offscreen screen, and no narrower than the
    # screen whether or not the settings panel has folded (which lowers its minimum width) by the time of the shot.
    assert picture is not None and picture.shape[1] >= 800 and picture.std() > 10


def test_scripted_demo_run_without_arguments(tmp_path):
    report_path = tmp_path / "demo.json"
    result = run_window(tmp_path, "--run", "--no-roofline", "-n", "10", "--report", str(report_path), "--exit-after-run")
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    assert report["model"]["is_demo"]
    assert sorted(d["label"] for d in report["detections"]) == ["blue marker", "green marker", "red marker", "red marker"]


def test_scripted_run_failure_exits_non_zero_with_one_line(tmp_path):
    result = run_window(tmp_path, str(tmp_path / "missing.onnx"), str(image_path("bus.jpg")), "--run", "--exit-after-run")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: model file not found: {tmp_path / 'missing.onnx'}"]
    assert "Traceback" not in result.stderr


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_every_scripted_failure_exits_2_with_its_error_line(tmp_path):
    """One process per way a scripted run can fail; each must say why on stderr and exit 2."""
    face, bus = str(model_path("face")), str(image_path("bus.jpg"))
    compare = tmp_path / "compare.json"
    compare.write_text(json.dumps([{"name": "cpu", "precision": "f32"}, {"name": "tpu", "device": "TPU"}]))
    cases = [
        ([face, bus, "-n", "2", "--run", "--screenshot", str(tmp_path / "no" / "shot.png"), "--exit-after-run"],
         f"error: cannot write {tmp_path / 'no' / 'shot.png'}: folder {tmp_path / 'no'} does not exist"),
        ([face, bus, "-n", "2", "--run", "--screenshot", str(tmp_path), "--exit-after-run"],
         f"error: cannot write {tmp_path}: Is a directory"),
        ([face, bus, "-n", "2", "--run", "--screenshot", str(tmp_path / "shot.txt"), "--exit-after-run"],
         f"error: cannot write {tmp_path / 'shot.txt'}: Qt writes no image format for .txt"),
        ([face, bus, "-n", "2", "--run", "--report", str(tmp_path), "--exit-after-run"],
         f"error: cannot write {tmp_path}: Is a directory"),
        ([face, bus, "--nms", "5", "--run", "--exit-after-run"],
         "error: NMS IoU (--nms) must be between 0 and 1, got 5"),
        ([face, str(tmp_path / "nope.jpg"), "-n", "2", "--run", "--exit-after-run"],
         f"error: image file not found: {tmp_path / 'nope.jpg'}"),
        ([face, "-n", "2", "--run", "--exit-after-run"],
         "error: choose a model and an image first (File › Open model, File › Open image)"),
        ([face, bus, "-n", "2", "--compare", str(compare), "--exit-after-run"],
         "error: configuration 'tpu': unknown device 'TPU'"),
    ]
    for index, (args, line) in enumerate(cases):
        result = run_window(tmp_path / f"case{index}", *args)
        assert result.returncode == 2, (args, result.stderr)
        errors = error_lines(result)
        assert len(errors) == 1 and errors[0].startswith(line), (args, result.stderr)



def test_a_shape_error_is_one_error_line_with_its_detail_under_it(tmp_path):
    """The model's inputs and OpenVINO's reason follow the line, indented, in a run and in a comparison alike."""
    compare = tmp_path / "compare.json"
    compare.write_text(json.dumps([{"name": "guessed"}, {"name": "tall", "input_shape": [1, 3, 48, 320]}]))
    model = str(needs_height_48(tmp_path))
    for index, extra in enumerate([["--run"], ["--compare", str(compare)]]):
        result = run_window(tmp_path / f"case{index}", model, str(image_path("bus.jpg")), "-n", "2", "--no-roofline",
                            *extra, "--exit-after-run")
        assert result.returncode == 2, result.stderr
        [error] = error_lines(result)
        assert error.endswith("--shape N,C,H,W on the command line, Preprocessing › Input shape in the window")
        lines = result.stderr.splitlines()
        inputs, detail = lines[lines.index(error) + 1:lines.index(error) + 3]
        assert inputs == "  model inputs: x [?,3,?,?]" and detail.startswith("  OpenVINO: While validating node")
