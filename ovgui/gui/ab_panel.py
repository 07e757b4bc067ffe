"""Two runs, A and B, picked from this session's last runs or from saved reports, compared layer by layer."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ovgui.core.imports import load_report
from ovgui.core.report import Report
from ovgui.gui.layer_diff import LayerDiffView, median_text, model_name, same_model
from ovgui.gui.session import BackgroundJobs

DEFAULT_KEPT_RUNS = 20
"""About 1.2 MiB per YOLOv8n report: a long session must not keep every one."""


def run_label(report: Report) -> str:
    precision = report.compiled.inference_precision or report.config.precision or "default"
    return (f"{model_name(report)} · {report.device.name} · {report.config.mode} · {precision} · "
            f"median {median_text(report)}")


def default_pair(reports: Sequence[Report]) -> tuple[int, int]:
    """B the newest run and A the latest earlier run of the same model; failing that the newest
    pair of one model; and only when no two runs share a model, the newest two."""
    newest = len(reports) - 1
    for b in range(newest, 0, -1):
        for a in range(b - 1, -1, -1):
            if same_model(reports[a], reports[b]):
                return a, b
    return max(newest - 1, 0), newest


class ABPanel(QWidget):
    """Keeps the last `capacity` runs; B defaults to the newest, A to a run of the same model."""

    open_failed = Signal(str)

    def __init__(self, capacity: int = DEFAULT_KEPT_RUNS, parent: QWidget | None = None):
        super().__init__(parent)
        self._capacity = capacity
        self._reports: list[tuple[int, Report]] = []
        self._added = 0
        self._shown = True
        self._jobs = BackgroundJobs(self)
        self._compare_soon = QTimer(self, singleShot=True, interval=0)
        self._compare_soon.timeout.connect(self._compare)
        self.combo_a = QComboBox(toolTip="Run A (the reference)")
        self.combo_b = QComboBox(toolTip="Run B (compared against A)")
        for combo in (self.combo_a, self.combo_b):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(30)
            combo.currentIndexChanged.connect(self._compare)
        open_button = QPushButton("Open report…",
                                  toolTip="Add a saved ovgui report or a benchmark_app counters report (CSV/JSON)")
        open_button.clicked.connect(self._open)
        self.kept_note = QLabel()
        self.kept_note.setObjectName("keptRuns")
        self.kept_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.diff = LayerDiffView()
        pickers = QHBoxLayout()
        pickers.addWidget(QLabel("A"))
        pickers.addWidget(self.combo_a, 1)
        pickers.addWidget(QLabel("B"))
        pickers.addWidget(self.combo_b, 1)
        pickers.addWidget(open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(pickers)
        layout.addWidget(self.kept_note)
        layout.addWidget(self.diff, 1)
        self._update_kept_note()

    def add_report(self, report: Report) -> None:
        self._added += 1
        self._reports = (self._reports + [(self._added, report)])[-self._capacity:]
        labels = [f"#{number}  {run_label(kept)}" for number, kept in self._reports]
        a, b = default_pair(self.reports())
        for combo, index in ((self.combo_a, a), (self.combo_b, b)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(labels)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)
        self._update_kept_note()
        self._compare_soon.start()

    def reports(self) -> list[Report]:
        return [report for _number, report in self._reports]

    def report_count(self) -> int:
        return len(self._reports)

    @Slot(bool)
    def set_shown(self, shown: bool) -> None:
        """Follows the dock's visibility (a tab behind another counts as hidden)."""
        self._shown = shown
        self._compare_soon.start()

    def _update_kept_note(self) -> None:
        dropped = self._added - len(self._reports)
        note = f"Keeps the last {self._capacity} runs of this session"
        self.kept_note.setText(note + (f"; {dropped} older {'run was' if dropped == 1 else 'runs were'} dropped."
                                       if dropped else "."))

    def _compare(self) -> None:
        """Only while shown: matching two 800-layer runs and redrawing takes a moment, and every
        finished run would pay it, delaying the report the user is waiting for.  After a new run
        it waits for the next turn of the event loop, so the window shows the report first and
        the two never add up to one long stall."""
        if not self._shown:
            return
        a, b = self.combo_a.currentIndex(), self.combo_b.currentIndex()
        if a < 0 or b < 0 or a == b:
            self.diff.clear()
            return
        self.diff.set_reports(self._reports[a][1], self._reports[b][1])

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open report", "", "Reports (*.json *.csv);;All files (*)")
        if path:
            self.open_report(path)

    def open_report(self, path: str) -> None:
        """Parsed off the GUI thread: a large report takes a noticeable moment to read."""
        self._jobs.submit(lambda: load_report(path), self.add_report, self.open_failed)
