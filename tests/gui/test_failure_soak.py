"""Fifty runs in one window, every second one a fault the third probe found (issue 18): a NaN
output, a FIFO as the image, ONNX Runtime missing, a corrupted roof cache.  Each fault ends in
its one line (a banner, or the decoder's note for a run that finished), the good run after it
works and clears it.  None of the faults is a bug, so none leaves a traceback on stderr; a
genuine bug after them still reaches the terminal with its traceback, for a bug report.

The roofs a corrupted cache sends to be measured again come from a stand-in for the probe:
tests/core/test_roofline.py measures them for real, and here a real probe (seconds each) would
be most of the soak's time."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import openvino as ov
from shared_data import image_path, model_path
from test_user_files_window import nan_classifier
from test_window_robustness import run_paths

from ovgui.core import roofline
from ovgui.core.engines.capabilities import INSTALL_ONNXRUNTIME
from ovgui.core.report import MemoryRoof, Roofline
from ovgui.core.roofline import CACHE_FILE, cpu_name, default_cache_dir
from ovgui.core.runner import ProfileRun

ROUNDS = 50
STAND_IN = "a stand-in for the probe"
CORRUPTED_CACHES = (
    '{"CPU|f32|2|x": {"gflops_per_s": "fast"}}',
    '{"CPU|f32|2|x": {"gflops_per_s": 0}}',
    "[" * 100_000 + "]" * 100_000,
    '{"CPU|f32|2|x": {"gflops_per_s": NaN}}',
    "not json at all",
)


def measured_here(monkeypatch) -> list[Roofline]:
    """Every roof measured from now on, each a stand-in made at once, high enough that no layer
    beats it (which would have the roofs measured again)."""
    measured: list[Roofline] = []

    def measure(device: str, precisions: list[str], threads: int, windows: int = roofline.WINDOWS) -> list[Roofline]:
        memory = [MemoryRoof("DRAM", 0, 2**28, 1000.0)]
        roofs = [Roofline(device, precision, threads, ov.get_version(), 10_000.0, 1000.0, STAND_IN, memory,
                          requested_precision=precision, load_average=0.0, cpu=cpu_name()) for precision in precisions]
        measured.extend(roofs)
        return roofs

    monkeypatch.setattr(roofline, "measure", measure)
    return measured


def run(window, qtbot, model: Path, image: Path, engine: str = "openvino") -> tuple[str, object]:
    """Press Run with these files on this engine; a failure's line is the banner's."""
    window.controls.set_config(replace(window.controls.config(), engine=engine, iterations=3))
    kind, value = run_paths(window, qtbot, model, image)
    if kind == "failed":
        qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
        assert window.banner.label.text() == value, "the banner shows the failure's own line"
    return kind, value


def test_fifty_runs_with_the_probes_faults_in_between_each_leave_one_line_and_the_next_run_works(
        window, qtbot, tmp_path, monkeypatch, capfd):
    squeezenet, dog = model_path("squeezenet"), image_path("dog.jpg")
    nan_model = nan_classifier(tmp_path)
    fifo = tmp_path / "camera.jpg"
    os.mkfifo(fifo)
    roof_cache = default_cache_dir() / CACHE_FILE
    measured = measured_here(monkeypatch)
    window.open_image(str(dog))
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)

    def nan_output() -> None:
        kind, report = run(window, qtbot, nan_model, dog)
        assert kind == "finished" and report.classes == []
        assert "the scores are not finite" in window.decoder_note.text() and window.decoder_note.isVisibleTo(window)

    def fifo_image() -> None:
        assert run(window, qtbot, squeezenet, fifo) == ("failed", (
            f"{fifo} is a FIFO (named pipe), not a file; opening it could wait forever, so give an image or video file"))

    def onnxruntime_missing() -> None:
        with monkeypatch.context() as patch:
            patch.setitem(sys.modules, "onnxruntime", None)
            patch.delitem(sys.modules, "ovgui.core.engines.onnxruntime", raising=False)
            assert run(window, qtbot, model_path("yolov5"), dog, engine="onnxruntime") == (
                "failed", f"ONNX Runtime is not installed; install it with {INSTALL_ONNXRUNTIME}")

    corrupted = iter(CORRUPTED_CACHES * ROUNDS)

    def corrupted_roof_cache() -> None:
        roof_cache.parent.mkdir(parents=True, exist_ok=True)
        roof_cache.write_text(next(corrupted), encoding="utf-8")
        before = len(measured)
        kind, report = run(window, qtbot, squeezenet, dog)
        assert kind == "finished" and len(measured) > before, "the roofs were measured again"
        assert report.rooflines and all(roof.method == STAND_IN for roof in report.rooflines), "and the new ones used"

    faults = [nan_output, fifo_image, onnxruntime_missing, corrupted_roof_cache]
    for round_number in range(ROUNDS):
        if round_number % 2:
            faults[(round_number // 2) % len(faults)]()
            continue
        kind, report = run(window, qtbot, squeezenet, dog)
        assert kind == "finished", f"round {round_number}: {report}"
        assert report.completed and report.classes[0].label == "dogsled"
        assert not window.banner.isVisible() and window.report is report
    assert "Traceback" not in capfd.readouterr().err, "an expected fault is one line, never a traceback"

    def a_bug(_run: ProfileRun) -> None:
        raise ZeroDivisionError("a bug in the run")

    monkeypatch.setattr(ProfileRun, "run", a_bug)
    assert run(window, qtbot, squeezenet, dog) == ("failed", "unexpected ZeroDivisionError: a bug in the run")
    err = capfd.readouterr().err
    assert "Traceback (most recent call last)" in err and "\nZeroDivisionError: a bug in the run\n" in err
