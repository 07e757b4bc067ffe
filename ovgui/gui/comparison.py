"""Configurations side by side: which setting (or engine) is faster, and by how much.

A sortable table gives the exact numbers (copy-friendly), bars beneath it the
answer at a glance.  Each row is a configuration's name and `RunOutcome` with how
its results agree with the first configuration's; a configuration that failed has
only its error line, so its cells read "—" and sort last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSplitter,
    QStyle,
    QWidget,
)

from ovgui.core.accuracy_text import accuracy_figures
from ovgui.core.agreement import Agreement, agreement
from ovgui.core.compare import Configured, report_of, speed_ups
from ovgui.core.events import PHASE_TITLES
from ovgui.core.formatting import format_ms, speed_up_text
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import OutputDrift, Report
from ovgui.gui.bars import AXIS_TICK_ROOM_PX, BarFit, bar_count, bar_plot, name_axis, names_wanted_px, value_label, with_legend
from ovgui.gui.plot_style import FIRST_COLOR, MEDIAN_COLOR, P90_COLOR, PHASE_COLORS, POINT_COLOR, RSS_COLOR, theme_plot
from ovgui.gui.run_history import RunHistory
from ovgui.gui.run_names import engine_label
from ovgui.gui.tables import (
    MUTED_TEXT,
    Column,
    ComputedColumn,
    RowsModel,
    RowsProxy,
    hint_or_content,
    make_table,
    or_missing,
    styled_font,
)

COMPARISON_HINT = "Run a comparison (Run › Compare configurations…) to see configurations side by side"
CONFIGURATION_NAME_MAX_PX = 250
TOOLTIP_NOTES = 3
"""A configuration's first notes in its row's tooltip: a ladder step's says what the step changes."""
CHART_CHROME_PX = 80
"""What a chart takes besides its bars: the legend above them and the value axis below."""
BAR_SPACING_PX = 3
"""Between one printed value and the next one down."""


def fps_text(value: float) -> str:
    return f"{value:.1f}"


def mib_text(value: float) -> str:
    """Whole MiB for a process, a tenth for a small model's files."""
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


REFERENCE_TEXT = "reference"
MIB = 1 << 20
SIZE_COLOR = QColor(121, 85, 72)


@dataclass(frozen=True)
class ComparisonRow:
    """One configuration: its name and outcome (or error line), its results against the
    comparison's reference (the first configuration that ran) — None for the reference itself
    and for a failed run — and its speed-ups over the reference and the configuration that ran
    before it (`compare.speed_ups`)."""

    result: Configured
    against: Agreement | None = None
    history: RunHistory | None = None
    over_first: float | None = None
    over_previous: float | None = None

    @property
    def report(self) -> Report | None:
        return report_of(self.result[1])

    @property
    def name(self) -> str:
        return self.result[0]

    @property
    def run_number(self) -> int | None:
        """This configuration's number in the run history; None before the window adds it, or once dropped."""
        row = None if self.history is None or self.report is None else self.history.row_of(self.report)
        return None if row is None else self.history.entry(row).number

    @property
    def error(self) -> str:
        outcome = self.result[1]
        return outcome if isinstance(outcome, str) else ""


def _report_column(title: str, tooltip: str, path: str, text: Callable[[Any], str] = format_ms,
                   numeric: bool = True, sample: str = "00000.0",
                   read: Callable[[Report], Any] | None = None) -> ComputedColumn:
    """A field of the configuration's report, e.g. ``"latency_ms.median"`` (or what `read` makes
    of the report); "—" when the run failed."""
    read = read or attrgetter(path)
    return ComputedColumn(title, tooltip, path, or_missing(text), numeric, sample,
                           compute=lambda row: None if row.report is None else read(row.report))


def host_text(report: Report) -> str:
    return f"{report.target.name} · {report.environment.cpu}" if report.target is not None else "here"


def engine_text(report: Report) -> str:
    """The engine, its release (OpenVINO's build suffix is in the tooltip) and the device it ran on."""
    return f"{engine_label(report)} {report.engine.version.split('-')[0]} · {report.device.name}"


def phase_delta(name: str) -> Callable[[Report], float | None]:
    return lambda report: next((p.rss_delta_mib for p in report.memory.phases if p.name == name), None)


def _rss_column(phase: str) -> ComputedColumn:
    title = PHASE_TITLES[phase]
    return _report_column(f"Δ RSS {title} (MiB)", f"How much the process's resident memory grew during {title}\n"
                          "(RSS includes the model's mapped weight pages).", f"rss.{phase}", lambda v: f"{v:+.1f}",
                          sample="+0000.0", read=phase_delta(phase))


def drift_text(drift: list[OutputDrift]) -> str | None:
    """The largest |Δ| and the lowest cosine over the outputs both runs have, in one cell."""
    compared = [d for d in drift if d.compared]
    if not drift:
        return None
    if not compared:
        return drift[0].note
    largest = max(d.max_abs_diff for d in compared)
    cosine = min(d.cosine_similarity for d in compared)
    skipped = f", {len(drift) - len(compared)} not compared" if len(compared) < len(drift) else ""
    return f"max |Δ| {largest:.4g}, cosine {cosine:.6f}{skipped}"


def _against_first(row: ComparisonRow) -> str | None:
    if row.report is None:
        return None
    return REFERENCE_TEXT if row.against is None else row.against.summary()


def _drift_of(row: ComparisonRow) -> str | None:
    if row.report is None:
        return None
    return REFERENCE_TEXT if row.against is None else drift_text(row.report.drift)


def _best(results: Sequence[ComparisonRow], metric: Callable[[Report], float],
          pick: Callable = min) -> ComparisonRow | None:
    """The best result itself, not its row: the rows move when the table is sorted."""
    scored = [r for r in results if r.report is not None and metric(r.report) > 0]
    return pick(scored, key=lambda r: metric(r.report)) if scored else None


_median = attrgetter("latency_ms.median")
_throughput = attrgetter("throughput_fps")


class ComparisonModel(RowsModel):
    """One row per configuration, in the order they ran until a view sorts them.

    Whether the results hold comes right after the engine, before the timings: the bars under
    the table show those at a glance, and a narrow dock still shows the agreement."""

    COLUMNS = (
        Column("Configuration", "The name of the configuration: what it changes from the base settings.",
               "name", sample="Precision bf16"),
        ComputedColumn("Run", "This configuration's number in the run history: the A/B pickers list it\n"
                       "under the same number.", "run", or_missing(lambda number: f"#{number}"), numeric=True,
                       sample="#000", compute=attrgetter("run_number")),
        _report_column("Engine · device", "The inference engine, its version, and the device it ran on.", "engine",
                       str, numeric=False, sample="ONNX Runtime 1.23.2 · CPU", read=engine_text),
        _report_column("Host", "Where the configuration ran: this machine, or a target over SSH (Targets › Add…,\n"
                       "\"target\" in a --compare entry) with the target's CPU.", "target", str, numeric=False,
                       sample="edge-1 · Intel Core i5", read=host_text),
        ComputedColumn("Agrees with first", "Detections matched with the first configuration's (same class,\n"
                       "IoU >= 0.5): matched, missed, extra and the largest score difference;\n"
                       "classifiers: the same top-1 class and the top-5 classes shared.", "agreement",
                       or_missing(str), sample="5 matched, 0 missed, 0 extra (IoU",
                       compute=_against_first),
        ComputedColumn("Output drift", "How far the raw outputs moved from the first configuration's: the\n"
                       "largest absolute difference and the lowest cosine similarity over the outputs.",
                       "drift", or_missing(str), sample="max |Δ| 0.01234, cosine 0.999999", compute=_drift_of),
        _report_column("Accuracy", "The labelled set's figures (--accuracy / the Accuracy panel's annotations):\n"
                       "top-1 and top-5 for a classifier, mAP@0.5 and mAP@[.5:.95] for a detector;\n"
                       "— when the run was given no labelled set.", "accuracy", str, numeric=False,
                       sample="mAP@0.5 0.000 · mAP@[.5:.95] 0.000",
                       read=lambda report: accuracy_figures(report.accuracy) if report.accuracy else None),
        _report_column("Median (ms)", "Median latency over the measured iterations; the best is in bold.",
                       "latency_ms.median"),
        _report_column("p90 (ms)", "90th percentile latency: nine in ten inferences were at least this fast.",
                       "latency_ms.p90"),
        ComputedColumn("Speed-up vs first", "The first configuration's median latency ÷ this one's: ×2.00 ran in half\n"
                       "the time. A ratio of two runs' medians, not a paired measurement.", "over_first",
                       speed_up_text, numeric=True, sample="×00.00", compute=attrgetter("over_first")),
        ComputedColumn("Speed-up vs previous", "The median latency of the configuration that ran before this one\n"
                       "(the row above, in the order they ran) ÷ this one's: what this step bought.",
                       "over_previous", speed_up_text, numeric=True, sample="×00.00", compute=attrgetter("over_previous")),
        _report_column("Throughput (FPS)", "Inferences per second over the run; the best is in bold.",
                       "throughput_fps", fps_text),
        _report_column("Read (ms)", "Reading the model file (an ONNX or PyTorch file is translated while read).",
                       "timings_ms.read_model"),
        _report_column("Convert (ms)", "OpenVINO's conversion of a PyTorch model, a phase of its own;\n"
                       "— for a file that needs none (an IR, or ONNX, whose translation is in Read).",
                       "timings_ms.convert", read=lambda report: report.timings_ms.convert or None),
        _report_column("Compile / session (ms)", "OpenVINO: compiling the model for the device (or loading it from\n"
                       "the cache); ONNX Runtime: creating the inference session; PyTorch: loading the module.",
                       "timings_ms.compile"),
        _report_column("First inference (ms)", "The first inference after compiling; often much slower.",
                       "timings_ms.first_inference"),
        _report_column("Peak RSS (MiB)", "The process's largest resident memory during the run. One process runs\n"
                       "every configuration, so a peak includes what earlier ones left behind.",
                       "memory.peak_mib", lambda v: f"{v:.0f}", sample="00000"),
        _report_column("Size (MB)", "The model's files on disk (an IR's .xml and .bin together).",
                       "model.file_size_bytes", lambda v: f"{v / 1e6:.1f}", sample="0000.0"),
        *(_rss_column(phase) for phase in PHASE_TITLES),
        _report_column("p99 (ms)", "99th percentile latency: the slow tail.", "latency_ms.p99"),
        _report_column("Streams", "Streams OpenVINO used (NUM_STREAMS read back from the compiled model).",
                       "compiled.num_streams", str, sample="00"),
        _report_column("Threads", "Inference threads OpenVINO used (INFERENCE_NUM_THREADS read back).",
                       "compiled.inference_num_threads", str, sample="00"),
        _report_column("Precision (used)", "The precision the device ran in (INFERENCE_PRECISION_HINT read back):\n"
                       "an FP32 model may run in bf16 on CPUs with AMX or AVX512-BF16.",
                       "compiled.inference_precision", str, numeric=False, sample="bf16"),
        _report_column("Requests", "Infer requests that ran in parallel.", "compiled.requests_used", str, sample="00"),
        _report_column("Hint (used)", "The performance hint the compiled model reports.",
                       "compiled.performance_hint", str, numeric=False, sample="THROUGHPUT"),
        _report_column("Cache", "Whether the compiled model was loaded from the model cache (CACHE_DIR).",
                       "compiled.loaded_from_cache", _yes_no, numeric=False, sample="yes"),
        Column("Error", "Why this configuration could not run.", "error", sample="Error"),
    )
    BEST = {"latency_ms.median": (_median, min), "throughput_fps": (_throughput, max)}
    """The columns whose best cell is bold: how to read the figure, and whether low or high wins."""

    def __init__(self, history: RunHistory | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._best: dict[str, ComparisonRow | None] = {}
        self._reference: ComparisonRow | None = None
        self._history = history
        if history is not None:
            history.added.connect(self._history_changed)
            history.rowsRemoved.connect(self._history_changed)

    def set_results(self, results: Sequence[Configured]) -> None:
        self._reference = None
        self._set_rows([self._row(result, ups) for result, ups in zip(results, speed_ups(results))])

    def add_result(self, result: Configured) -> None:
        self._append_row(self._row(result, speed_ups([*self.results(), result])[-1]))

    def results(self) -> list[Configured]:
        return [row.result for row in self._rows_as_given()]

    def row_of(self, report: Report) -> int | None:
        """The row (as sorted now) of the configuration that made this very report."""
        return next((number for number, row in enumerate(self._rows) if row.report is report), None)

    def _row(self, result: Configured, ups: tuple[float | None, float | None]) -> ComparisonRow:
        """The first configuration that ran is the reference the others' results are held against
        (as their output drift is); matching a few hundred boxes costs well under a millisecond."""
        row = ComparisonRow(result, None, self._history, *ups)
        if row.report is None:
            return row
        if self._reference is None:
            self._reference = row
            return row
        return ComparisonRow(result, agreement(self._reference.report, row.report), self._history, *ups)

    def _history_changed(self, *_signal_args: object) -> None:
        """A run joined or left the history: the run numbers may have changed."""
        if self._rows:
            column = self.column_index("run")
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    def _rows_changed(self) -> None:
        self._best = {field: _best(self._rows, metric, pick) for field, (metric, pick) in self.BEST.items()}

    def _font(self, row: int, column: Column) -> QFont | None:
        if column.field in self._best and self._best[column.field] is self._rows[row]:
            return styled_font(bold=True)
        return None

    def _color(self, row: int, column: Column) -> QColor | None:
        return MUTED_TEXT if self._rows[row].report is None else None

    def _icon(self, row: int, column: Column) -> QIcon | None:
        """A warning sign beside a failed configuration's name: its error is in the last column."""
        if self._rows[row].report is None and column.field == "name":
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return None

    def _tooltip(self, row: ComparisonRow) -> str:
        if row.report is None:
            return f"{row.name}\nfailed: {row.error}"
        report = row.report
        devices = ", ".join(report.engine.providers or report.compiled.execution_devices) or report.device.name
        lines = [row.name, f"{Path(report.model.path).name} on {devices}, {engine_label(report)} {report.engine.version}"]
        if row.against is not None:
            lines.append(f"against {self._reference.name}: {row.against.summary()}")
            lines += [f"{d.name}: " + (f"max |Δ| {d.max_abs_diff:.4g}, cosine {d.cosine_similarity:.6f}"
                                       if d.compared else d.note) for d in report.drift]
        lines += [f"note: {note}" for note in report.notes[:TOOLTIP_NOTES]]
        return "\n".join(lines)



@dataclass(frozen=True)
class _Series:
    label: str
    color: QColor
    value: Callable[[Report], float]


@dataclass(frozen=True)
class _Panel:
    """One chart under the comparison table: a bar per series per configuration."""

    x_label: str
    x_units: str
    series: tuple[_Series, ...]
    note: str
    text: Callable[[float], str] = format_ms


BAR_GROUP_SHARE = 0.8
"""How much of its row a configuration's group of bars fills; the rest parts one group from the next."""

_PANELS = (
    _Panel("latency", "ms", (_Series("median", MEDIAN_COLOR, _median),
                             _Series("p90", P90_COLOR, attrgetter("latency_ms.p90"))), "lower is better"),
    _Panel("throughput", "FPS", (_Series("throughput", POINT_COLOR, _throughput),), "higher is better", fps_text),
    _Panel("start-up", "ms", (_Series("first inference", FIRST_COLOR, attrgetter("timings_ms.first_inference")),
                              _Series("compile", PHASE_COLORS["compile"], attrgetter("timings_ms.compile"))),
           "lower is better"),
    _Panel("memory", "MiB", (_Series("peak RSS", RSS_COLOR, attrgetter("memory.peak_mib")),
                             _Series("size on disk", SIZE_COLOR, lambda report: report.model.file_size_bytes / MIB)),
           "lower is better", mib_text),
)
"""Latency and throughput answer "which is faster"; first inference and compile time,
"what does it cost to start"; peak RSS and the model's size on disk, "what does it take"
(an INT8 or FP16 copy against its source).  Compile is rarely more than ~10x the first
inference, so both share a linear axis and the printed values carry the small bars; a model's
files are far smaller than the process holding them, and their printed value carries them."""



def _draw_panel(plot: pg.PlotWidget, fit: BarFit, panel: _Panel, results: Sequence[Configured],
                text: QColor) -> list[tuple[pg.TextItem, str]]:
    """Grouped horizontal bars, one group per configuration; a failed one says "failed" where its
    bars would be.  Returns those labels with the error each stands for."""
    item = plot.getPlotItem()
    item.clear()
    thickness = BAR_GROUP_SHARE / len(panel.series)
    values: list[float] = []
    reports = [report_of(outcome) for _name, outcome in results]
    for number, series in enumerate(panel.series):
        offset = (number - (len(panel.series) - 1) / 2) * thickness
        bars = [(row + offset, series.value(report)) for row, report in enumerate(reports) if report is not None]
        if not bars:
            continue
        item.addItem(pg.BarGraphItem(x0=0, y=[y for y, _ in bars], height=thickness * 0.85,
                                     width=[value for _, value in bars], brush=series.color, pen=pg.mkPen(None)))
        for y, value in bars:
            value_label(item, panel.text(value), value, y, text)
        values += [value for _, value in bars]
    fit.fit(0.0, max(values, default=1.0), len(results), [panel.text(value) for value in values])
    return [(value_label(item, "failed", 0, row, MUTED_TEXT), outcome)
            for row, (_name, outcome) in enumerate(results) if isinstance(outcome, str)]


class _ComparisonCharts(QWidget):
    """The panels side by side, sharing one column of configuration names on the left."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._results: list[Configured] = []
        self._failures: list[tuple[pg.TextItem, str]] = []
        self._plots = [bar_plot(panel.x_label, panel.x_units) for panel in _PANELS]
        self._fits = [BarFit(plot) for plot in self._plots]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for number, (plot, panel) in enumerate(zip(self._plots, _PANELS)):
            if number:
                plot.getPlotItem().hideAxis("left")
            layout.addWidget(with_legend(plot, [(series.color, series.label) for series in panel.series], panel.note))
        self._plots[0].setObjectName("latencyBars")
        self._plots[0].getViewBox().sigResized.connect(self._explain_failures)
        self._draw()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._share_width()

    def set_results(self, results: Sequence[Configured]) -> None:
        self._results = list(results)
        self._draw()

    def bar_count(self) -> int:
        return sum(bar_count(plot) for plot in self._plots)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._draw()

    def _draw(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        name_axis(self._plots[0], [name for name, _outcome in self._results], CONFIGURATION_NAME_MAX_PX)
        for plot in self._plots:
            theme_plot(plot, palette)
        failures = [_draw_panel(plot, fit, panel, self._results, text)
                    for plot, fit, panel in zip(self._plots, self._fits, _PANELS)]
        self._failures = failures[0]
        self.setMinimumHeight(self._readable_height())
        self._share_width()
        self._explain_failures()

    def _readable_height(self) -> int:
        """Tall enough for each bar to carry its printed value without touching the next: many
        configurations make the charts scroll rather than squeeze their values together."""
        bars = len(self._results) * max(len(panel.series) for panel in _PANELS)
        bar_px = QFontMetrics(self._plots[0].font()).height() + BAR_SPACING_PX
        return CHART_CHROME_PX + round(bars * bar_px / BAR_GROUP_SHARE)

    def _explain_failures(self) -> None:
        """The first panel says why a configuration failed, cut to fit: the table, scrolled to
        its last column, and the row's tooltip have the whole message."""
        metrics = QFontMetrics(self._plots[0].font())
        width_px = int(self._plots[0].getViewBox().width()) - 2 * AXIS_TICK_ROOM_PX
        for label, error in self._failures:
            label.setText(metrics.elidedText(f" failed: {error}", Qt.TextElideMode.ElideRight, max(width_px, 0)))

    def _share_width(self) -> None:
        """Equal plot areas: the first panel also carries the names, so it gets their width on top
        of its share (stretch factors alone would take the names out of its share)."""
        names_px = names_wanted_px(self._plots[0])
        share_px = max(1, (self.width() - names_px) // len(self._plots))
        layout = self.layout()
        for number in range(len(self._plots)):
            layout.setStretch(number, share_px + (names_px if number == 0 else 0))


class ComparisonView(QWidget):
    """Configurations side by side: the numbers in a table, the answer in bars beneath it.

    Rows and bars appear one by one as configurations finish (`add_result`), so a
    long comparison shows its first answers while the others still run."""

    def __init__(self, history: RunHistory, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = ComparisonModel(history, self)
        self._proxy = RowsProxy(self)
        self._proxy.setSourceModel(self._model)
        self._table = make_table(self._proxy, ComparisonModel.COLUMNS, ComparisonModel.column_index("error"))
        self._table.setObjectName("comparisonTable")
        self._table.setTextElideMode(Qt.TextElideMode.ElideRight)  # an agreement's counts come first
        self._table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self._charts = _ComparisonCharts()
        charts = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        charts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        charts.setWidget(self._charts)
        self._splitter = QSplitter(Qt.Orientation.Vertical)
        self._splitter.addWidget(self._table)
        self._splitter.addWidget(charts)
        self._splitter.setStretchFactor(0, 0)
        self._splitter.setStretchFactor(1, 1)
        self._stack = hint_or_content(self, COMPARISON_HINT, self._splitter)
        self._show_results_or_hint()

    @property
    def model(self) -> ComparisonModel:
        return self._model

    @property
    def table(self) -> QAbstractItemView:
        return self._table

    def set_results(self, results: list[Configured]) -> None:
        self._model.set_results(results)
        self._update()

    def add_result(self, result: Configured) -> None:
        self._model.add_result(result)
        self._update()

    def show_outcome(self, outcome: RunOutcome) -> None:
        """Selects the configuration the window's other views now show; another run selects none."""
        row = self._model.row_of(outcome.report)
        self._table.clearSelection()
        if row is not None:
            self._table.selectRow(self._proxy.mapFromSource(self._model.index(row, 0)).row())

    def clear(self) -> None:
        self.set_results([])

    def bar_count(self) -> int:
        """Bars drawn over all charts: a finished configuration adds one per series."""
        return self._charts.bar_count()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_table()

    def _update(self) -> None:
        self._charts.set_results(self._model.results())
        scored = any(report_of(outcome) is not None and report_of(outcome).accuracy for _name, outcome in self._model.results())
        self._table.setColumnHidden(ComparisonModel.column_index("accuracy"), not scored)
        remote = any(report_of(outcome) is not None and report_of(outcome).target for _name, outcome in self._model.results())
        self._table.setColumnHidden(ComparisonModel.column_index("target"), not remote)
        self._show_results_or_hint()
        self._fit_names()
        self._fit_table()

    def _fit_names(self) -> None:
        """The configuration column as wide as its longest name, within reason: the names are what
        the rest of the row is read against."""
        column = ComparisonModel.column_index("name")
        self._table.resizeColumnToContents(column)
        self._table.setColumnWidth(column, min(self._table.columnWidth(column), CONFIGURATION_NAME_MAX_PX))

    def _fit_table(self) -> None:
        """Room for every configuration's row, up to half the height; the charts take the rest.
        Again at each resize: the view may have been hidden (no height to share) when the rows came."""
        total_px = self.height() - self._splitter.handleWidth()
        if total_px <= 0:
            return
        table = self._table
        wanted_px = (table.horizontalHeader().sizeHint().height() + table.verticalHeader().length()
                     + 2 * table.frameWidth() + table.horizontalScrollBar().sizeHint().height())
        table_px = min(wanted_px, total_px // 2)
        self._splitter.setSizes([table_px, total_px - table_px])

    def _show_results_or_hint(self) -> None:
        self._stack.setCurrentIndex(1 if self._model.rowCount() else 0)
