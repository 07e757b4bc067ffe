"""One timer for every live view (as Friture's single display timer drives its docks): while a run
goes it refreshes the views a user can see, and a view that comes into sight is brought up to date
at once rather than at the next tick."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from ovgui.gui.result_view import LiveView

POLL_MS = 100


def on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class LivePoller(QObject):
    def __init__(self, views: list[LiveView], parent: QObject | None = None):
        super().__init__(parent)
        self._views = views
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.tick)
        for view in views:
            if isinstance(view, QWidget):
                view.installEventFilter(self)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        """One last refresh of what is on screen, so the final samples of a run are drawn too."""
        if self._timer.isActive():
            self._timer.stop()
            self.tick()

    def is_active(self) -> bool:
        return self._timer.isActive()

    def tick(self) -> None:
        for view in self._views:
            if not isinstance(view, QWidget) or on_screen(view):
                view.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self._timer.isActive():
            QTimer.singleShot(0, watched.refresh)
        return False
