"""The Sweep workspace: every point of a sweep as latency against throughput, the Pareto front,
the latency budget, the best point under it in words, and a table of every figure.

Each point sits at (its latency at the sweep's percentile, its throughput), both the medians of
its repeats, with error bars from the lowest to the highest repeat on both axes; the device's
default configuration is a grey square, the best point a star.  While a sweep runs the view is
recomputed from the runs so far (`summarise` is cheap), so the chart fills run by run and a
stopped sweep stays as far as it got.  "Use this configuration" hands the selected point (else
the best) to the window, which sets the Settings panel from it.  A sweep over shapes alone
shows `ShapeSweepChart` instead: its points compute different things, so they have no front.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QItemSelection, QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from ovgui.core.compare import Configured
from ovgui.core.formatting import format_ms
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import Sweep, SweepPoint
from ovgui.core.sweep import SweepRun, runs_of, summarise
from ovgui.core.sweep_options import compares_configurations, percentile_label, value_text
from ovgui.gui.plot_style import MEDIAN_COLOR, POINT_COLOR, keep_y_title_readable, make_plot, mute, theme_plot, with_alpha
from ovgui.gui.shape_sweep_chart import ShapeSweepChart
from ovgui.gui.sweep_dialog import SweepPlan
from ovgui.gui.tables import MUTED_TEXT, Column, ComputedColumn, RowsModel, hint_or_content, make_table, or_missing, styled_font
from ovgui.gui.wrapping_label import WrappingLabel

EMPTY_HINT = ("Sweep run options over a grid to find the fastest configuration within a latency budget:\n"
              "Run › Sweep…, e.g. nstreams=1,2,4 and nireq=1..4 (--sweep on the command line)")
BASELINE_COLOR = QColor(120, 120, 120)
BEST_COLOR = QColor(245, 166, 35)
BUDGET_COLOR = QColor(229, 57, 53)
SELECTED_COLOR = QColor(20, 20, 20)
POINT_PX, BEST_PX = 10, 22
LABEL_ANCHORS = ((-0.15, 1.0), (-0.15, 0.0), (1.15, 1.0), (1.15, 0.0))
BASELINE_ANCHOR = LABEL_ANCHORS[1]
"""Points' labels above right of their spots, the default's below right (it often sits among
them); a label that would cover one already placed tries below right, above left, below left."""


def free_anchor(spot: QPointF, size: QSizeF, anchors: Sequence[tuple[float, float]],
                placed: Sequence[QRectF]) -> tuple[float, float]:
    """The first anchor whose label covers none `placed`; the first anchor when every one would."""
    for anchor in anchors:
        box = label_box(spot, size, anchor)
        if not any(box.intersects(other) for other in placed):
            return anchor
    return anchors[0]


def label_box(spot: QPointF, size: QSizeF, anchor: tuple[float, float]) -> QRectF:
    """Where a label of `size` (pixels) with `anchor` covers the screen around `spot` (pixels, y down)."""
    return QRectF(spot.x() - anchor[0] * size.width(), spot.y() - anchor[1] * size.height(), size.width(), size.height())
LEGEND_HEADROOM = 1.4
"""The y range over the highest throughput: the legend at the top right then covers no point."""
CHART_SHARE = 50
"""Percent of the height the chart gets at first; the table the rest (a 3×3 sweep's ten rows on a laptop)."""
SWEEP_NOTE = "sweep: "
"""How the core's note with the measured pace begins (`run_sweep`)."""


def short_name(point: SweepPoint) -> str:
    """A point's values alone ("4×8"), to label its spot; the legend names the axes once."""
    return "default" if point.baseline else "×".join(value_text(value) for value in point.settings.values())


def point_values(point: SweepPoint) -> str:
    """A point's values alone ("1x3x320x320 · dynamic"); the table's header names the axes once."""
    return point.name if point.baseline else " · ".join(value_text(value) for value in point.settings.values()) or point.name


def axes_name(points: Sequence[SweepPoint]) -> str:
    """ "nstreams × nireq": what a spot's label lists, in order."""
    settings = next((point.settings for point in points if point.settings), {})
    return " × ".join(settings)


def measured(read: Callable[[SweepPoint], Any]) -> Callable[[SweepPoint], Any]:
    """A figure of a point that ran; None ("—") for one that never finished a run."""
    return lambda point: read(point) if point.throughput_spread_fps else None


def with_spread(value: tuple[float, float, float], text: Callable[[float], str]) -> str:
    median, low, high = value
    return f"{text(median)}  ({text(low)}–{text(high)})"


def compile_text(value: tuple[float, bool]) -> str:
    milliseconds, cached = value
    return format_ms(milliseconds) + (" cached" if cached else "")


def fps_text(value: float) -> str:
    return f"{value:.1f}"


def _column(title: str, tooltip: str, field: str, read: Callable[[SweepPoint], Any], text: Callable[[Any], str] = format_ms,
            sample: str = "00000.0") -> ComputedColumn:
    return ComputedColumn(title, tooltip, field, or_missing(text), numeric=True, sample=sample, compute=measured(read))


class SweepModel(RowsModel):
    """One row per point, the baseline first, in the order the sweep ran them until the view sorts them."""

    COLUMNS = (
        ComputedColumn("Point", "The point's values, in the order the header names the axes; the device's default runs the\n"
                       "THROUGHPUT hint with streams, requests and threads left to the device.", "name", str,
                       sample="device default (THROUGHPUT hint)", compute=lambda point: point_values(point)),
        _column("At percentile (ms)", "Latency at the sweep's percentile: the median of the repeats, with the lowest and\n"
                "highest repeat in brackets.  The budget is held against this.", "latency",
                lambda p: (p.latency_ms, *p.latency_spread_ms), lambda v: with_spread(v, format_ms), "00.00  (00.00–00.00)"),
        _column("Throughput (FPS)", "Inferences per second (completed/elapsed): the median of the repeats, with the\n"
                "lowest and highest repeat in brackets.", "throughput",
                lambda p: (p.throughput_fps, *p.throughput_spread_fps), lambda v: with_spread(v, fps_text),
                "0000.0  (0000.0–0000.0)"),
        _column("Median (ms)", "Median latency, the median over the repeats.", "p50_ms", lambda p: p.p50_ms),
        _column("p90 (ms)", "90th percentile latency, the median over the repeats.", "p90_ms", lambda p: p.p90_ms),
        _column("p99 (ms)", "99th percentile latency, the median over the repeats.", "p99_ms", lambda p: p.p99_ms),
        _column("Streams", "NUM_STREAMS the device used.", "streams", lambda p: p.streams or None, str, "000"),
        _column("Requests", "Infer requests the run kept in flight.", "requests", lambda p: p.requests or None, str, "000"),
        _column("Compile (ms)", "The point's first compile; later repeats load the sweep's shared model cache.\n"
                "\"cached\": even the first loaded what an earlier point compiled (a dynamic compile serves every shape).",
                "compile_ms", lambda p: (p.compile_ms, p.compile_cached), compile_text, "0000.0 cached"),
        _column("Peak RSS (MiB)", "The process's peak resident memory over the point's runs.", "peak_rss_mib",
                lambda p: p.peak_rss_mib, lambda v: f"{v:.0f}", "00000"),
        _column("After release (MiB)", "The process's resident memory once the point's last run released its compiled\n"
                "model: one process runs every point, so a value that climbs from point to point is memory\n"
                "never given back.", "rss_after_release_mib", lambda p: p.rss_after_release_mib, lambda v: f"{v:.0f}",
                "00000"),
        Column("Compiled as", "The input shapes as compiled, read back from the compiled model: [1,3,?,?] is dynamic,\n"
               "[1,3,320..1280,320..1280] bounded.", "compiled_shape", sample="[1,3,320..1280,320..1280]"),
        ComputedColumn("Pareto", "On the Pareto front: no other point has both lower latency and higher throughput.",
                       "pareto", lambda on: "yes" if on else "", sample="Pareto", compute=lambda p: p.pareto or None),
        Column("Error", "Why a run of the point failed (or \"not run\": the sweep was stopped before it).", "error",
               sample="not run"),
    )
    POINT, LATENCY = 0, 1

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._percentile = 50.0
        self._best: SweepPoint | None = None
        self._axes = ""

    def set_sweep(self, sweep: Sweep | None) -> None:
        """A new snapshot of the same sweep keeps the table's sort and selection."""
        points = sweep.points if sweep is not None else []
        self._percentile = sweep.percentile if sweep is not None else 50.0
        self._axes = axes_name(points)
        best = sweep.best.index if sweep is not None and sweep.best is not None else -1
        self._best = points[best] if 0 <= best < len(points) else None
        if [p.name for p in points] == [p.name for p in self._rows_as_given()] and points:
            self._replace_rows(points)
        else:
            self._set_rows(points)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, self.POINT, self.LATENCY)

    def point_at(self, row: int) -> SweepPoint:
        return self._rows[row]

    def row_of(self, name: str) -> int | None:
        return next((row for row, point in enumerate(self._rows) if point.name == name), None)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == self.LATENCY:
                return f"At {percentile_label(self._percentile)}\n(ms)"
            if section == self.POINT and self._axes:
                return f"Point\n({self._axes.replace(' × ', ' · ')})"
        return super().headerData(section, orientation, role)

    def _tooltip(self, point: SweepPoint) -> str:
        lines = [point.name, f"{point.runs} run{'s' if point.runs != 1 else ''}"
                 + (f", mode {point.mode}" if point.mode else "")]
        if point is self._best:
            lines.append("the best point under the budget")
        return "\n".join(lines + ([point.error] if point.error else []))

    def _font(self, row: int, column: Column) -> QFont | None:
        point = self._rows[row]
        if point is self._best:
            return styled_font(bold=True)
        return styled_font(italic=True) if point.baseline else None

    def _color(self, row: int, column: Column) -> QColor | None:
        return MUTED_TEXT if not self._rows[row].throughput_spread_fps else None


class SweepChart(QWidget):
    """The scatter: points with their spread, the Pareto front, the budget, the baseline and the best point."""

    point_clicked = Signal(str)
    """The name of the point the user clicked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = make_plot("latency", "ms", "throughput", "FPS")
        self.plot.setObjectName("sweepPlot")
        keep_y_title_readable(self.plot)
        self.plot.addLegend(offset=(-10, 10), labelTextColor=self.palette().windowText().color())
        tip = self._tip
        self.error_bars = pg.ErrorBarItem(pen=pg.mkPen(with_alpha(POINT_COLOR, 150), width=1.5), beam=0)
        self.front = pg.PlotDataItem(pen=pg.mkPen(MEDIAN_COLOR, width=2, style=Qt.PenStyle.DashLine), name="Pareto front")
        self.points = pg.ScatterPlotItem(symbol="o", size=POINT_PX, brush=pg.mkBrush(POINT_COLOR), pen=pg.mkPen("w"),
                                         hoverable=True, tip=tip, name="points")
        self.baseline = pg.ScatterPlotItem(symbol="s", size=POINT_PX + 2, brush=pg.mkBrush(BASELINE_COLOR), pen=pg.mkPen("w"),
                                           hoverable=True, tip=tip, name="device default")
        self.best = pg.ScatterPlotItem(symbol="star", size=BEST_PX, brush=pg.mkBrush(BEST_COLOR),
                                       pen=pg.mkPen(QColor(120, 70, 0), width=1.2), hoverable=True, tip=tip, name="best")
        self.selected = pg.ScatterPlotItem(symbol="o", size=BEST_PX + 4, brush=None, pen=pg.mkPen(SELECTED_COLOR, width=2))
        self.budget = pg.InfiniteLine(angle=90, movable=False, label="",
                                      pen=pg.mkPen(BUDGET_COLOR, width=1.5, style=Qt.PenStyle.DashDotLine),
                                      labelOpts={"position": 0.95, "color": BUDGET_COLOR, "anchors": [(0, 0), (0, 0)]})
        for item in (self.error_bars, self.front, self.points, self.baseline, self.best, self.selected):
            self.plot.addItem(item)
        self.plot.addItem(self.budget, ignoreBounds=True)
        for item in (self.points, self.baseline, self.best):
            item.sigClicked.connect(self._clicked)
        self._sweep: Sweep | None = None
        self._labels: list[pg.TextItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def show_sweep(self, sweep: Sweep) -> None:
        theme_plot(self.plot, self.palette())
        self._sweep = sweep
        label = percentile_label(sweep.percentile)
        self.plot.getAxis("bottom").setLabel(f"latency at {label}", units="ms")
        done = [point for point in sweep.points if point.throughput_spread_fps]
        ordinary = [point for point in done if not point.baseline]
        self._place(self.points, ordinary)
        self._place(self.baseline, [point for point in done if point.baseline])
        best = sweep.best.index if sweep.best is not None else -1
        self._place(self.best, [sweep.points[best]] if best >= 0 and sweep.points[best].throughput_spread_fps else [])
        front = sorted((point for point in done if point.pareto), key=lambda point: point.latency_ms)
        self.front.setData([point.latency_ms for point in front], [point.throughput_fps for point in front])
        self._draw_spread(done)
        self.budget.setVisible(sweep.budget_ms is not None)
        if sweep.budget_ms is not None:
            self.budget.setValue(sweep.budget_ms)
            self.budget.label.setFormat(f"budget {label} {sweep.budget_ms:g} ms")
        self._fit(done, sweep.budget_ms)
        self._label(done)

    def clear(self) -> None:
        self._sweep = None
        for item in (self.points, self.baseline, self.best, self.selected):
            item.setData([], [])
        self.front.setData([], [])
        self._draw_spread([])
        self._label([])
        self.budget.hide()

    def mark(self, point: SweepPoint | None) -> None:
        """Ring the point selected in the table (none: no ring)."""
        shown = point is not None and bool(point.throughput_spread_fps)
        self.selected.setData([point.latency_ms] if shown else [], [point.throughput_fps] if shown else [])

    def _place(self, item: pg.ScatterPlotItem, points: Sequence[SweepPoint]) -> None:
        item.setData([point.latency_ms for point in points], [point.throughput_fps for point in points],
                     data=[point.name for point in points])

    def _draw_spread(self, points: Sequence[SweepPoint]) -> None:
        """Lowest..highest repeat on both axes, around the medians."""
        x = np.array([point.latency_ms for point in points])
        y = np.array([point.throughput_fps for point in points])
        latency = np.array([point.latency_spread_ms for point in points]).reshape(-1, 2)
        fps = np.array([point.throughput_spread_fps for point in points]).reshape(-1, 2)
        self.error_bars.setData(x=x, y=y, left=x - latency[:, 0], right=latency[:, 1] - x,
                                bottom=y - fps[:, 0], top=fps[:, 1] - y)

    def _label(self, points: Sequence[SweepPoint]) -> None:
        """Each spot's values beside it; the legend says which values they are."""
        for label in self._labels:
            self.plot.removeItem(label)
        color = with_alpha(self.palette().windowText().color(), 190)
        self._labels = [pg.TextItem(short_name(point), color=color) for point in points]
        placed: list[QRectF] = []
        pixel = self.plot.getViewBox().viewPixelSize()
        for label, point in zip(self._labels, points):
            label.setPos(point.latency_ms, point.throughput_fps)
            self.plot.addItem(label, ignoreBounds=True)
            size = label.boundingRect().size()
            spot = QPointF(point.latency_ms / (pixel[0] or 1), -point.throughput_fps / (pixel[1] or 1))
            anchors = ([BASELINE_ANCHOR] if point.baseline else []) + list(LABEL_ANCHORS)
            anchor = free_anchor(spot, size, anchors, placed)
            label.setAnchor(anchor)
            placed.append(label_box(spot, size, anchor))
        named = axes_name(points)
        self.plot.getPlotItem().legend.getLabel(self.points).setText(f"points ({named})" if named else "points")

    def label_texts(self) -> list[str]:
        return [label.toPlainText() for label in self._labels]

    def _fit(self, points: Sequence[SweepPoint], budget_ms: float | None) -> None:
        """Both axes from zero (throughputs are read as proportions), wide enough for every spread
        and the budget line, with room above the highest point for the legend."""
        if not points:
            return
        right = max([point.latency_spread_ms[1] for point in points] + ([budget_ms] if budget_ms else []))
        top = max(point.throughput_spread_fps[1] for point in points)
        self.plot.setRange(xRange=(0, right * 1.08), yRange=(0, top * LEGEND_HEADROOM), padding=0)

    def _tip(self, x: float, y: float, data: str) -> str:
        label = percentile_label(self._sweep.percentile) if self._sweep is not None else "p50"
        return f"{data}\n{y:.1f} FPS at {label} {format_ms(x)} ms"

    def _clicked(self, _item: pg.ScatterPlotItem, spots: Sequence[Any], _event: Any) -> None:
        if len(spots):
            self.point_clicked.emit(spots[0].data())


class SweepView(QWidget):
    """The sweep shown: a running one's (`start`, then `add_result` per run) or a report's."""

    use_point = Signal(object)
    """The `SweepPoint` whose settings the user wants in the Settings panel."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.sweep: Sweep | None = None
        self.runs: list[SweepRun] = []
        self._plan: SweepPlan | None = None
        self._results: list[Configured] = []
        self._running = False
        self._pace = ""
        self.summary = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.summary.setObjectName("sweepSummary")
        mute(self.summary, self.palette().windowText().color())
        self.reason = WrappingLabel(textFormat=Qt.TextFormat.PlainText,
                                    textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason.setObjectName("sweepReason")
        self.reason.setFont(styled_font(bold=True))
        self.use_button = QPushButton("Use this configuration")
        self.use_button.setToolTip("Set the Settings panel to the point selected in the table (none selected: the best point)")
        self.use_button.clicked.connect(self._use)
        self.chart = SweepChart()
        self.shape_chart = ShapeSweepChart()
        self.charts = QStackedWidget(objectName="sweepCharts")
        self.charts.addWidget(self.chart)
        self.charts.addWidget(self.shape_chart)
        self.model = SweepModel(self)
        self.table = make_table(self.model, SweepModel.COLUMNS, SweepModel.column_index("error"))
        self.table.setObjectName("sweepTable")
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.chart.point_clicked.connect(self._point_clicked)
        self._stack = hint_or_content(self, EMPTY_HINT, self._make_content())
        self._update_button()

    def _make_content(self) -> QWidget:
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.summary)
        words.addWidget(self.reason)
        top = QHBoxLayout()
        top.setContentsMargins(4, 4, 4, 2)
        top.addLayout(words, 1)
        top.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignTop)
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="sweepSplitter", childrenCollapsible=False)
        splitter.addWidget(self.charts)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([CHART_SHARE, 100 - CHART_SHARE])
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(top)
        column.addWidget(splitter, 1)
        return content

    # a sweep under way ------------------------------------------------------

    def start(self, plan: SweepPlan) -> None:
        """A new sweep: nothing shown until its first run ends."""
        self._plan, self._results, self._running, self._pace = plan, [], True, ""
        self.runs = []
        self._show(summarise(plan.points, [], plan.percentile, plan.budget_ms, plan.repeats))

    def add_result(self, result: Configured) -> None:
        if self._plan is None:
            return
        self._results.append(result)
        self._recompute()

    def set_pace(self, note: str) -> None:
        """The core's note with the pace the first round measured, beside the progress."""
        if self._running and note.startswith(SWEEP_NOTE):
            self._pace = note[len(SWEEP_NOTE):]
            self._describe()

    def planned_runs(self) -> int:
        return self._plan.runs if self._plan is not None else 0

    def finish(self) -> None:
        self._running = False
        self._describe()

    def _recompute(self) -> None:
        plan = self._plan
        self.runs = runs_of(plan.points, self._results)
        self._show(summarise(plan.points, self.runs, plan.percentile, plan.budget_ms, plan.repeats))

    # a sweep as a report holds it ---------------------------------------------

    def show_outcome(self, outcome: RunOutcome) -> None:
        """A report that holds a sweep shows it; any other leaves the last sweep in view, as Compare
        keeps its configurations until the next comparison."""
        sweep = outcome.report.sweep
        if sweep is not None and sweep is not self.sweep:
            self._plan, self._results, self._running, self.runs = None, [], False, []
            self._show(sweep)

    def clear(self) -> None:
        self._plan, self._results, self._running, self.runs, self.sweep = None, [], False, [], None
        self.model.set_sweep(None)
        self.chart.clear()
        self._stack.setCurrentIndex(0)
        self._update_button()

    # shown ------------------------------------------------------------------

    def _show(self, sweep: Sweep) -> None:
        self.sweep = sweep
        self.model.set_sweep(sweep)
        shapes_alone = not compares_configurations([point.settings for point in sweep.points])
        self.charts.setCurrentWidget(self.shape_chart if shapes_alone else self.chart)
        (self.shape_chart if shapes_alone else self.chart).show_sweep(sweep)
        self.chart.mark(self.selected_point())
        self._describe()
        self._stack.setCurrentIndex(1)
        self._update_button()

    def _describe(self) -> None:
        sweep = self.sweep
        if sweep is None:
            return
        points = [point for point in sweep.points if not point.baseline]
        parts = [f"{len(points)} point{'s' if len(points) != 1 else ''}"
                 + (" and the device's default" if len(points) < len(sweep.points) else "")
                 + f" × {sweep.repeats} repeat{'s' if sweep.repeats != 1 else ''}",
                 f"latency at {percentile_label(sweep.percentile)}",
                 f"budget {sweep.budget_ms:g} ms" if sweep.budget_ms is not None else "no budget"]
        if self._plan is not None:
            done, total = len(self._results), self._plan.runs
            parts.append(f"run {min(done + 1, total)} of {total}" if self._running
                         else f"{done} of {total} runs" + (" (stopped)" if done < total else ""))
        if self._pace and self._running:
            parts.append(self._pace)
        self.summary.setText(" · ".join(parts))
        self.reason.setText(self._reason_text(sweep))

    def _reason_text(self, sweep: Sweep) -> str:
        if sweep.best is not None:
            return f"Best: {sweep.best.reason}" if sweep.best.index >= 0 else sweep.best.reason.capitalize()
        if not any(point.throughput_spread_fps for point in sweep.points):
            return "Waiting for the first run…" if self._running else "No point finished a run."
        return ("A sweep over shapes alone compares what each shape costs (peak RSS solid, after release dashed); "
                "it picks no best point.")

    # choosing a point -------------------------------------------------------

    def selected_point(self) -> SweepPoint | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.point_at(rows[0].row()) if rows else None

    def point_to_use(self) -> SweepPoint | None:
        """The selected point when it ran, else the best point."""
        selected = self.selected_point()
        if selected is not None and selected.throughput_spread_fps:
            return selected
        sweep = self.sweep
        best = sweep.best.index if sweep is not None and sweep.best is not None else -1
        return sweep.points[best] if best >= 0 else None

    def _selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.chart.mark(self.selected_point())
        self._update_button()

    def _point_clicked(self, name: str) -> None:
        row = self.model.row_of(name)
        if row is not None:
            self.table.selectRow(row)

    def _update_button(self) -> None:
        point = self.point_to_use()
        self.use_button.setEnabled(point is not None)
        self.use_button.setToolTip(f"Set the Settings panel to {point.name}" if point is not None
                                   else "Select a point that ran (or run a sweep with a best point)")

    def _use(self) -> None:
        point = self.point_to_use()
        if point is not None:
            self.use_point.emit(point)
