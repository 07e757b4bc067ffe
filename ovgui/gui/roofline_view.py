"""The roofline: how close each layer comes to what the device can do.

One dot per layer that has counted FLOPs and moved bytes, at (arithmetic intensity, achieved
GFLOP/s) on log-log axes, its area proportional to the layer's time, so the layers that matter
are the big dots.  The device's measured roofs (`Report.rooflines`) bound it, hierarchically as
Intel Advisor draws them: one slanted memory roof per level (L2, L3, DRAM) and a flat compute
roof per precision; each layer is judged against the level its bytes fit.  A layer above its
roof (efficiency > 100 %) gets a red ring and the caption says why; the caption also says when
and at what load average the roofs were measured.  Clicking a dot selects its layer, linked like
the graph view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from ovgui.core.outcome import RunOutcome
from ovgui.core.report import LayerStats, Roofline
from ovgui.gui.plot_style import make_plot, theme_plot
from ovgui.gui.tables import heat_color, hint_label

EMPTY_HINT = "Run a model with OpenVINO to see its layers against the device's roofs"
NO_FLOPS_HINT = "No layer of this run has counted operations and bytes: nothing to place on the roofline"
MIN_DOT_PX, MAX_DOT_PX = 5.0, 30.0
ROOF_COLORS = (QColor(200, 60, 40), QColor(120, 70, 180), QColor(40, 130, 90))
MEMORY_ROOF_COLORS = {"L1": QColor(150, 190, 240), "L2": QColor(110, 160, 230), "L3": QColor(70, 120, 210),
                      "DRAM": QColor(30, 60, 150)}
SELECTED_COLOR = QColor(20, 20, 20)
ABOVE_ROOF_COLOR = QColor(220, 30, 30)


def plotted_layers(layers: Sequence[LayerStats]) -> list[LayerStats]:
    """Layers with a place on log-log axes: counted operations, bytes moved and a rate above zero."""
    return [
        layer for layer in layers
        if layer.executed and (layer.gflops_per_s or 0) > 0 and (layer.arithmetic_intensity or 0) > 0
    ]


def dot_sizes(times_ms: Sequence[float]) -> np.ndarray:
    """Diameters with area proportional to time, the slowest layer at the largest size."""
    times = np.asarray(times_ms, dtype=float)
    largest = times.max() if len(times) else 0.0
    if largest <= 0:
        return np.full(len(times), MIN_DOT_PX)
    return MIN_DOT_PX + (MAX_DOT_PX - MIN_DOT_PX) * np.sqrt(times / largest)


def decade_ticks(log_low: float, log_high: float) -> list[tuple[int, str]]:
    """One labelled tick per power of ten: pyqtgraph's minor log labels (2, 3, … 9 per decade)
    run into each other on a plot a dock wide."""
    return [(power, f"{10.0 ** power:g}") for power in range(math.floor(log_low), math.ceil(log_high) + 1)]


def memory_levels(rooflines: Sequence[Roofline]) -> list[tuple[str, float]]:
    """(level, GB/s) of the run's roof, smallest level first; a report from before the levels were
    measured has only its one memory roof, drawn as DRAM."""
    roof = next((roof for roof in rooflines if roof.memory_roofs or roof.gbytes_per_s), None)
    if roof is None:
        return []
    if roof.memory_roofs:
        return [(memory.level, memory.gbytes_per_s) for memory in roof.memory_roofs]
    return [("DRAM", roof.gbytes_per_s)]


def roofs_caption(rooflines: Sequence[Roofline]) -> str:
    """When and how busy the machine was when the roofs were measured, and what the roofs' notes say."""
    if not rooflines:
        return ""
    roof = rooflines[0]
    when = roof.measured_at.replace("T", " ").replace("+00:00", " UTC") if roof.measured_at else "at an unrecorded time"
    load = f"load average {roof.load_average:.2f}" if roof.load_average is not None else "load average not recorded"
    cores = f" on {roof.threads} threads" if roof.threads else ""
    notes = list(dict.fromkeys(note for item in rooflines for note in item.notes))
    return "  ".join([f"Roofs measured {when}, {load}{cores}.", *(f"⚠ {note}." for note in notes)])


def _distance(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())


class RooflineView(QWidget):
    layer_selected = Signal(object)
    """The `LayerStats` of the dot the user clicked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layers: list[LayerStats] = []
        self._marked: str | None = None
        self.plot = make_plot("arithmetic intensity", "FLOP/byte", "achieved", "GFLOP/s")
        self.plot.setObjectName("rooflinePlot")
        self.plot.setLogMode(x=True, y=True)
        self.plot.addLegend(offset=(-10, -10))
        self.dots = pg.PlotDataItem(pen=None, symbol="o")
        self.dots.sigPointsClicked.connect(self._clicked)
        self.marker = pg.PlotDataItem(pen=None, symbol="o", symbolBrush=None,
                                      symbolPen=pg.mkPen(SELECTED_COLOR, width=2.5))
        self.above_roof = pg.PlotDataItem(pen=None, symbol="o", symbolBrush=None,
                                          symbolPen=pg.mkPen(ABOVE_ROOF_COLOR, width=2.5))
        self.caption = QLabel()
        self.caption.setObjectName("rooflineCaption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setWordWrap(True)
        self._hint = hint_label(EMPTY_HINT)
        plotted = QWidget()
        plotted_layout = QVBoxLayout(plotted)
        plotted_layout.setContentsMargins(0, 0, 0, 0)
        plotted_layout.addWidget(self.plot, 1)
        plotted_layout.addWidget(self.caption)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._hint)
        self._stack.addWidget(plotted)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    def show_layers(self, layers: Sequence[LayerStats], rooflines: Sequence[Roofline]) -> None:
        theme_plot(self.plot, self.palette())
        plot = self.plot.getPlotItem()
        plot.clear()
        plot.legend.clear()
        self._layers = plotted_layers(layers)
        if not self._layers:
            self._hint.setText(NO_FLOPS_HINT if layers else EMPTY_HINT)
            self._stack.setCurrentIndex(0)
            return
        intensity = np.array([layer.arithmetic_intensity for layer in self._layers])
        achieved = np.array([layer.gflops_per_s for layer in self._layers])
        times = [layer.real_time_ms for layer in self._layers]
        largest = max(times) or 1.0
        self.dots.setData(
            intensity, achieved, symbolSize=dot_sizes(times), symbolPen=pg.mkPen(40, 40, 40, 160),
            symbolBrush=[pg.mkBrush(heat_color(t / largest, alpha=0.75)) for t in times],
            data=list(range(len(self._layers))), name="layers (area ∝ time)",
        )
        plot.addItem(self.dots)
        self.marker.setData([], [])
        self._marked = None
        plot.addItem(self.marker)
        above = [layer for layer in self._layers if layer.efficiency is not None and layer.efficiency > 1.0]
        self.above_roof.setData([layer.arithmetic_intensity for layer in above], [layer.gflops_per_s for layer in above],
                                symbolSize=MAX_DOT_PX * 0.6, name=f"above its roof: {len(above)}" if above else None)
        plot.addItem(self.above_roof)
        self._draw_roofs(plot, rooflines, intensity, achieved)
        self.caption.setText(roofs_caption(rooflines))
        self._stack.setCurrentIndex(1)

    def show_outcome(self, outcome: RunOutcome) -> None:
        self.show_layers(outcome.report.layers, outcome.report.rooflines)

    def clear(self) -> None:
        self.show_layers([], [])

    def dot_count(self) -> int:
        return len(self._layers)

    def layer_names(self) -> list[str]:
        return [layer.name for layer in self._layers]

    def roof_count(self) -> int:
        return sum(1 for item in self.plot.getPlotItem().listDataItems() if item not in (self.dots, self.marker, self.above_roof))

    def above_roof_count(self) -> int:
        return len(self.above_roof.xData) if self.above_roof.xData is not None else 0

    def dot_scene_position(self, layer_name: str) -> QPointF:
        """Where a layer's dot is, in the plot's scene coordinates (log axes are log10 in view space)."""
        layer = next(layer for layer in self._layers if layer.name == layer_name)
        view_point = QPointF(math.log10(layer.arithmetic_intensity), math.log10(layer.gflops_per_s))
        return self.plot.getPlotItem().vb.mapViewToScene(view_point)

    def selected_layer_name(self) -> str | None:
        return self._marked

    def select_layer(self, layer_name: str) -> None:
        """Ring the layer's dot (no dot: no ring), without announcing it back."""
        layer = next((layer for layer in self._layers if layer.name == layer_name), None)
        self._marked = layer.name if layer is not None else None
        if layer is None:
            self.marker.setData([], [])
            return
        size = dot_sizes([layer.real_time_ms / max(item.real_time_ms for item in self._layers)])[0] + 6
        self.marker.setData([layer.arithmetic_intensity], [layer.gflops_per_s], symbolSize=size)

    def _draw_roofs(self, plot: pg.PlotItem, rooflines: Sequence[Roofline], intensity: np.ndarray, achieved: np.ndarray) -> None:
        """Each compute roof flat from the DRAM ridge on; each memory level of the run's roof
        slanted up to where it meets the highest compute roof; the x range spans the dots and the ridges."""
        ridges = [roof.ridge_intensity for roof in rooflines if roof.ridge_intensity]
        low, high = min([intensity.min(), *ridges]) / 3, max([intensity.max(), *ridges]) * 3
        for roof, color in zip(rooflines, ROOF_COLORS):
            start = roof.ridge_intensity or low
            label = f"compute roof {roof.precision or 'default'}: {roof.gflops_per_s:,.0f} GFLOP/s"
            plot.addItem(pg.PlotDataItem([start, high], [roof.gflops_per_s] * 2, pen=pg.mkPen(color, width=2), name=label))
        top = max((roof.gflops_per_s for roof in rooflines), default=0.0)
        for level, gbytes_per_s in memory_levels(rooflines):
            ridge = top / gbytes_per_s
            plot.addItem(pg.PlotDataItem(
                [low, ridge], [gbytes_per_s * low, top],
                pen=pg.mkPen(MEMORY_ROOF_COLORS.get(level, QColor(60, 110, 200)), width=2),
                name=f"{level} roof: {gbytes_per_s:,.1f} GB/s",
            ))
        roof_top = top or achieved.max()
        x_range = (math.log10(low), math.log10(high))
        y_range = (math.log10(max(achieved.min() / 3, 1e-3)), math.log10(max(roof_top, achieved.max()) * 2))
        self.plot.setRange(xRange=x_range, yRange=y_range, padding=0)
        for name, (start, end) in (("bottom", x_range), ("left", y_range)):
            self.plot.getAxis(name).setTicks([decade_ticks(start, end), []])

    def _clicked(self, _item, points, event) -> None:
        """Of overlapping dots under the cursor, the one whose centre is nearest: pyqtgraph lists
        them top-most first, and a small dot drawn over a big one would always win."""
        if len(points):
            scatter = self.dots.scatter
            nearest = min(points, key=lambda point: _distance(scatter.mapToScene(point.pos()), event.scenePos()))
            layer = self._layers[nearest.data()]
            self.select_layer(layer.name)
            self.layer_selected.emit(layer)
