"""Process memory over a session: an RSS sampler thread plus phase marks.

RSS counts the model's weight pages that OpenVINO memory-maps, so "read_model"
can look cheap until the weights are touched during compilation.  20 samples
a second is the rate chosen: each wake-up preempts an inference thread, and at
50 a second that cost ~1.3% of the median latency on a 2-core machine.  The samples
go to a `LiveData` buffer that the GUI polls while the run goes on.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import psutil

from ovgui.core.events import LiveData
from ovgui.core.report import MemoryPhase, MemoryReport, Report

MIB = 1024 * 1024
DEFAULT_INTERVAL_S = 0.05


class MemorySampler:
    """Samples this process's RSS every `interval_s` seconds on a daemon thread; use as a context manager."""

    def __init__(self, live: LiveData, interval_s: float = DEFAULT_INTERVAL_S, clock_start: float | None = None):
        self._live = live
        self._interval_s = interval_s
        self._process = psutil.Process()
        self._start = time.perf_counter() if clock_start is None else clock_start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ovgui-memory", daemon=True)
        self._phase_bounds: list[tuple[str, float, float, float, float]] = []
        self._open_phase: tuple[str, float, float] | None = None

    def __enter__(self) -> MemorySampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def origin(self) -> float:
        """The ``perf_counter`` value that is t = 0 s for the whole session's timeline."""
        return self._start

    def now_s(self) -> float:
        return time.perf_counter() - self._start

    def sample(self) -> tuple[float, float]:
        point = (self.now_s(), self._process.memory_info().rss / MIB)
        self._live.memory_samples.append(point)
        return point

    def begin_phase(self, name: str) -> None:
        """Close the open phase (if any) and open `name`, both at one fresh sample."""
        t_s, rss = self.sample()
        self._close_open_phase(t_s, rss)
        self._open_phase = (name, t_s, rss)
        self._live.phase_marks.append((name, t_s))

    def end_phase(self) -> None:
        t_s, rss = self.sample()
        self._close_open_phase(t_s, rss)

    def report(self) -> MemoryReport:
        samples = sorted(self._live.memory_samples)
        peak_t, peak = max(samples, key=lambda s: s[1]) if samples else (0.0, 0.0)
        phases = [MemoryPhase(n, start, end, r0, r1, r1 - r0) for n, start, end, r0, r1 in self._phase_bounds]
        return MemoryReport([[t, rss] for t, rss in samples], phases, peak, peak_t)

    def _close_open_phase(self, t_s: float, rss: float) -> None:
        if self._open_phase is not None:
            name, start, rss_start = self._open_phase
            self._phase_bounds.append((name, start, t_s, rss_start, rss))
            self._open_phase = None

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.sample()


def phases_so_far(marks: list[tuple[str, float]], t_s: np.ndarray, rss_mib: np.ndarray) -> list[MemoryPhase]:
    """A running session's phases from its marks and its samples (time-sorted): each phase runs to
    the next mark, the open one to the latest sample, its RSS read off the samples at both ends.
    The sampler's own `report` gives the exact ones once the session is over."""
    if not len(t_s):
        return []
    ends = [t for _, t in marks[1:]] + [max(float(t_s[-1]), marks[-1][1] if marks else 0.0)]
    phases = []
    for (name, start), end in zip(marks, ends):
        rss_start, rss_end = (float(rss) for rss in np.interp([start, end], t_s, rss_mib))
        phases.append(MemoryPhase(name, start, end, rss_start, rss_end, rss_end - rss_start))
    return phases


def kept_after_release_mib(report: Report) -> float | None:
    """How much more the process held after the compiled model was released than before the model
    was read: memory the run never gave back.  None for a run without a release phase."""
    phases = report.memory.phases
    if not phases or phases[-1].name != "release":
        return None
    return phases[-1].rss_end_mib - phases[0].rss_start_mib
