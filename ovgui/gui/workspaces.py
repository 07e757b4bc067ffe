"""The result area: one workspace per analysis, each given the whole area, switched by tabs.

A workspace can be maximised (double-click its tab, or F11): the window then hides everything
but the results, and the same gesture brings it back."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from ovgui.gui.view_names import VIEW_TITLES


class Workspaces(QTabWidget):
    maximise_toggled = Signal()

    def __init__(self, views: dict[str, QWidget], parent: QWidget | None = None):
        super().__init__(parent, documentMode=True)
        self.setObjectName("workspaces")
        self._names = list(views)
        for name, view in views.items():
            self.addTab(view, VIEW_TITLES[name])
        self.tabBarDoubleClicked.connect(lambda _index: self.maximise_toggled.emit())

    def show_view(self, name: str) -> None:
        self.setCurrentIndex(self._names.index(name))

    def current_name(self) -> str:
        return self._names[self.currentIndex()]

    def view(self, name: str) -> QWidget:
        return self.widget(self._names.index(name))
