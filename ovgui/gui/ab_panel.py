"""Two runs, A and B, picked from this session's runs or from saved reports, compared layer by layer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ovgui.core.errors import OvguiError
from ovgui.core.imports import load_report
from ovgui.core.report import Report
from ovgui.gui.compare_view import LayerDiffView


def run_label(report: Report) -> str:
    used = report.compiled
    precision = used.inference_precision or report.config.precision or "default"
    return (
        f"{Path(report.model.path).name} · {report.device.name} · {report.config.mode} · {precision} · "
        f"median {report.latency_ms.median:.2f} ms"
    )


class ABPanel(QWidget):
    """Keeps every finished run; B defaults to the newest, A to the one before it."""

    open_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._reports: list[Report] = []
        self._shown = True
        self.combo_a = QComboBox(toolTip="Run A (the reference)")
        self.combo_b = QComboBox(toolTip="Run B (compared against A)")
        for combo in (self.combo_a, self.combo_b):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(30)
            combo.currentIndexChanged.connect(self._compare)
        open_button = QPushButton("Open report…", toolTip="Add a saved ovgui report or a benchmark_app counters report (CSV/JSON)")
        open_button.clicked.connect(self._open)
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
        layout.addWidget(self.diff, 1)

    def add_report(self, report: Report) -> None:
        self._reports.append(report)
        label = f"#{len(self._reports)}  {run_label(report)}"
        for combo in (self.combo_a, self.combo_b):
            combo.blockSignals(True)
            combo.addItem(label)
            combo.blockSignals(False)
        self.combo_b.setCurrentIndex(len(self._reports) - 1)
        self.combo_a.setCurrentIndex(max(0, len(self._reports) - 2))
        self._compare()

    def report_count(self) -> int:
        return len(self._reports)

    @Slot(bool)
    def set_shown(self, shown: bool) -> None:
        """Follows the dock's visibility (a tab behind another counts as hidden)."""
        self._shown = shown
        self._compare()

    def _compare(self) -> None:
        """Only while shown: matching two 800-layer runs and redrawing takes a noticeable moment,
        and every finished run would pay it, delaying the report the user is waiting for."""
        if not self._shown:
            return
        a, b = self.combo_a.currentIndex(), self.combo_b.currentIndex()
        if a < 0 or b < 0 or a == b:
            self.diff.clear()
            return
        self.diff.set_reports(self._reports[a], self._reports[b])

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open report", "", "Reports (*.json *.csv);;All files (*)")
        if not path:
            return
        try:
            report = load_report(path)
        except OvguiError as error:
            self.open_failed.emit(str(error))
            return
        self.add_report(report)
