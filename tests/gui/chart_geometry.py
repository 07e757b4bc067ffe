"""Where a bar chart's printed text is on screen, for the tests and for the window tour
(scripts/window_tour.py) alike: names whole, values inside the chart, none touching another."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget


def value_lines(plot: pg.PlotWidget) -> list[QRectF]:
    """Where each printed value's line of text is in the scene: a pg.TextItem's box is wider
    and taller than its text by a margin."""
    height = QFontMetrics(plot.font()).height()
    boxes = [item.sceneBoundingRect() for item in plot.getPlotItem().items if isinstance(item, pg.TextItem)]
    return [QRectF(box.left(), box.center().y() - height / 2, box.width(), height) for box in boxes]


def unreadable(charts: QWidget, names: list[str]) -> list[str]:
    """What a user could not read in `charts` (painted first: a pg.TextItem settles its place as it
    is drawn): a category name elided or cut, a value outside its chart or over another."""
    charts.grab()
    plots = charts.findChildren(pg.PlotWidget)
    axis = plots[0].getAxis("left")
    shown = [text for _position, text in axis._tickLevels[0]]  # what name_axis gave the axis to draw
    problems = [] if shown == names else [f"names shown as {shown}, not {names}"]
    widest = max(QFontMetrics(plots[0].font()).horizontalAdvance(name) for name in shown)
    if axis.width() < widest:
        problems.append(f"the name axis is {axis.width()} px for names {widest} px wide")
    for plot in plots:
        area = plot.getViewBox().sceneBoundingRect()
        lines = value_lines(plot)
        title = plot.getAxis("bottom").labelText
        problems += [f"{title}: a value outside the chart" for line in lines if not area.contains(line)]
        problems += [f"{title}: two values overlap" for number, one in enumerate(lines)
                     for other in lines[number + 1:] if one.intersects(other)]
    return problems
