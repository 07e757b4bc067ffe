"""Model › Quantize to INT8…: the dialog comes prefilled (the image folder to calibrate on, the
layers selected in the Layers table to keep in float), quantizes off the GUI thread with a moving
progress bar, and the INT8 IR opens as the model; Stop ends it and writes nothing; a failure, or
NNCF missing, is one banner line.  Seven photos: a smoke test, not a calibration."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTableView
from shared_data import IMAGES, image_path, model_path

from ovgui.core import int8_comparison
from ovgui.core.report import RunConfig
from ovgui.core.runner import RunRequest, run_profile
from ovgui.gui.layer_diff import LayerDiffModel

QUANTIZE_TIMEOUT_MS = 180_000
CONV1 = "conv1/WithoutBiases"
FIRE2 = "fire2/squeeze1x1/WithoutBiases"


@pytest.fixture(scope="module")
def squeezenet_outcome():
    return run_profile(RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")), RunConfig(iterations=2)))


def open_dialog(window, qtbot, folder):
    """`folder` is where the INT8 IR is to go, a folder of its own (the window's settings live in tmp_path)."""
    folder.mkdir()
    window.open_model(str(model_path("squeezenet")))
    window.open_image(str(IMAGES))
    window.commands.quantize.trigger()
    dialog = window.quantize_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.output.setText(str(folder / "squeezenet_int8.xml"))
    return dialog


def test_the_dialog_quantizes_with_a_moving_progress_bar_and_opens_the_int8_model(window, qtbot, tmp_path,
                                                                                   squeezenet_outcome):
    window.layers.show_outcome(squeezenet_outcome)
    window.layers.select_layer(CONV1)
    table = window.layers.findChild(QTableView, "layerTable")
    row = window.layers.proxy.mapFromSource(window.layers.model.index(window.layers.model.row_of(FIRE2), 0))
    table.selectionModel().select(row, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    dialog = open_dialog(window, qtbot, tmp_path / "out")
    assert dialog.calibration.text() == str(IMAGES)
    assert dialog.keep_float.toPlainText().splitlines() == [CONV1, FIRE2]
    assert dialog.subset_size.value() == 300 and dialog.fast_bias_correction.isChecked()
    assert dialog.compare_after.isChecked(), "an image is chosen: source and INT8 are compared after, by default"
    dialog.compare_after.setChecked(False)
    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(window.model_quantized, timeout=QUANTIZE_TIMEOUT_MS) as done:
        dialog.start_button.click()
        assert not dialog.start_button.isEnabled() and dialog.stop_button.isEnabled()
    quantized = done.args[0]
    out = tmp_path / "out" / "squeezenet_int8.xml"
    assert quantized.xml == out and quantized.options.keep_float == (CONV1, FIRE2)
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["squeezenet_int8.bin", "squeezenet_int8.xml"]
    fed = [value for value in values if 0 < value < 1000]
    assert fed and fed == sorted(fed), f"the bar moves forward while images are fed: {values}"
    assert not dialog.isVisible()
    assert window.controls.model_picker.path() == str(out)
    qtbot.waitUntil(lambda: window.model_info is not None and window.model_info.path == str(out), timeout=QUANTIZE_TIMEOUT_MS)
    message = window.statusBar().currentMessage()
    assert message.startswith("Quantized squeezenet1.1.xml to INT8 with 7 calibration images")
    assert message.endswith("it is now the model") and not window.banner.isVisible()


def cell(model, row: int, field: str) -> str:
    return model.data(model.index(row, model.column_index(field)))


def test_after_quantizing_source_fp16_ir_and_int8_fill_compare_and_the_ab_pairs_source_with_int8(
        window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(int8_comparison, "ladder_root", lambda: tmp_path / "cache")
    (tmp_path / "out").mkdir()
    window.open_model(str(model_path("squeezenet")))
    window.open_image(str(image_path("dog.jpg")))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(5)
    window.commands.quantize.trigger()
    dialog = window.quantize_dialog
    assert dialog.calibration.text() == "" and dialog.compare_after.isChecked() and "dog.jpg" in dialog.compare_after.text()
    dialog.calibration.setText(str(IMAGES))
    dialog.output.setText(str(tmp_path / "out" / "int8.xml"))
    dialog.with_fp16.setChecked(True)
    with qtbot.waitSignal(window.session.returned, timeout=QUANTIZE_TIMEOUT_MS) as compared:
        dialog.start_button.click()
    names = [name for name, _outcome in compared.args[0]]
    assert names == ["squeezenet1.1.xml (source)", "squeezenet1.1.xml (FP16 IR)", "int8.xml (INT8)"]
    model = window.comparison.model
    assert model.rowCount() == 3 and window.workspaces.current_name() == "compare"
    sizes = [float(cell(model, row, "model.file_size_bytes")) for row in range(3)]
    assert sizes[2] < 0.7 * sizes[0], sizes
    assert [cell(model, row, "accuracy") for row in range(3)] == ["—"] * 3, "no labelled set was given"
    assert window.comparison.table.isColumnHidden(model.column_index("accuracy")), "a column of dashes takes no room"
    assert cell(model, 2, "drift").startswith("max |Δ|")
    history = window.ab_panel.history
    picked = [history.entry(combo.currentIndex()).report.model.path for combo in (window.ab_panel.combo_a,
                                                                                   window.ab_panel.combo_b)]
    assert picked == [str(model_path("squeezenet").resolve()), str(tmp_path / "out" / "int8.xml")], \
        "the A/B pairs the INT8 copy with the source it was made from"
    window.show_view("ab")
    diff = window.ab_panel.diff
    qtbot.waitUntil(lambda: "<b>precisions</b>" in diff.header_text(), timeout=10_000)
    assert "i8/u8" in diff.header_text() and "different models" not in diff.warning_text()
    table = diff.findChild(QTableView, "diffTable")
    assert not table.isColumnHidden(LayerDiffModel.column_index("why"))


def test_stop_ends_the_quantization_and_writes_nothing(window, qtbot, tmp_path):
    dialog = open_dialog(window, qtbot, tmp_path / "out")
    dialog.progress.valueChanged.connect(lambda value: value > 0 and dialog.stop())
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.status.text() == "Stopped: nothing was written.", timeout=QUANTIZE_TIMEOUT_MS)
    assert dialog.isVisible() and dialog.start_button.isEnabled() and not dialog.stop_button.isEnabled()
    assert list((tmp_path / "out").iterdir()) == []
    assert window.controls.model_picker.path() == str(model_path("squeezenet")) and not window.banner.isVisible()


def test_a_failed_quantization_is_one_banner_line(window, qtbot, tmp_path):
    dialog = open_dialog(window, qtbot, tmp_path / "out")
    dialog.keep_float.setPlainText("no/such/layer")
    with qtbot.waitSignal(dialog.failed, timeout=QUANTIZE_TIMEOUT_MS):
        dialog.start_button.click()
    line = "keep in float: the model has no layer and no operation type named no/such/layer"
    assert window.banner.isVisible() and window.banner.label.text() == line
    assert dialog.status.text() == line and dialog.start_button.isEnabled()
    assert list((tmp_path / "out").iterdir()) == []


def test_without_nncf_the_menu_says_how_to_install_it(window, monkeypatch):
    monkeypatch.setattr("ovgui.gui.main_window.nncf_missing",
                        lambda: "NNCF is not installed; install it with pip install 'ovgui[quantize]'")
    window.open_model(str(model_path("squeezenet")))
    window.commands.quantize.trigger()
    assert window.quantize_dialog is None
    assert window.banner.label.text() == "NNCF is not installed; install it with pip install 'ovgui[quantize]'"
