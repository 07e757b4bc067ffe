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
    """Each view with the widgets whose being on screen makes it worth refreshing (mostly itself;
    any one of them on screen is enough)."""

    def __init__(self, views: list[tuple[LiveView, tuple[QWidget, ...]]], parent: QObject | None = None):
        super().__init__(parent)
        self._views = views
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.tick)
        for _view, witnesses in views:
            for witness in witnesses:
                witness.installEventFilter(self)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_active(self) -> bool:
        return self._timer.isActive()

    def tick(self) -> None:
        for view, witnesses in self._views:
            if any(on_screen(witness) for witness in witnesses):
                view.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self._timer.isActive():
            QTimer.singleShot(0, self.tick)
        return False
