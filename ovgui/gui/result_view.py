"""What the window asks of a result view, so it iterates its views instead of listing each by hand."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ovgui.core.events import LiveData
from ovgui.core.outcome import RunOutcome


@runtime_checkable
class ResultView(Protocol):
    """A workspace of the result area: shows one run's outcome, or nothing."""

    def show_outcome(self, outcome: RunOutcome) -> None: ...

    def clear(self) -> None: ...


@runtime_checkable
class LiveView(ResultView, Protocol):
    """A view that fills while a run goes.  It keeps no timer of its own: the window's one
    `LivePoller` calls `refresh` only while the view is on screen, so a hidden view costs nothing."""

    def follow(self, live: LiveData) -> None: ...

    def refresh(self) -> None: ...

    def stop_following(self) -> None: ...
