"""One layer up close: what it is, what was fused into it, and how its time spread over the iterations.

The histogram is drawn only from real per-iteration times (a run's `RunOutcome`
carries them when the engine's counters give them); OpenVINO's CPU counters are
running means since compile, so for those the panel says in one line why there is none.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSizeF, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence, QPalette, QResizeEvent, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QLabel,
    QListWidget,
    QSizePolicy,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.engines.capabilities import label_of
from ovgui.core.formatting import MISSING, ms_text
from ovgui.core.outcome import RunOutcome
from ovgui.core.precision import described
from ovgui.core.report import LayerStats, Report
from ovgui.gui.bars import still_plot
from ovgui.gui.layer_diff import IMPORTED_FORMAT
from ovgui.gui.layer_table import status_text
from ovgui.gui.plain_text import literal
from ovgui.gui.plot_style import MEDIAN_COLOR, POINT_COLOR, ROLLING_COLOR, theme_plot, with_alpha
from ovgui.gui.tables import hint_label, hint_or_content, percent_text, styled_font

DETAIL_HINT = "Select a layer in the table to see its details"
NOT_EXECUTED_NOTE = "Not executed: fused into a neighbour or optimised out, so it took no time"
MAX_HISTOGRAM_BINS = 40
HISTOGRAM_MIN_PX = 200
TIMER_TICK_MS = 0.001
"""PERF_COUNT times come in whole microseconds."""


class _ElidedLabel(QLabel):
    """A long field value (a kernel name) keeps both distinctive ends; the full text is in
    the tooltip and in Copy, so a narrow panel loses nothing."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        copy = QAction("Copy", self)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self._full_text))
        self.addAction(copy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def set_full_text(self, text: str) -> None:
        self._full_text = text
        self.setToolTip(literal(text))
        self._elide()

    def full_text(self) -> str:
        return self._full_text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full_text, Qt.TextElideMode.ElideMiddle, self.width()))


class _WrappedName(QTextEdit):
    """The layer's whole name, however long: a runtime path has no spaces, so it wraps anywhere,
    and it is plain selectable text, so what the user copies is exactly the name."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(0)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)

    def set_name(self, name: str) -> None:
        self.setPlainText(name)

    def _fit_height(self, size: QSizeF) -> None:
        """As tall as its lines, so the fields below follow right after the name."""
        self.setFixedHeight(max(round(size.height()), self.fontMetrics().height()) + 2 * self.frameWidth())


def _histogram(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin edges; numpy's "auto" bins, capped so a long run does not turn into a comb.

    Identical samples (a fast layer at the counters' 1 µs resolution) make one bar one tick
    wide, where numpy would draw it 1 ms wide."""
    low, high = float(samples.min()), float(samples.max())
    if low == high:
        return np.histogram(samples, bins=1, range=(low - TIMER_TICK_MS / 2, low + TIMER_TICK_MS / 2))
    edges = np.histogram_bin_edges(samples, "auto")
    return np.histogram(samples, bins=min(len(edges) - 1, MAX_HISTOGRAM_BINS))


class LayerDetailPanel(QWidget):
    """One layer up close: what it is, what was fused into it, and how its time spread over the iterations."""

    FIELDS = (
        ("Type", lambda layer: layer.type),
        ("Exec type", lambda layer: layer.exec_type),
        ("Precision", lambda layer: described(layer.runtime_precision, layer.exec_type) or "—"),
        ("Output layouts", lambda layer: layer.output_layouts or "—"),
        ("Status", lambda layer: status_text(layer.status)),
        ("Real mean", lambda layer: f"{ms_text(layer.real_time_ms)} ms"),
        ("Real median", lambda layer: f"{ms_text(layer.real_time_median_ms)} ms"
         if layer.real_time_median_ms is not None else MISSING),
        ("CPU mean", lambda layer: f"{ms_text(layer.cpu_time_ms)} ms"),
        ("First inference", lambda layer: f"{ms_text(layer.first_inference_ms)} ms"
         if layer.first_inference_ms is not None else MISSING),
        ("Share", lambda layer: f"{MISSING} (preprocessing, not the model's)"
         if layer.is_preprocessing else f"{percent_text(layer.share)} of the total of the model's executed layers"),
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._name = _WrappedName()
        self._name.setObjectName("layerName")
        self._name.setFont(styled_font(bold=True))
        self._values = {title: _ElidedLabel() for title, _ in self.FIELDS}
        self._originals_title = QLabel()
        self._originals_title.setWordWrap(True)
        self._originals = self._make_originals_list()
        self._histogram = still_plot("real time", "ms", "iterations")
        self._histogram.setObjectName("layerHistogram")
        self._bars = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pg.mkPen(POINT_COLOR, width=1.5),
                                     brush=with_alpha(POINT_COLOR, 110))
        self._mean_line = _marker_line(ROLLING_COLOR, label_height=0.94)
        self._median_line = _marker_line(MEDIAN_COLOR, label_height=0.86)
        self._histogram_caption = QLabel()
        self._samples_note = hint_label("")
        self._samples = QStackedWidget()
        self._stack = hint_or_content(self, DETAIL_HINT, self._make_content())
        self._add_histogram_items()
        self.clear()

    def show_layer(self, layer: LayerStats, outcome: RunOutcome | None) -> None:
        """`layer` of the run `outcome` holds: its per-iteration samples, if it carries real ones
        (None: a layer of no finished run, such as a live snapshot's)."""
        self._name.set_name(layer.name)
        for title, read in self.FIELDS:
            self._values[title].set_full_text(read(layer))
        self._show_originals(layer, outcome)
        samples = outcome.samples_of(layer.index) if outcome is not None else None
        if not layer.executed:
            self._show_note(NOT_EXECUTED_NOTE)
        elif samples is None or not len(samples):
            self._show_note(no_distribution_reason(outcome.report if outcome else None))
        else:
            self._show_histogram(layer, samples)
        self._stack.setCurrentIndex(1)

    def samples_note(self) -> str:
        """The line shown instead of the histogram ("" while the histogram is shown)."""
        return self._samples_note.text() if self._samples.currentIndex() == 1 else ""

    def clear(self) -> None:
        self._stack.setCurrentIndex(0)
        self._name.set_name("")
        self._originals.clear()
        self._bars.clear()

    def showing_layer(self) -> bool:
        """False while the placeholder is shown."""
        return self._stack.currentIndex() == 1

    def field_text(self, title: str) -> str:
        """The whole value shown beside `title`, one of `FIELDS`' titles."""
        return self._values[title].full_text()

    def name_text(self) -> str:
        return self._name.toPlainText()

    def original_layers(self) -> list[str]:
        return [self._originals.item(row).text() for row in range(self._originals.count())]

    def histogram_bar_count(self) -> int:
        counts = self._bars.yData
        return 0 if counts is None else len(counts)

    def copy_original_layers(self) -> None:
        """The selected names, one per line, in list order; all of them when none is selected."""
        items = [self._originals.item(row) for row in range(self._originals.count())]
        chosen = [item for item in items if item.isSelected()] or items
        QGuiApplication.clipboard().setText("\n".join(item.text() for item in chosen))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()

    def _apply_palette(self) -> None:
        """The marker labels sit on a patch of the background, so a line they cross does not strike them out."""
        theme_plot(self._histogram, self.palette())
        backdrop = pg.mkBrush(with_alpha(self.palette().color(QPalette.ColorRole.Window), 220))
        for line in (self._mean_line, self._median_line):
            line.label.fill = backdrop
            line.label.update()

    def _make_originals_list(self) -> QListWidget:
        originals = QListWidget()
        originals.setObjectName("originalLayers")
        originals.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        originals.setUniformItemSizes(True)
        copy = QAction("Copy", originals)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_original_layers)
        originals.addAction(copy)
        originals.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return originals

    def _make_content(self) -> QWidget:
        """Details above the histogram, which takes the height they leave (the panel stands beside the
        layer table, narrower than it is tall) but never less than it needs to be read."""
        samples = self._make_samples()
        samples.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)  # a plot asks for 480 px
        samples.setMinimumHeight(HISTOGRAM_MIN_PX)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._make_info())
        column.addWidget(samples, 1)
        return content

    def _make_info(self) -> QWidget:
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for title, _ in self.FIELDS:
            form.addRow(title, self._values[title])
        info = QWidget()
        column = QVBoxLayout(info)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self._name)
        column.addLayout(form)
        column.addSpacing(4)
        column.addWidget(self._originals_title)
        column.addWidget(self._originals)
        return info

    def _make_samples(self) -> QStackedWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self._histogram_caption)
        column.addWidget(self._histogram, 1)
        self._samples.addWidget(page)
        self._samples.addWidget(self._samples_note)
        return self._samples

    def _add_histogram_items(self) -> None:
        plot = self._histogram.getPlotItem()
        plot.addItem(self._bars)
        plot.addItem(self._mean_line, ignoreBounds=True)
        plot.addItem(self._median_line, ignoreBounds=True)
        self._apply_palette()

    def _show_originals(self, layer: LayerStats, outcome: RunOutcome | None) -> None:
        names = layer.original_layers
        self._originals.clear()
        self._originals.addItems(names)
        self._originals.setVisible(bool(names))
        rows_px = self._originals.sizeHintForRow(0) * len(names) + 2 * self._originals.frameWidth()
        self._originals.setMaximumHeight(max(rows_px, 0))  # no empty box under a short list
        self._originals_title.setText(originals_title(layer, outcome))

    def _show_note(self, text: str) -> None:
        self._samples_note.setText(text)
        self._samples.setCurrentIndex(1)
        self._bars.clear()

    def _show_histogram(self, layer: LayerStats, samples: np.ndarray) -> None:
        samples = np.asarray(samples, dtype=np.float64)
        median = layer.real_time_median_ms if layer.real_time_median_ms is not None else float(np.median(samples))
        counts, edges = _histogram(samples)
        self._bars.setData(edges, counts)
        for line, name, value in ((self._mean_line, "mean", layer.real_time_ms), (self._median_line, "median", median)):
            line.setPos(value)
            line.label.setFormat(f"{name} {ms_text(value)}")
        lower = min((self._mean_line, self._median_line), key=lambda line: line.value())
        for line in (self._mean_line, self._median_line):
            line.setZValue(1 if line is lower else 0)  # its label runs right, across the other line
        self._histogram_caption.setText(f"Real time per iteration, {len(samples)} iterations")
        low = min(float(edges[0]), median, layer.real_time_ms)
        high = max(float(edges[-1]), median, layer.real_time_ms)
        margin = 0.05 * ((high - low) or 1.0)
        self._histogram.getPlotItem().setRange(xRange=(low - margin, high + margin),
                                               yRange=(0, counts.max() * 1.15), padding=0)
        self._samples.setCurrentIndex(0)


def originals_title(layer: LayerStats, outcome: RunOutcome | None) -> str:
    """What heads the list of original layers fused into `layer`, or why there is no list: only a
    finished OpenVINO run reads them from its executed graph."""
    if layer.original_layers:
        return f"Original layers fused into it ({len(layer.original_layers)}):"
    if layer.is_preprocessing:
        return "Added by ovgui's in-graph preprocessing (--preprocess graph), not by the model"
    if outcome is None:
        return "The original layers fused into it are read from the executed graph when the run ends"
    report = outcome.report
    if report.model.format == IMPORTED_FORMAT:
        return "benchmark_app's counters do not say which original layers were fused into it"
    if report.engine.name == "pytorch":
        return "PyTorch runs the model's operators as they are: each row is one operator call, nothing is fused"
    if report.engine.name != "openvino":
        return f"{label_of(report.engine.name)} does not say which of the model's nodes it fused into this one"
    return "No original layers: the plugin added this layer (e.g. a Reorder)"


def no_distribution_reason(report: Report | None) -> str:
    """Why a layer has no histogram, in one line: the figures that would make one are not real."""
    if report is not None and report.model.format == IMPORTED_FORMAT:
        return "No per-inference distribution: benchmark_app's counters report one mean per layer."
    if report is not None and report.profile.distributions:
        return ("No per-inference distribution here: a report keeps per-layer means; "
                "the per-iteration times stay with the run that measured them.")
    return ("No per-inference distribution: OpenVINO's CPU counters are running means since compile, "
            "so only each layer's steady-state mean is real.")


def _marker_line(color: QColor, label_height: float) -> pg.InfiniteLine:
    """A dashed vertical line labelled near the top, the text to its right."""
    return pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine),
                           label="", labelOpts={"position": label_height, "color": color,
                                                "anchors": [(0, 0.5), (0, 0.5)]})
