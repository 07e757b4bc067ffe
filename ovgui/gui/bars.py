"""The one bar-chart toolkit every ovgui bar chart uses: horizontal bars with names on the left
and the value printed past each bar's end.

Bars answer at a glance what the table beside them says exactly, so a chart here
is still (no zoom, no pan), its first category on top, and as readable in a
narrow workspace as in a wide one.  No text may overlap other text or a bar: every
category row keeps at least the height of its printed values (`BarFit` and
`hold_rows` make it the plot's minimum height), the names keep to an axis of their
own (`name_axis`), and a chart with more rows than fit scrolls (`scrolling`)
instead of squeezing them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QSplitter, QToolTip, QVBoxLayout, QWidget

from ovgui.gui.plain_text import escaped
from ovgui.gui.plot_style import X_AXIS_AND_MARGINS_PX, make_plot

AXIS_TICK_ROOM_PX = 16
ROW_GAP_PX = 6
"""Free pixels between two printed values one above the other, so neighbouring lines never touch."""
GROUP_SPAN = 0.8
"""The share of a row that a group of bars spans (one bar per series, side by side, centred on the row)."""
MAX_ROW_STRETCH = 2.0
"""A row grows to at most this many times its least height; the chart leaves the rest of its space empty."""
NAME_SHARE = 0.5
"""The name axis takes at most this fraction of a narrow plot's width."""
QWIDGETSIZE_MAX = 16_777_215
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


def row_height_px(plot: pg.PlotWidget, labels_per_row: int = 1) -> int:
    """The least height of one category row: one printed value and a gap between neighbouring
    labels, which sit one row apart, or `GROUP_SPAN / labels_per_row` apart within a group."""
    spacing = GROUP_SPAN / labels_per_row if labels_per_row > 1 else 1.0
    return math.ceil((QFontMetrics(plot.font()).height() + ROW_GAP_PX) / spacing)


def name_axis(plot: pg.PlotWidget, names: Sequence[str], max_px: int) -> None:
    """Category names as left-axis ticks on an axis at most `max_px` wide, and at most `NAME_SHARE`
    of a narrow plot, so the bars and their values keep their room; names are elided at the start
    (the tail of a long layer or configuration name is what tells it apart) and shown whole in a
    tooltip over their row."""
    axis = plot.findChild(_NameAxis) or _NameAxis(plot)
    axis.show_names(list(names), max_px)


def hold_rows(plot: pg.PlotWidget, rows: int, labels_per_row: int = 1) -> None:
    """Bound the plot's height for this many category rows: at least `row_height_px` each, so a
    chart with many rows grows, and scrolls inside `scrolling`, rather than drawing its values over
    each other; at most `MAX_ROW_STRETCH` times that, so three configurations on a big screen are
    bars, not walls.  No rows: no bounds."""
    row_px = row_height_px(plot, labels_per_row)
    plot.setMinimumHeight(rows * row_px + X_AXIS_AND_MARGINS_PX if rows else 0)
    plot.setMaximumHeight(int(rows * row_px * MAX_ROW_STRETCH) + X_AXIS_AND_MARGINS_PX if rows else QWIDGETSIZE_MAX)


def names_wanted_px(plot: pg.PlotWidget) -> int:
    """How wide the plot's name axis would be with every name whole (up to its `max_px`): the width
    to share out from, since the axis' current width is only what the present plot width allowed."""
    axis = plot.findChild(_NameAxis)
    return axis.wanted_px() if axis is not None else int(plot.getAxis("left").width())


def name_at(plot: pg.PlotWidget, scene_pos: QPointF) -> str | None:
    """The full category name of the row at this scene position, over the names or the bars; None elsewhere."""
    axis = plot.findChild(_NameAxis)
    return axis.name_at(scene_pos) if axis is not None else None


class _NameAxis(QObject):
    """The names of a plot's left axis: elided again to fit when the plot is resized, and the full
    name of the row under the mouse as a tooltip."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        super().__init__(plot)
        self._plot = plot
        self._names: list[str] = []
        self._max_px = 0
        plot.installEventFilter(self)
        plot.viewport().installEventFilter(self)

    def show_names(self, names: list[str], max_px: int) -> None:
        self._names = names
        self._max_px = max_px
        self._elide()

    def wanted_px(self) -> int:
        metrics = QFontMetrics(self._plot.font())
        longest = max((metrics.horizontalAdvance(name) for name in self._names), default=0)
        return min(longest, self._max_px) + AXIS_TICK_ROOM_PX

    def name_at(self, scene_pos: QPointF) -> str | None:
        view = self._plot.getViewBox()
        over = (self._plot.getAxis("left").sceneBoundingRect().contains(scene_pos)
                or view.sceneBoundingRect().contains(scene_pos))
        row = round(view.mapSceneToView(scene_pos).y())
        return self._names[row] if over and 0 <= row < len(self._names) else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._plot and event.type() == QEvent.Type.Resize:
            self._elide()
        elif event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            self._show_tip(event)
            return True
        return False

    def _elide(self) -> None:
        """Ticks elided to the axis' room; the axis as wide as the longest shown, set now: pyqtgraph
        would only widen it on a later paint."""
        metrics = QFontMetrics(self._plot.font())
        room_px = min(self._max_px, int(NAME_SHARE * self._plot.width()) - AXIS_TICK_ROOM_PX)
        shown = [metrics.elidedText(name, Qt.TextElideMode.ElideLeft, max(room_px, 0)) for name in self._names]
        axis = self._plot.getAxis("left")
        axis.setTicks([list(enumerate(shown))])
        axis.setWidth(max((metrics.horizontalAdvance(name) for name in shown), default=0) + AXIS_TICK_ROOM_PX)

    def _show_tip(self, event: QHelpEvent) -> None:
        name = self.name_at(self._plot.mapToScene(event.pos()))
        if name is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPos(), name, self._plot)


def scrolling(chart: QWidget) -> QScrollArea:
    """A bar chart (a plot, a `with_legend` box, or a row of panels) that fills the space it is
    given, and scrolls vertically when its rows need more: a squeezed chart overlaps its labels."""
    area = QScrollArea()
    area.setWidget(chart)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


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
    column.addStretch(0)
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

    def fit(self, low: float, high: float, rows: int, labels: Sequence[str], labels_per_row: int = 1) -> None:
        """Bars span `low`..`high` (0 is one end), in `rows` categories, with these value labels,
        `labels_per_row` of them in one category (one per bar of a group); the plot's height is
        bounded for those rows (`hold_rows`)."""
        hold_rows(self._plot, rows, labels_per_row)
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
