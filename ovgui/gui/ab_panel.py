"""Two runs, A and B, picked from this session's run history (or saved reports added to it), compared layer by layer."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import QComboBox, QFileDialog, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ovgui.core.imports import load_report
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import Report
from ovgui.gui.layer_diff import LayerDiffView, lineage_root, same_model
from ovgui.gui.run_history import HistoryEntry, RunHistory, from_file
from ovgui.gui.session import BackgroundJobs


def partner(reports: Sequence[Report], b: int) -> int | None:
    """The latest run before `b` of the file `b`'s model was made from (an INT8 copy's source, which
    it is measured against), else of the same model; None when there is neither."""
    earlier = range(b - 1, -1, -1)
    source = reports[b].model.source_path
    made_from = next((a for a in earlier if source and lineage_root(reports[a]) == source
                      and not reports[a].model.source_path), None)
    return made_from if made_from is not None else next((a for a in earlier if same_model(reports[a], reports[b])), None)


def default_pair(reports: Sequence[Report]) -> tuple[int, int]:
    """B the newest run and A the latest earlier run of the same model; failing that the newest
    pair of one model; and only when no two runs share a model, the newest two."""
    newest = len(reports) - 1
    for b in range(newest, 0, -1):
        a = partner(reports, b)
        if a is not None:
            return a, b
    return max(newest - 1, 0), newest


class ABPanel(QWidget):
    """A and B are two entries of the shared `RunHistory`: a new run becomes B, with an earlier
    run of the same model as A; showing an outcome makes its run B (`show_outcome`)."""

    open_failed = Signal(str)

    def __init__(self, history: RunHistory, parent: QWidget | None = None):
        super().__init__(parent)
        self._history = history
        self._jobs = BackgroundJobs(self)
        self._compare_soon = QTimer(self, singleShot=True, interval=0)
        self._compare_soon.timeout.connect(self._compare)
        self._stale = False
        self.combo_a = QComboBox()
        self.combo_b = QComboBox()
        for combo in (self.combo_a, self.combo_b):
            combo.setModel(history)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(30)
            combo.currentIndexChanged.connect(self._sides_changed)
        self._describe_sides()
        open_button = QPushButton("Open report…",
                                  toolTip="Add a saved ovgui report or a benchmark_app counters report (CSV/JSON)")
        open_button.clicked.connect(self._open)
        self.kept_note = QLabel(history.kept_note())
        self.kept_note.setObjectName("keptRuns")
        self.kept_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.diff = LayerDiffView()
        pickers = QGridLayout()  # one above the other: each run's whole label, engine and origin included
        for row, (name, combo) in enumerate((("A", self.combo_a), ("B", self.combo_b))):
            pickers.addWidget(QLabel(name), row, 0)
            pickers.addWidget(combo, row, 1)
        pickers.addWidget(open_button, 0, 2)
        pickers.addWidget(self.kept_note, 1, 2)
        pickers.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(pickers)
        layout.addWidget(self.diff, 1)
        history.added.connect(self._run_added)
        if history.rowCount():
            self._run_added()
        else:
            self.clear()

    @property
    def history(self) -> RunHistory:
        return self._history

    def show_outcome(self, outcome: RunOutcome) -> None:
        """The run shown elsewhere in the window becomes B, with the latest earlier run of its model
        as A.  A run with no such partner, or a report the history does not hold, changes nothing:
        two different models would only compare unrelated layers."""
        b = self._history.row_of(outcome.report)
        a = None if b is None else partner([entry.report for entry in self._history.entries()], b)
        if a is not None:
            self._set_pair(a, b)

    def clear(self) -> None:
        """No pair picked: the history stays, ready to pick from."""
        for combo in (self.combo_a, self.combo_b):
            combo.setCurrentIndex(-1)
        self.diff.clear()

    def open_report(self, path: str) -> None:
        """Parsed off the GUI thread (a large report takes a noticeable moment to read), then added to the history."""
        self._jobs.submit(lambda: load_report(path), lambda report: self._history.add(report, from_file(path)),
                          self.open_failed)

    def refresh(self) -> None:
        """Compares A and B now if they were picked while the panel was off screen; costs nothing otherwise.
        A hidden tab calls it on its own when shown; a dock tabbed behind another is never hidden,
        so its window calls it when the dock comes forward."""
        if self._stale:
            self._compare_soon.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _run_added(self, _entry: HistoryEntry | None = None) -> None:
        self.kept_note.setText(self._history.kept_note())
        a, b = default_pair([entry.report for entry in self._history.entries()])
        self._set_pair(a, b)

    def _sides_changed(self, *_index: int) -> None:
        self._describe_sides()
        self._compare_soon.start()

    def _describe_sides(self) -> None:
        """Each picker's tooltip says which side it is and, once a run is picked, the run in full."""
        for combo, side in ((self.combo_a, "Run A (the reference)"), (self.combo_b, "Run B (compared against A)")):
            picked = combo.currentIndex()
            combo.setToolTip(side if picked < 0 else f"{side}\n{self._history.entry(picked).tooltip()}")

    def _set_pair(self, a: int, b: int) -> None:
        for combo, index in ((self.combo_a, a), (self.combo_b, b)):
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)
        self._sides_changed()

    def _compare(self) -> None:
        """Only while on screen (shown, and not behind another tab): matching two 800-layer runs
        and redrawing takes a moment, and every finished run would pay it, delaying the report the
        user is waiting for; a panel off screen compares when it comes forward (`refresh`).  After a
        new run it waits for the next turn of the event loop, so the window shows the report first
        and the two never add up to one long stall."""
        self._stale = not self.isVisible() or self.visibleRegion().isEmpty()
        if self._stale:
            return
        a, b = self.combo_a.currentIndex(), self.combo_b.currentIndex()
        if a < 0 or b < 0 or a == b:
            self.diff.clear()
            return
        self.diff.set_reports(self._history.entry(a).report, self._history.entry(b).report)

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open report", "", "Reports (*.json *.csv);;All files (*)")
        if path:
            self.open_report(path)
