"""The real window, driven like a user would: pick files, run, stop, close — offscreen, no sleeps."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QTableView
from shared_data import NOT_PYTORCH_PHASES, image_path, model_path

from ovgui.core.compare import Variant
from ovgui.core.formatting import format_ms
from ovgui.core.runner import RunRequest
from ovgui.gui.actions import window_action
from ovgui.gui.exports import save_run
from ovgui.gui.layer_table import LayerTableWidget
from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 120_000


def load(window: MainWindow, qtbot, model: str, image: str, iterations: int) -> None:
    window.open_model(str(model_path(model)))
    window.open_image(str(image_path(image)))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    settings = window.controls.settings
    settings.iterations.setValue(iterations)
    settings.precision.setCurrentIndex(settings.precision.findData("f32"))


def run(window: MainWindow, qtbot):
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    return blocker.args[0]


def test_run_fills_every_view(window, qtbot):
    load(window, qtbot, "face", "zidane.jpg", 30)
    report = run(window, qtbot)
    assert len(report.detections) == 2
    assert window.image_panel.view.visible_box_count() == len(report.detections)
    assert len(window.image_panel.view.box_items()) == len(report.detections)
    table: LayerTableWidget = window.layers
    assert table.model.rowCount() == len(report.layers)
    assert window.latency_chart.point_count() == 30
    assert window.memory_chart.sample_count() >= 4
    assert window.memory_chart.phase_names() == NOT_PYTORCH_PHASES
    assert window.export_action("Export report").isEnabled()


def test_layer_table_sorts_numerically_by_real_time(window, qtbot):
    load(window, qtbot, "squeezenet", "chelsea.png", 10)
    report = run(window, qtbot)
    proxy = window.layers.proxy
    proxy.set_hide_not_executed(False)
    column = window.layers.model.column_index("real_time_ms")
    proxy.sort(column, proxy.sortOrder().DescendingOrder)
    shown = [proxy.data(proxy.index(row, column), window.layers.model.SORT_ROLE) for row in range(proxy.rowCount())]
    assert shown == sorted((layer.real_time_ms for layer in report.layers), reverse=True)
    # MANIFEST.md: 285/Egyptian cat 0.507
    assert len(report.classes) == 5 and window.image_panel.view.class_lines()[0].startswith("0.507")


def test_stop_ends_a_long_run_with_a_partial_report(window, qtbot):
    """How quickly is a benchmark, not a unit test: scripts/measure_stop_latency.py."""
    load(window, qtbot, "squeezenet", "chelsea.png", 1_000_000)
    with qtbot.waitSignal(window.session.progress, timeout=RUN_TIMEOUT_MS):
        window.commands.run.trigger()
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.stop.trigger()
    report = blocker.args[0]
    assert not report.completed
    assert 0 < window.latency_chart.point_count() == len(report.latency_ms.samples)
    window.controls.settings.iterations.setValue(5)
    second = run(window, qtbot)
    assert second.completed and len(second.latency_ms.samples) == 5


def test_a_failed_run_shows_one_line_and_the_next_run_works(window, qtbot, tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    window.controls.model_picker.set_path(str(broken), emit=False)
    window.controls.image_picker.set_path(str(image_path("bus.jpg")), emit=False)
    with qtbot.waitSignal(window.session.errored, timeout=RUN_TIMEOUT_MS):
        window.commands.run.trigger()
    assert window.banner.isVisible()
    assert "broken.onnx" in window.banner.label.text() and "\n" not in window.banner.label.text()
    load(window, qtbot, "face", "bus.jpg", 5)
    report = run(window, qtbot)
    assert not window.banner.isVisible() and len(report.latency_ms.samples) == 5


CLOSE_DURING_RUN = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QTableView
from ovgui.gui.app import make_application
from ovgui.gui.main_window import MainWindow
app = make_application()
window = MainWindow()
window.show()
window.open_model(sys.argv[1])
window.open_image(sys.argv[2])
window.controls.settings.iterations.setValue(1_000_000)
window.session.phase_started.connect(lambda name: name == sys.argv[3] and QTimer.singleShot(0, window.close))
QTimer.singleShot(0, window.start_run)
sys.exit(app.exec())
"""


@pytest.mark.parametrize("phase", ["compile", "steady_state"])
def test_closing_the_window_mid_run_exits_with_code_0(tmp_path, phase):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    args = [sys.executable, "-c", CLOSE_DURING_RUN, str(model_path("yolov8")), str(image_path("bus.jpg")), phase]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "Destroyed while thread is still running" not in result.stderr


def test_comparison_fills_the_table_and_the_ab_view(window, qtbot):
    load(window, qtbot, "squeezenet", "chelsea.png", 6)
    variants = [
        Variant("f32", {"precision": "f32"}),
        Variant("bf16", {"precision": "bf16"}),
        Variant("throughput", {"mode": "throughput"}),
        Variant("1 thread", {"nthreads": 1}),
    ]
    base = RunRequest(window.controls.model_path(), window.controls.image_path(), window.controls.config())
    with qtbot.waitSignal(window.session.returned, timeout=RUN_TIMEOUT_MS) as blocker:
        window.session.start_comparison(base, variants)
    results = blocker.args[0]
    assert [name for name, _outcome in results] == ["f32", "bf16", "throughput", "1 thread"]
    assert window.comparison.model.rowCount() == 4
    assert window.history.rowCount() == 4
    assert not window.ab_panel.diff.deltas(), "the A/B diff waits until its tab is shown"
    window.show_view("ab")
    qtbot.waitUntil(lambda: bool(window.ab_panel.diff.deltas()), timeout=5000)
    assert results[3][1].report.compiled.inference_num_threads == 1


def test_selecting_a_layer_shows_its_detail(window, qtbot):
    load(window, qtbot, "face", "zidane.jpg", 20)
    report = run(window, qtbot)
    view = window.layers.findChild(QTableView, "layerTable")
    with qtbot.waitSignal(window.layers.layer_selected, timeout=5000) as blocker:
        view.selectRow(0)
    layer = blocker.args[0]
    assert layer in report.layers
    assert window.layer_detail.showing_layer() and window.layer_detail.name_text() == layer.name
    assert window.outcome.report is report
    if report.profile.distributions:
        assert window.layer_detail.histogram_bar_count() > 0
        assert len(window.outcome.samples_of(layer.index)) == report.profile.iterations_profiled
    else:
        assert window.outcome.layer_samples is None and window.layer_detail.histogram_bar_count() == 0
        assert "no per-inference distribution" in window.layer_detail.samples_note().lower()


def test_a_saved_report_reopens_with_every_view(window, qtbot, tmp_path):
    load(window, qtbot, "face", "zidane.jpg", 15)
    report = run(window, qtbot)
    saved = tmp_path / "run.json"
    save_run(window.outcome, saved)
    assert saved.with_suffix(".png").exists()
    fresh = MainWindow()
    qtbot.addWidget(fresh)
    fresh.open_report(str(saved))
    qtbot.waitUntil(lambda: fresh.image_panel.view.visible_box_count() == len(report.detections), timeout=30_000)
    assert fresh.report == report
    assert fresh.layers.model.rowCount() == len(report.layers)
    assert fresh.latency_chart.point_count() == 15
    assert fresh.memory_chart.phase_names() == NOT_PYTORCH_PHASES
    assert fresh.export_action("Export trace").isEnabled()
    fresh.session.shutdown()
    fresh.jobs.wait()


def test_a_file_that_is_not_a_report_gives_one_line(window, qtbot, tmp_path):
    bogus = tmp_path / "notes.json"
    bogus.write_text("[1, 2, 3]")
    window.open_report(str(bogus))
    qtbot.waitUntil(window.banner.isVisible, timeout=30_000)
    message = window.banner.label.text()
    assert message == "notes.json: it has no model, device and config sections"


def test_a_saved_run_reopens_with_its_annotated_copy_when_the_image_is_gone(window, qtbot, tmp_path):
    moved = tmp_path / "photo.jpg"
    moved.write_bytes(image_path("bus.jpg").read_bytes())
    window.open_model(str(model_path("face")))
    window.open_image(str(moved))
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(3)
    run(window, qtbot)
    saved = tmp_path / "saved" / "run.json"
    saved.parent.mkdir()
    save_run(window.outcome, saved)
    moved.unlink()
    window.open_report(str(saved))
    qtbot.waitUntil(lambda: window.image is not None and window.image.info.path == str(saved.with_suffix(".png")), timeout=30_000)
    assert window.image_panel.view.visible_box_count() == 0


def test_opening_another_model_clears_what_belonged_to_the_last(window, qtbot):
    load(window, qtbot, "face", "zidane.jpg", 5)
    run(window, qtbot)
    window.banner.show_message("an old error")
    assert window.layers.model.rowCount() and window.image_panel.view.box_items()

    window.open_model(str(model_path("squeezenet")))

    assert window.report is None
    assert window.layers.model.rowCount() == 0
    assert window.latency_chart.point_count() == 0 and window.memory_chart.sample_count() == 0
    assert not window.image_panel.view.box_items() and window.image_panel.view.has_image()
    assert window.status_fps.text() == "" and not window.banner.isVisible()
    assert window.windowTitle().startswith("squeezenet1.1.xml")
    assert window.status_model.text().startswith("squeezenet1.1.xml")
    assert not window.export_action("Export report").isEnabled()


def test_opening_another_image_marks_the_results_as_the_previous_run(window, qtbot):
    load(window, qtbot, "face", "zidane.jpg", 5)
    run(window, qtbot)
    window.open_image(str(image_path("bus.jpg")))
    qtbot.waitUntil(lambda: window.image is not None and window.image.info.path.endswith("bus.jpg"), timeout=30_000)

    assert not window.image_panel.view.box_items(), "zidane's boxes are not drawn on the bus"
    assert window.stale_note.isVisible()
    assert "previous run of face-detection-adas-0001.xml on zidane.jpg" in window.stale_note.text()
    assert "on zidane.jpg" in window.windowTitle()
    run(window, qtbot)
    assert not window.stale_note.isVisible() and "on bus.jpg" in window.windowTitle()


def test_a_bad_image_path_does_not_leave_the_old_photo_up(window, qtbot, tmp_path):
    load(window, qtbot, "face", "zidane.jpg", 3)
    run(window, qtbot)
    missing = tmp_path / "nowhere.jpg"
    window.open_image(str(missing))
    qtbot.waitUntil(window.banner.isVisible, timeout=30_000)

    assert not window.image_panel.view.has_image() and window.image is None
    assert "nowhere.jpg" in window.banner.label.text()
    assert window.stale_note.isVisible(), "the charts still show zidane.jpg's run, and say so"


def test_opening_a_report_describes_the_report_everywhere(window, qtbot, tmp_path):
    load(window, qtbot, "face", "zidane.jpg", 4)
    saved_report = run(window, qtbot)
    saved = tmp_path / "face-run.json"
    save_run(window.outcome, saved)
    load(window, qtbot, "squeezenet", "chelsea.png", 3)
    run(window, qtbot)
    window.banner.show_message("an error from the squeezenet session")

    window.open_report(str(saved))
    qtbot.waitUntil(lambda: window.report_source == "face-run.json", timeout=30_000)  # read off the GUI thread

    title = f"face-detection-adas-0001.xml on zidane.jpg [report face-run.json, {window.opened.when}] — ovgui"
    assert window.windowTitle() == title
    assert window.opened.when.startswith("measured ")
    assert window.status_model.text() == "face-detection-adas-0001.xml · CPU"
    assert window.status_fps.text() == f"throughput {saved_report.throughput_fps:.1f} FPS (completed/elapsed)"
    assert not window.banner.isVisible()
    assert window.controls.model_path() == saved_report.model.path
    assert window.controls.image_path() == saved_report.image.path
    qtbot.waitUntil(lambda: window.image_panel.view.visible_box_count() == len(saved_report.detections), timeout=30_000)
    assert not window.stale_note.isVisible()


def test_status_bar_says_what_was_measured_and_which_fps(window, qtbot):
    load(window, qtbot, "face", "zidane.jpg", 5)
    report = run(window, qtbot)
    message = window.statusBar().currentMessage()
    assert message.startswith("Done: 5 iterations, median ")
    assert "model only, host preprocessing" in message
    assert f"layers sum {format_ms(report.profile.layers_sum_ms)} ms vs mean {format_ms(report.latency_ms.mean)} ms" in message
    assert "completed/elapsed" in window.status_fps.text()
    assert report.environment.openvino and report.environment.cpu


def test_min_score_set_by_the_user_is_kept_for_the_next_run(window, qtbot):
    load(window, qtbot, "face", "zidane.jpg", 3)
    run(window, qtbot)
    window.image_panel._spin.setValue(0.9)
    run(window, qtbot)
    assert window.image_panel.min_score() == 0.9
    assert window.image_panel.view.visible_box_count() == sum(d.score >= 0.9 for d in window.report.detections)


def test_export_shortcut_works_while_a_path_field_has_the_focus(window, qtbot, monkeypatch):
    load(window, qtbot, "face", "zidane.jpg", 3)
    run(window, qtbot)
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: asked.append(args) or ("", ""))
    field = window.controls.model_picker.combo.lineEdit()
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 1 and asked[0][1] == "Export report"


def test_about_names_the_versions(window, qtbot):
    window.show_about()
    qtbot.waitUntil(lambda: getattr(window, "about_box", None) is not None, timeout=10_000)
    text = window.about_box.text()
    for expected in ("ovgui", "OpenVINO", "Python", "OS", "CPU", platform.python_version()):
        assert expected in text
    window.about_box.close()


def test_window_shortcuts_win_over_keys_a_path_field_claims(window, qtbot):
    """Ctrl+E is "end of line" for a QLineEdit on X11 (not offscreen); Ctrl+A (select all) is
    claimed on every platform, so it stands in for it here."""
    fired = []
    window_action(window, "probe", lambda: fired.append(True), "Ctrl+A")
    field = window.controls.image_picker.combo.lineEdit()
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert fired == [True]


def test_a_run_started_from_compare_opens_the_overview_and_one_from_layers_stays(window, qtbot):
    load(window, qtbot, "face", "zidane.jpg", 3)
    window.show_view("compare")
    run(window, qtbot)
    assert window.workspaces.current_name() == "overview"
    window.show_view("layers")
    run(window, qtbot)
    assert window.workspaces.current_name() == "layers"
