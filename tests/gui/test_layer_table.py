"""The per-layer table on real PERF_COUNT data from the face detector, plus synthetic edge cases."""

from __future__ import annotations

import csv
import dataclasses

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QStackedWidget, QTableView, QTabWidget, QToolButton
from shared_data import image_path, model_path

from ovgui.core.errors import OvguiError
from ovgui.core.events import LiveData
from ovgui.core.profile import totals_by_type
from ovgui.core.report import LayerStats, RunConfig
from ovgui.core.runner import ProfileRun, RunRequest
from ovgui.gui.bars import bar_count
from ovgui.gui.layer_table import (
    EMPTY_HINT,
    LayerFilterProxy,
    LayerTableModel,
    LayerTableWidget,
    TypeTotalsModel,
)

SORT_ROLE = LayerTableModel.SORT_ROLE
LAYER_NAME = LayerTableModel.column_index("name")
REAL_MEAN = LayerTableModel.column_index("real_time_ms")
CPU_MEAN = LayerTableModel.column_index("cpu_time_ms")
LAYER_SHARE = LayerTableModel.column_index("share")
TYPE_SHARE = TypeTotalsModel.column_index("share")
TYPE_TOTAL = TypeTotalsModel.column_index("real_time_ms")
TYPE_COUNT = TypeTotalsModel.column_index("count")
SELECT_ROW = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows


@pytest.fixture(scope="module")
def face_run() -> tuple[list[LayerStats], LiveData]:
    """A short real run of the face detector (OpenVINO's PERF_COUNT counters): its final per-layer
    stats, and the live data that held its per-layer snapshots while it ran (the runner publishes one
    a second, so the run lasts longer than that)."""
    config = RunConfig(iterations=None, duration_s=1.5)
    request = RunRequest(str(model_path("face")), str(image_path("zidane.jpg")), config)
    run = ProfileRun(request)
    try:
        return run.run().report.layers, run.live
    finally:
        run.release()


@pytest.fixture(scope="module")
def real_layers(face_run) -> list[LayerStats]:
    return face_run[0]


@pytest.fixture(scope="module")
def live_snapshot(face_run) -> LiveData:
    return face_run[1]


@pytest.fixture
def widget(qtbot, real_layers) -> LayerTableWidget:
    widget = LayerTableWidget()
    qtbot.addWidget(widget)
    widget.set_layers(real_layers, totals_by_type(real_layers))
    return widget


def _layer(index: int, real_ms: float, status: str = "EXECUTED", name: str = "",
           kind: str = "Convolution") -> LayerStats:
    return LayerStats(index, name or f"layer{index}", kind, "jit_avx512_FP32", status, real_ms, real_ms, real_ms, 0.0)


def _synthetic() -> list[LayerStats]:
    layers = [
        _layer(0, 9.0),
        _layer(1, 10.0, name="Conv_Head", kind="Add"),
        _layer(2, 100.0, kind="MatMul"),
        _layer(3, 0.0, status="NOT_RUN"),
        _layer(4, 0.0, status="OPTIMIZED_OUT", kind="Reshape"),
    ]
    total = sum(layer.real_time_ms for layer in layers)
    for layer in layers:
        layer.share = layer.real_time_ms / total
    return layers


def _shown(proxy: QSortFilterProxyModel, column: int, role: int = SORT_ROLE) -> list:
    return [proxy.index(row, column).data(role) for row in range(proxy.rowCount())]


def _table(widget: LayerTableWidget) -> QTableView:
    return widget.findChild(QTableView, "layerTable")


def _source_layers(widget: LayerTableWidget) -> list[LayerStats]:
    """The layers in the order and number the table shows them."""
    proxy = widget.proxy
    rows = (proxy.mapToSource(proxy.index(row, 0)).row() for row in range(proxy.rowCount()))
    return [widget.model.layer_at(row) for row in rows]


def test_models_pass_the_qt_model_tester(qtmodeltester, real_layers):
    model = LayerTableModel()
    model.set_layers(real_layers)
    qtmodeltester.check(model)

    proxy = LayerFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_text_filter("conv")
    proxy.set_hide_not_executed(True)
    proxy.sort(REAL_MEAN, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)

    totals = TypeTotalsModel()
    totals.set_totals(totals_by_type(real_layers))
    qtmodeltester.check(totals)


def test_model_holds_every_layer_and_formats_for_reading(real_layers):
    model = LayerTableModel()
    model.set_layers(real_layers)
    assert model.rowCount() == len(real_layers) > 0
    top = max(range(len(real_layers)), key=lambda row: real_layers[row].real_time_ms)
    assert model.index(top, REAL_MEAN).data() == f"{real_layers[top].real_time_ms:.3f}"
    assert model.index(top, LAYER_SHARE).data() == f"{real_layers[top].share * 100:.1f}%"
    assert model.index(top, REAL_MEAN).data(SORT_ROLE) == real_layers[top].real_time_ms
    assert real_layers[top].name in model.index(top, LAYER_NAME).data(Qt.ItemDataRole.ToolTipRole)
    exec_type = LayerTableModel.column_index("exec_type")
    assert "jit_avx512_FP32" in model.headerData(exec_type, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


def test_not_executed_rows_are_greyed():
    model = LayerTableModel()
    model.set_layers(_synthetic())
    foreground = [model.index(row, LAYER_NAME).data(Qt.ItemDataRole.ForegroundRole) for row in range(model.rowCount())]
    assert foreground[:3] == [None, None, None]
    assert foreground[3] is not None and foreground[4] is not None


def test_widget_defaults_to_slowest_first(widget, real_layers):
    assert widget.model.rowCount() == len(real_layers)
    assert _table(widget).model() is widget.proxy
    shown = _shown(widget.proxy, REAL_MEAN)
    assert shown[0] == max(layer.real_time_ms for layer in real_layers)
    assert shown == sorted(shown, reverse=True)


def test_sorting_is_numeric_not_lexicographic():
    model = LayerTableModel()
    model.set_layers(_synthetic())
    proxy = LayerFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_hide_not_executed(True)
    proxy.sort(REAL_MEAN, Qt.SortOrder.AscendingOrder)
    assert _shown(proxy, REAL_MEAN, Qt.ItemDataRole.DisplayRole) == ["9.000", "10.000", "100.000"]


def test_text_filter_matches_name_or_type_ignoring_case(qtbot, widget, real_layers):
    widget.findChild(QCheckBox).setChecked(False)
    qtbot.keyClicks(widget.findChild(QLineEdit, "layerFilter"), "CoNv")
    expected = [layer for layer in real_layers if "conv" in layer.name.lower() or "conv" in layer.type.lower()]
    shown = _source_layers(widget)
    assert 0 < len(shown) < len(real_layers)
    assert sorted(layer.index for layer in shown) == [layer.index for layer in expected]
    assert widget.findChild(QLabel, "layerCount").text() == f"{len(expected)} of {len(real_layers)} layers"


def test_text_filter_matches_type_alone():
    proxy = LayerFilterProxy()
    model = LayerTableModel()
    model.set_layers(_synthetic())
    proxy.setSourceModel(model)
    proxy.set_text_filter("matmul")
    assert _shown(proxy, LAYER_NAME, Qt.ItemDataRole.DisplayRole) == ["layer2"]
    proxy.set_text_filter("conv_head")
    assert _shown(proxy, LAYER_NAME, Qt.ItemDataRole.DisplayRole) == ["Conv_Head"]


def test_hide_not_executed_removes_exactly_the_non_executed_rows(widget, real_layers):
    box = widget.findChild(QCheckBox)
    count = widget.findChild(QLabel, "layerCount")
    executed = [layer for layer in real_layers if layer.status == "EXECUTED"]
    assert box.isChecked()
    assert len(executed) < len(real_layers)
    assert sorted(layer.index for layer in _source_layers(widget)) == [layer.index for layer in executed]
    assert count.text() == f"{len(executed)} of {len(real_layers)} layers"
    box.setChecked(False)
    assert len(_source_layers(widget)) == len(real_layers)
    assert count.text() == f"{len(real_layers)} of {len(real_layers)} layers"


def _clipboard_lines() -> list[list[str]]:
    return [line.split("\t") for line in QGuiApplication.clipboard().text().splitlines()]


def test_copy_puts_header_and_selected_rows_on_the_clipboard(qtbot, widget):
    table = _table(widget)
    table.setColumnHidden(CPU_MEAN, True)
    for row in (0, 2):
        table.selectionModel().select(table.model().index(row, 0), SELECT_ROW)
    widget.copy_selection()
    lines = _clipboard_lines()
    titles = [column.title for i, column in enumerate(LayerTableModel.COLUMNS) if not table.isColumnHidden(i)]
    assert "CPU mean (ms)" not in titles and lines[0] == titles
    assert len(lines) == 3
    first = _source_layers(widget)[0]
    assert lines[1][:2] == [first.name, f"{first.real_time_ms:.3f}"]
    assert [lines[1][titles.index(title)] for title in ("Type", "#")] == [first.type, str(first.index)]

    QGuiApplication.clipboard().clear()
    widget.show()
    qtbot.waitExposed(widget)
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert _clipboard_lines() == lines


def test_export_csv_writes_every_layer_even_when_filtered(widget, real_layers, tmp_path):
    widget.findChild(QLineEdit, "layerFilter").setText("conv")
    path = tmp_path / "layers.csv"
    widget.export_csv(path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == len(real_layers)
    assert [row["name"] for row in rows] == [layer.name for layer in real_layers]


def test_export_csv_raises_one_line_naming_the_file_for_the_caller(widget, tmp_path):
    with pytest.raises(OvguiError, match=f"^cannot write {tmp_path}: Is a directory$"):
        widget.export_csv(tmp_path)


def test_type_totals_cover_every_layer_and_shares_sum_to_one(widget, real_layers):
    types = widget.findChild(QTableView, "typeTable").model()
    assert types.rowCount() == len({layer.type for layer in real_layers})
    assert sum(_shown(types, TYPE_SHARE)) == pytest.approx(1.0)
    assert sum(_shown(types, TYPE_COUNT)) == len(real_layers)
    totals = _shown(types, TYPE_TOTAL)
    assert totals == sorted(totals, reverse=True)


def test_selecting_a_row_emits_its_layer(qtbot, widget):
    table = _table(widget)
    expected = _source_layers(widget)[3]
    with qtbot.waitSignal(widget.layer_selected, timeout=1000) as blocker:
        table.selectRow(3)
    assert blocker.args == [expected]


def test_empty_state_shows_a_hint_instead_of_a_grid(qtbot, real_layers):
    widget = LayerTableWidget()
    qtbot.addWidget(widget)
    stack = widget.findChild(QStackedWidget)
    hint = widget.findChild(QLabel, "emptyHint")
    assert hint.text() == EMPTY_HINT
    assert stack.currentWidget() is hint
    widget.set_layers(real_layers, totals_by_type(real_layers))
    assert stack.currentWidget() is not hint
    widget.clear()
    assert stack.currentWidget() is hint
    assert _table(widget).model().rowCount() == 0


def test_layer_names_get_spare_width_but_never_collapse(qtbot, widget):
    table = _table(widget)
    header = table.horizontalHeader()
    widget.show()
    widths = {}
    for window_px in (700, 2400):
        widget.resize(window_px, 500)
        qtbot.waitUntil(lambda window_px=window_px: table.viewport().width() > window_px - 60)
        widths[window_px] = header.sectionSize(LAYER_NAME)
    assert widths[700] >= table.fontMetrics().horizontalAdvance("conv4_3_0_norm_mbox_loc")
    assert widths[2400] > widths[700]
    assert header.length() == table.viewport().width()


# ---- issue 8's fields, with hand-made layers until the runner fills them


FIRST = LayerTableModel.column_index("first_inference_ms")
MEDIAN = LayerTableModel.column_index("real_time_median_ms")


def _graph_mode_layers() -> list[LayerStats]:
    """Three model layers and two that in-graph preprocessing added, as a `--preprocess graph` run has."""
    layers = [
        LayerStats(0, "Interpolate_5030", "Interpolate", "jit_avx2", "EXECUTED", 1.5, None, 1.5, 0.3,
                   first_inference_ms=4.0, role="preprocess"),
        LayerStats(1, "conv1", "Convolution", "jit_avx2", "EXECUTED", 2.0, None, 2.0, 0.4, first_inference_ms=9.0),
        LayerStats(2, "conv2", "Convolution", "jit_avx2", "EXECUTED", 0.5, None, 0.5, 0.1, first_inference_ms=None),
        LayerStats(3, "Transpose_5027", "Transpose", "ref", "EXECUTED", 3.0, None, 3.0, 0.6, role="preprocess"),
        LayerStats(4, "head", "MatMul", "jit_avx2", "EXECUTED", 1.0, None, 1.0, 0.2, first_inference_ms=1.25),
    ]
    return layers


def _shown_names(widget: LayerTableWidget) -> list[str]:
    return [layer.name for layer in _source_layers(widget)]


def test_first_inference_column_shows_each_layers_time_or_a_dash(qtbot):
    model = LayerTableModel()
    model.set_layers(_graph_mode_layers())
    shown = {model.index(row, LAYER_NAME).data(): model.index(row, FIRST) for row in range(5)}
    assert {name: index.data() for name, index in shown.items()} == {
        "Interpolate_5030": "4.000", "conv1": "9.000", "conv2": "—", "Transpose_5027": "—", "head": "1.250"}
    assert shown["conv2"].data(SORT_ROLE) is None


def test_median_column_is_hidden_when_no_layer_has_a_real_median(qtbot):
    widget = LayerTableWidget()
    qtbot.addWidget(widget)
    widget.set_layers(_graph_mode_layers(), [])
    assert _table(widget).isColumnHidden(MEDIAN)
    assert widget.model.index(0, MEDIAN).data() == "—"
    with_medians = [dataclasses.replace(layer, real_time_median_ms=layer.real_time_ms) for layer in _graph_mode_layers()]
    widget.set_layers(with_medians, [])
    assert not _table(widget).isColumnHidden(MEDIAN)


@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_preprocessing_rows_sort_after_the_models_layers_greyed_and_out_of_the_shares(qtbot, order):
    widget = LayerTableWidget()
    qtbot.addWidget(widget)
    widget.set_layers(_graph_mode_layers(), [])
    _table(widget).sortByColumn(REAL_MEAN, order)
    expected_model = ["conv2", "head", "conv1"] if order == Qt.SortOrder.AscendingOrder else ["conv1", "head", "conv2"]
    expected_pre = (["Interpolate_5030", "Transpose_5027"] if order == Qt.SortOrder.AscendingOrder
                    else ["Transpose_5027", "Interpolate_5030"])
    assert _shown_names(widget) == expected_model + expected_pre
    proxy = widget.proxy
    rows = {proxy.index(row, LAYER_NAME).data(): row for row in range(proxy.rowCount())}
    transpose, conv1 = proxy.index(rows["Transpose_5027"], LAYER_SHARE), proxy.index(rows["conv1"], LAYER_SHARE)
    assert transpose.data() == "—" and transpose.data(LayerTableModel.BAR_FRACTION_ROLE) == 0.0
    assert conv1.data(LayerTableModel.BAR_FRACTION_ROLE) == 1.0, "the largest model layer sets the bars' scale"
    name = proxy.index(rows["Transpose_5027"], LAYER_NAME)
    assert name.data(Qt.ItemDataRole.ForegroundRole) is not None and name.data(Qt.ItemDataRole.FontRole).italic()
    assert "preprocessing" in name.data(Qt.ItemDataRole.ToolTipRole)
    assert proxy.index(rows["conv1"], LAYER_NAME).data(Qt.ItemDataRole.ForegroundRole) is None


def test_preprocessing_has_its_own_total_and_can_be_hidden(qtbot):
    widget = LayerTableWidget()
    qtbot.addWidget(widget)
    widget.set_layers(_graph_mode_layers(), [])
    assert widget.preprocessing_label() == "Preprocessing: 2 layers · 4.500 ms"
    chip = widget.findChild(QToolButton, "preprocessingChip")
    chip.click()
    assert _shown_names(widget) == ["conv1", "head", "conv2"]
    assert widget.findChild(QLabel, "layerCount").text() == "3 of 5 layers"
    chip.click()
    assert widget.proxy.rowCount() == 5
    widget.set_layers([layer for layer in _graph_mode_layers() if not layer.is_preprocessing], [])
    assert widget.preprocessing_label() == ""


def test_a_live_table_updates_in_place_keeping_sort_and_selection(qtbot):
    """The runner publishes a new snapshot about once a second; the rows change, the view keeps its state."""
    widget = LayerTableWidget()
    qtbot.addWidget(widget)
    live = LiveData()
    widget.follow(live)
    live.publish_layers(_graph_mode_layers()[1:3])
    widget.refresh()
    assert widget.model.rowCount() == 2
    table = _table(widget)
    assert _shown_names(widget) == ["conv1", "conv2"]
    table.selectRow(1)
    resets, changes = [], []
    widget.model.modelReset.connect(lambda: resets.append(1))
    widget.model.dataChanged.connect(lambda *args: changes.append(1))
    settled = [dataclasses.replace(layer, real_time_ms=time) for layer, time in zip(_graph_mode_layers()[1:3], (0.25, 4.0))]
    live.publish_layers(settled)
    with qtbot.waitSignal(widget.layer_updated, timeout=1000) as blocker, qtbot.assertNotEmitted(widget.layer_selected):
        widget.refresh()
    assert blocker.args == [settled[1]], "a detail panel follows the selected layer's live figures"
    assert widget.model.layers()[0].real_time_ms == 0.25
    assert not resets and changes
    assert _shown_names(widget) == ["conv2", "conv1"], "still sorted slowest first"
    selected = table.selectionModel().selectedRows()
    assert [widget.proxy.index(index.row(), LAYER_NAME).data() for index in selected] == ["conv2"]
    assert widget.is_following()
    final = [dataclasses.replace(layer, real_time_ms=time) for layer, time in zip(settled, (0.5, 3.5))]
    with qtbot.waitSignal(widget.layer_updated, timeout=1000) as blocker:
        widget.set_layers(final, [])
    assert blocker.args == [final[1]], "the detail panel gets the selected layer's final figures"
    assert not resets and not widget.is_following(), "the finished run's layers replace the live ones for good"


def test_the_type_chart_is_drawn_when_its_tab_is_shown(widget, real_layers):
    chart = widget.findChild(pg.PlotWidget, "typeChart")
    assert bar_count(chart) == 0, "not drawn behind the Layers tab"
    widget.findChild(QTabWidget).setCurrentIndex(1)
    timed = {layer.type for layer in real_layers if layer.real_time_ms > 0}
    assert bar_count(chart) == min(len(timed), 15)


def test_the_precision_column_shows_the_kernels_precision_and_the_label_where_they_differ(qtbot):
    """pvb-2002's convolutions under an f32 request: runtimePrecision f16, kernel brgconv_..._f32."""
    from PySide6.QtCore import Qt as QtNamespace

    from ovgui.core.report import LayerStats
    from ovgui.gui.layer_table import LayerTableModel

    model = LayerTableModel()
    disagree = LayerStats(0, "conv", "Convolution", "brgconv_avx512_1x1_f32", "EXECUTED", 1.0, None, 1.0, 1.0,
                          runtime_precision="f16")
    agree = LayerStats(1, "dw", "GroupConvolution", "brgconv_avx512_dw_bf16", "EXECUTED", 1.0, None, 1.0, 1.0,
                       runtime_precision="bf16")
    model.set_layers([disagree, agree])
    column = model.column_index("ran_precision")
    assert model.index(0, column).data() == "f32 (runtime says f16)"
    assert model.index(1, column).data() == "bf16"
    assert "f32 (runtime says f16)" in model.index(0, 0).data(QtNamespace.ItemDataRole.ToolTipRole)


# ---- issue 20: read left to right by importance, elided at the start, selection keeps the sideways scroll


def test_columns_read_by_importance_with_the_execution_order_last():
    titles = [column.title for column in LayerTableModel.COLUMNS]
    assert titles[:7] == ["Layer", "Real mean (ms)", "Share of total", "First inference (ms)",
                          "Type", "Exec type", "Precision"]
    assert titles[-1] == "#"
    assert "executed layers" in LayerTableModel.COLUMNS[LAYER_SHARE].tooltip


def test_long_names_are_elided_at_the_start_and_whole_in_the_tooltip(widget):
    """The tail of a runtime path names the layer: "…/cv3.2/Conv_output_0_nchwc", not "InsertedPrec…nchwc"."""
    assert _table(widget).textElideMode() == Qt.TextElideMode.ElideLeft
    first = _source_layers(widget)[0]
    name = widget.proxy.index(0, LAYER_NAME)
    assert name.data() == first.name
    assert name.data(Qt.ItemDataRole.ToolTipRole).splitlines()[0] == first.name


def test_selecting_a_row_scrolls_only_up_or_down(qtbot, widget, real_layers):
    table = _table(widget)
    widget.resize(700, 300)
    widget.show()
    qtbot.waitExposed(widget)
    sideways, down = table.horizontalScrollBar(), table.verticalScrollBar()
    assert sideways.maximum() > 0 and down.maximum() > 0, "the table must overflow both ways for this test"
    sideways.setValue(sideways.maximum() // 2)
    column = table.columnAt(table.viewport().width() // 2)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(1, column)).center())
    assert table.currentIndex().row() == 1
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 2
    last = _source_layers(widget)[-1]
    widget.select_layer(last.name)
    assert widget.selected_layer() is last
    assert sideways.value() == sideways.maximum() // 2
    last_row = table.model().rowCount() - 1
    assert down.value() > 0 and table.rowViewportPosition(last_row) + table.rowHeight(last_row) <= table.viewport().height()


def test_share_of_total_holds_for_a_live_snapshot(qtbot, live_snapshot):
    """Each executed layer's share on screen is its real mean over the sum of the model's executed layers'."""
    widget = LayerTableWidget()
    qtbot.addWidget(widget)
    widget.follow(live_snapshot)
    widget.refresh()
    assert widget.model.rowCount() == len(live_snapshot.layers) > 0
    proxy = widget.proxy
    real = _shown(proxy, REAL_MEAN)
    total = sum(real)
    assert total > 0
    assert _shown(proxy, LAYER_SHARE) == pytest.approx([time / total for time in real])


def test_a_rows_tooltip_gives_its_execution_order_the_last_column_holds(widget):
    first = _source_layers(widget)[0]
    lines = widget.proxy.index(0, REAL_MEAN).data(Qt.ItemDataRole.ToolTipRole).splitlines()
    assert lines[1].startswith(f"#{first.index} in execution order · {first.type} · ")
