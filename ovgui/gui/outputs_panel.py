"""Every output of the run: its figures in a table, the picked one's histogram, and small tensors as numbers.

The figures come from `Report.outputs` (worked out once, on the worker thread), so a report
opened from a file shows the same panel as the run that wrote it.  The histogram is a step
curve over the finite range: NaN and infinity are counted in their own columns instead.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ovgui.core.decoders.common import format_shape
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import OutputStats
from ovgui.gui.plain_text import escaped
from ovgui.gui.plot_style import make_plot, theme_plot
from ovgui.gui.tables import Column, ComputedColumn, RowsModel, hint_label, make_table, or_missing

EMPTY_HINT = "Run a model (F5) or open a report to see every output's figures"
NO_NUMBERS = "no numbers in this output"
SPLIT = [650, 350]
"""Table and detail widths, in proportion: the table needs its nine columns, a histogram reads at 300 px."""


def figure_text(value: float) -> str:
    return f"{value:.4g}"


class OutputsModel(RowsModel):
    COLUMNS = (
        Column("Output", "The output's first tensor name", "name", sample="face_score_8"),
        ComputedColumn("Shape", "The tensor's shape after the first inference", "shape_text", sample="[1,6400,10]",
                       compute=lambda stats: format_shape(stats.shape)),
        Column("Type", "Element type", "element_type", sample="f32"),
        Column("Min", "Smallest finite value", "min", or_missing(figure_text), numeric=True, sample="-1.23e-05"),
        Column("Max", "Largest finite value", "max", or_missing(figure_text), numeric=True, sample="-1.23e-05"),
        Column("Mean", "Mean of the finite values", "mean", or_missing(figure_text), numeric=True, sample="-1.23e-05"),
        Column("Std", "Standard deviation of the finite values", "std", or_missing(figure_text), numeric=True,
               sample="-1.23e-05"),
        Column("NaN", "How many elements are NaN", "nan", numeric=True, sample="0000"),
        Column("Inf", "How many elements are infinite", "inf", numeric=True, sample="0000"),
    )

    def set_outputs(self, outputs: list[OutputStats]) -> None:
        self._set_rows(outputs)

    def output_at(self, row: int) -> OutputStats:
        return self._rows[row]

    def _tooltip(self, stats: OutputStats) -> str:
        """The whole name (the column may cut it) and every other name the tensor has."""
        others = [name for name in stats.names if name != stats.name]
        return stats.name + (f"\nalso named {', '.join(others)}" if others else "")


def values_text(stats: OutputStats) -> str:
    """A small tensor's elements in order; non-finite ones read "—" (the JSON report keeps them as null)."""
    numbers = ", ".join("—" if value is None else f"{value:.6g}" for value in stats.values or [])
    return f"{stats.name} = [{numbers}]"


class OutputsPanel(QWidget):
    """The table over the picked output's detail: a histogram, or its numbers when it is small."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = OutputsModel(self)
        self.table = make_table(self.model, OutputsModel.COLUMNS, stretch_column=0)
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(False)
        self.hint = hint_label(EMPTY_HINT)
        self.plot = make_plot("value", "", "elements", "")
        self.plot.setMouseEnabled(x=False, y=False)
        self.histogram = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pg.mkPen(width=1.5))
        self.plot.addItem(self.histogram)
        self.values = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse,
                             textFormat=Qt.TextFormat.PlainText)
        self.values.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail_title = QLabel(textFormat=Qt.TextFormat.RichText)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(4, 0, 4, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.plot, 1)
        detail_layout.addWidget(self.values)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setSizes(SPLIT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._picked)
        self._theme()
        self.clear()

    def show_outcome(self, outcome: RunOutcome) -> None:
        report = outcome.report
        self.model.set_outputs(report.outputs)
        has_rows = bool(report.outputs)
        self.hint.setText(EMPTY_HINT if has_rows else "This report holds no output figures")
        self.hint.setVisible(not has_rows)
        self.splitter.setVisible(has_rows)
        if has_rows:
            self.table.selectRow(0)
        else:
            self._show_detail(None)

    def clear(self) -> None:
        self.model.set_outputs([])
        self.hint.setText(EMPTY_HINT)
        self.hint.show()
        self.splitter.hide()
        self._show_detail(None)

    def shown_output(self) -> OutputStats | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.output_at(rows[0].row()) if rows else None

    def histogram_data(self) -> tuple[list[float], list[float]]:
        """The plotted bin edges and counts, as drawn."""
        edges, counts = self.histogram.getOriginalDataset()
        return ([] if edges is None else list(edges)), ([] if counts is None else list(counts))

    def _picked(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_detail(self.shown_output())

    def _show_detail(self, stats: OutputStats | None) -> None:
        if stats is None:
            self.detail_title.clear()
            self.histogram.setData([], [])
            self.values.clear()
            return
        self.detail_title.setText(f"<b>{escaped(stats.name)}</b> · {format_shape(stats.shape)} {escaped(stats.element_type)}")
        if stats.histogram_counts:
            self.histogram.setData(stats.histogram_edges, stats.histogram_counts)
        else:
            self.histogram.setData([], [])
        self.plot.setVisible(bool(stats.histogram_counts))
        if stats.values is not None:
            self.values.setText(values_text(stats))
        else:
            self.values.setText("" if stats.histogram_counts else NO_NUMBERS)
        self.values.setVisible(bool(self.values.text()))

    def _theme(self) -> None:
        palette = self.palette()
        theme_plot(self.plot, palette)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        fill = highlight.lighter(130)
        fill.setAlpha(110)
        self.histogram.setPen(pg.mkPen(highlight, width=1.5))
        self.histogram.setBrush(pg.mkBrush(fill))
