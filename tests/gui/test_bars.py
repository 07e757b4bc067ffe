"""The bar-chart toolkit: no text over other text or over a bar, at a big size and a small one,
measured on the drawn items; many rows scroll instead of squeezing; long names keep their tail."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QScrollArea, QWidget

from ovgui.gui.bars import (
    NAME_SHARE,
    BarFit,
    bar_count,
    bar_plot,
    name_at,
    name_axis,
    row_height_px,
    scrolling,
    value_label,
    with_legend,
)

NAMES = [f"/model.{row}/cv2/conv/InsertedPrecisionConversion_{row}_output_0_nchwc" for row in range(24)]
SERIES = (QColor(46, 160, 67), QColor(229, 57, 53))


def grouped_bars(rows: int) -> tuple[pg.PlotWidget, BarFit]:
    """Two bars per row with their values printed, like the Compare chart's median and p90."""
    plot = bar_plot("latency", "ms")
    fit = BarFit(plot)
    name_axis(plot, NAMES[:rows], 320)
    item = plot.getPlotItem()
    values = []
    for number, color in enumerate(SERIES):
        offset = (number - 0.5) * 0.4
        widths = [1.0 + row * (number + 1) for row in range(rows)]
        item.addItem(pg.BarGraphItem(x0=0, y=[row + offset for row in range(rows)], height=0.34, width=widths, brush=color))
        for row, width in enumerate(widths):
            value_label(item, f"{width:.3f} ms", width, row + offset, color)
        values += widths
    fit.fit(0.0, max(values), rows, [f"{value:.3f} ms" for value in values], labels_per_row=len(SERIES))
    return plot, fit


def show_chart(qtbot, chart: QWidget, width: int, height: int) -> tuple[QWidget, QScrollArea]:
    """The chart in `scrolling`, shown at this size; keep the host: qtbot holds widgets weakly."""
    host = QWidget()
    qtbot.addWidget(host)
    area = scrolling(chart)
    area.setParent(host)
    host.resize(width, height)
    area.resize(width, height)
    host.show()
    qtbot.waitExposed(host)
    return host, area


def drawn(plot: pg.PlotWidget) -> pg.PlotWidget:
    """The plot once painted: a value label places itself for the view's scale when it is painted."""
    plot.grab()
    return plot


def text_rect(item: pg.TextItem) -> QRectF:
    """Where a value label's glyphs are, in scene coordinates (without the text document's margins)."""
    margin = item.textItem.document().documentMargin()
    return item.textItem.mapRectToScene(item.textItem.boundingRect().adjusted(margin, margin, -margin, -margin))


def tick_rects(plot: pg.PlotWidget) -> list[tuple[str, QRectF]]:
    """The name axis' tick labels as pyqtgraph draws them, in scene coordinates, glyph height tall."""
    axis = plot.getAxis("left")
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setFont(axis.style["tickFont"] or plot.font())
    _axis_spec, _ticks, texts = axis.generateDrawSpecs(painter)
    painter.end()
    height = QFontMetrics(plot.font()).height()
    rects = []
    for rect, _flags, text in texts:
        scene = axis.mapRectToScene(rect)
        rects.append((text, QRectF(scene.left(), scene.center().y() - height / 2, scene.width(), height)))
    return rects


def bar_rects(plot: pg.PlotWidget) -> list[QRectF]:
    view = plot.getViewBox()
    rects = []
    for item in plot.getPlotItem().items:
        if isinstance(item, pg.BarGraphItem):
            opts = item.opts
            for y, width in zip(opts["y"], opts["width"]):
                rect = QRectF(QPointF(0, y - opts["height"] / 2), QPointF(width, y + opts["height"] / 2))
                rects.append(view.childGroup.mapRectToScene(rect))
    return rects


def overlapping(rects: list[QRectF]) -> list[tuple[int, int]]:
    return [(a, b) for a in range(len(rects)) for b in range(a + 1, len(rects)) if rects[a].intersects(rects[b])]


@pytest.mark.parametrize("size", [(1850, 850), (1300, 550), (700, 300)])
def test_no_text_overlaps_text_or_bars(qtbot, size):
    plot, _fit = grouped_bars(12)
    _host, _area = show_chart(qtbot, with_legend(plot, [(color, name) for color, name in zip(SERIES, ("median", "p90"))]), *size)
    qtbot.waitUntil(lambda: plot.getViewBox().height() > 0)

    ticks = tick_rects(drawn(plot))
    labels = [text_rect(item) for item in plot.getPlotItem().items if isinstance(item, pg.TextItem)]
    bars = bar_rects(plot)
    view = plot.getViewBox().sceneBoundingRect()
    axis = plot.getAxis("left").sceneBoundingRect()
    assert len(ticks) == 12 and len(labels) == 24 and bar_count(plot) == 24
    assert not overlapping([rect for _, rect in ticks]), "names over names"
    assert not overlapping(labels), "values over values"
    assert not [(label, bar) for label in labels for bar in bars if label.intersects(bar)], "values over bars"
    assert all(view.contains(label) for label in labels), "a value runs past the plot, over the names or off the edge"
    assert all(axis.contains(rect) for _, rect in ticks), "a name runs over the bars"


def test_many_rows_scroll_instead_of_squeezing(qtbot):
    plot, _fit = grouped_bars(24)
    _host, area = show_chart(qtbot, plot, 700, 300)
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0)
    assert plot.height() >= 24 * row_height_px(plot, len(SERIES)), "each row keeps its two values' height"

    few, _fit = grouped_bars(3)
    _big_host, area = show_chart(qtbot, few, 1850, 850)
    qtbot.waitUntil(lambda: few.isVisible())
    assert area.verticalScrollBar().maximum() == 0
    assert few.height() < area.viewport().height() / 2, "three rows on a big screen are bars, not walls"


def test_long_names_keep_their_tail_and_show_whole_in_a_tooltip(qtbot):
    plot, _fit = grouped_bars(4)
    _host, _area = show_chart(qtbot, plot, 700, 300)
    qtbot.waitUntil(lambda: plot.getViewBox().height() > 0)
    shown = [text for text, _ in tick_rects(plot)]
    assert all(text.startswith("…") and NAMES[row].endswith(text[1:]) for row, text in enumerate(shown))
    assert plot.getAxis("left").width() <= NAME_SHARE * plot.width()

    view = plot.getViewBox()
    over_row_2 = view.mapViewToScene(QPointF(0.5, 2.0))
    over_name = QPointF(plot.getAxis("left").sceneBoundingRect().center().x(), over_row_2.y())
    assert name_at(plot, over_row_2) == NAMES[2]
    assert name_at(plot, over_name) == NAMES[2]
    assert name_at(plot, view.mapViewToScene(QPointF(0.5, 9.0))) is None
