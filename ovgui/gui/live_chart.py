"""What the latency and memory charts share: following a run's `LiveData` on the window's poller.

The window's one poller calls `refresh()` while a chart is on screen (the Friture pattern): the
engine thread only appends to lists, so drawing costs the same at 50 or 5000 inferences per
second and no signal is sent per iteration.  After the run, `show_outcome` redraws from the
report alone, so a report opened from disk looks the same as one just measured.
"""

from __future__ import annotations

from time import monotonic

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette, QShowEvent
from PySide6.QtWidgets import QWidget

from ovgui.core.events import LiveData
from ovgui.core.outcome import RunOutcome
from ovgui.gui.plot_style import theme_plot

TIMING_INTERVAL_S = 1.0
"""While the steady state is timed a chart pulls and draws at most once this often, whatever the poller's rate."""


class GrowingArray:
    """Rows appended by chunks with amortised doubling, so each refresh copies only the new rows."""

    def __init__(self, columns: int) -> None:
        self._data = np.empty((1024, columns))
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, rows: list) -> None:
        if not rows:
            return
        chunk = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)
        end = self._size + len(chunk)
        if end > len(self._data):
            grown = np.empty((max(end, 2 * len(self._data)), self._data.shape[1]))
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : end] = chunk
        self._size = end

    def column(self, index: int) -> np.ndarray:
        return self._data[: self._size, index]

    def clear(self) -> None:
        self._size = 0


class LiveChart(QWidget):
    """A chart that follows a run (`follow`, `refresh`, `stop_following`) and then shows its outcome
    (`show_outcome`, `clear`): the window's LiveView protocol.  It keeps the view on the newest data
    until the user zooms or pans, and draws nothing while hidden (a chart in a background workspace
    only copies the new samples, then draws once when shown).

    Every repaint takes CPU from the inference being measured: on a 2-core machine 30 Hz live
    charts inflated YOLOv8n's median latency by 25%, and at 10 Hz a SqueezeNet run's GUI thread
    spent about a fifth of a core drawing (`scripts/measure_gui_thread_cpu.py`).  So a chart
    follows the poller (about 10 Hz) only while nothing is timed (read, compile, first inference),
    and pulls at most once every `TIMING_INTERVAL_S` while the steady state is timed.  The chart
    says so while it happens (`timing_note`), and `stop_following` draws every point."""

    def __init__(self, plot: pg.PlotWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot
        self._live: LiveData | None = None
        self._following = True
        self._stale = False
        self._timing_now = False
        self._last_pull_s = -np.inf
        plot_item = plot.getPlotItem()
        plot_item.sigRangeChangedManually.connect(self._stop_following)
        plot_item.autoBtn.clicked.connect(self._resume_following)

    def follow(self, live: LiveData) -> None:
        """A run started: forget what is drawn and pull from `live` at each `refresh`."""
        self.clear()
        self._live = live

    def refresh(self) -> None:
        """Pull what the engine appended since the last call and draw it; cheap when nothing changed,
        and a no-op within `TIMING_INTERVAL_S` of the last pull while the steady state is timed."""
        if self._live is None or (self._timing_now and monotonic() - self._last_pull_s < TIMING_INTERVAL_S):
            return
        self._pull_and_draw(self._live)
        self._set_timing(self._timing(self._live))

    def stop_following(self) -> None:
        """The run ended: one last pull, drawn even while hidden, so the final points are not lost."""
        live = self._live
        if live is None:
            return
        self._pull(live)
        self._redraw()
        self._live = None
        self._set_timing(False)

    def show_outcome(self, outcome: RunOutcome) -> None:
        """Draw a finished run from its report alone (the live buffers may be gone)."""
        self._live = None
        self._set_timing(False)
        self._following = True
        self._show_report(outcome)
        self._redraw()

    def clear(self) -> None:
        self._live = None
        self._set_timing(False)
        self._following = True
        self._forget()
        self._redraw()

    def is_timing(self) -> bool:
        """True while the chart follows a timed steady state at its slower rate."""
        return self._timing_now

    def timing_note(self) -> str:
        """What the chart tells the user about its own rate while a run is timed ("" otherwise)."""
        if not self._timing_now:
            return ""
        return f"redrawn once every {TIMING_INTERVAL_S:g} s while timing, to leave the CPU to the inference"

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._redraw()

    def _pull_and_draw(self, live: LiveData) -> None:
        self._last_pull_s = monotonic()
        if self._pull(live):
            self._draw_when_visible()

    def _set_timing(self, timing: bool) -> None:
        if timing != self._timing_now:
            self._timing_now = timing
            self._show_timing_note()

    def _pull(self, live: LiveData) -> bool:
        """Copy new data from `live`; True if there was any."""
        raise NotImplementedError

    def _timing(self, live: LiveData) -> bool:
        """Whether the run behind `live` is in its timed steady state."""
        raise NotImplementedError

    def _show_report(self, outcome: RunOutcome) -> None:
        """Replace the held data with the outcome's report."""
        raise NotImplementedError

    def _forget(self) -> None:
        """Drop the held data."""
        raise NotImplementedError

    def _show_timing_note(self) -> None:
        """Put `timing_note()` where the chart shows its notes."""

    def _draw(self) -> None:
        raise NotImplementedError

    def _redraw(self) -> None:
        self._stale = False
        self._draw()

    def _draw_when_visible(self) -> None:
        if self.isVisible():
            self._redraw()
        else:
            self._stale = True

    def _apply_palette(self) -> None:
        theme_plot(self.plot, self.palette())
        self._restyle(self.palette().color(QPalette.ColorRole.WindowText))

    def _restyle(self, text: QColor) -> None:
        """Recolour the chart's own text items with the palette's text colour."""

    def _fit_view(self) -> None:
        """Set the view range the chart thinks best for the data it holds."""

    def _stop_following(self) -> None:
        self._following = False

    def _resume_following(self) -> None:
        self._following = True
        self._fit_view()
