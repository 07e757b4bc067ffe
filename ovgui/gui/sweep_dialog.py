"""Run › Sweep…: the axes of a sweep, checked as they are typed, how often each point runs, the
latency budget and its percentile, and what the sweep will cost before it starts.

The percentile is the Settings panel's latency percentile (the declared run option
``--latency-percentile``, which ``ovgui-profile --sweep`` reads too), offered here as the usual
median / p90 / p99: a choice in the dialog is written back to the panel, so every run's report
reads its latency at the same percentile the sweep ranks and budgets by — one number, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.errors import OvguiError
from ovgui.core.report import Report, RunConfig
from ovgui.core.sweep_options import DEFAULT_REPEATS, MAX_REPEATS, compares_configurations, grid, parse_axis, percentile_label
from ovgui.gui.wrapping_label import WrappingLabel

DEFAULT_AXES = "nstreams=1,2,4\nnireq=1..4"
USUAL_PERCENTILES = (50.0, 90.0, 99.0)
MAX_BUDGET_MS = 100_000.0
PROBLEM_STYLE = "color: #c0392b;"


@dataclass(frozen=True)
class SweepPlan:
    """What the dialog asks for: the grid's points, how often each runs, and what the best point is chosen by."""

    points: list[dict[str, Any]]
    repeats: int
    percentile: float
    budget_ms: float | None

    @property
    def baseline(self) -> bool:
        """Whether the device's default runs beside the points (not for a sweep over shapes alone)."""
        return compares_configurations(self.points)

    @property
    def runs(self) -> int:
        return (len(self.points) + self.baseline) * self.repeats


def read_axes(text: str) -> list[dict[str, Any]]:
    """One axis a line, blank lines skipped; the grid of their points, or the first mistake as one line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise OvguiError("give at least one axis, e.g. nstreams=1,2,4")
    return grid([parse_axis(line) for line in lines])


def runs_text(plan: SweepPlan) -> str:
    """ "4 points + the device's default × 3 repeats = 15 runs" """
    points = f"{len(plan.points)} point{'s' if len(plan.points) != 1 else ''}"
    counted = f"({points} + the device's default)" if plan.baseline else points
    return f"{counted} × {plan.repeats} repeat{'s' if plan.repeats != 1 else ''} = {plan.runs} runs"


@dataclass(frozen=True)
class Pace:
    """The last run of this model: a mean inference and what reading, compiling and the first
    inference took — what a sweep's estimate can rest on before its own first round."""

    inference_ms: float
    setup_s: float

    @classmethod
    def of(cls, report: Report | None, model_path: str) -> Pace | None:
        if report is None or not model_path or not report.latency_ms.mean:
            return None
        if Path(report.model.path).resolve() != Path(model_path).resolve():
            return None
        timings = report.timings_ms
        return cls(report.latency_ms.mean, (timings.read_model + timings.convert + timings.compile
                                            + timings.first_inference) / 1000)


def cost_text(plan: SweepPlan, config: RunConfig, pace: Pace | None = None) -> str:
    """What is known before the sweep starts: the timed part of each run (the Settings panel's
    time, or its iterations at the last run's pace when there was one) — loading and compiling on
    top, estimated from the last run too; the first round measures the real pace."""
    if pace is not None:
        timed_s = config.duration_s if config.duration_s is not None else (config.iterations or 0) * pace.inference_ms / 1000
        seconds = plan.runs * (timed_s + pace.setup_s)
        return (f"About {duration_text(seconds)}, estimated from the last run of this model ({pace.inference_ms:.2f} ms "
                f"an inference, {pace.setup_s:.1f} s to load and compile): throughput points may go faster and repeats "
                "load from a shared cache; the first round measures the real pace.")
    if config.duration_s is not None:
        seconds = plan.runs * config.duration_s
        return (f"Each run is timed for {config.duration_s:g} s: at least {duration_text(seconds)} in all, "
                "plus loading and compiling each point (repeats load it from a shared cache).")
    return (f"Each run times {config.iterations} inferences; how long that takes is measured by the first round "
            "and shown above the sweep's chart (run the model once first for an estimate here).")


def duration_text(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


class SweepDialog(QDialog):
    """Its `plan()` once accepted; OK is enabled only while the axes read as a grid."""

    def __init__(self, config: RunConfig, parent: QWidget | None = None, pace: Pace | None = None):
        super().__init__(parent)
        self.setWindowTitle("Sweep run options")
        self._config = config
        self._pace = pace
        self.axes = QPlainTextEdit(DEFAULT_AXES)
        self.axes.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.axes.setToolTip("One run option a line: KEY=V1,V2 or KEY=LOW..HIGH (whole numbers), e.g. nstreams=1,2,4, "
                             "nireq=1..8, nthreads=2,4, precision=f32,bf16, shape=1x3x320x320,1x3x640x640.\n"
                             "Every combination runs, with the same images.")
        line = self.axes.fontMetrics().lineSpacing()
        self.axes.setFixedHeight(5 * line + 12)
        self.problem = WrappingLabel(textFormat=Qt.TextFormat.PlainText, styleSheet=PROBLEM_STYLE)
        self.problem.setObjectName("sweepProblem")
        self.repeats = QSpinBox(minimum=1, maximum=MAX_REPEATS, value=DEFAULT_REPEATS)
        self.repeats.setToolTip("Each point runs this often, round-robin; its figures are the medians with their spread")
        self.budget = QDoubleSpinBox(minimum=0.0, maximum=MAX_BUDGET_MS, decimals=2, suffix=" ms")
        self.budget.setSpecialValueText("none")
        self.budget.setToolTip("The best point is the highest throughput whose latency at the percentile is within "
                               "the budget; none: the highest throughput")
        self.percentile = QComboBox()
        self.percentile.setToolTip("The percentile the sweep reads, ranks and budgets latency at; it is the Settings "
                                   "panel's latency percentile, which a choice here sets")
        for value in sorted({*USUAL_PERCENTILES, config.latency_percentile}):
            self.percentile.addItem(percentile_label(value), value)
        self.percentile.setCurrentIndex(self.percentile.findData(config.latency_percentile))
        self.estimate = WrappingLabel(textFormat=Qt.TextFormat.PlainText)
        self.estimate.setObjectName("sweepEstimate")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Start sweep")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._layout()
        self.axes.textChanged.connect(self._check)
        self.repeats.valueChanged.connect(self._check)
        self._check()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("Repeats", self.repeats)
        form.addRow("Latency budget", self.budget)
        form.addRow("at", self.percentile)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Axes, one a line (every combination runs on the current model and image):"))
        layout.addWidget(self.axes)
        layout.addWidget(self.problem)
        layout.addLayout(form)
        layout.addWidget(self.estimate)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

    def plan(self) -> SweepPlan:
        """The sweep as set; call it only while OK is enabled (the axes then read)."""
        budget = self.budget.value()
        return SweepPlan(read_axes(self.axes.toPlainText()), self.repeats.value(), float(self.percentile.currentData()),
                         budget if budget > 0 else None)

    def _check(self) -> None:
        try:
            plan = self.plan()
        except OvguiError as error:
            self.problem.setText(str(error))
            self.estimate.setText("")
            self.ok.setEnabled(False)
            return
        self.problem.setText("")
        self.estimate.setText(f"{runs_text(plan)}. {cost_text(plan, self._config, self._pace)}")
        self.ok.setEnabled(True)
