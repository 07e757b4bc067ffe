"""The shapes of a `--data-shape` run side by side: one row per shape, and the selected shape's layers.

Each shape ran on a model compiled for that shape alone (`ovgui.core.shape_runs`), so its row's
latency and its layers are its own; the layer table below is the Layers workspace's model,
showing the columns that matter for telling shapes apart.
"""

from __future__ import annotations

from operator import attrgetter

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ovgui.core.formatting import format_ms, ms_text
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import ShapeRun
from ovgui.core.shape_runs import shape_text, top_layer
from ovgui.gui.layer_table import LayerTableModel
from ovgui.gui.tables import Column, ComputedColumn, RowsModel, hint_or_content, make_table

EMPTY_HINT = ("Profile several input shapes in one run, each with its own latency and layers:\n"
              "Preprocessing › Data shapes, e.g. [1,3,320,320][1,3,640,640] (--data-shape on the command line)")
LAYER_FIELDS = ("name", "real_time_ms", "share", "type", "exec_type", "flops")


def slowest_text(run: ShapeRun) -> str:
    layer = top_layer(run)
    return "not profiled" if layer is None else f"{layer.name} ({ms_text(layer.real_time_ms)} ms)"


class ShapeRunsModel(RowsModel):
    """One row per shape, in the order they ran until the view sorts them."""

    COLUMNS = (
        ComputedColumn("Shape", "The input shapes this run was compiled for and fed, by input name.",
                       "shape", sample="input [1,3,640,640]", compute=shape_text),
        ComputedColumn("Iterations", "Timed iterations of this shape, first inference excluded.", "iterations",
                       str, numeric=True, sample="000000", compute=attrgetter("latency_ms.iterations")),
        ComputedColumn("Median (ms)", "Median latency of this shape's timed iterations.", "median", format_ms,
                       numeric=True, sample="00000.0", compute=attrgetter("latency_ms.median")),
        ComputedColumn("p90 (ms)", "90th percentile latency: nine in ten inferences were at least this fast.", "p90",
                       format_ms, numeric=True, sample="00000.0", compute=attrgetter("latency_ms.p90")),
        Column("Throughput (FPS)", "Inferences per second over this shape's run (completed/elapsed), counting\n"
               "every image of a batch.", "throughput_fps", lambda fps: f"{fps:.1f}", numeric=True, sample="00000.0"),
        ComputedColumn("Slowest layer (mean ms)", "The layer of the model (preprocessing left out) with the largest\n"
                       "steady-state mean time at this shape.", "slowest", sample="Convolution_123 (00.000 ms)",
                       compute=slowest_text),
    )

    def set_runs(self, runs: list[ShapeRun]) -> None:
        self._set_rows(runs)

    def run_at(self, row: int) -> ShapeRun:
        return self._rows[row]

    def _tooltip(self, run: ShapeRun) -> str:
        latency = run.latency_ms
        return (f"{shape_text(run)}\nmedian {format_ms(latency.median)} ms · p90 {format_ms(latency.p90)} · "
                f"mean {format_ms(latency.mean)} ms over {latency.iterations} iterations\n{len(run.layers)} layers")


class ShapeRunsView(QWidget):
    """A `ResultView`: the shapes of the outcome's report, and the layers of the one selected."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = ShapeRunsModel(self)
        self._table = make_table(self._model, ShapeRunsModel.COLUMNS, ShapeRunsModel.column_index("slowest"))
        self._table.setObjectName("shapeRunsTable")
        self._table.setSelectionMode(self._table.SelectionMode.SingleSelection)
        self._table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self._layers = LayerTableModel(self)
        self._layer_table = make_table(self._layers, LayerTableModel.COLUMNS, LayerTableModel.column_index("name"),
                                       LayerTableModel.column_index("real_time_ms"), elide=Qt.TextElideMode.ElideLeft)
        self._layer_table.setObjectName("shapeLayersTable")
        for section, column in enumerate(LayerTableModel.COLUMNS):
            self._layer_table.setColumnHidden(section, column.field not in LAYER_FIELDS)
        self._layers_title = QLabel(textFormat=Qt.TextFormat.PlainText)
        self._table.selectionModel().selectionChanged.connect(self._selected)

        self._stack = hint_or_content(self, EMPTY_HINT, self._make_content())

    def _make_content(self) -> QWidget:
        below = QWidget()
        column = QVBoxLayout(below)
        column.setContentsMargins(0, 4, 0, 0)
        column.addWidget(self._layers_title)
        column.addWidget(self._layer_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._table)
        splitter.addWidget(below)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        return splitter

    def show_outcome(self, outcome: RunOutcome) -> None:
        runs = outcome.report.shape_runs
        self._model.set_runs(runs)
        self._stack.setCurrentIndex(1 if runs else 0)
        if runs:
            self._table.selectRow(0)

    def clear(self) -> None:
        self._model.set_runs([])
        self._layers.set_layers([])
        self._layers_title.clear()
        self._stack.setCurrentIndex(0)

    def selected_run(self) -> ShapeRun | None:
        rows = self._table.selectionModel().selectedRows()
        return self._model.run_at(rows[0].row()) if rows else None

    def _selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        run = self.selected_run()
        self._layers.set_layers(run.layers if run else [])
        self._layers_title.setText(f"Layers at {shape_text(run)}, by mean real time" if run else "")
