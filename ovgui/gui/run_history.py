"""This session's runs, one list shared by the window, Compare and A/B.

The window adds every finished run, every configuration of a comparison and every
report it opens; A/B picks its two sides from this list and Compare says which entry
each of its rows is, so "#7" means the same run everywhere.  Only the last `capacity`
reports are kept (about 1.2 MiB per YOLOv8n report: a long session must not keep every
one); numbers keep counting, so a dropped run's number is never reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QWidget

from ovgui.core.report import Report
from ovgui.gui.run_names import engine_label, median_text, run_identity

DEFAULT_KEPT_RUNS = 20
ModelIndex = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()


@dataclass(frozen=True)
class RunSource:
    """Where a run of the history came from: measured in this window, one configuration of a
    comparison (`name` the configuration's), or a report opened from a file (`name` the file's)."""

    kind: str
    name: str = ""

    def text(self) -> str:
        if self.kind == "configuration":
            return f"comparison: {self.name}"
        if self.kind == "file":
            return f"opened from {self.name}"
        return "measured"


MEASURED = RunSource("measured")


def from_configuration(name: str) -> RunSource:
    return RunSource("configuration", name)


def from_file(path: str) -> RunSource:
    return RunSource("file", Path(path).name)


@dataclass(frozen=True)
class HistoryEntry:
    """One run of the history: its number in this session, its report, where it came from and
    when it joined the history (a report carries no date of its own)."""

    number: int
    report: Report
    source: RunSource = MEASURED
    added: datetime = field(default_factory=datetime.now)

    def label(self) -> str:
        """One line for a picker: enough to tell runs apart without opening them."""
        report = self.report
        precision = report.compiled.inference_precision or report.config.precision or "default precision"
        return (f"#{self.number}  {run_identity(report)} · {precision} · {median_text(report)} · "
                f"{self.source.text()} · {self.added:%H:%M}")

    def tooltip(self) -> str:
        report = self.report
        return "\n".join([f"#{self.number}: {self.source.text()}, {self.added:%H:%M:%S}", report.model.path,
                          f"{engine_label(report)} {report.engine.version} on {report.device.name}, {report.config.mode} mode",
                          f"median {median_text(report)}"])


class RunHistory(QAbstractListModel):
    """The runs of this session, oldest first; `ENTRY_ROLE` gives a row's `HistoryEntry`.
    It keeps at least two runs, whatever `capacity` says: A/B needs a pair."""

    ENTRY_ROLE = Qt.ItemDataRole.UserRole
    added = Signal(object)
    """A `HistoryEntry`, once it is in the list (and the oldest dropped if the list was full)."""

    def __init__(self, capacity: int = DEFAULT_KEPT_RUNS, parent: QWidget | None = None):
        super().__init__(parent)
        self._capacity = max(capacity, 2)
        self._entries: list[HistoryEntry] = []
        self._numbered = 0

    @property
    def capacity(self) -> int:
        return self._capacity

    def add(self, report: Report, source: RunSource = MEASURED) -> HistoryEntry:
        """Appends a run, dropping the oldest when the history is full."""
        if len(self._entries) == self._capacity:
            self.beginRemoveRows(NO_PARENT, 0, 0)
            del self._entries[0]
            self.endRemoveRows()
        self._numbered += 1
        entry = HistoryEntry(self._numbered, report, source)
        end = len(self._entries)
        self.beginInsertRows(NO_PARENT, end, end)
        self._entries.append(entry)
        self.endInsertRows()
        self.added.emit(entry)
        return entry

    def entries(self) -> list[HistoryEntry]:
        return list(self._entries)

    def entry(self, row: int) -> HistoryEntry:
        return self._entries[row]

    def row_of(self, report: Report) -> int | None:
        """The row holding this very report (not an equal one: two runs can report alike)."""
        return next((row for row, entry in enumerate(self._entries) if entry.report is report), None)

    def dropped(self) -> int:
        """How many runs the history has let go of."""
        return self._numbered - len(self._entries)

    def kept_note(self) -> str:
        dropped = self.dropped()
        note = f"Keeps the last {self._capacity} runs of this session"
        return note + (f"; {dropped} older {'run was' if dropped == 1 else 'runs were'} dropped." if dropped else ".")

    def rowCount(self, parent: ModelIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.label()
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.tooltip()
        if role == self.ENTRY_ROLE:
            return entry
        return None
