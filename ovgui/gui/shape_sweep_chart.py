"""A sweep over input shapes as charts: memory, latency and compile time per shape, one line per
compile mode (static, dynamic, bounded).

A shape sweep compares what different shapes cost, not configurations, so a latency-vs-throughput
scatter says little; the question it answers is the PP-OCR article's: how much memory a model
compiled dynamic or bounded takes against one compiled static for each size, and how much of it
is given back.  Peak RSS is drawn solid and the RSS once the point's last run released its
compiled model dashed, in the mode's colour: a dashed line that climbs from shape to shape is
memory never given back.  Shapes are categories along x, smallest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ovgui.core.report import Sweep, SweepPoint
from ovgui.core.sweep_options import percentile_label, value_text
from ovgui.gui.plot_style import MEDIAN_COLOR, POINT_COLOR, ROLLING_COLOR, keep_y_title_readable, make_plot, theme_plot

MODE_COLORS = {"static": POINT_COLOR, "dynamic": ROLLING_COLOR, "bounded": MEDIAN_COLOR}
RELEASED_COLOR = QColor(120, 120, 120)
LEGEND_HEADROOM = 1.35
"""The y range over the highest value: the legend at the top left then covers no point."""
SHAPE_KEYS = ("input_shape", "input_shapes", "batch")


def mode_of(point: SweepPoint) -> str:
    return str(point.settings.get("shape_mode", "static"))


def shape_of(point: SweepPoint) -> str:
    """The point's shape settings as a sweep spells them ("1x3x320x320", "batch 2"); the model's own shape when none."""
    parts = [value_text(point.settings[key]) if key == "input_shape" else f"{key} {value_text(point.settings[key])}"
             for key in SHAPE_KEYS if key in point.settings]
    return " · ".join(parts) or "the model's shape"


def short_labels(shapes: Sequence[str]) -> tuple[list[str], str]:
    """The shapes without the sizes every one of them shares at the front ("1x3x"), and that prefix."""
    split = [shape.split("x") for shape in shapes]
    common = 0
    while all(len(parts) > common + 1 and parts[common] == split[0][common] for parts in split):
        common += 1
    prefix = "x".join(split[0][:common]) if split else ""
    return ["x".join(parts[common:]) for parts in split], prefix


class ShapeSweepChart(QWidget):
    """Memory (wide), latency and compile time per shape, side by side, sharing the shape axis."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.memory = make_plot("input shape", "", "RSS", "MiB")
        self.latency = make_plot("input shape", "", "latency", "ms")
        self.compile = make_plot("input shape", "", "compile", "ms")
        for plot, name in ((self.memory, "shapeMemoryPlot"), (self.latency, "shapeLatencyPlot"),
                           (self.compile, "shapeCompilePlot")):
            plot.setObjectName(name)
            keep_y_title_readable(plot)
        text = self.palette().windowText().color()
        self.memory.addLegend(offset=(10, 10), labelTextColor=text)
        self.latency.addLegend(offset=(10, 10), labelTextColor=text)
        self.compile.addLegend(offset=(-10, -10), labelTextColor=text)
        self.shapes: list[str] = []
        self.modes: list[str] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.memory, 2)
        layout.addWidget(self.latency, 1)
        layout.addWidget(self.compile, 1)

    def show_sweep(self, sweep: Sweep) -> None:
        done = [point for point in sweep.points if point.throughput_spread_fps]
        self.shapes = list(dict.fromkeys(shape_of(point) for point in sweep.points))
        self.modes = [mode for mode in MODE_COLORS if any(mode_of(point) == mode for point in sweep.points)]
        for plot in (self.memory, self.latency, self.compile):
            theme_plot(plot, self.palette())
            plot.clear()
        self._shape_axis()
        self.latency.getAxis("left").setLabel(f"latency at {percentile_label(sweep.percentile)}", units="ms")
        for mode in self.modes:
            ours = [point for point in done if mode_of(point) == mode]
            color = MODE_COLORS[mode]
            self._line(self.memory, ours, lambda p: p.peak_rss_mib, color, f"{mode}: peak")
            self._line(self.memory, ours, lambda p: p.rss_after_release_mib, color, "", dashed=True)
            self._line(self.latency, ours, lambda p: p.latency_ms, color, mode)
            self._line(self.compile, ours, lambda p: p.compile_ms, color, "", hollow=[p.compile_cached for p in ours])
        self.memory.addItem(pg.PlotDataItem([], [], pen=pg.mkPen(RELEASED_COLOR, width=2, style=Qt.PenStyle.DashLine),
                                            name="after release"))
        if any(point.compile_cached for point in done):
            self.compile.addItem(pg.PlotDataItem([], [], pen=None, symbol="o", symbolSize=9, name="loaded from the cache",
                                                 symbolBrush=pg.mkBrush(self.palette().base().color()),
                                                 symbolPen=pg.mkPen(RELEASED_COLOR, width=1.5)))
        for plot, read in ((self.memory, lambda p: max(p.peak_rss_mib, p.rss_after_release_mib)),
                           (self.latency, lambda p: p.latency_ms), (self.compile, lambda p: p.compile_ms)):
            top = max((read(point) for point in done), default=1.0)
            plot.setRange(xRange=(-0.5, max(len(self.shapes), 1) - 0.5), yRange=(0, top * LEGEND_HEADROOM), padding=0)

    def _shape_axis(self) -> None:
        labels, prefix = short_labels(self.shapes)
        for plot in (self.memory, self.latency, self.compile):
            axis = plot.getAxis("bottom")
            axis.setTicks([list(enumerate(labels)), []])
            axis.setLabel(f"input shape ({prefix}x…)" if prefix else "input shape")

    def _line(self, plot: pg.PlotWidget, points: Sequence[SweepPoint], read: Callable[[SweepPoint], float],
              color: QColor, name: str, dashed: bool = False, hollow: Sequence[bool] = ()) -> None:
        """One value per shape, NaN (a gap) where the mode has no finished point for it (no line at
        all before its first); a `hollow` point (a compile loaded from the cache) drawn as a ring."""
        values = {shape_of(point): read(point) for point in points}
        rings = {shape_of(point): ring for point, ring in zip(points, hollow)}
        y = np.array([values.get(shape, np.nan) for shape in self.shapes], dtype=float)
        if np.isnan(y).all():
            return
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        brushes = ([pg.mkBrush(self.palette().base().color() if rings.get(shape) else color) for shape in self.shapes]
                   if any(hollow) else pg.mkBrush(color))
        item = pg.PlotDataItem(np.arange(len(self.shapes)), y, connect="finite",
                               pen=pg.mkPen(color, width=2, style=style), symbol="t" if dashed else "o",
                               symbolSize=7 if dashed else 9, symbolBrush=brushes,
                               symbolPen=pg.mkPen(color if hollow else "w", width=1.5), name=name or None)
        plot.addItem(item)

    def series(self, plot: pg.PlotWidget) -> list[tuple[str, list[float]]]:
        """Each line's legend name (or "") and its values, for tests."""
        return [(item.name() or "", [float(v) for v in item.getData()[1]])
                for item in plot.getPlotItem().listDataItems() if item.getData()[1] is not None and len(item.getData()[1])]
