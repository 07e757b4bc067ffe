"""`ovgui-profile`'s exit codes in a real process: 2 with an `error:` line per failed comparison
entry (the others still run and are written), 130/143 only for SIGINT/SIGTERM, a missing ONNX
Runtime refused in one line before any engine is created, for a run and for a comparison entry,
and ``--help`` and argument errors answered without loading OpenVINO, numpy, OpenCV or Qt."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import image_path, model_path

PROJECT = Path(__file__).resolve().parents[2]
INSTALL = "pip install 'ovgui[onnxruntime]'"
NOT_INSTALLED = f"ONNX Runtime is not installed; install it with {INSTALL}"
WITHOUT_ONNXRUNTIME = "import sys; sys.modules['onnxruntime'] = None\n"
STOP_AT_PHASE = """
import os
from ovgui.core import runner
begin = runner.ProfileRun._begin
def stop_at(self, name):
    started = begin(self, name)
    if name == "{phase}":
        os.kill(os.getpid(), {number})
    return started
runner.ProfileRun._begin = stop_at
"""
MAIN = "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())"
HEAVY = ("openvino", "numpy", "cv2", "onnxruntime", "torch", "PySide6", "shiboken6", "pyqtgraph", "superqt")
PARSE_ONLY = """
import json, sys
from ovgui.cli import {main}
try:
    code = {main}({argv!r})
except SystemExit as stop:
    code = stop.code
heavy = sorted(name for name in sys.modules if name.split(".")[0] in {heavy!r})
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


def profile(*argv: str, prelude: str = "") -> subprocess.CompletedProcess:
    """`ovgui-profile ARGV` in its own interpreter; `prelude` runs first (to hide a module, say)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-c", prelude + MAIN, *map(str, argv)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=PROJECT)


def error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def write_configs(tmp_path: Path, *entries: dict) -> Path:
    path = tmp_path / "configs.json"
    path.write_text(json.dumps(list(entries)), encoding="utf-8")
    return path


def comparison(path: Path) -> dict[str, dict]:
    return {entry["name"]: entry for entry in json.loads(path.read_text(encoding="utf-8"))["comparison"]}


def test_missing_onnxruntime_is_one_line_and_exit_2():
    result = profile(model_path("yolov8"), image_path("bus.jpg"), "--engine", "onnxruntime", "-n", "1",
                     prelude=WITHOUT_ONNXRUNTIME)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"error: {NOT_INSTALLED}"]


def test_missing_onnxruntime_fails_its_entry_only(tmp_path):
    configs = write_configs(tmp_path, {"name": "ort", "engine": "onnxruntime"}, {"name": "ov", "engine": "openvino"})
    report = tmp_path / "comparison.json"
    result = profile(model_path("yolov8"), image_path("bus.jpg"), "--compare", configs, "-n", "2", "--json", report,
                     prelude=WITHOUT_ONNXRUNTIME)
    assert result.returncode == 2
    assert error_lines(result.stderr) == [f"error: configuration 'ort': {NOT_INSTALLED}"]
    entries = comparison(report)
    assert entries["ort"]["report"] is None and entries["ort"]["error"] == NOT_INSTALLED
    assert entries["ov"]["error"] == "" and len(entries["ov"]["report"]["latency_ms"]["samples"]) == 2
    assert "ov" in result.stdout


def test_each_failed_entry_has_its_line_and_the_rest_are_written(tmp_path):
    configs = write_configs(tmp_path, {"name": "gone", "model": "missing.xml"}, {"name": "ok"},
                            {"name": "fpga", "device": "AUTO:FPGA"})
    report = tmp_path / "comparison.json"
    result = profile(model_path("squeezenet"), image_path("dog.jpg"), "--compare", configs, "-n", "2", "--json", report)
    assert result.returncode == 2
    lines = error_lines(result.stderr)
    assert [line.split(":")[1].strip() for line in lines] == ["configuration 'gone'", "configuration 'fpga'"], lines
    assert "missing.xml" in lines[0]
    entries = comparison(report)
    assert entries["ok"]["report"] is not None and entries["gone"]["report"] is entries["fpga"]["report"] is None


def test_a_comparison_that_all_ran_exits_0(tmp_path):
    configs = write_configs(tmp_path, {"name": "a"}, {"name": "b", "nthreads": 1})
    result = profile(model_path("squeezenet"), image_path("dog.jpg"), "--compare", configs, "-n", "2")
    assert result.returncode == 0, result.stderr
    assert error_lines(result.stderr) == []


@pytest.mark.parametrize("number,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_gives_its_own_code(tmp_path, number, code):
    """Sent by the process to itself as the steady state begins, so the test needs no timing."""
    json_path = tmp_path / "report.json"
    result = profile(model_path("squeezenet"), image_path("dog.jpg"), "-t", "60", "--json", json_path,
                     prelude=STOP_AT_PHASE.format(phase="steady_state", number=int(number)))
    assert result.returncode == code, result.stderr
    assert json.loads(json_path.read_text(encoding="utf-8"))["completed"] is False


@pytest.mark.parametrize("number,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_before_the_first_inference_gives_its_code_not_2(number, code):
    result = profile(model_path("squeezenet"), image_path("dog.jpg"), "-n", "5",
                     prelude=STOP_AT_PHASE.format(phase="compile", number=int(number)))
    assert result.returncode == code, result.stderr
    assert error_lines(result.stderr) == [f"error: {number.name}: run stopped before the first inference"]


@pytest.mark.parametrize("number,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_comparison_gives_its_code(tmp_path, number, code):
    configs = write_configs(tmp_path, {"name": "a", "duration_s": 60}, {"name": "b"})
    report = tmp_path / "comparison.json"
    result = profile(model_path("squeezenet"), image_path("dog.jpg"), "--compare", configs, "--json", report,
                     prelude=STOP_AT_PHASE.format(phase="steady_state", number=int(number)))
    assert result.returncode == code, result.stderr
    assert error_lines(result.stderr) == []
    assert list(comparison(report)) == ["a"]


@pytest.mark.parametrize("main, argv, code, error", [
    ("profile_main", ["--help"], 0, ""),
    ("gui_main", ["--help"], 0, ""),
    ("profile_main", ["m.xml", "a.jpg", "--bogus"], 2, "error: unrecognized arguments: --bogus"),
    ("profile_main", ["m.xml", "a.jpg", "--mode", "fast"], 2, "error: argument --mode: invalid choice: 'fast'"),
    ("profile_main", ["m.xml", "a.jpg", "-n", "lots"], 2, "error: argument -n/--iterations: expects a whole number, got 'lots'"),
    ("profile_main", ["m.xml", "a.jpg", "-n", "0"], 2, "error: iterations (-n/--iterations) must be between 1 and"),
    ("profile_main", ["m.xml", "a.jpg", "-n", "5", "-t", "1"], 2, "error: argument -t/--time: not allowed with argument"),
    ("gui_main", ["--nstreams", "0"], 2, "error: streams (--nstreams) must be between 1 and"),
    ("gui_main", ["--view", "sideways"], 2, "error: argument --view: invalid choice: 'sideways'"),
], ids=["profile help", "gui help", "unknown flag", "bad choice", "not a number", "out of range", "two budgets",
        "gui out of range", "gui unknown view"])
def test_help_and_argument_errors_load_no_run_machinery(main, argv, code, error):
    """The options are a leaf: what only parses must not pay for OpenVINO, OpenCV or Qt (seconds on a cold start)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    result = subprocess.run([sys.executable, "-c", PARSE_ONLY.format(main=main, argv=argv, heavy=HEAVY)],
                            capture_output=True, text=True, timeout=120, env=env, cwd=PROJECT)
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome == {"code": code, "heavy": []}, result.stderr
    assert [line[:len(error)] for line in error_lines(result.stderr)] == ([error] if error else []), result.stderr
