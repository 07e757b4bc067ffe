"""The window built around the analysis: workspaces for every view, a settings panel that folds,
a maximised view, layouts kept per screen size, and the lines that say what a user needs to know
(a reopened report and its date, inputs not fed the photo, an engine note never cut)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from ovgui.core.options import RunConfig
from ovgui.core.report import DeviceInfo, ModelInfo, Report
from ovgui.gui.exports import EXPORTS
from ovgui.gui.main_window import FOLD_SETTINGS_BELOW_PX, MainWindow
from ovgui.gui.opened_report import measured_when
from ovgui.gui.view_names import RESULT_VIEWS
from tests.shared_data import image_path, model_path

RUN_TIMEOUT_MS = 120_000


def run(window: MainWindow, qtbot, model: str, image: str = "zidane.jpg", **config) -> None:
    window.open_model(str(model_path(model)))
    window.open_image(str(image_path(image)))
    window.set_config(RunConfig(iterations=5, roofline=False, precision="f32", **config))
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS):
        window.start_run()


def test_every_result_view_opens_by_its_name(window):
    for name in RESULT_VIEWS:
        window.show_view(name)
        assert window.workspaces.current_name() == name
        assert window.workspaces.currentWidget() is window.workspaces.view(name)


def test_a_run_on_a_laptop_wide_window_folds_the_settings_until_the_user_opens_them(window, qtbot):
    window.resize(1366, 740)
    assert window.setup_dock.isVisible()
    run(window, qtbot, "face")
    assert window.width() < FOLD_SETTINGS_BELOW_PX
    assert not window.setup_dock.isVisible()
    assert window.workspaces.current_name() == "overview"
    window.commands.settings.trigger()
    assert window.setup_dock.isVisible()
    run(window, qtbot, "face")
    assert window.setup_dock.isVisible(), "opened by the user after the fold: it stays"


def test_a_view_is_maximised_by_a_double_click_on_its_tab_and_restored(window, qtbot):
    window.workspaces.tabBarDoubleClicked.emit(1)
    assert window.is_maximised_view()
    assert not window.setup_dock.isVisible() and not window.run_strip.isVisible()
    window.commands.maximise.trigger()
    assert not window.is_maximised_view()
    assert window.setup_dock.isVisible() and window.run_strip.isVisible()


def test_the_layout_is_kept_for_the_screen_size_it_was_made_on(qtbot):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.overview.splitter.setSizes([300, 900])
    kept = first.overview.splitter.sizes()
    first.close()
    first.jobs.wait()
    size = first.screen().availableGeometry().size()
    assert QSettings().value(f"layout/{size.width()}x{size.height()}/overview") is not None
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    assert again.overview.splitter.sizes()[0] == kept[0], "the photo's width as it was left"
    again.reset_layout()
    assert again.overview.splitter.sizes()[0] != kept[0]
    again.close()
    again.jobs.wait()


def test_the_engine_note_is_never_cut_to_one_line(window, qtbot):
    window.controls.model_picker.combo.setEditText("/models/blazeface.tflite")
    note = window.controls.settings.engine_note
    qtbot.waitUntil(note.isVisible)
    assert note.text() == "ONNX Runtime needs an .onnx model, not .tflite; PyTorch needs a .pt or .pt2 model, not .tflite"
    qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()))


def test_inputs_not_fed_the_photo_are_said_beside_it(window, qtbot):
    run(window, qtbot, "gaze", "zidane.jpg")
    note = window.photo.input_note
    assert note.isVisible()
    assert "'head_pose_angles' [1,3] is not an image; fed random[0,255] seed 0" in note.text()
    assert "each is fed the same whole photo" in note.text()
    run(window, qtbot, "face")
    assert not note.isVisible()


def test_a_reopened_report_is_marked_in_the_title_and_a_banner_with_its_date(window, qtbot, tmp_path):
    run(window, qtbot, "face")
    measured_at = window.report.environment.measured_at
    assert measured_at
    saved = tmp_path / "face.json"
    window.report.save_json(saved)
    window.open_report(str(saved))
    qtbot.waitUntil(lambda: window.opened is not None)
    when = measured_when(window.report, None)
    assert when.startswith("measured 20")
    assert f"[report face.json, {when}]" in window.windowTitle()
    assert window.report_note.isVisible()
    assert window.report_note.text().startswith(f"Showing report face.json, {when} on CPU")
    run(window, qtbot, "face")
    assert not window.report_note.isVisible() and "[report" not in window.windowTitle()


def test_a_report_without_a_time_says_the_file_time_is_what_it_shows():
    old = Report(ModelInfo("m.xml", "OpenVINO IR", 0), DeviceInfo("CPU", "CPU"), RunConfig())
    assert measured_when(old, 0.0).endswith("(the report holds no measurement time)")
    assert measured_when(old, None) == "measured at a time the report does not hold"


@pytest.mark.parametrize("export", EXPORTS, ids=lambda export: export.caption)
def test_every_export_keeps_the_extension_it_writes(window, qtbot, tmp_path, monkeypatch, export):
    run(window, qtbot, "face")
    if not export.enabled_if(window.outcome):
        assert not window.export_action(export.caption).isEnabled()
        return
    chosen = tmp_path / "name.other"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(chosen), export.name_filter))
    window.export_action(export.caption).trigger()
    written = [path for path in tmp_path.iterdir() if path.name.startswith("name.other")]
    suffix = export.suffix[export.suffix.rindex("."):]
    assert any(path.name == f"name.other{suffix}" for path in written), written
    if suffix == ".json":
        json.loads((tmp_path / f"name.other{suffix}").read_text())
