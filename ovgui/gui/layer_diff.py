"""Run A against run B, layer by layer: what got slower, what got faster, what was fused differently.

The table pairs the layers (`ovgui.core.compare.compare_layers`); the bars show the
biggest changes.  A layer only one run has reads "—" on the other side, never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QSplitter, QVBoxLayout, QWidget

from ovgui.core.compare import LayerDelta, compare_layers
from ovgui.core.formatting import MISSING, ms_text
from ovgui.core.layer_causes import quantization_summary
from ovgui.core.report import Report
from ovgui.gui.bars import BarFit, bar_count, bar_plot, name_axis, side_by_side, value_label, with_legend
from ovgui.gui.plain_text import escaped
from ovgui.gui.plot_style import theme_plot, with_alpha
from ovgui.gui.run_names import IMPORTED_FORMAT, median_text, model_name, run_identity
from ovgui.gui.tables import (
    MUTED_TEXT,
    Column,
    ComputedColumn,
    ModelIndex,
    RowsModel,
    RowsProxy,
    TableView,
    make_table,
    or_missing,
    styled_font,
)

DIFF_HINT = "Pick two different runs as A and B to compare them layer by layer"
DIFF_CHART_TOP = 15
LAYER_NAME_MAX_PX = 160
SLOWER_COLOR = QColor(222, 76, 64)
FASTER_COLOR = QColor(36, 148, 74)
"""A red and a green of about 4:1 contrast on white and on near-black alike, so a signed
Δ reads in light and dark themes."""
WARNING_COLOR = QColor(196, 112, 0)


def _signed_ms(value: float) -> str:
    return f"{value:+.3f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}×"


def _name_or_missing(name: str) -> str:
    return name or MISSING


def _match_text(delta: LayerDelta) -> str:
    return delta.presence if delta.presence != "both" else delta.matched_by


def _side_time(side: str) -> Callable[[LayerDelta], float | None]:
    """The layer's time in run A or B; `None` (not 0) when that run has no such layer."""
    name, time = attrgetter(f"name_{side}"), attrgetter(f"time_{side}_ms")
    return lambda delta: time(delta) if name(delta) else None


def _delta_color(delta_ms: float) -> QColor | None:
    """Slower in B is red, faster is green; no change keeps the palette's text colour."""
    if delta_ms > 0:
        return SLOWER_COLOR
    if delta_ms < 0:
        return FASTER_COLOR
    return None


class LayerDiffModel(RowsModel):
    """Layers of run A against run B; its last column, the comparison's order, is the default and is hidden by the view."""

    COLUMNS = (
        Column("Layer (A)", "The runtime layer in run A; \"—\" when only B has it.",
               "name_a", _name_or_missing, sample="conv4_3_norm_mbox"),
        Column("Layer (B)", "The runtime layer in run B; \"—\" when only A has it.",
               "name_b", _name_or_missing, sample="/model.22/cv3.0/cv3.0.0/Conv"),
        Column("Type", "Operation type of the layer in run A (in B for a layer only B has).",
               "type", sample="GroupConvolution"),
        ComputedColumn("A (ms)", "Mean real time of the layer in run A.", "time_a_ms", or_missing(ms_text),
                        numeric=True, sample="0000.000", compute=_side_time("a")),
        ComputedColumn("B (ms)", "Mean real time of the layer in run B.", "time_b_ms", or_missing(ms_text),
                        numeric=True, sample="0000.000", compute=_side_time("b")),
        Column("Δ (ms)", "B − A: positive (red) is slower in B, negative (green) is faster.",
               "delta_ms", _signed_ms, numeric=True, sample="+0000.000"),
        ComputedColumn("B/A", "B's time over A's: 0.5× is twice as fast in B.", "ratio", or_missing(_ratio),
                        numeric=True, sample="00.00×",
                        compute=lambda delta: delta.ratio if delta.presence == "both" else None),
        ComputedColumn("Match", "How the layers were paired: by equal name, through the original\n"
                        "layers fused into them (precisions and devices fuse differently), or by role\n"
                        "(the layers in-graph preprocessing added, summed in one row).",
                        "match", sample="fused layers", compute=_match_text),
        Column("Why", "When B runs a quantized model, what B's layer is if it is one of the usual costs of INT8:\n"
               "Reorder (conversion): converts between precisions (dequantize, requantize) or layouts;\n"
               "quantizer fused in: the layer also quantizes its output (a FakeQuantize fused into it);\n"
               "FakeQuantize alone: a quantizer the plugin could not fuse, run as a layer of its own;\n"
               "left in bf16 / f32: a compute layer not quantized (kept in float, or skipped by NNCF);\n"
               "reference kernel: the plugin's slow fallback implementation (ref_…);\n"
               "fused +N layers: B's layer also runs N layers A ran apart, so its time holds theirs.",
               "why", sample="Reorder (conversion)  "),
        Column("Order", "The comparison's own order: when B is quantized, the slowed layers that the Why\n"
               "column names first, most slowed first; then the biggest change first.", "rank", str, numeric=True,
               sample="0000"),
    )

    def set_deltas(self, deltas: Sequence[LayerDelta]) -> None:
        self._set_rows(deltas)

    def deltas(self) -> list[LayerDelta]:
        return self._rows_as_given()

    def delta_at(self, row: int) -> LayerDelta:
        return self._rows[row]

    def _font(self, row: int, column: Column) -> QFont | None:
        delta = self._rows[row]
        return styled_font(italic=True) if delta.presence != "both" or delta.role != "model" else None

    def _color(self, row: int, column: Column) -> QColor | None:
        delta = self._rows[row]
        if column.field == "delta_ms":
            return _delta_color(delta.delta_ms)
        return MUTED_TEXT if delta.role != "model" else None

    def _tooltip(self, delta: LayerDelta) -> str:
        names = delta.name_a if delta.name_a == delta.name_b else f"A: {delta.name_a or '—'}\nB: {delta.name_b or '—'}"
        why = f"\n{delta.why}" if delta.why else ""
        return f"{names}\n{delta.type} · {_match_text(delta)} · Δ {_signed_ms(delta.delta_ms)} ms{why}"




class _LayerDeltaProxy(RowsProxy):
    """Narrows the deltas to layers whose name (in A or B) or type contains the filter text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""

    def set_text_filter(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        delta = self.sourceModel().delta_at(source_row)
        return not self._text or any(self._text in text.casefold() for text in (delta.name_a, delta.name_b, delta.type))



def same_model(a: Report, b: Report) -> bool | None:
    """Whether two runs are of one network: one model file, or a file and a copy ovgui made of it
    (an INT8 or FP16 IR records its source); `None` when a side does not record its model (an import)."""
    if IMPORTED_FORMAT in (a.model.format, b.model.format):
        return None
    return lineage_root(a) == lineage_root(b)


def lineage_root(report: Report) -> str:
    """The file the run's model was made from, else its own file, as an absolute path."""
    return str(Path(report.model.source_path or report.model.path).resolve())


def run_summary(report: Report) -> str:
    """Model, engine, device, the precision it ran in and its median, e.g.
    "yolov8n_int8.onnx · ONNX Runtime · CPU · f32, median 41.3 ms"."""
    if report.model.format == IMPORTED_FORMAT:
        return f"{model_name(report)} (counters only), median {MISSING}"
    precision = report.compiled.inference_precision or "default precision"
    return f"{run_identity(report)} · {precision}, median {median_text(report)}"


def diff_warnings(a: Report, b: Report, deltas: Sequence[LayerDelta]) -> list[str]:
    """What makes this comparison misleading, one line each: the totals alone would not say it."""
    warnings = []
    model_deltas = [delta for delta in deltas if delta.role == "model"]
    if same_model(a, b) is False:
        warnings.append(f"A and B are different models ({model_name(a)} vs {model_name(b)}): "
                        "their layers rarely match, so the total Δ compares two different networks.")
    elif same_model(a, b) is None:
        warnings.append("One side is a benchmark_app import, which does not record its model: "
                        "check that A and B ran the same model.")
    if deltas and not any(delta.presence == "both" for delta in model_deltas):
        warnings.append("No layer of A matched a layer of B (by name or by fused original layers): "
                        "every row is only in A or only in B.")
    return warnings


def _diff_header(a: Report, b: Report, deltas: Sequence[LayerDelta]) -> str:
    """Who is A, who is B, and the change in the model's executed layers' summed time (rich text);
    no percentage when no layer matched, since it would compare unrelated sets of layers."""
    model = [delta for delta in deltas if delta.role == "model"]
    total_a = sum(delta.time_a_ms for delta in model)
    total_b = sum(delta.time_b_ms for delta in model)
    total_delta = total_b - total_a
    color = _delta_color(total_delta)
    change = f"{_signed_ms(total_delta)} ms"
    if color is not None:
        change = f'<span style="color:{color.name()}">{change}</span>'
    matched = sum(delta.presence == "both" for delta in model)
    percent = f", {(total_b - total_a) / total_a * 100:+.1f}%" if matched and total_a > 0 else ""
    mix = quantization_summary(a, b)
    return (f"<b>A</b>: {escaped(run_summary(a))}&nbsp;&nbsp;vs&nbsp;&nbsp;<b>B</b>: {escaped(run_summary(b))}<br>"
            f"<b>total Δ</b> {change} (model layers {ms_text(total_a)} → {ms_text(total_b)} ms{percent}; "
            f"{matched} of {len(model)} rows matched)" + (f"<br><b>precisions</b> {escaped(mix)}" if mix else ""))


def _draw_delta_bars(plot: pg.PlotWidget, fit: BarFit, top: Sequence[LayerDelta], text: QColor) -> None:
    """Slower layers to the right in red, faster to the left in green, the biggest change on top."""
    item = plot.getPlotItem()
    item.clear()
    name_axis(plot, [delta.name_a or delta.name_b for delta in top], LAYER_NAME_MAX_PX)
    if not top:
        return
    values = [delta.delta_ms for delta in top]
    item.addItem(pg.BarGraphItem(
        x0=[min(value, 0.0) for value in values], width=[abs(value) for value in values], y=list(range(len(top))),
        height=0.7, brushes=[_delta_color(value) for value in values], pen=pg.mkPen(None),
    ))
    for row, value in enumerate(values):
        value_label(item, _signed_ms(value), value, row, text, leftwards=value < 0)
    item.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen(with_alpha(text, 160))))
    fit.fit(min(0.0, *values), max(0.0, *values), len(top), [_signed_ms(value) for value in values])


class LayerDiffView(QWidget):
    """Run A against run B, layer by layer: what got slower, what got faster, what was fused differently."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = LayerDiffModel(self)
        self._proxy = _LayerDeltaProxy(self)
        self._proxy.setSourceModel(self._model)
        self._header = QLabel(textFormat=Qt.TextFormat.RichText)
        self._header.setObjectName("diffHeader")
        self._header.setContentsMargins(6, 4, 6, 2)
        self._header.setWordWrap(True)
        self._header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._warning = QLabel(textFormat=Qt.TextFormat.PlainText)
        self._warning.setObjectName("diffWarning")
        self._warning.setContentsMargins(6, 2, 6, 2)
        self._warning.setWordWrap(True)
        self._warning.setStyleSheet(f"color: {WARNING_COLOR.name()}; font-weight: bold;")
        self._deltas: list[LayerDelta] = []
        self._filter_edit = QLineEdit()
        self._filter_edit.setObjectName("diffFilter")
        self._filter_edit.setPlaceholderText("Filter by layer name or type…")
        self._filter_edit.setClearButtonEnabled(True)
        self._filter_edit.textChanged.connect(self._proxy.set_text_filter)
        self._table = self._make_table()
        self._chart = bar_plot(f"Δ real time B − A, top {DIFF_CHART_TOP}", "ms")
        self._chart.setObjectName("deltaChart")
        self._chart_fit = BarFit(self._chart)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._header)
        layout.addWidget(self._warning)
        layout.addWidget(self._make_body(), 1)
        self.clear()

    @property
    def model(self) -> LayerDiffModel:
        return self._model

    @property
    def proxy(self) -> QSortFilterProxyModel:
        """What the table shows: sorted and filtered rows of `model`."""
        return self._proxy

    def set_reports(self, a: Report, b: Report) -> None:
        deltas = compare_layers(a, b)
        self._show(deltas, _diff_header(a, b, deltas), diff_warnings(a, b, deltas))

    def clear(self) -> None:
        self._show([], DIFF_HINT, [])

    def deltas(self) -> list[LayerDelta]:
        """Biggest change first, whatever order the table is sorted in."""
        return list(self._deltas)

    def header_text(self) -> str:
        return self._header.text()

    def warning_text(self) -> str:
        """The warning line, "" when there is nothing to warn about."""
        return self._warning.text() if not self._warning.isHidden() else ""

    def _show(self, deltas: list[LayerDelta], header: str, warnings: list[str]) -> None:
        self._deltas = deltas
        self._model.set_deltas(deltas)
        self._table.setColumnHidden(LayerDiffModel.column_index("why"), not any(delta.why for delta in deltas))
        self._header.setText(header)
        self._warning.setText("\n".join(f"⚠ {warning}" for warning in warnings))
        self._warning.setHidden(not warnings)
        self._draw_chart()

    def bar_count(self) -> int:
        return bar_count(self._chart)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._draw_chart()

    def _make_table(self) -> TableView:
        order = LayerDiffModel.column_index("rank")
        table = make_table(self._proxy, LayerDiffModel.COLUMNS, LayerDiffModel.column_index("name_a"))
        table.setObjectName("diffTable")
        table.setTextElideMode(Qt.TextElideMode.ElideLeft)  # the tail of an ONNX path names the layer
        table.setColumnHidden(order, True)
        table.sortByColumn(order, Qt.SortOrder.AscendingOrder)
        table.viewport().installEventFilter(self)
        return table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._table.viewport() and event.type() == QEvent.Type.Resize:
            self._share_name_width()
        return super().eventFilter(watched, event)

    def _share_name_width(self) -> None:
        """A's and B's names share the width the numbers leave: a wide table would otherwise give
        it all to A (the column that stretches) and still elide B's."""
        header = self._table.horizontalHeader()
        a, b = LayerDiffModel.column_index("name_a"), LayerDiffModel.column_index("name_b")
        names_px = self._table.viewport().width() - (header.length() - header.sectionSize(a) - header.sectionSize(b))
        header.resizeSection(b, max(header.minimumSectionSize(), names_px // 2))

    def _make_body(self) -> QSplitter:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._filter_edit)
        column.addWidget(self._table, 1)
        chart = with_legend(self._chart, [(SLOWER_COLOR, "slower in B"), (FASTER_COLOR, "faster in B")])
        return side_by_side((left, chart), (68, 32))  # the table's Δ, B/A and Match columns are the point

    def _draw_chart(self) -> None:
        theme_plot(self._chart, self.palette())
        top = [delta for delta in self._deltas if delta.delta_ms != 0][:DIFF_CHART_TOP]
        _draw_delta_bars(self._chart, self._chart_fit, top, self.palette().color(QPalette.ColorRole.WindowText))
