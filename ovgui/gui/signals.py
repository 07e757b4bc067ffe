"""SIGINT and SIGTERM for the window: handled as File › Quit, with the shell's exit codes.

Qt's event loop runs in C++, where Python never sees a signal until some Python code runs; a
Ctrl+C would wait for the next repaint and then raise KeyboardInterrupt in whatever slot ran
(a chart refresh, say).  `signal.set_wakeup_fd` writes each signal's number to a socket the
event loop watches, so the window hears of it at once and in its own time.  A second signal
is acted on in the Python handler itself: it leaves at once, even while the GUI thread waits for
a run to end.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, Slot

from ovgui.core.blocking import exit_now
from ovgui.core.logs import tell

log = logging.getLogger(__name__)
HANDLED = (signal.SIGINT, signal.SIGTERM)


class SignalBridge(QObject):
    """Calls `on_signal(number)` on the GUI thread for the first SIGINT/SIGTERM and leaves at once
on the next, with the shell's code (128 + N); `restore()` undoes it."""

    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None):
        super().__init__(parent)
        self._on_signal = on_signal
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._received = 0
        self._previous = {number: signal.signal(number, self._count) for number in HANDLED}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _count(self, number: int, _frame) -> None:
        self._received += 1
        if self._received > 1:
            tell(log, f"ovgui: {signal.Signals(number).name} again, leaving at once")
            exit_now(128 + number)

    @Slot()
    def _drain(self) -> None:
        try:
            numbers = self._reader.recv(64)
        except BlockingIOError:
            return
        for number in dict.fromkeys(numbers):
            self._on_signal(number)

    def restore(self) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._reader.close()
        self._writer.close()
