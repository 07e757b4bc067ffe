"""The one timed loop every engine's steady state and the frame pass run: a budget of iterations
or of time, the run's cancel flag, progress about ten times a second and the wall time.

What is inside an iteration's timed interval is the caller's: each step times its own
inference (OpenVINO's request latency, or the wall time around the call) and puts it into the
run's `LiveData`; this loop only asks after each step whether to go on, from the time and the
count the step hands back.  Time a step spends on bookkeeping it does not count as inference
(copying per-layer counters) it adds to `collection_s`, which progress reports beside the
iterations.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ovgui.core.events import LiveData

ProgressCallback = Callable[[int, float, float], None]
"""(iterations done, seconds elapsed, seconds spent collecting counters)"""
PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True)
class Budget:
    """How long a loop runs: for `duration_s` if given, else for `iterations` (None: no limit)."""

    iterations: int | None
    duration_s: float | None

    def reached(self, done: int, elapsed_s: float) -> bool:
        if self.duration_s is not None:
            return elapsed_s >= self.duration_s
        return self.iterations is not None and done >= self.iterations

    def fraction(self, done: int, elapsed_s: float) -> float:
        if self.duration_s is not None:
            return min(elapsed_s / self.duration_s, 1.0)
        return min(done / (self.iterations or 1), 1.0)


@dataclass
class LoopResult:
    wall_s: float
    collection_s: float
    requests: int
    end_reads: list[list]


Step = Callable[[], "tuple[float, int] | None"]
"""One iteration: returns when it ended (``perf_counter``) and the count the budget is checked
against, or None when there is nothing left to run (a frame set's last frame)."""


class TimedLoop:
    """Started at construction, so a step's callbacks can measure from `start`."""

    def __init__(self, budget: Budget, cancel: threading.Event, live: LiveData, progress: ProgressCallback):
        self._budget, self._cancel, self._live, self._progress = budget, cancel, live, progress
        self.start = self._last_progress = time.perf_counter()
        self.collection_s = 0.0

    def run(self, step: Step) -> None:
        """Steps until Stop, the budget or the step itself ends it."""
        while not self._cancel.is_set():
            ended = step()
            if ended is None:
                return
            now, done = ended
            elapsed = now - self.start
            if self._budget.reached(done, elapsed):
                return
            if now - self._last_progress >= PROGRESS_INTERVAL_S:
                self._last_progress = now
                self._progress(self._live.iterations, elapsed, self.collection_s)

    def finish(self) -> float:
        """The loop's wall time (call it once in-flight work is waited for), with a last progress."""
        wall_s = time.perf_counter() - self.start
        self._progress(self._live.iterations, wall_s, self.collection_s)
        return wall_s
