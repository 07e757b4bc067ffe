"""Process memory over a run: RSS with the run's phases shaded, the peak marked, and a phase table."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.events import PHASE_TITLES, PHASES, LiveData
from ovgui.core.formatting import format_duration
from ovgui.core.memory import phases_so_far
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import MemoryPhase
from ovgui.gui.live_chart import GrowingArray, LiveChart
from ovgui.gui.plot_style import (
    OTHER_PHASE_COLOR,
    PEAK_COLOR,
    PHASE_COLORS,
    RSS_COLOR,
    keep_y_title_readable,
    make_plot,
    mute,
    thick_line,
    with_alpha,
)

MEMORY_HEADROOM = 1.25
RSS_FOOTNOTE = "RSS of the ovgui process; includes memory-mapped weights"
PHASE_LABEL_GAP_PX = 6
SWATCH_PX = 12
MIN_PLOT_BESIDE_TABLE_PX = 420
MIN_PLOT_HEIGHT_PX = 180


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


class MemoryChart(LiveChart):
    """Process RSS over time with the run's phases shaded, the peak marked and a phase table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(make_plot("time", "s", "RSS", "MiB"), parent)
        keep_y_title_readable(self.plot)
        self._samples = GrowingArray(2)
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
        self._curve = thick_line(RSS_COLOR, 2)
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

    def _forget(self) -> None:
        self._samples.clear()
        self._spans = []
        self._peak = None

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

    def _show_report(self, outcome: RunOutcome) -> None:
        """The run's exact phases and peak, from the report."""
        memory = outcome.report.memory
        self._samples.clear()
        self._samples.extend(memory.samples)
        self._spans = list(memory.phases)
        self._peak = (memory.peak_t_s, memory.peak_mib) if memory.peak_mib > 0 else None

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
        mute(self._footnote, text)


def _phase_title(name: str) -> str:
    return PHASE_TITLES.get(name, name)


def _peak_of(t_s: np.ndarray, rss_mib: np.ndarray) -> tuple[float, float] | None:
    if not len(rss_mib):
        return None
    index = int(np.argmax(rss_mib))
    return float(t_s[index]), float(rss_mib[index])
