"""Latency and memory plots that follow a run live and then show its report.

Both charts pull from `LiveData` on their own timer (the Friture
pattern): the engine thread only appends to lists, so drawing costs the same
at 50 or 5000 inferences per second and no signal is sent per iteration.
After the run, `show_report` redraws from the report alone, so a report
opened from disk looks the same as one just measured.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from numpy.lib.stride_tricks import sliding_window_view
from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics, QIcon, QPalette, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.events import PHASE_TITLES, PHASES, LiveData
from ovgui.core.formatting import (
    format_duration,
    format_ms,
    layers_vs_latency_text,
    mean_fps_text,
    preprocess_text,
    throughput_text,
)
from ovgui.core.memory import phases_so_far
from ovgui.core.report import LatencyStats, MemoryPhase, Report
from ovgui.gui.plain_text import escaped

POINT_COLOR = QColor(66, 133, 244)
ROLLING_COLOR = QColor(245, 124, 0)
MEDIAN_COLOR = QColor(46, 160, 67)
P90_COLOR = QColor(229, 57, 53)
FIRST_COLOR = QColor(216, 27, 96)
RSS_COLOR = QColor(0, 150, 136)
PEAK_COLOR = QColor(229, 57, 53)
PHASE_COLORS = {
    "read_model": QColor(66, 133, 244),
    "compile": QColor(245, 124, 0),
    "first_inference": QColor(171, 71, 188),
    "steady_state": QColor(67, 160, 71),
    "results": QColor(121, 85, 72),
}
OTHER_PHASE_COLOR = QColor(128, 128, 128)

DOTS_UP_TO = 1500
"""Above this many iterations the dots merge into a blob; the thin line alone reads better."""

ROLLING_POINTS = 400
ROLLING_SAMPLES_PER_WINDOW = 200
"""The rolling median is evaluated at most at ROLLING_POINTS places, each over at most
ROLLING_SAMPLES_PER_WINDOW evenly strided samples of its window: a smooth line needs no
more, and it keeps 100k iterations at each refresh to about a millisecond."""

OUTLIER_FENCE_IQR = 3.0
FENCE_MIN_SAMPLES = 20
"""Below this many iterations quartiles say little, and every sample is shown."""
MEMORY_HEADROOM = 1.25
RSS_FOOTNOTE = "RSS of the ovgui process; includes memory-mapped weights"
PHASE_LABEL_GAP_PX = 6
SWATCH_PX = 12
MIN_PLOT_BESIDE_TABLE_PX = 420
MIN_PLOT_HEIGHT_PX = 180
X_AXIS_AND_MARGINS_PX = 56
"""The x-axis with its ticks and title, plus the plot's top margin: what a plot needs beyond its y-axis title."""


def theme_plot(plot: pg.PlotWidget, palette: QPalette) -> None:
    """Paint a plot in the application's colours so it sits right in light and dark themes."""
    text = palette.color(QPalette.ColorRole.WindowText)
    plot.setBackground(palette.color(QPalette.ColorRole.Window))
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(with_alpha(text, 150)))
        axis.setTextPen(pg.mkPen(text))


def make_plot(x_label: str, x_units: str, y_label: str, y_units: str) -> pg.PlotWidget:
    """A plot with unit-labelled axes; SI prefixes off so "ms" never turns into "kms".

    Grid lines only at major ticks: the minor levels cost more to paint on every refresh than
    all the data together, and a live chart reads better without them."""
    plot = pg.PlotWidget()
    plot.setMenuEnabled(False)
    plot.showGrid(x=True, y=True, alpha=0.18)
    for name, label, units in (("bottom", x_label, x_units), ("left", y_label, y_units)):
        axis = plot.getAxis(name)
        axis.enableAutoSIPrefix(False)
        axis.setLabel(label, units=units)
        axis.setStyle(maxTickLevel=0)
        axis.setTickDensity(1.8)
    plot.getAxis("left").setWidth(56)
    return plot


def keep_y_title_readable(plot: pg.PlotWidget) -> None:
    """A minimum height at which the rotated y-axis title ("latency (ms)", "RSS (MiB)") is not cut."""
    axis = plot.getAxis("left")
    title = axis.label.toPlainText()
    title_px = QFontMetrics(axis.label.font()).horizontalAdvance(title)
    plot.setMinimumHeight(title_px + X_AXIS_AND_MARGINS_PX)


def rolling_median(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centred rolling median over max(5, n/50) samples, evaluated on a decimated grid.

    Returns (sample index at each window's centre, median).  Empty when there are
    fewer samples than one window.
    """
    window = max(5, len(values) // 50)
    if len(values) < window:
        return np.empty(0), np.empty(0)
    windows = sliding_window_view(values, window)
    starts = np.unique(np.linspace(0, len(windows) - 1, min(ROLLING_POINTS, len(windows))).astype(np.intp))
    stride = max(1, window // ROLLING_SAMPLES_PER_WINDOW)
    medians = np.median(windows[starts, ::stride], axis=1)
    return starts + (window - 1) / 2.0, medians


def steady_range(values: np.ndarray) -> tuple[float, float]:
    """The latency range worth showing: from the fastest iteration up to Tukey's far-out fence
    (3 IQR above the upper quartile), so one 900 ms stall cannot flatten a 34 ms run; what lies
    above is marked at the plot's top edge instead.  Fast iterations are never outliers: a run
    only gets faster when the machine is quieter, and that is worth seeing."""
    low, high = float(values.min()), float(values.max())
    if len(values) < FENCE_MIN_SAMPLES:
        return low, high
    median, q1, q3 = np.percentile(values, [50, 25, 75])
    spread = max(q3 - q1, 0.02 * median, 1e-3)
    return low, min(high, float(q3 + OUTLIER_FENCE_IQR * spread))


def _thick_line(color: QColor, width: float) -> pg.PlotDataItem:
    """A wide antialiased line drawn as segments: a QPainterPath this wide costs several ms to stroke."""
    line = pg.PlotDataItem(pen=pg.mkPen(color, width=width), antialias=True)
    line.curve.setSegmentedLineMode("on")
    return line


def with_alpha(color: QColor, alpha: int) -> QColor:
    faded = QColor(color)
    faded.setAlpha(alpha)
    return faded


class _GrowingArray:
    """Rows appended by chunks with amortised doubling, so each refresh copies only the new rows."""

    def __init__(self, columns: int) -> None:
        self._data = np.empty((1024, columns))
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, rows: list) -> None:
        if not rows:
            return
        chunk = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)
        end = self._size + len(chunk)
        if end > len(self._data):
            grown = np.empty((max(end, 2 * len(self._data)), self._data.shape[1]))
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : end] = chunk
        self._size = end

    def column(self, index: int) -> np.ndarray:
        return self._data[: self._size, index]

    def clear(self) -> None:
        self._size = 0


class _LiveChart(QWidget):
    """What both charts share: the pull timer, palette following, a view that keeps
    following new data until the user zooms or pans, and no drawing while hidden
    (a chart in a background tab only copies the new samples, then draws once when shown).

    The pull rate is a trade: every repaint takes CPU from the inference being
    measured.  On a 2-core machine 30 Hz live charts inflated YOLOv8n's median
    latency by 25%.  So the charts redraw at 10 Hz (latency) and 4 Hz (memory) only
    while nothing is timed (read, compile, first inference), and once a second while the
    steady state is timed: at 10 Hz a SqueezeNet run's GUI thread spent about a fifth of a
    core drawing (`scripts/measure_gui_thread_cpu.py`), CPU a 2-thread inference on 2 cores
    does not have to spare.  The chart says so while it happens (`timing_note`), and the
    last pull when the run ends draws every point."""

    refresh_interval_ms = 100
    timing_interval_ms = 1000

    def __init__(self, plot: pg.PlotWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot
        self._live: LiveData | None = None
        self._following = True
        self._stale = False
        self._timer = QTimer(self)
        self._timer.setInterval(self.refresh_interval_ms)
        self._timer.timeout.connect(self.refresh)
        plot_item = plot.getPlotItem()
        plot_item.sigRangeChangedManually.connect(self._stop_following)
        plot_item.autoBtn.clicked.connect(self._resume_following)

    def attach(self, live: LiveData) -> None:
        """Forget what is drawn and start pulling from `live` (a new run)."""
        self.clear()
        self._live = live
        self.start_live()

    def start_live(self) -> None:
        self._timer.start()

    def stop_live(self) -> None:
        """Stop the timer after one last pull, so the final points are not lost."""
        self._timer.stop()
        self.refresh()
        self._set_timing(False)

    def is_live(self) -> bool:
        return self._timer.isActive()

    def refresh(self) -> None:
        """Pull what the engine appended since the last call; cheap when nothing changed."""
        live = self._live
        if live is None:
            return
        changed = self._pull(live)
        self._set_timing(self._timing(live))
        if changed:
            self._draw_when_visible()

    def is_timing(self) -> bool:
        """True while the chart follows a timed steady state at its slower rate."""
        return self._timer.interval() == self.timing_interval_ms

    def timing_note(self) -> str:
        """What the chart tells the user about its own rate while a run is timed ("" otherwise)."""
        if not self.is_timing():
            return ""
        return f"redrawn once every {self.timing_interval_ms / 1000:g} s while timing, to leave the CPU to the inference"

    def _set_timing(self, timing: bool) -> None:
        interval = self.timing_interval_ms if timing else self.refresh_interval_ms
        if self._timer.interval() != interval:
            self._timer.setInterval(interval)
            self._show_timing_note()

    def clear(self) -> None:
        self._following = True

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._redraw()

    def _pull(self, live: LiveData) -> bool:
        """Copy new data from `live`; True if there was any."""
        raise NotImplementedError

    def _timing(self, live: LiveData) -> bool:
        """Whether the run behind `live` is in its timed steady state."""
        raise NotImplementedError

    def _show_timing_note(self) -> None:
        """Put `timing_note()` where the chart shows its notes."""

    def _draw(self) -> None:
        raise NotImplementedError

    def _redraw(self) -> None:
        self._stale = False
        self._draw()

    def _draw_when_visible(self) -> None:
        if self.isVisible():
            self._redraw()
        else:
            self._stale = True

    def _detach(self) -> None:
        """A report replaces the live view: stop pulling and drop the buffers."""
        self._timer.stop()
        self._live = None
        self._set_timing(False)

    def _apply_palette(self) -> None:
        theme_plot(self.plot, self.palette())
        self._restyle(self.palette().color(QPalette.ColorRole.WindowText))

    def _restyle(self, text: QColor) -> None:
        """Recolour the chart's own text items with the palette's text colour."""

    def _fit_view(self) -> None:
        """Set the view range the chart thinks best for the data it holds."""

    def _stop_following(self) -> None:
        self._following = False

    def _resume_following(self) -> None:
        self._following = True
        self._fit_view()


class LatencyChart(_LiveChart):
    """Per-iteration latency with a rolling median, median/p90 lines and the first inference apart.

    The y-range follows the steady state (`steady_range`), not the first inference
    or rare spikes, which are usually 5-50x slower and would flatten everything else.
    Iterations above the range are marked by triangles on the top edge, and
    an off-scale first inference is pinned to the top edge with its value spelled out.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(make_plot("iteration", "", "latency", "ms"), parent)
        self._samples = _GrowingArray(1)
        self._sample_iterations: np.ndarray | None = None
        self._iterations = 0
        self._first_ms: float | None = None
        self._summary: LatencyStats | None = None
        self._throughput_fps: float | None = None
        self._measured = ""
        self._off_scale = 0
        # The readout changes on every refresh; its text must not widen the chart (and force a full repaint).
        self._readout = _WrappingLabel()
        self._legend = _WrappingLabel()
        self._footnote = _WrappingLabel()
        keep_y_title_readable(self.plot)
        self._build_items()
        self._lay_out()
        self.plot.getViewBox().sigYRangeChanged.connect(self._place_edge_markers)
        self._apply_palette()
        self.clear()

    def _build_items(self) -> None:
        plot = self.plot.getPlotItem()
        self._points = pg.PlotDataItem(antialias=True)
        self._points.setClipToView(True)
        self._points.setDownsampling(auto=True, method="peak")
        self._rolling = _thick_line(ROLLING_COLOR, 2.5)
        self._rolling.setZValue(5)
        self._median_line = self._stat_line(MEDIAN_COLOR, anchors=[(1, 0), (1, 0)])
        self._p90_line = self._stat_line(P90_COLOR, anchors=[(1, 1), (1, 1)])
        self._first_marker = pg.ScatterPlotItem(
            symbol="d", size=12, pen=pg.mkPen(FIRST_COLOR.darker(130)), brush=pg.mkBrush(FIRST_COLOR)
        )
        self._first_label = pg.TextItem(anchor=(0, 0.5))
        self._outliers = pg.ScatterPlotItem(size=8, pen=pg.mkPen(P90_COLOR.darker(130)), brush=pg.mkBrush(P90_COLOR))
        for item in (self._first_marker, self._first_label, self._outliers):
            item.setZValue(10)
        plot.addItem(self._points)
        plot.addItem(self._rolling)
        for item in (self._median_line, self._p90_line, self._outliers, self._first_marker, self._first_label):
            plot.addItem(item, ignoreBounds=True)
        self._show_dots(True)

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 2)
        layout.setSpacing(2)
        for label in (self._readout, self._legend, self._footnote):
            label.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(self._readout)
        layout.addWidget(self._legend)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self._footnote)

    @staticmethod
    def _stat_line(color: QColor, anchors: list[tuple[float, float]]) -> pg.InfiniteLine:
        line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine),
            label="",
            labelOpts={"position": 0.98, "color": color, "anchors": anchors},
        )
        line.setZValue(4)
        return line

    def point_count(self) -> int:
        return len(self._points.xData) if self._points.xData is not None else 0

    def off_scale_count(self) -> int:
        """Iterations above the shown y-range, each marked on the top edge."""
        return self._off_scale

    def y_range(self) -> tuple[float, float]:
        low, high = self.plot.getViewBox().viewRange()[1]
        return float(low), float(high)

    def footnote_text(self) -> str:
        return self._footnote.text()

    def _timing(self, live: LiveData) -> bool:
        return self._iterations > 0

    def _show_timing_note(self) -> None:
        self._footnote.setText(" · ".join(part for part in (self._measured, self.timing_note()) if part))

    def first_inference_label(self) -> str:
        """The first-inference caption as drawn ("" when there is none), for tests and tooltips."""
        return self._first_label.toPlainText() if self._first_label.isVisible() else ""

    def clear(self) -> None:
        super().clear()
        self._set_samples([], None, 0)
        self._first_ms = None
        self._summary = None
        self._throughput_fps = None
        self._measured = ""
        self._redraw()

    def _pull(self, live: LiveData) -> bool:
        """New latencies; past the history's cap, the whole uniform sample again (the live rate is
        then once a second, and sorting 100,000 samples by iteration takes a few milliseconds)."""
        first = live.first_inference_ms
        if live.sampled:
            if live.iterations == self._iterations and first == self._first_ms:
                return False
            self._set_samples(list(live.latencies_ms), list(live.latency_iterations), live.iterations)
        else:
            new = live.latencies_ms[len(self._samples) :]
            if not new and first == self._first_ms:
                return False
            self._samples.extend(new)
            self._iterations = len(self._samples)
        self._first_ms = first
        return True

    def _set_samples(self, values: list[float], iterations: list[int] | None, count: int) -> None:
        """All samples at once; `iterations` numbers a uniform sample's points (None: 1, 2, 3...)."""
        self._samples.clear()
        self._sample_iterations = None
        if iterations:
            kept = min(len(values), len(iterations))
            order = np.argsort(np.asarray(iterations[:kept]), kind="stable")
            self._sample_iterations = np.asarray(iterations[:kept], dtype=np.float64)[order]
            values = np.asarray(values[:kept], dtype=np.float64)[order].tolist()
        self._samples.extend(values)
        self._iterations = max(count, len(self._samples))

    def _x(self) -> np.ndarray:
        """Each shown sample's iteration number."""
        if self._sample_iterations is not None:
            return self._sample_iterations
        return np.arange(1, len(self._samples) + 1, dtype=np.float64)

    def show_report(self, report: Report) -> None:
        """Draw a finished run from its report alone (the live buffers may be gone)."""
        self._detach()
        super().clear()
        stats = report.latency_ms
        self._set_samples(stats.samples, stats.sample_iterations if stats.sampled else None, stats.iterations)
        self._first_ms = report.timings_ms.first_inference or None
        has_stats = bool(stats.samples) or stats.median > 0
        self._summary = stats if has_stats else None
        self._throughput_fps = report.throughput_fps if has_stats else None
        self._measured = measured_text(report)
        self._redraw()

    def _draw(self) -> None:
        values = self._samples.column(0)
        if self._live is not None:
            self._summary = self._live.latency_stats() if len(values) else None
        self._show_dots(len(values) <= DOTS_UP_TO)
        x = self._x()
        self._points.setData(x, values)
        centres, medians = rolling_median(values)
        self._rolling.setData(np.interp(centres, np.arange(len(x)), x) if len(x) else centres, medians)
        self._draw_summary()
        self._fit_view()
        self._place_edge_markers()

    def _show_dots(self, dots: bool) -> None:
        """Dots joined by a faint line while they can be told apart; a translucent line after
        that, so the rolling median and the stat lines stay visible through a dense band."""
        if dots == (self._points.opts["symbol"] is not None):
            return
        if dots:
            self._points.setPen(pg.mkPen(with_alpha(POINT_COLOR, 110), width=1))
            self._points.setSymbol("o")
            self._points.setSymbolSize(4)
            self._points.setSymbolPen(None)
            self._points.setSymbolBrush(with_alpha(POINT_COLOR, 210))
        else:
            self._points.setPen(pg.mkPen(with_alpha(POINT_COLOR, 120), width=1))
            self._points.setSymbol(None)

    def _draw_summary(self) -> None:
        summary = self._summary
        self._median_line.setVisible(summary is not None)
        self._p90_line.setVisible(summary is not None)
        if summary is not None:
            _set_stat_line(self._median_line, "median", summary.median)
            _set_stat_line(self._p90_line, "p90", summary.p90)
        self._readout.setText(self.readout_text())
        self._legend.setText(self._legend_text())
        self._show_timing_note()

    def readout_text(self) -> str:
        """The one-line summary above the plot (rich text), e.g. for a status bar."""
        summary = self._summary
        if summary is None and self._first_ms is None:
            return "No latency data yet"
        if summary is None:
            return f"first inference {format_ms(self._first_ms)} ms"
        figures = [
            f"<b>median {format_ms(summary.median)} ms</b>",
            f"p90 {format_ms(summary.p90)}",
            f"p99 {format_ms(summary.p99)}",
            f"mean {format_ms(summary.mean)} ms",
            f"{self._iterations} iterations",
        ]
        rates = [mean_fps_text(summary.mean)]
        if self._throughput_fps is not None:
            rates.append(throughput_text(self._throughput_fps))
        return " · ".join(figures) + "<br>" + " · ".join(rates)

    def _legend_text(self) -> str:
        """The key lives beside the readout, not in the plot, where it would hide data."""
        window = max(5, len(self._samples) // 50)
        sampled = len(self._samples) < self._iterations
        entries = [
            (POINT_COLOR, "●", f"a uniform sample of {len(self._samples):,} iterations" if sampled else "per iteration"),
            (ROLLING_COLOR, "━", f"rolling median ({window} {'samples' if sampled else 'it.'})"),
            (FIRST_COLOR, "◆", "first inference"),
        ]
        if self._off_scale:
            entries.append((P90_COLOR, "▲", f"{self._off_scale} off scale"))
        return "&nbsp;&nbsp;".join(
            f'<span style="color:{color.name()}">{glyph}</span>&nbsp;{text}' for color, glyph, text in entries
        )

    def _fit_view(self) -> None:
        if not self._following:
            return
        values = self._samples.column(0)
        x_high = max(self._iterations, 10)
        x_range = (-0.02 * x_high, 1.02 * x_high)
        if len(values):
            y_range = self._steady_y_range(values)
        else:
            y_range = (0.0, (self._first_ms or 10.0) * 1.2)
        self.plot.getViewBox().setRange(xRange=x_range, yRange=y_range, padding=0)

    def _steady_y_range(self, values: np.ndarray) -> tuple[float, float]:
        low, high = steady_range(values)
        pad = max(0.1 * (high - low), 0.02 * self._summary.median, 1e-3)
        return max(0.0, low - pad), high + 1.6 * pad

    def _place_edge_markers(self) -> None:
        self._place_outliers()
        self._place_first_inference()

    def _place_outliers(self) -> None:
        """A triangle on the top edge at each iteration above the view."""
        values = self._samples.column(0)
        (_, _), (y_low, y_high) = self.plot.getViewBox().viewRange()
        above = np.flatnonzero(values > y_high)
        self._outliers.setData(x=self._x()[above], y=np.full(len(above), y_high - 0.015 * (y_high - y_low)), symbol="t1")
        if len(above) != self._off_scale:
            self._off_scale = len(above)
            self._legend.setText(self._legend_text())

    def _place_first_inference(self) -> None:
        first = self._first_ms
        self._first_marker.setVisible(first is not None)
        self._first_label.setVisible(first is not None)
        if first is None:
            return
        (x_low, x_high), (y_low, y_high) = self.plot.getViewBox().viewRange()
        pinned_y = y_high - 0.03 * (y_high - y_low)
        off_scale = first > pinned_y
        y = pinned_y if off_scale else first
        caption = f"first inference {format_ms(first)} ms"
        if self._first_marker.data["y"].tolist() != [y]:
            self._first_marker.setData([0], [y])
        self._first_label.setText(f"{caption} (off scale ↑)" if off_scale else caption)
        self._first_label.setPos(0.012 * (x_high - x_low), y)

    def _restyle(self, text: QColor) -> None:
        backdrop = pg.mkBrush(with_alpha(self.palette().color(QPalette.ColorRole.Window), 200))
        self._first_label.setColor(text)
        for label in (self._first_label, self._median_line.label, self._p90_line.label):
            label.fill = backdrop
            label.update()
        _mute(self._footnote, text)


def measured_text(report: Report) -> str:
    """What the figures cover, from the report: preprocessing mode, per-layer method, layers sum vs mean latency."""
    first = " · ".join(part for part in (preprocess_text(report.preprocess.mode), layers_vs_latency_text(report.profile)) if part)
    method = report.profile.method
    return escaped(first) + (f"<br>per layer: {escaped(method)}" if method else "")


class _WrappingLabel(QLabel):
    """Wraps instead of being cut, never widens its chart, and claims the height its lines need
    as its minimum: a dock ignores height-for-width, and would otherwise squeeze the label to one
    line and draw the next over the plot."""

    def __init__(self) -> None:
        super().__init__(wordWrap=True)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._claim_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._claim_height()

    def _claim_height(self) -> None:
        needed = self.heightForWidth(self.width()) if self.text() else 0
        if needed != self.minimumHeight():
            self.setMinimumHeight(max(needed, 0))


def _mute(label: QLabel, text: QColor) -> None:
    """Secondary text: the palette's text colour, faded."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, with_alpha(text, 160))
    label.setPalette(palette)


def _set_stat_line(line: pg.InfiniteLine, name: str, value_ms: float) -> None:
    line.setPos(value_ms)
    line.label.setFormat(f"{name} {format_ms(value_ms)}")


class _PhaseTable(QTableWidget):
    """Phase, duration, RSS change and RSS at end; the colour swatch doubles as the plot's legend."""

    HEADERS = ("Phase", "Duration", "RSS Δ", "RSS at end")
    WIDEST = ("first inference", "999 ms", "+9999.9 MiB", "99999.9 MiB")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setIconSize(QSize(SWATCH_PX, SWATCH_PX))
        self.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fix_column_widths()

    def _fix_column_widths(self) -> None:
        """Columns sized once for the widest plausible text: a table that grew with the
        ticking duration would resize the plot beside it, and repaint it, 30 times a second."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for column, (title, widest) in enumerate(zip(self.HEADERS, self.WIDEST)):
            text_px = max(metrics.horizontalAdvance(title), metrics.horizontalAdvance(widest))
            swatch_px = SWATCH_PX + 10 if column == 0 else 0
            header.resizeSection(column, text_px + swatch_px + 14)
        self.setFixedWidth(header.length() + 2 * self.frameWidth())

    def show_phases(self, spans: list[MemoryPhase]) -> None:
        self.setRowCount(len(spans))
        for row, span in enumerate(spans):
            delta = span.rss_delta_mib
            cells = (
                _phase_title(span.name),
                format_duration(span.end_s - span.start_s),
                f"{delta:+.1f} MiB",
                f"{span.rss_end_mib:.1f} MiB",
            )
            if self._set_cell(row, 0, cells[0]):
                self.item(row, 0).setIcon(_swatch(_phase_color(span.name)))
            for column, text in enumerate(cells[1:], start=1):
                self._set_cell(row, column, text)

    def _set_cell(self, row: int, column: int, text: str) -> bool:
        """Set a cell's text; touch nothing when it is unchanged (most cells, on every refresh). True if changed."""
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            alignment = Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight
            item.setTextAlignment(alignment | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, column, item)
        elif item.text() == text:
            return False
        item.setText(text)
        return True


def _phase_color(name: str) -> QColor:
    return PHASE_COLORS.get(name, OTHER_PHASE_COLOR)


def _swatch(color: QColor) -> QIcon:
    pixmap = QPixmap(SWATCH_PX, SWATCH_PX)
    pixmap.fill(color)
    return QIcon(pixmap)


class MemoryChart(_LiveChart):
    """Process RSS over time with the run's phases shaded, the peak marked and a phase table."""

    refresh_interval_ms = 250

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(make_plot("time", "s", "RSS", "MiB"), parent)
        keep_y_title_readable(self.plot)
        self._samples = _GrowingArray(2)
        self._spans: list[MemoryPhase] = []
        self._peak: tuple[float, float] | None = None
        self._regions: list[tuple[pg.LinearRegionItem, pg.TextItem]] = []
        self._region_names: list[str] = []
        self._table = _PhaseTable()
        self._compact = False
        self._footnote = QLabel(RSS_FOOTNOTE)
        self._footnote.setContentsMargins(6, 0, 0, 0)
        self._build_items()
        self._lay_out()
        view = self.plot.getViewBox()
        view.sigRangeChanged.connect(self._place_labels)
        view.sigResized.connect(self._place_labels)
        self._apply_palette()
        self.clear()

    def _build_items(self) -> None:
        plot = self.plot.getPlotItem()
        self._curve = _thick_line(RSS_COLOR, 2)
        self._curve.setClipToView(True)
        self._curve.setDownsampling(auto=True, method="peak")
        self._curve.setZValue(10)
        self._peak_marker = pg.ScatterPlotItem(
            symbol="o", size=9, pen=pg.mkPen(PEAK_COLOR.darker(140)), brush=pg.mkBrush(PEAK_COLOR)
        )
        self._peak_marker.setZValue(20)
        self._peak_label = pg.TextItem(anchor=(0, 1))
        self._peak_label.setZValue(20)
        plot.addItem(self._curve)
        plot.addItem(self._peak_marker, ignoreBounds=True)
        plot.addItem(self._peak_label, ignoreBounds=True)

    def _lay_out(self) -> None:
        self._row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.plot, 1)
        self._row.addWidget(self._table, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 6, 4)
        layout.addLayout(self._row, 1)
        layout.addWidget(self._footnote)
        self._arrange()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Table beside the plot when the chart is wide; below it in a narrow dock with room for
        every row; and when there is room for neither, no table: the phase labels in the plot
        carry each phase's duration and RSS change instead (a laptop screen), which reads better
        than a plot squeezed to a strip beside or above the table."""
        table = self._table.sizeHint()
        rows = self._table.verticalHeader().defaultSectionSize() * len(PHASES)
        full_height = self._table.horizontalHeader().sizeHint().height() + rows + 2 * self._table.frameWidth()
        room_beside = self.width() - table.width()
        short = self.height() - full_height - self._footnote.sizeHint().height() < MIN_PLOT_HEIGHT_PX
        wide = room_beside >= MIN_PLOT_BESIDE_TABLE_PX
        compact = short and not wide
        self._row.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        self._row.setAlignment(self._table, Qt.AlignmentFlag.AlignTop if wide else Qt.AlignmentFlag.AlignLeft)
        if compact != self._compact:
            self._compact = compact
            self._draw_when_visible()

    def shows_phase_table(self) -> bool:
        return not self._compact

    def sample_count(self) -> int:
        return len(self._samples)

    def phase_names(self) -> list[str]:
        return [span.name for span in self._spans]

    def clear(self) -> None:
        super().clear()
        self._samples.clear()
        self._spans = []
        self._peak = None
        self._redraw()

    def _timing(self, live: LiveData) -> bool:
        return bool(self._spans) and self._spans[-1].name == "steady_state"

    def _show_timing_note(self) -> None:
        peak = f"peak {self._peak[1]:.0f} MiB" if self._peak is not None and self._compact else ""
        self._footnote.setText(" · ".join(part for part in (peak, RSS_FOOTNOTE, self.timing_note()) if part))

    def _pull(self, live: LiveData) -> bool:
        """New samples and phase marks; the open phase stretches to the latest sample."""
        # The sampler thread and the phase marks append from two threads, so a chunk can be out of order.
        new = sorted(live.memory_samples[len(self._samples) :])
        marks = list(live.phase_marks)
        if not new and len(marks) == len(self._spans):
            return False
        self._samples.extend(new)
        t_s, rss_mib = self._samples.column(0), self._samples.column(1)
        self._spans = phases_so_far(marks, t_s, rss_mib)
        self._peak = _peak_of(t_s, rss_mib)
        return True

    def show_report(self, report: Report) -> None:
        """Draw the run's exact phases and peak from the report (no live data needed)."""
        self._detach()
        super().clear()
        memory = report.memory
        self._samples.clear()
        self._samples.extend(memory.samples)
        self._spans = list(memory.phases)
        self._peak = (memory.peak_t_s, memory.peak_mib) if memory.peak_mib > 0 else None
        self._redraw()

    def _draw(self) -> None:
        self._curve.setData(self._samples.column(0), self._samples.column(1))
        self._draw_phases()
        self._table.show_phases(self._spans)
        self._table.setVisible(bool(self._spans) and not self._compact)
        self._draw_peak()
        self._fit_view()
        self._place_labels()

    def _draw_phases(self) -> None:
        if self._region_names != self.phase_names():
            self._rebuild_regions()
        for (region, label), span in zip(self._regions, self._spans):
            region.setRegion((span.start_s, span.end_s))
            caption = self._phase_caption(span)
            if label.toPlainText() != caption:
                label.setText(caption)

    def phase_captions(self) -> list[str]:
        return [label.toPlainText() for _, label in self._regions]

    def _phase_caption(self, span: MemoryPhase) -> str:
        if not self._compact:
            return _phase_title(span.name)
        delta = span.rss_delta_mib
        return f"{_phase_title(span.name)} {format_duration(span.end_s - span.start_s)} {delta:+.0f} MiB"

    def _rebuild_regions(self) -> None:
        plot = self.plot.getPlotItem()
        for region, label in self._regions:
            plot.removeItem(region)
            plot.removeItem(label)
        self._regions = []
        self._region_names = self.phase_names()
        text = self.palette().color(QPalette.ColorRole.WindowText)
        for span in self._spans:
            color = _phase_color(span.name)
            region = pg.LinearRegionItem(
                movable=False, brush=with_alpha(color, 45), pen=pg.mkPen(with_alpha(color, 110))
            )
            region.setZValue(-10)
            label = pg.TextItem(_phase_title(span.name), color=text, anchor=(0, 0), fill=with_alpha(color, 70))
            label.setZValue(15)
            plot.addItem(region, ignoreBounds=True)
            plot.addItem(label, ignoreBounds=True)
            self._regions.append((region, label))

    def _draw_peak(self) -> None:
        """The peak's value beside its marker; in the compact layout, where the phase labels fill
        the top of the plot, in the footnote instead."""
        visible = self._peak is not None
        self._peak_marker.setVisible(visible)
        self._peak_label.setVisible(visible and not self._compact)
        caption = f"peak {self._peak[1]:.0f} MiB" if visible else ""
        self._show_timing_note()
        if visible and self._peak_marker.data[["x", "y"]].tolist() != [self._peak]:
            self._peak_marker.setData([self._peak[0]], [self._peak[1]])
            self._peak_label.setText(caption)

    def _fit_view(self) -> None:
        if not self._following or not len(self._samples):
            return
        t_s, rss_mib = self._samples.column(0), self._samples.column(1)
        start, end = float(t_s[0]), max(float(t_s[-1]), float(t_s[0]) + 0.1)
        margin = 0.01 * (end - start)
        top = max(float(rss_mib.max()), self._peak[1] if self._peak else 0.0)
        x_range = (start - margin, end + margin)
        self.plot.getViewBox().setRange(xRange=x_range, yRange=(0, top * MEMORY_HEADROOM), padding=0)

    def _place_labels(self) -> None:
        self._place_phase_labels()
        self._place_peak_label()

    def _place_phase_labels(self) -> None:
        """Phase titles along the top edge, in the highest row where they fit: a wide phase's title
        may move right within its phase to share a row, none runs past the plot's right edge, and
        short phases stack into rows below."""
        view = self.plot.getViewBox()
        (x_low, x_high), (_, y_high) = view.viewRange()
        pixel_w, pixel_h = view.viewPixelSize()
        row_ends: list[float] = []
        for (_, label), span in zip(self._regions, self._spans):
            size = label.textItem.boundingRect()
            width = (size.width() + PHASE_LABEL_GAP_PX) * pixel_w
            start = max(span.start_s, x_low)
            latest = min(max(start, min(span.end_s, x_high) - width), x_high - width)
            earliest = max(x_low, min(start, latest))
            row = next((i for i, end in enumerate(row_ends) if max(earliest, end) <= latest), len(row_ends))
            if row == len(row_ends):
                row_ends.append(earliest)
            left = max(earliest, row_ends[row])
            row_ends[row] = left + width
            label.setPos(left, y_high - (2 + row * size.height()) * pixel_h)

    def _place_peak_label(self) -> None:
        """Above the peak, leaning towards the middle so it is never cut by the plot's edge."""
        if self._peak is None:
            return
        t_s, rss = self._peak
        x_low, x_high = self.plot.getViewBox().viewRange()[0]
        self._peak_label.setAnchor((1, 1) if t_s > (x_low + x_high) / 2 else (0, 1))
        self._peak_label.setPos(t_s, rss)

    def _restyle(self, text: QColor) -> None:
        for _, label in self._regions:
            label.setColor(text)
        self._peak_label.setColor(text)
        _mute(self._footnote, text)


def _phase_title(name: str) -> str:
    return PHASE_TITLES.get(name, name)


def _peak_of(t_s: np.ndarray, rss_mib: np.ndarray) -> tuple[float, float] | None:
    if not len(rss_mib):
        return None
    index = int(np.argmax(rss_mib))
    return float(t_s[index]), float(rss_mib[index])
