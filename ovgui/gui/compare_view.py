"""Comparisons: configurations side by side, two runs layer by layer, and one layer up close.

A comparison answers "which setting is faster, and by how much?", so each
view pairs a sortable table (exact numbers, copy-friendly) with bars that give
the answer at a glance.  Like the layer table, the models keep raw values under
`SORT_ROLE` and rounded text under `Qt.DisplayRole`; a value a row does not
have (a failed configuration, a layer only one run has) is `None`, shown empty
and sorted last in either direction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.compare import LayerDelta, VariantResult, compare_layers
from ovgui.core.report import LayerStats, Report
from ovgui.gui.charts import (
    FIRST_COLOR,
    MEDIAN_COLOR,
    P90_COLOR,
    PHASE_COLORS,
    POINT_COLOR,
    ROLLING_COLOR,
    with_alpha,
    format_ms,
    make_plot,
    theme_plot,
)
from ovgui.gui.layer_table import (
    AXIS_TICK_ROOM_PX,
    MUTED_TEXT,
    Column,
    ModelIndex,
    ShareRowsModel,
    TableView,
    make_table,
    ms_text,
    percent_text,
    status_text,
)

_Role = Qt.ItemDataRole

COMPARISON_HINT = "Run a comparison (Run › Compare configurations…) to see configurations side by side"
DIFF_HINT = "Pick two different runs as A and B to compare them layer by layer"
DETAIL_HINT = "Select a layer in the table to see its details"
NO_SAMPLES_NOTE = "No per-iteration times for this layer"
NOT_EXECUTED_NOTE = "Not executed: fused into a neighbour or optimised out, so it took no time"
DIFF_CHART_TOP = 15
MAX_HISTOGRAM_BINS = 40
TIMER_TICK_MS = 0.001
"""PERF_COUNT times come in whole microseconds."""

SLOWER_COLOR = QColor(222, 76, 64)
FASTER_COLOR = QColor(36, 148, 74)
"""A red and a green of about 4:1 contrast on white and on near-black alike, so a signed
Δ reads in light and dark themes."""

CONFIGURATION_NAME_MAX_PX = 250
LAYER_NAME_MAX_PX = 160
_MAX_LABEL_ROOM = 0.4
"""At most this fraction of a narrow chart's width is kept free for the values printed past the bars."""
_LABEL_MARGINS_PX = 10
"""A pg.TextItem's text document adds a margin on each side of the text."""


def _or_blank(text: Callable[[Any], str]) -> Callable[[Any], str]:
    """A missing value is an empty cell, not "None"."""
    return lambda value: "" if value is None else text(value)


def _fps(value: float) -> str:
    return f"{value:.1f}"


def _signed_ms(value: float) -> str:
    return f"{value:+.3f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}×"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@dataclass(frozen=True)
class _ComputedColumn(Column):
    """A column whose value is worked out from the whole row: a nested field or a derived figure.

    `field` stays a unique name, so `column_index` still finds the column."""

    compute: Callable[[Any], Any] = dataclasses.field(kw_only=True)

    def value(self, row: Any) -> Any:
        return self.compute(row)


def _report_column(title: str, tooltip: str, path: str, text: Callable[[Any], str] = format_ms,
                   numeric: bool = True, sample: str = "00000.0") -> _ComputedColumn:
    """A field of the configuration's report, e.g. ``"latency_ms.median"``; empty when the run failed."""
    read = attrgetter(path)
    return _ComputedColumn(title, tooltip, path, _or_blank(text), numeric, sample,
                           compute=lambda result: None if result.report is None else read(result.report))


class _RecordsModel(ShareRowsModel):
    """The layer table's column-driven rows, without its share bar, with per-cell fonts and colours."""

    _CELL_HOOKS = {_Role.FontRole: "_font", _Role.ForegroundRole: "_color", _Role.DecorationRole: "_icon"}

    def data(self, index: ModelIndex, role: int = _Role.DisplayRole) -> Any:
        hook = self._CELL_HOOKS.get(role)
        if hook is not None and index.isValid():
            return getattr(self, hook)(index.row(), self.COLUMNS[index.column()])
        return super().data(index, role)

    def _set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._rows_changed()
        self.endResetModel()

    def _append_row(self, row: Any) -> None:
        end = len(self._rows)
        self.beginInsertRows(QModelIndex(), end, end)
        self._rows.append(row)
        self.endInsertRows()
        self._rows_changed()
        self.dataChanged.emit(self.index(0, 0), self.index(end, len(self.COLUMNS) - 1), [_Role.FontRole])

    def _rows_changed(self) -> None:
        """Recompute what depends on all rows (e.g. which one is best)."""

    def _font(self, row: int, column: Column) -> QFont | None:
        return None

    def _color(self, row: int, column: Column) -> QColor | None:
        return None

    def _icon(self, row: int, column: Column) -> QIcon | None:
        return None


def _styled_font(*, bold: bool = False, italic: bool = False) -> QFont:
    font = QFont()
    font.setBold(bold)
    font.setItalic(italic)
    return font


def _best_row(results: Sequence[VariantResult], metric: Callable[[Report], float],
              pick: Callable = min) -> int | None:
    scored = [(metric(r.report), row) for row, r in enumerate(results) if r.report is not None and metric(r.report) > 0]
    return pick(scored)[1] if scored else None


_median = attrgetter("latency_ms.median")
_throughput = attrgetter("throughput_fps")


class ComparisonModel(_RecordsModel):
    """One row per configuration, in the order they ran until a view sorts them."""

    COLUMNS = (
        Column("Configuration", "The name of the configuration: what it changes from the base settings.",
               "name", sample="FP16 IR + THROUGHPUT mode (async), f32"),
        _report_column("Median (ms)", "Median latency over the measured iterations; the best is in bold.",
                       "latency_ms.median"),
        _report_column("p90 (ms)", "90th percentile latency: nine in ten inferences were at least this fast.",
                       "latency_ms.p90"),
        _report_column("p99 (ms)", "99th percentile latency: the slow tail.", "latency_ms.p99"),
        _report_column("Throughput (FPS)", "Inferences per second over the run; the best is in bold.",
                       "throughput_fps", _fps),
        _report_column("First inference (ms)", "The first inference after compiling; often much slower.",
                       "timings_ms.first_inference"),
        _report_column("Compile (ms)", "Time to compile the model for the device (or to load it from the cache).",
                       "timings_ms.compile"),
        _report_column("Streams", "Streams OpenVINO used (NUM_STREAMS read back from the compiled model).",
                       "compiled.num_streams", str, sample="00"),
        _report_column("Threads", "Inference threads OpenVINO used (INFERENCE_NUM_THREADS read back).",
                       "compiled.inference_num_threads", str, sample="00"),
        _report_column("Precision (used)", "The precision the device ran in (INFERENCE_PRECISION_HINT read back):\n"
                       "an FP32 model may run in bf16 on CPUs with AMX or AVX512-BF16.",
                       "compiled.inference_precision", str, numeric=False, sample="bf16"),
        _report_column("Requests", "Infer requests that ran in parallel.", "compiled.requests_used", str, sample="00"),
        _report_column("Hint (used)", "The performance hint the compiled model reports.",
                       "compiled.performance_hint", str, numeric=False, sample="THROUGHPUT"),
        _report_column("Cache", "Whether the compiled model was loaded from the model cache (CACHE_DIR).",
                       "compiled.loaded_from_cache", _yes_no, numeric=False, sample="yes"),
        Column("Error", "Why this configuration could not run.", "error", sample="Error"),
    )
    BEST = {"latency_ms.median": (_median, min), "throughput_fps": (_throughput, max)}
    """The columns whose best cell is bold: how to read the figure, and whether low or high wins."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._best: dict[str, int | None] = {}

    def set_results(self, results: Sequence[VariantResult]) -> None:
        self._set_rows(results)

    def add_result(self, result: VariantResult) -> None:
        self._append_row(result)

    def results(self) -> list[VariantResult]:
        return list(self._rows)

    def _rows_changed(self) -> None:
        self._best = {field: _best_row(self._rows, metric, pick) for field, (metric, pick) in self.BEST.items()}

    def _font(self, row: int, column: Column) -> QFont | None:
        if column.field in self._best and self._best[column.field] == row:
            return _styled_font(bold=True)
        return None

    def _color(self, row: int, column: Column) -> QColor | None:
        return MUTED_TEXT if self._rows[row].report is None else None

    def _icon(self, row: int, column: Column) -> QIcon | None:
        """A warning sign beside a failed configuration's name: its error is in the last column."""
        if self._rows[row].report is None and column.field == "name":
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return None

    def _tooltip(self, result: VariantResult) -> str:
        if result.report is None:
            return f"{result.name}\nfailed: {result.error}"
        report = result.report
        devices = ", ".join(report.compiled.execution_devices) or report.device.name
        return f"{result.name}\n{Path(report.model.path).name} on {devices}"


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


class LayerDiffModel(_RecordsModel):
    """Layers of run A against run B; its last column, |Δ|, is the default order and is hidden by the view."""

    COLUMNS = (
        Column("Layer (A)", "The runtime layer in run A; empty when only B has it.",
               "name_a", sample="conv4_3_norm_mbox"),
        Column("Layer (B)", "The runtime layer in run B; empty when only A has it.",
               "name_b", sample="conv4_3_norm_mbox"),
        Column("Type", "Operation type of the layer in run A (in B for a layer only B has).",
               "type", sample="Convolution"),
        _ComputedColumn("A (ms)", "Mean real time of the layer in run A.", "time_a_ms", _or_blank(ms_text),
                        numeric=True, sample="0000.000", compute=_side_time("a")),
        _ComputedColumn("B (ms)", "Mean real time of the layer in run B.", "time_b_ms", _or_blank(ms_text),
                        numeric=True, sample="0000.000", compute=_side_time("b")),
        Column("Δ (ms)", "B − A: positive (red) is slower in B, negative (green) is faster.",
               "delta_ms", _signed_ms, numeric=True, sample="+0000.000"),
        _ComputedColumn("B/A", "B's time over A's: 0.5× is twice as fast in B.", "ratio", _or_blank(_ratio),
                        numeric=True, sample="00.00×",
                        compute=lambda delta: delta.ratio if delta.presence == "both" else None),
        _ComputedColumn("Match", "How the layers were paired: by equal name, or through the original\n"
                        "layers fused into them (precisions and devices fuse differently).",
                        "match", sample="fused layers", compute=_match_text),
        _ComputedColumn("|Δ| (ms)", "Size of the change, whichever way.", "magnitude", ms_text, numeric=True,
                        sample="0000.000", compute=lambda delta: abs(delta.delta_ms)),
    )

    def set_deltas(self, deltas: Sequence[LayerDelta]) -> None:
        self._set_rows(deltas)

    def deltas(self) -> list[LayerDelta]:
        return list(self._rows)

    def delta_at(self, row: int) -> LayerDelta:
        return self._rows[row]

    def _font(self, row: int, column: Column) -> QFont | None:
        return _styled_font(italic=True) if self._rows[row].presence != "both" else None

    def _color(self, row: int, column: Column) -> QColor | None:
        return _delta_color(self._rows[row].delta_ms) if column.field == "delta_ms" else None

    def _tooltip(self, delta: LayerDelta) -> str:
        names = delta.name_a if delta.name_a == delta.name_b else f"A: {delta.name_a or '—'}\nB: {delta.name_b or '—'}"
        return f"{names}\n{delta.type} · {_match_text(delta)} · Δ {_signed_ms(delta.delta_ms)} ms"


class _MissingLastProxy(QSortFilterProxyModel):
    """Sorts on raw values, with missing values last whichever way the column is sorted
    (Qt puts them first when descending, e.g. failed configurations above the fastest)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSortRole(_RecordsModel.SORT_ROLE)

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:
        left_value, right_value = left.data(self.sortRole()), right.data(self.sortRole())
        if left_value is None or right_value is None:
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return (left_value is not None and ascending) or (right_value is not None and not ascending)
        return super().lessThan(left, right)


class _LayerDeltaProxy(_MissingLastProxy):
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


def _hint_label(text: str) -> QLabel:
    hint = QLabel(text)
    hint.setObjectName("emptyHint")
    hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    hint.setWordWrap(True)
    hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return hint


def _still_plot(x_label: str, x_units: str, y_label: str = "") -> pg.PlotWidget:
    """A plot that shows a finished result: nothing to zoom or pan, so no mouse and no buttons."""
    plot = make_plot(x_label, x_units, y_label, "")
    item = plot.getPlotItem()
    item.setMouseEnabled(x=False, y=False)
    item.hideButtons()
    return plot


def _side_by_side(widgets: Sequence[QWidget], proportions: Sequence[int]) -> QSplitter:
    """A splitter that keeps these width proportions from the first show on: left to their size
    hints, a plot (which asks for 540 px) would crowd out a table."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    for widget in widgets:
        widget.setSizePolicy(QSizePolicy.Policy.Ignored, widget.sizePolicy().verticalPolicy())
        splitter.addWidget(widget)
    splitter.setSizes(list(proportions))
    return splitter


def _bar_plot(x_label: str, x_units: str) -> pg.PlotWidget:
    """Horizontal bars, first category at the top, with no grid lines running through the bars."""
    plot = _still_plot(x_label, x_units)
    plot.showGrid(x=True, y=False, alpha=0.18)
    plot.getPlotItem().invertY(True)
    return plot


def _name_axis(plot: pg.PlotWidget, names: Sequence[str], max_px: int) -> None:
    """Category names as left-axis ticks, elided in the middle (where similar names differ least)
    and the axis as wide as the longest: pyqtgraph would only widen it on a later paint."""
    metrics = QFontMetrics(plot.font())
    shown = [metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, max_px) for name in names]
    axis = plot.getAxis("left")
    axis.setTicks([list(enumerate(shown))])
    axis.setWidth(max((metrics.horizontalAdvance(name) for name in shown), default=0) + AXIS_TICK_ROOM_PX)


def _with_legend(plot: pg.PlotWidget, entries: Sequence[tuple[QColor, str]], note: str = "") -> QWidget:
    """The key goes above the plot, not over the bars, and in a QLabel: a pyqtgraph title
    would set the plot's minimum width and push it past a narrow dock's edge."""
    keys = [f'<span style="color:{color.name()}">■</span>&nbsp;{label}' for color, label in entries]
    legend = QLabel("&nbsp;&nbsp;".join(keys) + (f"&nbsp;&nbsp;·&nbsp;&nbsp;{note}" if note else ""))
    legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
    legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 4, 0, 0)
    column.setSpacing(2)
    column.addWidget(legend)
    column.addWidget(plot, 1)
    return box


def _value_label(plot: pg.PlotItem, text: str, x: float, y: float, color: QColor,
                 leftwards: bool = False) -> pg.TextItem:
    label = pg.TextItem(f" {text} ", color=color, anchor=(1 if leftwards else 0, 0.5))
    label.setPos(x, y)
    plot.addItem(label)
    return label


def _bar_count(plot: pg.PlotWidget) -> int:
    return sum(len(item.opts["width"]) for item in plot.getPlotItem().items if isinstance(item, pg.BarGraphItem))


@dataclass(frozen=True)
class _Series:
    label: str
    color: QColor
    value: Callable[[Report], float]


@dataclass(frozen=True)
class _Panel:
    """One chart under the comparison table: a bar per series per configuration."""

    x_label: str
    x_units: str
    series: tuple[_Series, ...]
    note: str
    text: Callable[[float], str] = format_ms


_PANELS = (
    _Panel("latency", "ms", (_Series("median", MEDIAN_COLOR, _median),
                             _Series("p90", P90_COLOR, attrgetter("latency_ms.p90"))), "lower is better"),
    _Panel("throughput", "FPS", (_Series("throughput", POINT_COLOR, _throughput),), "higher is better", _fps),
    _Panel("start-up", "ms", (_Series("first inference", FIRST_COLOR, attrgetter("timings_ms.first_inference")),
                              _Series("compile", PHASE_COLORS["compile"], attrgetter("timings_ms.compile"))),
           "lower is better"),
)
"""Latency and throughput answer "which is faster"; first inference and compile time,
"what does it cost to start".  Compile is rarely more than ~10x the first inference,
so both share a linear axis and the printed values carry the small bars."""


class _BarFit:
    """Keeps a bar chart's x range wide enough for the value printed past each bar's end.

    The labels keep their size in pixels whatever the scale, so the room is worked out in
    pixels, and again whenever the plot is resized."""

    def __init__(self, plot: pg.PlotWidget):
        self._plot = plot
        self._extent = (0.0, 1.0, 0, 0)
        plot.getViewBox().sigResized.connect(self._apply)

    def fit(self, low: float, high: float, rows: int, labels: Sequence[str]) -> None:
        """Bars span `low`..`high` (0 is one end), in `rows` categories, with these value labels."""
        metrics = QFontMetrics(self._plot.font())
        label_px = max((metrics.horizontalAdvance(f" {text} ") + _LABEL_MARGINS_PX for text in labels), default=0)
        self._extent = (low, max(high, low + 1e-9), rows, label_px)
        self._apply()

    def _apply(self) -> None:
        low, high, rows, label_px = self._extent
        width_px = self._plot.getViewBox().width()
        room = min(label_px / width_px, _MAX_LABEL_ROOM) if width_px > 0 else _MAX_LABEL_ROOM
        labelled_sides = max((low < 0) + (high > 0), 1)
        total = (high - low) / (1 - room * labelled_sides)
        x_range = (low - room * total if low < 0 else low, high + room * total if high > 0 else high)
        self._plot.getPlotItem().setRange(xRange=x_range, yRange=(-0.6, rows - 0.4), padding=0)


def _draw_panel(plot: pg.PlotWidget, fit: _BarFit, panel: _Panel, results: Sequence[VariantResult],
                text: QColor) -> list[tuple[pg.TextItem, str]]:
    """Grouped horizontal bars, one group per configuration; a failed one says "failed" where its
    bars would be.  Returns those labels with the error each stands for."""
    item = plot.getPlotItem()
    item.clear()
    thickness = 0.8 / len(panel.series)
    values: list[float] = []
    for number, series in enumerate(panel.series):
        offset = (number - (len(panel.series) - 1) / 2) * thickness
        bars = [(row + offset, series.value(r.report)) for row, r in enumerate(results) if r.report is not None]
        if not bars:
            continue
        item.addItem(pg.BarGraphItem(x0=0, y=[y for y, _ in bars], height=thickness * 0.85,
                                     width=[value for _, value in bars], brush=series.color, pen=pg.mkPen(None)))
        for y, value in bars:
            _value_label(item, panel.text(value), value, y, text)
        values += [value for _, value in bars]
    fit.fit(0.0, max(values, default=1.0), len(results), [panel.text(value) for value in values])
    return [(_value_label(item, "failed", 0, row, MUTED_TEXT), result.error)
            for row, result in enumerate(results) if result.report is None]


class _ComparisonCharts(QWidget):
    """The panels side by side, sharing one column of configuration names on the left."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._results: list[VariantResult] = []
        self._failures: list[tuple[pg.TextItem, str]] = []
        self._plots = [_bar_plot(panel.x_label, panel.x_units) for panel in _PANELS]
        self._fits = [_BarFit(plot) for plot in self._plots]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for number, (plot, panel) in enumerate(zip(self._plots, _PANELS)):
            if number:
                plot.getPlotItem().hideAxis("left")
            layout.addWidget(_with_legend(plot, [(series.color, series.label) for series in panel.series], panel.note))
        self._plots[0].setObjectName("latencyBars")
        self._plots[0].getViewBox().sigResized.connect(self._explain_failures)
        self._draw()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._share_width()

    def set_results(self, results: Sequence[VariantResult]) -> None:
        self._results = list(results)
        self._draw()

    def bar_count(self) -> int:
        return sum(_bar_count(plot) for plot in self._plots)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._draw()

    def _draw(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        _name_axis(self._plots[0], [result.name for result in self._results], CONFIGURATION_NAME_MAX_PX)
        for plot in self._plots:
            theme_plot(plot, palette)
        failures = [_draw_panel(plot, fit, panel, self._results, text)
                    for plot, fit, panel in zip(self._plots, self._fits, _PANELS)]
        self._failures = failures[0]
        self._share_width()
        self._explain_failures()

    def _explain_failures(self) -> None:
        """The first panel says why a configuration failed, cut to fit: the table, scrolled to
        its last column, and the row's tooltip have the whole message."""
        metrics = QFontMetrics(self._plots[0].font())
        width_px = int(self._plots[0].getViewBox().width()) - 2 * AXIS_TICK_ROOM_PX
        for label, error in self._failures:
            label.setText(metrics.elidedText(f" failed: {error}", Qt.TextElideMode.ElideRight, max(width_px, 0)))

    def _share_width(self) -> None:
        """Equal plot areas: the first panel also carries the names, so it gets their width on top
        of its share (stretch factors alone would take the names out of its share)."""
        names_px = int(self._plots[0].getAxis("left").width())
        share_px = max(1, (self.width() - names_px) // len(self._plots))
        layout = self.layout()
        for number in range(len(self._plots)):
            layout.setStretch(number, share_px + (names_px if number == 0 else 0))


class ComparisonView(QWidget):
    """Configurations side by side: the numbers in a table, the answer in bars beneath it.

    Rows and bars appear one by one as configurations finish (`add_result`), so a
    long comparison shows its first answers while the others still run."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = ComparisonModel(self)
        self._proxy = _MissingLastProxy(self)
        self._proxy.setSourceModel(self._model)
        self._table = make_table(self._proxy, ComparisonModel.COLUMNS, ComparisonModel.column_index("error"))
        self._table.setObjectName("comparisonTable")
        self._table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self._charts = _ComparisonCharts()
        self._splitter = QSplitter(Qt.Orientation.Vertical)
        self._splitter.addWidget(self._table)
        self._splitter.addWidget(self._charts)
        self._splitter.setStretchFactor(0, 0)
        self._splitter.setStretchFactor(1, 1)
        self._stack = QStackedWidget()
        self._stack.addWidget(_hint_label(COMPARISON_HINT))
        self._stack.addWidget(self._splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._show_results_or_hint()

    @property
    def model(self) -> ComparisonModel:
        return self._model

    @property
    def table(self) -> QAbstractItemView:
        return self._table

    def set_results(self, results: list[VariantResult]) -> None:
        self._model.set_results(results)
        self._update()

    def add_result(self, result: VariantResult) -> None:
        self._model.add_result(result)
        self._update()

    def clear(self) -> None:
        self.set_results([])

    def bar_count(self) -> int:
        """Bars drawn over all charts: a finished configuration adds one per series."""
        return self._charts.bar_count()

    def _update(self) -> None:
        self._charts.set_results(self._model.results())
        self._show_results_or_hint()
        self._fit_table()

    def _fit_table(self) -> None:
        """Room for every configuration's row, up to half the height; the charts take the rest."""
        total_px = sum(self._splitter.sizes())
        if not total_px:
            return
        table = self._table
        wanted_px = (table.horizontalHeader().sizeHint().height() + table.verticalHeader().length()
                     + 2 * table.frameWidth() + table.horizontalScrollBar().sizeHint().height())
        table_px = min(wanted_px, total_px // 2)
        self._splitter.setSizes([table_px, total_px - table_px])

    def _show_results_or_hint(self) -> None:
        self._stack.setCurrentIndex(1 if self._model.rowCount() else 0)


def _run_summary(report: Report) -> str:
    precision = report.compiled.inference_precision or "default precision"
    return (f"{Path(report.model.path).name} on {report.device.name}, {precision}, "
            f"median {format_ms(report.latency_ms.median)} ms")


def _percent_change(before: float, after: float) -> str:
    return f", {(after - before) / before * 100:+.1f}%" if before > 0 else ""


def _diff_header(a: Report, b: Report, deltas: Sequence[LayerDelta]) -> str:
    """Who is A, who is B, and the change in the executed layers' summed time (rich text)."""
    total_a = sum(delta.time_a_ms for delta in deltas)
    total_b = sum(delta.time_b_ms for delta in deltas)
    total_delta = sum(delta.delta_ms for delta in deltas)
    color = _delta_color(total_delta)
    change = f"{_signed_ms(total_delta)} ms"
    if color is not None:
        change = f'<span style="color:{color.name()}">{change}</span>'
    return (f"<b>A</b>: {_run_summary(a)}&nbsp;&nbsp;·&nbsp;&nbsp;<b>B</b>: {_run_summary(b)}<br>"
            f"<b>total Δ</b> {change} (layers {ms_text(total_a)} → {ms_text(total_b)} ms{_percent_change(total_a, total_b)})")


def _draw_delta_bars(plot: pg.PlotWidget, fit: _BarFit, top: Sequence[LayerDelta], text: QColor) -> None:
    """Slower layers to the right in red, faster to the left in green, the biggest change on top."""
    item = plot.getPlotItem()
    item.clear()
    _name_axis(plot, [delta.name_a or delta.name_b for delta in top], LAYER_NAME_MAX_PX)
    if not top:
        return
    values = [delta.delta_ms for delta in top]
    item.addItem(pg.BarGraphItem(
        x0=[min(value, 0.0) for value in values], width=[abs(value) for value in values], y=list(range(len(top))),
        height=0.7, brushes=[_delta_color(value) for value in values], pen=pg.mkPen(None),
    ))
    for row, value in enumerate(values):
        _value_label(item, _signed_ms(value), value, row, text, leftwards=value < 0)
    item.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen(with_alpha(text, 160))))
    fit.fit(min(0.0, *values), max(0.0, *values), len(top), [_signed_ms(value) for value in values])


class LayerDiffView(QWidget):
    """Run A against run B, layer by layer: what got slower, what got faster, what was fused differently."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = LayerDiffModel(self)
        self._proxy = _LayerDeltaProxy(self)
        self._proxy.setSourceModel(self._model)
        self._header = QLabel()
        self._header.setObjectName("diffHeader")
        self._header.setContentsMargins(6, 4, 6, 2)
        self._header.setWordWrap(True)
        self._header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._filter_edit = QLineEdit()
        self._filter_edit.setObjectName("diffFilter")
        self._filter_edit.setPlaceholderText("Filter by layer name or type…")
        self._filter_edit.setClearButtonEnabled(True)
        self._filter_edit.textChanged.connect(self._proxy.set_text_filter)
        self._table = self._make_table()
        self._chart = _bar_plot(f"Δ real time B − A, top {DIFF_CHART_TOP}", "ms")
        self._chart.setObjectName("deltaChart")
        self._chart_fit = _BarFit(self._chart)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._header)
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
        self._model.set_deltas(deltas)
        self._header.setText(_diff_header(a, b, deltas))
        self._draw_chart()

    def clear(self) -> None:
        self._model.set_deltas([])
        self._header.setText(DIFF_HINT)
        self._draw_chart()

    def deltas(self) -> list[LayerDelta]:
        return self._model.deltas()

    def header_text(self) -> str:
        return self._header.text()

    def bar_count(self) -> int:
        return _bar_count(self._chart)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._draw_chart()

    def _make_table(self) -> TableView:
        magnitude = LayerDiffModel.column_index("magnitude")
        table = make_table(self._proxy, LayerDiffModel.COLUMNS, LayerDiffModel.column_index("name_a"))
        table.setObjectName("diffTable")
        table.setColumnHidden(magnitude, True)
        table.sortByColumn(magnitude, Qt.SortOrder.DescendingOrder)
        return table

    def _make_body(self) -> QSplitter:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._filter_edit)
        column.addWidget(self._table, 1)
        chart = _with_legend(self._chart, [(SLOWER_COLOR, "slower in B"), (FASTER_COLOR, "faster in B")])
        return _side_by_side((left, chart), (68, 32))  # the table's Δ, B/A and Match columns are the point

    def _draw_chart(self) -> None:
        theme_plot(self._chart, self.palette())
        top = [delta for delta in self._model.deltas() if delta.delta_ms != 0][:DIFF_CHART_TOP]
        _draw_delta_bars(self._chart, self._chart_fit, top, self.palette().color(QPalette.ColorRole.WindowText))


class _ElidedLabel(QLabel):
    """Long runtime names (and kernel names) keep both distinctive ends; the full text is in
    the tooltip and in Copy, so a narrow dock loses nothing."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        copy = QAction("Copy", self)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self._full_text))
        self.addAction(copy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def set_full_text(self, text: str) -> None:
        self._full_text = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full_text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full_text, Qt.TextElideMode.ElideMiddle, self.width()))


def _histogram(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin edges; numpy's "auto" bins, capped so a long run does not turn into a comb.

    Identical samples (a fast layer at the counters' 1 µs resolution) make one bar one tick
    wide, where numpy would draw it 1 ms wide."""
    low, high = float(samples.min()), float(samples.max())
    if low == high:
        return np.histogram(samples, bins=1, range=(low - TIMER_TICK_MS / 2, low + TIMER_TICK_MS / 2))
    edges = np.histogram_bin_edges(samples, "auto")
    return np.histogram(samples, bins=min(len(edges) - 1, MAX_HISTOGRAM_BINS))


class LayerDetailPanel(QWidget):
    """One layer up close: what it is, what was fused into it, and how its time spread over the iterations."""

    FIELDS = (
        ("Type", lambda layer: layer.type),
        ("Exec type", lambda layer: layer.exec_type),
        ("Runtime precision", lambda layer: layer.runtime_precision or "—"),
        ("Output layouts", lambda layer: layer.output_layouts or "—"),
        ("Status", lambda layer: status_text(layer.status)),
        ("Real mean / median", lambda layer: f"{ms_text(layer.real_time_ms)} / {ms_text(layer.real_time_median_ms)} ms"),
        ("CPU mean", lambda layer: f"{ms_text(layer.cpu_time_ms)} ms"),
        ("Share", lambda layer: f"{percent_text(layer.share)} of the layer sum"),
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._name = _ElidedLabel()
        self._name.setObjectName("layerName")
        self._name.setFont(_styled_font(bold=True))
        self._values = {title: _ElidedLabel() for title, _ in self.FIELDS}
        self._originals_title = QLabel()
        self._originals_title.setWordWrap(True)
        self._originals = self._make_originals_list()
        self._histogram = _still_plot("real time", "ms", "iterations")
        self._histogram.setObjectName("layerHistogram")
        self._bars = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pg.mkPen(POINT_COLOR, width=1.5),
                                     brush=with_alpha(POINT_COLOR, 110))
        self._mean_line = _marker_line(ROLLING_COLOR, label_height=0.94)
        self._median_line = _marker_line(MEDIAN_COLOR, label_height=0.86)
        self._histogram_caption = QLabel()
        self._samples_note = _hint_label(NO_SAMPLES_NOTE)
        self._samples = QStackedWidget()
        self._stack = QStackedWidget()
        self._stack.addWidget(_hint_label(DETAIL_HINT))
        self._stack.addWidget(self._make_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._add_histogram_items()
        self.clear()

    def show_layer(self, layer: LayerStats, samples: np.ndarray | None) -> None:
        self._name.set_full_text(layer.name)
        for title, read in self.FIELDS:
            self._values[title].set_full_text(read(layer))
        self._show_originals(layer.original_layers)
        self._show_samples(layer, samples)
        self._stack.setCurrentIndex(1)

    def clear(self) -> None:
        self._stack.setCurrentIndex(0)
        self._name.set_full_text("")
        self._originals.clear()
        self._bars.clear()

    def showing_layer(self) -> bool:
        """False while the placeholder is shown."""
        return self._stack.currentIndex() == 1

    def name_text(self) -> str:
        return self._name.full_text()

    def original_layers(self) -> list[str]:
        return [self._originals.item(row).text() for row in range(self._originals.count())]

    def histogram_bar_count(self) -> int:
        counts = self._bars.yData
        return 0 if counts is None else len(counts)

    def copy_original_layers(self) -> None:
        """The selected names, one per line, in list order; all of them when none is selected."""
        items = [self._originals.item(row) for row in range(self._originals.count())]
        chosen = [item for item in items if item.isSelected()] or items
        QGuiApplication.clipboard().setText("\n".join(item.text() for item in chosen))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()

    def _apply_palette(self) -> None:
        """The marker labels sit on a patch of the background, so a line they cross does not strike them out."""
        theme_plot(self._histogram, self.palette())
        backdrop = pg.mkBrush(with_alpha(self.palette().color(QPalette.ColorRole.Window), 220))
        for line in (self._mean_line, self._median_line):
            line.label.fill = backdrop
            line.label.update()

    def _make_originals_list(self) -> QListWidget:
        originals = QListWidget()
        originals.setObjectName("originalLayers")
        originals.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        originals.setUniformItemSizes(True)
        copy = QAction("Copy", originals)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_original_layers)
        originals.addAction(copy)
        originals.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return originals

    def _make_content(self) -> QSplitter:
        """Details above the histogram: the panel lives in a narrow dock beside the layer table."""
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._make_info())
        splitter.addWidget(self._make_samples())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        return splitter

    def _make_info(self) -> QWidget:
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for title, _ in self.FIELDS:
            form.addRow(title, self._values[title])
        info = QWidget()
        column = QVBoxLayout(info)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self._name)
        column.addLayout(form)
        column.addSpacing(4)
        column.addWidget(self._originals_title)
        column.addWidget(self._originals, 1)
        column.addStretch(0)
        return info

    def _make_samples(self) -> QStackedWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self._histogram_caption)
        column.addWidget(self._histogram, 1)
        self._samples.addWidget(page)
        self._samples.addWidget(self._samples_note)
        return self._samples

    def _add_histogram_items(self) -> None:
        plot = self._histogram.getPlotItem()
        plot.addItem(self._bars)
        plot.addItem(self._mean_line, ignoreBounds=True)
        plot.addItem(self._median_line, ignoreBounds=True)
        self._apply_palette()

    def _show_originals(self, names: list[str]) -> None:
        self._originals.clear()
        self._originals.addItems(names)
        self._originals.setVisible(bool(names))
        rows_px = self._originals.sizeHintForRow(0) * len(names) + 2 * self._originals.frameWidth()
        self._originals.setMaximumHeight(max(rows_px, 0))  # no empty box under a short list
        self._originals_title.setText(
            f"Original layers fused into it ({len(names)}):" if names
            else "No original layers: the plugin added this layer (e.g. a Reorder)")

    def _show_samples(self, layer: LayerStats, samples: np.ndarray | None) -> None:
        if not layer.executed or samples is None or not len(samples):
            self._samples_note.setText(NO_SAMPLES_NOTE if layer.executed else NOT_EXECUTED_NOTE)
            self._samples.setCurrentIndex(1)
            self._bars.clear()
            return
        counts, edges = _histogram(np.asarray(samples, dtype=np.float64))
        self._bars.setData(edges, counts)
        for line, name, value in ((self._mean_line, "mean", layer.real_time_ms),
                                  (self._median_line, "median", layer.real_time_median_ms)):
            line.setPos(value)
            line.label.setFormat(f"{name} {ms_text(value)}")
        lower = min((self._mean_line, self._median_line), key=lambda line: line.value())
        for line in (self._mean_line, self._median_line):
            line.setZValue(1 if line is lower else 0)  # its label runs right, across the other line
        self._histogram_caption.setText(f"Real time per iteration, {len(samples)} iterations")
        low = min(float(edges[0]), layer.real_time_median_ms, layer.real_time_ms)
        high = max(float(edges[-1]), layer.real_time_median_ms, layer.real_time_ms)
        margin = 0.05 * ((high - low) or 1.0)
        self._histogram.getPlotItem().setRange(xRange=(low - margin, high + margin),
                                               yRange=(0, counts.max() * 1.15), padding=0)
        self._samples.setCurrentIndex(0)


def _marker_line(color: QColor, label_height: float) -> pg.InfiniteLine:
    """A dashed vertical line labelled near the top, the text to its right."""
    return pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine),
                           label="", labelOpts={"position": label_height, "color": color,
                                                "anchors": [(0, 0.5), (0, 0.5)]})
