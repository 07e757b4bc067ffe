"""Run options through the window: command line -> window -> report unchanged, and bad values refused."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import pytest
from bad_options import BAD_OPTIONS, PARSE_ERRORS, filled
from PySide6.QtCore import QSettings
from shared_data import image_path, model_path

from ovgui.cli import gui_parser, run_config
from ovgui.core.options import BY_NAME
from ovgui.core.report import RunConfig
from ovgui.gui.app import preload
from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 120_000
EXAMPLE_DECODER = Path(__file__).resolve().parents[2] / "docs" / "examples" / "face_detection_adas_decoder.py"


def every_option(tmp_path) -> list[str]:
    """A value other than the default for every RunConfig field but the budget."""
    labels = tmp_path / "labels.txt"
    labels.write_text("face\n")
    faces = tmp_path / "faces.json"
    faces.write_text(json.dumps({"images": [{"id": 1, "file_name": str(image_path("zidane.jpg"))}],
                                 "annotations": [{"image_id": 1, "category_id": 1, "bbox": [916, 101, 139, 179]}],
                                 "categories": [{"id": 1, "name": "face"}]}))
    return [
        "-d", "AUTO", "--mode", "throughput", "--hint", "latency", "--precision", "f32",
        "--nstreams", "1", "--nthreads", "1", "--nireq", "2", "--cache-dir", str(tmp_path / "cache"),
        "--no-shared-memory", "--no-layers", "--decoder", "yunet", "--threshold", "0.5", "--nms", "0.3",
        "--labels", str(labels), "--preprocess", "graph", "--layout", "NCHW", "--rgb", "--mean", "1,2,3",
        "--scale", "2", "--resize", "letterbox", "--shape", "1,3,320,320", "--frames", "5", "--stride", "2",
        "--no-roofline", "--decoder-file", str(EXAMPLE_DECODER), "--decoder-timeout", "30", "--min-area", "5",
        "--map-channel", "1",
        "--map-output", "loc", "--inter-op-threads", "1", "--graph-optimization", "basic", "--execution-mode", "parallel",
        "-b", "2", "--shape", "input[1,3,320,320]", "--data-shape", "[1,3,320,320][1,3,256,256]",
        "--input", f"input={image_path('zidane.jpg')}",
        "--preset", "signed", "--accuracy", str(faces), "--latency-percentile", "90",
        "--shape-bounds", "2,3,256..320,256..320",
    ]


@pytest.mark.parametrize("budget", [["-n", "7"], ["-t", "0.3"]], ids=["iterations", "time"])
def test_every_option_goes_from_the_command_line_through_the_window_into_the_report(window, qtbot, tmp_path, budget):
    files = [str(model_path("yunet_dynamic")), str(image_path("zidane.jpg"))]
    args = gui_parser().parse_args([*files, *every_option(tmp_path), *budget, "--run"])
    config = run_config(args)
    defaults = asdict(RunConfig())
    unchanged = [f.name for f in fields(RunConfig) if getattr(config, f.name) == defaults[f.name]]
    # ONNX Runtime takes none of the OpenVINO settings this run sets; tests/core/test_engines.py covers --engine;
    # --shape-mode dynamic or bounded needs --preprocess host, and this run takes graph: tests/core/test_sweep.py covers it;
    # --scenario runs LoadGen on one image (this run is a set): tests/core/test_scenario.py and the window's test cover it
    loadgen = ["scenario", "target_qps", "p99_ms"]
    assert unchanged == (["duration_s", "engine", "shape_mode", *loadgen] if budget[0] == "-n"
                         else ["engine", "shape_mode", *loadgen]), \
        "give every field a non-default value"
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        preload(window, args, config)
        assert window.controls.config() == config
        shown = {**window.controls.settings.values(), **window.controls.preprocess.values(), **window.controls.inputs.values()}
        assert shown == asdict(config), "every option has a field in the window, holding the given value"
    report = blocker.args[0]
    assert report.config == config
    assert report.preprocess.input_shape == [2, 3, 320, 320] and report.preprocess.color_order == "rgb"
    assert report.layers == [] and report.compiled.requests_used == 2
    assert [run.inputs for run in report.shape_runs] == [{"input": [2, 3, 320, 320]}, {"input": [2, 3, 256, 256]}]
    assert report.accuracy.evaluated == 1 and report.accuracy.task == "detection"


def load(window, qtbot) -> None:
    window.open_model(str(model_path("face")))
    window.open_image(str(image_path("bus.jpg")))
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(2)


@pytest.mark.parametrize("name, text, message", BAD_OPTIONS, ids=[f"{n}={t}" for n, t, _ in BAD_OPTIONS])
def test_bad_option_values_are_refused_in_the_banner_and_the_window_keeps_working(window, qtbot, tmp_path, name, text, message):
    load(window, qtbot)
    file, missing = str(image_path("bus.jpg")), str(tmp_path / "missing.txt")
    if name == "duration_s":
        window.controls.settings.budget_kind.setCurrentIndex(window.controls.settings.budget_kind.findData("seconds"))
    field = window.controls.settings.field(name) or window.controls.preprocess.field(name)
    field.setText(filled(text, file, missing))
    with qtbot.waitSignal(window.run_refused, timeout=5000) as blocker:
        window.commands.run.trigger()
    expected = filled(message, file, missing)
    shown = blocker.args[0]
    if text in PARSE_ERRORS:
        assert shown == f"{BY_NAME[name].title} {expected}"
    else:
        assert shown == expected
    assert window.banner.isVisible() and window.banner.label.text() == shown
    assert not window.session.busy
    field.clear()
    window.controls.settings.budget_kind.setCurrentIndex(window.controls.settings.budget_kind.findData("iterations"))
    window.controls.settings.iterations.setValue(2)
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    assert not window.banner.isVisible() and blocker.args[0].latency_ms.samples


def test_damaged_saved_settings_keep_only_the_values_their_options_accept(qtbot):
    settings = QSettings()
    saved = {"nireq": 10000, "threshold": "abc", "nms_iou": 0.3, "iterations": 9, "mode": "fast"}
    settings.setValue("run/config", json.dumps(saved))
    settings.sync()
    window = MainWindow()
    qtbot.addWidget(window)
    config = window.controls.config()
    assert (config.nireq, config.threshold, config.nms_iou, config.iterations, config.mode) == (None, None, 0.3, 9, "latency")
    window.session.shutdown()
    window.jobs.wait()
