"""The Overview workspace: the photo with its boxes beside the live latency and memory charts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from ovgui.core.events import LiveData
from ovgui.core.outcome import RunOutcome
from ovgui.gui.latency_chart import LatencyChart
from ovgui.gui.memory_chart import MemoryChart
from ovgui.gui.photo_column import PhotoSlot
from ovgui.gui.scenario_block import ScenarioBlock

PHOTO_SHARE = 0.55


class OverviewView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.latency_chart = LatencyChart()
        self.memory_chart = MemoryChart()
        self.photo_slot = PhotoSlot()
        self.scenario_block = ScenarioBlock()
        self.charts = QSplitter(Qt.Orientation.Vertical, objectName="overview-charts", childrenCollapsible=False)
        self.charts.addWidget(self.latency_chart)
        self.charts.addWidget(self.memory_chart)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="overview", childrenCollapsible=False)
        self.splitter.addWidget(self.photo_slot)
        self.splitter.addWidget(self.charts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scenario_block)
        layout.addWidget(self.splitter)

    def share_width(self, width: int) -> None:
        """The photo's share of a result area this wide."""
        photo = int(width * PHOTO_SHARE)
        self.splitter.setSizes([photo, width - photo])

    def _charts(self) -> tuple[LatencyChart, MemoryChart]:
        return self.latency_chart, self.memory_chart

    def follow(self, live: LiveData) -> None:
        for chart in self._charts():
            chart.follow(live)

    def refresh(self) -> None:
        for chart in self._charts():
            chart.refresh()

    def stop_following(self) -> None:
        for chart in self._charts():
            chart.stop_following()

    def show_outcome(self, outcome: RunOutcome) -> None:
        self.scenario_block.show_scenario(outcome.report.scenario)
        for chart in self._charts():
            chart.show_outcome(outcome)

    def clear(self) -> None:
        self.scenario_block.clear_scenario()
        for chart in self._charts():
            chart.clear()
