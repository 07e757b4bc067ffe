"""Where the inference time goes: per-layer and per-type tables with heat bars.

Nothing here talks to OpenVINO: the widget shows the report's `LayerStats` /
`LayerTypeTotal`, whether they come from a file, a finished run, or the snapshot
a running one publishes about once a second (`follow`).  Layers that ovgui's
in-graph preprocessing added (`role == "preprocess"`) are not the model's: they
are greyed, kept after the model's layers in any sort, out of the shares and heat
bars, and summed on their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.errors import OvguiError
from ovgui.core.events import LiveData
from ovgui.core.files import write_text_atomic
from ovgui.core.formatting import bytes_moved, ms_text
from ovgui.core.outcome import RunOutcome
from ovgui.core.precision import described
from ovgui.core.profile import totals_by_type
from ovgui.core.report import LayerStats, LayerTypeTotal, layers_to_csv
from ovgui.gui.bars import BarFit, bar_plot, name_axis, value_label
from ovgui.gui.plain_text import literal
from ovgui.gui.plot_style import theme_plot
from ovgui.gui.tables import (
    MUTED_TEXT,
    SHARE_COLUMN,
    Column,
    ComputedColumn,
    ModelIndex,
    RowsProxy,
    ShareColumn,
    ShareRowsModel,
    fit_width_to_columns,
    heat_color,
    hint_or_content,
    make_table,
    or_missing,
    percent_text,
    styled_font,
    tab_separated,
    visible_columns,
)

EMPTY_HINT = "Run a model to see per-layer times"
CHART_TOP_TYPES = 15
TYPE_NAME_MAX_PX = 180
BY_TYPE_TAB = 1
PREPROCESS_TOOLTIP = ("Added by ovgui's in-graph preprocessing (--preprocess graph), not part of the model:\n"
                      "kept out of the model's layer sum and shares.")


LAYER_SHARE_COLUMN = ShareColumn(
    "Share of total",
    "The layer's real mean as a percentage of the sum of the real means of the model's executed layers\n"
    "(layers ovgui's preprocessing added are outside that sum; during a run, of the latest snapshot's sum).\n"
    "The bar is scaled to the largest share.",
    "share",
    percent_text,
    numeric=True,
    sample=SHARE_COLUMN.sample,
)


def status_text(status: str) -> str:
    return status.replace("_", " ").capitalize()


class LayerTableModel(ShareRowsModel):
    """One row per runtime layer, in execution order until a view sorts it."""

    COLUMNS = (
        Column("Layer", "Name of the layer in the compiled (runtime) graph.",
               "name", sample="conv4_3_0_norm_mbox_loc/WithoutBiases"),
        Column("Real mean (ms)",
               "Mean wall-clock time of the layer in the steady state, from OpenVINO's PERF_COUNT\n"
               "counters (the report's profile says exactly how it was worked out).",
               "real_time_ms", ms_text, numeric=True, sample="0000.000"),
        LAYER_SHARE_COLUMN,
        Column("First inference (ms)",
               "What the first inference after compiling spent in this layer\n"
               "(ONNX Runtime, PyTorch: the separate profiled pass's own first run, not the timed one's;\n"
               "\"—\" when unknown, e.g. in an imported report).",
               "first_inference_ms", or_missing(ms_text), numeric=True, sample="0000.000"),
        Column("Type", "Operation type of the runtime layer, e.g. Convolution, Reorder, Subgraph.",
               "type", sample="GroupConvolution"),
        Column("Exec type",
               "Kernel the device plugin chose; it ends with the runtime precision,\n"
               "e.g. jit_avx512_FP32, or brgconv_avx512_bf16 when an FP32 model runs in bf16.",
               "exec_type", sample="brgconv_avx512_1x1_bf16"),
        ComputedColumn("Precision",
                       "The precision the layer's kernel ran at (the end of its exec type); where OpenVINO's\n"
                       "runtimePrecision label says otherwise (an f16 label on an f32 kernel), both are shown.",
                       "ran_precision", sample="bf16",
                       compute=lambda layer: described(layer.runtime_precision, layer.exec_type)),
        Column("Status",
               "Executed, Not run (fused into a neighbour or skipped) or Optimized out.",
               "status", status_text, sample="Optimized out"),
        Column("Real median (ms)",
               "Median wall-clock time over the profiled iterations; only where the counters give\n"
               "real per-inference values (\"—\" otherwise; hidden when no layer has one).",
               "real_time_median_ms", ms_text, numeric=True, sample="0000.000"),
        Column("CPU mean (ms)",
               "CPU time from PERF_COUNT, steady-state mean;\n"
               "it differs from real time when a layer waits or runs asynchronously.",
               "cpu_time_ms", ms_text, numeric=True, sample="0000.000"),
        Column("FLOPs (GFLOP)",
               "Operations of one inference in this layer (one multiply-add = 2), counted from the model's\n"
               "static shapes over the original operations fused into it (\"—\" where not counted).",
               "flops", or_missing(lambda flops: f"{flops / 1e9:.4f}"), numeric=True, sample="000.0000"),
        Column("GFLOP/s", "Achieved rate: the layer's operations over its steady-state mean time.",
               "gflops_per_s", or_missing(lambda rate: f"{rate:.1f}"), numeric=True, sample="00000.0"),
        Column("Efficiency (%)",
               "Achieved GFLOP/s over what the roofs allow the layer: the lower of the compute roof at the\n"
               "precision its kernel ran at and the bandwidth of the memory level its bytes fit (L2, L3,\n"
               "DRAM) times its intensity. Above 100 % means a roof is wrong: the report notes it.",
               "efficiency", or_missing(lambda share: f"{share * 100:.1f}"), numeric=True, sample="000.0"),
        ComputedColumn("Moved (MB)", "Bytes the layer reads (weights and activations) and writes, in MB.",
                       "bytes_moved", or_missing(lambda moved: f"{moved / 1e6:.3f}"), numeric=True, sample="0000.000",
                       compute=bytes_moved),
        Column("Intensity (FLOP/B)", "Arithmetic intensity: operations per byte moved; left of the roofline's ridge\n"
               "a layer is limited by memory bandwidth, right of it by arithmetic.",
               "arithmetic_intensity", or_missing(lambda ratio: f"{ratio:.2f}"), numeric=True, sample="0000.00"),
        Column("#", "Execution order of the layer in the compiled graph: sort by it to read the layers as they run.",
               "index", numeric=True, sample="0000"),
    )

    def set_layers(self, layers: Sequence[LayerStats]) -> None:
        self._set_rows(layers)

    def update_layers(self, layers: Sequence[LayerStats]) -> None:
        """A newer snapshot of the same layers updates the cells in place; other layers replace them."""
        if layers and [layer.name for layer in layers] == [layer.name for layer in self._rows_as_given()]:
            self._replace_rows(layers)
        else:
            self._set_rows(layers)

    def layers(self) -> list[LayerStats]:
        """In execution order, whatever the sort."""
        return self._rows_as_given()

    def layer_at(self, row: int) -> LayerStats:
        return self._rows[row]

    def row_of(self, name: str) -> int | None:
        """The row, as currently sorted, of the layer called `name`."""
        return next((row for row, layer in enumerate(self._rows) if layer.name == name), None)

    def has_medians(self) -> bool:
        return any(layer.real_time_median_ms is not None for layer in self._rows)

    def preprocessing(self) -> list[LayerStats]:
        return [layer for layer in self._rows if layer.is_preprocessing]

    def _group(self, layer: LayerStats) -> int:
        return 1 if layer.is_preprocessing else 0

    def _in_share(self, layer: LayerStats) -> bool:
        return not layer.is_preprocessing

    def _tooltip(self, layer: LayerStats) -> str:
        share = (PREPROCESS_TOOLTIP if layer.is_preprocessing
                 else f"{percent_text(layer.share)} of the total of the model's executed layers")
        precision = described(layer.runtime_precision, layer.exec_type) or "no precision"
        return (
            f"{layer.name}\n"
            f"#{layer.index} in execution order · {layer.type} · {layer.exec_type} · {precision} · "
            f"{status_text(layer.status)}\n"
            f"real {ms_text(layer.real_time_ms)} ms mean, {ms_text(layer.real_time_median_ms)} ms median · "
            f"CPU {ms_text(layer.cpu_time_ms)} ms · first inference {ms_text(layer.first_inference_ms)} ms\n"
            f"{share}"
        )

    def _color(self, row: int, column: Column) -> QColor | None:
        layer = self._rows[row]
        return MUTED_TEXT if layer.is_preprocessing or not layer.executed else None

    def _font(self, row: int, column: Column) -> QFont | None:
        return styled_font(italic=True) if self._rows[row].is_preprocessing else None


class TypeTotalsModel(ShareRowsModel):
    """Time summed per operation type: which kind of work dominates the model."""

    COLUMNS = (
        Column("Type", "Operation type of the runtime layers.", "type",
               sample="GroupConvolution"),
        Column("Count", "Number of runtime layers of this type, executed or not.",
               "count", numeric=True, sample="0000"),
        Column("Total (ms)", "Sum of the mean real times of the layers of this type.",
               "real_time_ms", ms_text, numeric=True, sample="0000.000"),
        SHARE_COLUMN,
    )

    def set_totals(self, totals: Sequence[LayerTypeTotal]) -> None:
        self._set_rows(totals)

    def totals(self) -> list[LayerTypeTotal]:
        return self._rows_as_given()

    def _tooltip(self, total: LayerTypeTotal) -> str:
        return (
            f"{total.type}: {total.count} layers, {ms_text(total.real_time_ms)} ms, "
            f"{percent_text(total.share)} of the layer sum"
        )


class LayerFilterProxy(RowsProxy):
    """Narrows the layers to what the user is looking for; the model does the sorting.

    Its source is a `LayerTableModel`: the filter reads whole `LayerStats` rows.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._hide_not_executed = False
        self._hide_preprocessing = False

    def set_text_filter(self, text: str) -> None:
        """Keep layers whose name or type contains `text`, ignoring case."""
        with self._changing_filter():
            self._text = text.strip().casefold()

    def set_hide_not_executed(self, hide: bool) -> None:
        """Fused and optimised-out layers take no time; hiding them leaves the work that ran."""
        with self._changing_filter():
            self._hide_not_executed = hide

    def set_hide_preprocessing(self, hide: bool) -> None:
        """Leaves the model's own layers, without what ovgui's in-graph preprocessing added."""
        with self._changing_filter():
            self._hide_preprocessing = hide

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        layer = self.sourceModel().layer_at(source_row)
        if (self._hide_not_executed and not layer.executed) or (self._hide_preprocessing and layer.is_preprocessing):
            return False
        return not self._text or self._text in layer.name.casefold() or self._text in layer.type.casefold()

    @contextmanager
    def _changing_filter(self) -> Iterator[None]:
        self.beginFilterChange()
        yield
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)


def _plot_type_bars(plot: pg.PlotItem, fit: BarFit, top: Sequence[LayerTypeTotal], text_color: QColor) -> None:
    """One bar per type, slowest at the top, each labelled with its time and share past its end,
    where `fit` keeps room for the longest label at any width."""
    largest = top[0].real_time_ms
    plot.addItem(pg.BarGraphItem(
        x0=0, y=list(range(len(top))), height=0.7, width=[total.real_time_ms for total in top],
        brushes=[heat_color(total.real_time_ms / largest, alpha=0.85) for total in top],
        pen=pg.mkPen(None),
    ))
    labels = [f"{ms_text(total.real_time_ms)} ms · {percent_text(total.share)}" for total in top]
    for row, (total, label) in enumerate(zip(top, labels)):
        value_label(plot, label, total.real_time_ms, row, text_color)
    fit.fit(0.0, largest, len(top), labels)


def preprocessing_text(layers: Sequence[LayerStats]) -> str:
    total_ms = sum(layer.real_time_ms for layer in layers)
    return f"Preprocessing: {len(layers)} layers · {ms_text(total_ms)} ms"


class LayerTableWidget(QWidget):
    """Per-layer times with filtering, copy and CSV export, plus totals per operation type."""

    layer_selected = Signal(object)
    """The `LayerStats` of the new current row, for a detail panel and the views linked to the table."""
    layer_updated = Signal(object)
    """New figures for the selected layer (a newer snapshot, or the finished run's), for a detail panel:
    not a new selection, so linked views need not follow it."""
    types_shown = Signal(bool)
    """Whether the By-type tab, which lists no layers, has just been brought forward (or left)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = LayerTableModel(self)
        self._proxy = LayerFilterProxy(self)
        self._proxy.setSourceModel(self._model)
        self._type_model = TypeTotalsModel(self)
        self._type_proxy = RowsProxy(self)
        self._type_proxy.setSourceModel(self._type_model)
        self._live: LiveData | None = None
        self._live_version = 0

        self._table = make_table(self._proxy, LayerTableModel.COLUMNS, LayerTableModel.column_index("name"),
                                 LayerTableModel.column_index("real_time_ms"), elide=Qt.TextElideMode.ElideLeft)
        self._table.setObjectName("layerTable")
        self._type_table = make_table(self._type_proxy, TypeTotalsModel.COLUMNS,
                                      None, TypeTotalsModel.column_index("real_time_ms"))
        fit_width_to_columns(self._type_table)
        self._type_table.setObjectName("typeTable")
        self._chart = bar_plot("Total real time", "ms")
        self._chart.setObjectName("typeChart")
        self._chart_fit = BarFit(self._chart)
        self._copy_action = self._make_copy_action()

        self._stack = hint_or_content(self, EMPTY_HINT, self._make_content())

        self._connect()
        self._hide_box.setChecked(True)
        self._show_layers_or_hint()

    @property
    def model(self) -> LayerTableModel:
        return self._model

    @property
    def proxy(self) -> LayerFilterProxy:
        """What the table shows: sorted and filtered rows of `model`."""
        return self._proxy

    def show_outcome(self, outcome: RunOutcome) -> None:
        self.set_layers(outcome.report.layers, outcome.report.layer_types)

    def set_layers(self, layers: list[LayerStats], type_totals: list[LayerTypeTotal]) -> None:
        """A finished run's or a file's layers; they replace any live snapshot, which stops being followed.
        The same layers as shown (the run's last snapshot) update in place, and the current row's
        new figures go to `layer_updated`, so a detail panel follows them."""
        self.stop_following()
        self._model.update_layers(layers)
        self._show_totals(type_totals)
        self._emit_selected_layer()

    def clear(self) -> None:
        self.set_layers([], [])

    def follow(self, live: LiveData) -> None:
        """A run started: the previous layers go, and `refresh` shows the runner's snapshots (about one a
        second) as they come, updated in place."""
        self.clear()
        self._live, self._live_version = live, 0

    def refresh(self) -> None:
        """The latest snapshot of the followed run, if there is a newer one; the window's poller calls
        this often, so without one it only compares two integers."""
        live = self._live
        if live is None or live.layers_version == self._live_version:
            return
        self._live_version = live.layers_version
        layers = live.layers
        self._model.update_layers(layers)
        self._show_totals(totals_by_type([layer for layer in layers if not layer.is_preprocessing]))
        self._emit_selected_layer()

    def stop_following(self) -> None:
        self._live = None

    def is_following(self) -> bool:
        return self._live is not None

    def select_layer(self, name: str) -> None:
        """Make the row of layer `name` current and scroll to it, for views linked to the table;
        a row the filter hides stays hidden."""
        row = self._model.row_of(name)
        if row is None:
            return
        index = self._proxy.mapFromSource(self._model.index(row, LayerTableModel.column_index("name")))
        if index.isValid() and index.row() != self._table.currentIndex().row():
            self._table.selectRow(index.row())
            self._table.scrollTo(index)

    def selected_layer(self) -> LayerStats | None:
        """The layer of the current row, if that row is selected."""
        current = self._table.currentIndex()
        if not (current.isValid() and self._table.selectionModel().isRowSelected(current.row())):
            return None
        return self._model.layer_at(self._proxy.mapToSource(current).row())

    def selected_layers(self) -> list[LayerStats]:
        """Every selected row's layer, in the order shown (Ctrl/Shift+click select several)."""
        rows = sorted(index.row() for index in self._table.selectionModel().selectedRows())
        return [self._model.layer_at(self._proxy.mapToSource(self._proxy.index(row, 0)).row()) for row in rows]

    def clear_selection(self) -> None:
        """No current row either, so that clicking any row, even the last one, selects it anew."""
        self._table.selectionModel().clear()

    def showing_types(self) -> bool:
        return self._tabs.currentIndex() == BY_TYPE_TAB

    def preprocessing_label(self) -> str:
        """What the preprocessing chip says ("" when there are no preprocessing layers)."""
        return self._preprocess_chip.text() if self._preprocess_chip.isVisibleTo(self) else ""

    def copy_selection(self) -> None:
        """Selected rows, as displayed, with a header line; nothing happens without a selection."""
        rows = sorted(index.row() for index in self._table.selectionModel().selectedRows())
        if rows:
            QGuiApplication.clipboard().setText(tab_separated(self._proxy, rows, visible_columns(self._table)))

    def export_csv(self, path: str | Path) -> None:
        """Every layer, whatever the filter shows: the file is data, not a screenshot of the view."""
        write_text_atomic(path, layers_to_csv(self._model.layers()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._draw_chart()

    def _show_totals(self, type_totals: list[LayerTypeTotal]) -> None:
        self._type_model.set_totals(type_totals)
        self._table.setColumnHidden(LayerTableModel.column_index("real_time_median_ms"), not self._model.has_medians())
        preprocessing = self._model.preprocessing()
        self._preprocess_chip.setVisible(bool(preprocessing))
        self._preprocess_chip.setText(preprocessing_text(preprocessing))
        self._draw_chart()
        self._show_layers_or_hint()

    def _make_content(self) -> QWidget:
        self._tabs = tabs = QTabWidget()
        tabs.setDocumentMode(True)
        tabs.currentChanged.connect(lambda _index: self._draw_chart())
        tabs.currentChanged.connect(lambda index: self.types_shown.emit(index == BY_TYPE_TAB))
        tabs.addTab(self._table, "Layers")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._type_table)
        splitter.addWidget(self._chart)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        tabs.addTab(splitter, "By type")
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._make_toolbar())
        layout.addWidget(tabs)
        return content

    def _make_toolbar(self) -> QHBoxLayout:
        self._filter_edit = QLineEdit()
        self._filter_edit.setObjectName("layerFilter")
        self._filter_edit.setPlaceholderText("Filter by layer name or type…")
        self._filter_edit.setClearButtonEnabled(True)
        self._hide_box = QCheckBox("Hide not executed")
        self._hide_box.setToolTip("Hide layers that were fused into a neighbour or optimised out: they take no time.")
        self._preprocess_chip = QToolButton(checkable=True, checked=True, autoRaise=True)
        self._preprocess_chip.setObjectName("preprocessingChip")
        self._preprocess_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._preprocess_chip.setToolTip(PREPROCESS_TOOLTIP + "\nThey are greyed and listed after the model's "
                                         "layers; click to show or hide them.")
        self._preprocess_chip.hide()
        self._count_label = QLabel()
        self._count_label.setObjectName("layerCount")
        self._copy_button = QPushButton("Copy")
        self._copy_button.setToolTip("Copy the selected rows as tab-separated text (Ctrl+C).")
        self._export_button = QPushButton("Export CSV…")
        self._export_button.setToolTip("Save every layer, not only the filtered ones, as CSV.")
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(6, 6, 6, 0)
        toolbar.addWidget(self._filter_edit, 1)
        toolbar.addWidget(self._hide_box)
        toolbar.addWidget(self._preprocess_chip)
        toolbar.addWidget(self._count_label)
        toolbar.addStretch(0)
        toolbar.addWidget(self._copy_button)
        toolbar.addWidget(self._export_button)
        return toolbar

    def _make_copy_action(self) -> QAction:
        action = QAction("Copy", self._table)
        action.setShortcut(QKeySequence.StandardKey.Copy)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._table.addAction(action)
        self._table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return action

    def _connect(self) -> None:
        self._filter_edit.textChanged.connect(self._proxy.set_text_filter)
        self._hide_box.toggled.connect(self._proxy.set_hide_not_executed)
        self._preprocess_chip.toggled.connect(lambda shown: self._proxy.set_hide_preprocessing(not shown))
        for signal in (self._proxy.rowsInserted, self._proxy.rowsRemoved,
                       self._proxy.modelReset, self._proxy.layoutChanged):
            signal.connect(self._update_count)
        selection = self._table.selectionModel()
        selection.currentRowChanged.connect(self._emit_current_layer)
        selection.selectionChanged.connect(self._update_copy_enabled)
        self._copy_action.triggered.connect(self.copy_selection)
        self._copy_button.clicked.connect(self.copy_selection)
        self._export_button.clicked.connect(self._ask_and_export)

    def _show_layers_or_hint(self) -> None:
        self._stack.setCurrentIndex(1 if self._model.rowCount() else 0)
        self._update_count()
        self._update_copy_enabled()

    def _update_count(self, *_signal_args: Any) -> None:
        self._count_label.setText(f"{self._proxy.rowCount()} of {self._model.rowCount()} layers")

    def _update_copy_enabled(self, *_signal_args: Any) -> None:
        has_selection = self._table.selectionModel().hasSelection()
        self._copy_button.setEnabled(has_selection)
        self._copy_action.setEnabled(has_selection)

    def _emit_current_layer(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.layer_selected.emit(self._model.layer_at(self._proxy.mapToSource(current).row()))

    def _emit_selected_layer(self) -> None:
        """New figures for the selected layer, so a detail panel shows what the table shows."""
        layer = self.selected_layer()
        if layer is not None:
            self.layer_updated.emit(layer)

    def _ask_and_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export per-layer times", "layers.csv", "CSV files (*.csv)")
        if not path:
            return
        try:
            self.export_csv(path)
        except OvguiError as error:
            QMessageBox.warning(self, "Export failed", literal(str(error)))

    def _chart_types(self) -> list[LayerTypeTotal]:
        """The slowest types; types that took no time would only be empty bars."""
        timed = [total for total in self._type_model.totals() if total.real_time_ms > 0]
        return sorted(timed, key=lambda total: total.real_time_ms, reverse=True)[:CHART_TOP_TYPES]

    def _draw_chart(self) -> None:
        """Bars for the slowest types, restyled from the palette so light and dark themes both read.
        Drawn when its tab is shown: a live run's snapshots, once a second, would redraw it unseen."""
        if not self.showing_types():
            return
        theme_plot(self._chart, self.palette())
        plot = self._chart.getPlotItem()
        plot.clear()
        top = self._chart_types()
        name_axis(self._chart, [total.type for total in top], TYPE_NAME_MAX_PX)
        if top:
            _plot_type_bars(plot, self._chart_fit, top, self.palette().color(QPalette.ColorRole.WindowText))
