"""Per-iteration latency, live while a run goes and from the report after it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from numpy.lib.stride_tricks import sliding_window_view
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ovgui.core.events import LiveData
from ovgui.core.formatting import format_ms, layers_vs_latency_text, mean_fps_text, preprocess_text, throughput_text
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import LatencyStats, Report
from ovgui.gui.live_chart import GrowingArray, LiveChart
from ovgui.gui.plain_text import escaped
from ovgui.gui.plot_style import (
    FIRST_COLOR,
    MEDIAN_COLOR,
    P90_COLOR,
    POINT_COLOR,
    ROLLING_COLOR,
    keep_y_title_readable,
    make_plot,
    mute,
    thick_line,
    with_alpha,
)
from ovgui.gui.wrapping_label import WrappingLabel

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


class LatencyChart(LiveChart):
    """Per-iteration latency with a rolling median, median/p90 lines and the first inference apart.

    The y-range follows the steady state (`steady_range`), not the first inference
    or rare spikes, which are usually 5-50x slower and would flatten everything else.
    Iterations above the range are marked by triangles on the top edge, and
    an off-scale first inference is pinned to the top edge with its value spelled out.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(make_plot("iteration", "", "latency", "ms"), parent)
        self._samples = GrowingArray(1)
        self._sample_iterations: np.ndarray | None = None
        self._iterations = 0
        self._first_ms: float | None = None
        self._summary: LatencyStats | None = None
        self._throughput_fps: float | None = None
        self._measured = ""
        self._off_scale = 0
        # The readout changes on every refresh; its text must not widen the chart (and force a full repaint).
        self._readout = WrappingLabel()
        self._legend = WrappingLabel()
        self._footnote = WrappingLabel()
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
        self._rolling = thick_line(ROLLING_COLOR, 2.5)
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

    def _forget(self) -> None:
        self._set_samples([], None, 0)
        self._first_ms = None
        self._summary = None
        self._throughput_fps = None
        self._measured = ""

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

    def _show_report(self, outcome: RunOutcome) -> None:
        report = outcome.report
        stats = report.latency_ms
        self._set_samples(stats.samples, stats.sample_iterations if stats.sampled else None, stats.iterations)
        self._first_ms = report.timings_ms.first_inference or None
        has_stats = bool(stats.samples) or stats.median > 0
        self._summary = stats if has_stats else None
        self._throughput_fps = report.throughput_fps if has_stats else None
        self._measured = measured_text(report)

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
        mute(self._footnote, text)


def measured_text(report: Report) -> str:
    """What the figures cover, from the report: preprocessing mode, per-layer method, layers sum vs mean latency."""
    first = " · ".join(part for part in (preprocess_text(report.preprocess.mode), layers_vs_latency_text(report.profile)) if part)
    method = report.profile.method
    return escaped(first) + (f"<br>per layer: {escaped(method)}" if method else "")


def _set_stat_line(line: pg.InfiniteLine, name: str, value_ms: float) -> None:
    line.setPos(value_ms)
    line.label.setFormat(f"{name} {format_ms(value_ms)}")

