"""The Layers workspace after a real run of the face detector, at the size it gets in a 1366x768 window."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QTableView, QTabWidget, QTextEdit, QToolButton, QWidget
from shared_data import image_path, model_path

from ovgui.core.events import LiveData
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import EngineInfo, LayerStats, RunConfig
from ovgui.core.runner import RunRequest, run_profile
from ovgui.gui.bars import bar_count
from ovgui.gui.layer_detail import originals_title
from ovgui.gui.layer_diff import IMPORTED_FORMAT
from ovgui.gui.layer_table import LayerTableModel
from ovgui.gui.layers_view import LayersView

WORKSPACE_AT_1366x768 = (1300, 560)
"""What the window's result area gives a workspace on a 1366x768 screen."""
REAL_MEAN = LayerTableModel.column_index("real_time_ms")
SHARE = LayerTableModel.column_index("share")


@pytest.fixture(scope="module")
def face_outcome() -> RunOutcome:
    request = RunRequest(str(model_path("face")), str(image_path("zidane.jpg")), RunConfig(iterations=5))
    return run_profile(request)


@pytest.fixture
def view(qtbot, face_outcome) -> Iterator[LayersView]:
    """Shown in a layout-less host, as the window's result area would hold it."""
    host = QWidget()
    qtbot.addWidget(host)
    view = LayersView(host)
    host.resize(*WORKSPACE_AT_1366x768)
    view.resize(*WORKSPACE_AT_1366x768)
    host.show()
    qtbot.waitExposed(host)
    view.show_outcome(face_outcome)
    yield view  # the host, which owns the view, lives until the test ends


def _table(view: LayersView) -> QTableView:
    return view.findChild(QTableView, "layerTable")


def _whole_rows(table: QTableView) -> int:
    height = table.viewport().height()
    rows = range(table.model().rowCount())
    return sum(1 for row in rows if 0 <= table.rowViewportPosition(row) <= height - table.rowHeight(row))


def _column_in_view(table: QTableView, column: int) -> bool:
    left = table.columnViewportPosition(column)
    return not table.isColumnHidden(column) and 0 <= left and left + table.columnWidth(column) <= table.viewport().width()


def _assert_readable(table: QTableView) -> None:
    assert _whole_rows(table) >= 12
    assert table.horizontalScrollBar().value() == 0
    assert _column_in_view(table, REAL_MEAN) and _column_in_view(table, SHARE)


def test_the_table_shows_twelve_rows_and_its_times_with_or_without_the_detail(qtbot, view, face_outcome):
    table = _table(view)
    assert not view.detail_open()
    assert view.table.width() == view.width(), "the closed detail takes no width"
    _assert_readable(table)
    with qtbot.waitSignal(view.layer_selected, timeout=1000) as blocker:
        table.selectRow(0)
    assert view.detail_open() and view.detail.name_text() == blocker.args[0].name
    assert any(layer is blocker.args[0] for layer in face_outcome.report.layers)
    qtbot.waitUntil(lambda: view.detail.isVisible())
    assert view.detail.width() > 300 and view.table.width() > view.width() // 2
    _assert_readable(table)


def test_the_close_button_gives_the_width_back_and_a_click_reopens(qtbot, view):
    table = _table(view)
    table.selectRow(2)
    view.findChild(QToolButton, "closeDetail").click()
    assert not view.detail_open() and view.table.selected_layer() is None
    qtbot.waitUntil(lambda: view.table.width() == view.width())
    table.selectRow(2)
    assert view.detail_open()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Escape)
    assert not view.detail_open()


def test_a_linked_view_selects_a_layer_and_opens_its_detail(qtbot, view, face_outcome):
    layer = min(face_outcome.report.layers, key=lambda layer: layer.real_time_ms if layer.executed else 1e9)
    with qtbot.waitSignal(view.layer_selected, timeout=1000):
        view.select_layer(layer.name)
    assert view.table.selected_layer() is layer
    assert view.detail_open() and view.detail.name_text() == layer.name


def test_a_new_run_closes_the_detail_and_its_snapshots_fill_the_table(view, face_outcome):
    view.select_layer(face_outcome.report.layers[0].name)
    live = LiveData()
    view.follow(live)
    assert not view.detail_open() and view.table.model.rowCount() == 0
    live.publish_layers(face_outcome.report.layers[:4])
    view.refresh()
    assert view.table.model.rowCount() == 4
    view.stop_following()
    view.clear()
    assert view.table.model.rowCount() == 0 and not view.detail_open()


def test_the_detail_shows_a_long_name_whole_wrapped_and_selectable(qtbot, view):
    name = "InsertedPrecision_/model.22/cv3.2/cv3.2.0/conv/Conv_output_0_nchwc/WithoutBiases/Fused_Add_"
    layer = LayerStats(0, name, "Reorder", "jit_uni_f32", "EXECUTED", 0.1, None, 0.1, 0.01)
    view.show_layer_detail(layer, None)
    text = view.detail.findChild(QTextEdit, "layerName")
    qtbot.waitUntil(lambda: text.isVisible())
    assert text.toPlainText() == name
    assert text.fontMetrics().horizontalAdvance(name) > text.viewport().width(), "the name must need wrapping here"
    assert text.height() >= 2 * text.fontMetrics().height(), "wrapped onto more lines, not elided"
    assert not text.horizontalScrollBar().isVisible()


def test_the_by_type_tab_takes_the_detail_width_and_its_labels_stay_clear(qtbot, view):
    """Each bar's value label fits inside the plot and no two overlap; the names fit their axis."""
    table = _table(view)
    table.selectRow(0)
    view.findChild(QTabWidget).setCurrentIndex(1)
    assert view.detail_open(), "still open, out of sight while the tab lists no layers"
    qtbot.waitUntil(lambda: view.table.width() == view.width())
    chart = view.findChild(pg.PlotWidget, "typeChart")
    qtbot.waitUntil(lambda: chart.isVisible())
    box = chart.getViewBox().sceneBoundingRect()
    labels = [item.sceneBoundingRect() for item in chart.getPlotItem().items if isinstance(item, pg.TextItem)]
    assert len(labels) == bar_count(chart) > 5
    assert all(box.contains(label) for label in labels)
    assert not any(a.intersects(b) for a, b in itertools.combinations(labels, 2))
    axis = chart.getAxis("left")
    names = [name for _position, name in axis._tickLevels[0]]
    assert axis.width() >= max(QFontMetrics(chart.font()).horizontalAdvance(name) for name in names)
    assert box.height() / len(names) >= QFontMetrics(chart.font()).height()
    view.findChild(QTabWidget).setCurrentIndex(0)
    qtbot.waitUntil(lambda: view.detail.isVisible())


def test_the_detail_says_why_a_layer_lists_no_original_layers(face_outcome):
    """Only a finished OpenVINO run reads them from its executed graph; elsewhere an empty list means nothing."""
    layers = face_outcome.report.layers
    fused = next(layer for layer in layers if layer.original_layers)
    added = next(layer for layer in layers if not layer.original_layers and not layer.is_preprocessing)
    assert originals_title(fused, face_outcome) == f"Original layers fused into it ({len(fused.original_layers)}):"
    assert "the plugin added this layer" in originals_title(added, face_outcome)
    assert "when the run ends" in originals_title(dataclasses.replace(fused, original_layers=[]), None)
    ort = RunOutcome(dataclasses.replace(face_outcome.report, engine=EngineInfo("onnxruntime")))
    assert originals_title(added, ort).startswith("ONNX Runtime does not say")
    imported = dataclasses.replace(face_outcome.report.model, format=IMPORTED_FORMAT)
    assert "benchmark_app" in originals_title(added, RunOutcome(dataclasses.replace(face_outcome.report, model=imported)))


def test_an_open_detail_follows_its_layer_through_a_run_to_the_outcome(qtbot, view, face_outcome):
    """Snapshots bring new figures, not a new selection; the outcome brings the final ones."""
    live = LiveData()
    view.follow(live)
    snapshot = [dataclasses.replace(layer, real_time_ms=layer.real_time_ms * 2) for layer in face_outcome.report.layers]
    live.publish_layers(snapshot)
    view.refresh()
    slowest = max(snapshot, key=lambda layer: layer.real_time_ms)
    view.select_layer(slowest.name)
    assert view.detail.field_text("Real mean") == f"{slowest.real_time_ms:.3f} ms"
    newer = [dataclasses.replace(layer, real_time_ms=layer.real_time_ms * 3) for layer in face_outcome.report.layers]
    live.publish_layers(newer)
    with qtbot.assertNotEmitted(view.layer_selected):
        view.refresh()
    final = next(layer for layer in face_outcome.report.layers if layer.name == slowest.name)
    assert view.detail.field_text("Real mean") == f"{final.real_time_ms * 3:.3f} ms"
    view.stop_following()
    view.show_outcome(face_outcome)
    assert view.detail_open() and view.detail.field_text("Real mean") == f"{final.real_time_ms:.3f} ms"
