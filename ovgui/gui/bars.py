"""The one bar-chart toolkit every ovgui bar chart uses: horizontal bars with names on the left
and the value printed past each bar's end.

Bars answer at a glance what the table beside them says exactly, so a chart here
is still (no zoom, no pan), its first category on top, and as readable in a
narrow dock as in a wide one.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from ovgui.gui.plain_text import escaped
from ovgui.gui.plot_style import make_plot

AXIS_TICK_ROOM_PX = 16
_MAX_LABEL_ROOM = 0.4
"""At most this fraction of a narrow chart's width is kept free for the values printed past the bars."""
_LABEL_MARGINS_PX = 10
"""A pg.TextItem's text document adds a margin on each side of the text."""


def still_plot(x_label: str, x_units: str, y_label: str = "") -> pg.PlotWidget:
    """A plot that shows a finished result: nothing to zoom or pan, so no mouse and no buttons."""
    plot = make_plot(x_label, x_units, y_label, "")
    item = plot.getPlotItem()
    item.setMouseEnabled(x=False, y=False)
    item.hideButtons()
    return plot


def bar_plot(x_label: str, x_units: str) -> pg.PlotWidget:
    """Horizontal bars, first category at the top, with no grid lines running through the bars."""
    plot = still_plot(x_label, x_units)
    plot.showGrid(x=True, y=False, alpha=0.18)
    plot.getPlotItem().invertY(True)
    return plot


def name_axis(plot: pg.PlotWidget, names: Sequence[str], max_px: int) -> None:
    """Category names as left-axis ticks, elided in the middle (where similar names differ least)
    and the axis as wide as the longest: pyqtgraph would only widen it on a later paint."""
    metrics = QFontMetrics(plot.font())
    shown = [metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, max_px) for name in names]
    axis = plot.getAxis("left")
    axis.setTicks([list(enumerate(shown))])
    axis.setWidth(max((metrics.horizontalAdvance(name) for name in shown), default=0) + AXIS_TICK_ROOM_PX)


def with_legend(plot: pg.PlotWidget, entries: Sequence[tuple[QColor, str]], note: str = "") -> QWidget:
    """The key goes above the plot, not over the bars, and in a QLabel: a pyqtgraph title
    would set the plot's minimum width and push it past a narrow dock's edge."""
    keys = [f'<span style="color:{color.name()}">■</span>&nbsp;{escaped(label)}' for color, label in entries]
    legend = QLabel("&nbsp;&nbsp;".join(keys) + (f"&nbsp;&nbsp;·&nbsp;&nbsp;{escaped(note)}" if note else ""),
                    textFormat=Qt.TextFormat.RichText)
    legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
    legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 4, 0, 0)
    column.setSpacing(2)
    column.addWidget(legend)
    column.addWidget(plot, 1)
    return box


def value_label(plot: pg.PlotItem, text: str, x: float, y: float, color: QColor,
                leftwards: bool = False) -> pg.TextItem:
    label = pg.TextItem(f" {text} ", color=color, anchor=(1 if leftwards else 0, 0.5))
    label.setPos(x, y)
    plot.addItem(label)
    return label


def bar_count(plot: pg.PlotWidget) -> int:
    return sum(len(item.opts["width"]) for item in plot.getPlotItem().items if isinstance(item, pg.BarGraphItem))


def side_by_side(widgets: Sequence[QWidget], proportions: Sequence[int]) -> QSplitter:
    """A table and its bars in a splitter that keeps these width proportions from the first show
    on: left to their size hints, a plot (which asks for 540 px) would crowd out a table."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    for widget in widgets:
        widget.setSizePolicy(QSizePolicy.Policy.Ignored, widget.sizePolicy().verticalPolicy())
        splitter.addWidget(widget)
    splitter.setSizes(list(proportions))
    return splitter


class BarFit:
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
