"""What every ovgui plot shares: its colours, its axes, its theme and its text beside the plot.

One module, so the latency chart, the memory chart, the bar charts and the layer views paint the
same quantity in the same colour and follow the same light or dark palette.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QLabel

POINT_COLOR = QColor(66, 133, 244)
ROLLING_COLOR = QColor(245, 124, 0)
MEDIAN_COLOR = QColor(46, 160, 67)
P90_COLOR = QColor(229, 57, 53)
FIRST_COLOR = QColor(216, 27, 96)
RSS_COLOR = QColor(0, 150, 136)
PEAK_COLOR = QColor(229, 57, 53)
PHASE_COLORS = {
    "read_model": QColor(66, 133, 244),
    "convert": QColor(0, 150, 136),
    "compile": QColor(245, 124, 0),
    "first_inference": QColor(171, 71, 188),
    "steady_state": QColor(67, 160, 71),
    "results": QColor(121, 85, 72),
    "release": QColor(96, 125, 139),
}
OTHER_PHASE_COLOR = QColor(128, 128, 128)

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


def thick_line(color: QColor, width: float) -> pg.PlotDataItem:
    """A wide antialiased line drawn as segments: a QPainterPath this wide costs several ms to stroke."""
    line = pg.PlotDataItem(pen=pg.mkPen(color, width=width), antialias=True)
    line.curve.setSegmentedLineMode("on")
    return line


def with_alpha(color: QColor, alpha: int) -> QColor:
    """A copy of `color` at this opacity: shaded regions and faded text must not change the shared colour."""
    faded = QColor(color)
    faded.setAlpha(alpha)
    return faded


def mute(label: QLabel, text: QColor) -> None:
    """Secondary text: the palette's text colour, faded."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, with_alpha(text, 160))
    label.setPalette(palette)

