"""Events the engine emits while it works.

They are plain dataclasses passed to a callback, so the CLI's printer and the
GUI's worker consume the same stream.  Per-iteration data is *not* sent as an
event: it goes to append-only buffers (`LiveData`) that consumers poll at their
own pace, which keeps a 100k-iteration run from flooding a GUI event loop.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ovgui.core.report import LatencyStats

PHASES = ("read_model", "convert", "compile", "first_inference", "steady_state", "results", "release")
PHASE_TITLES = {
    "read_model": "read",
    "convert": "convert",
    "compile": "compile",
    "first_inference": "first inference",
    "steady_state": "steady state",
    "results": "results",
    "release": "release",
}


@dataclass(frozen=True)
class PhaseStarted:
    name: str
    t_s: float


@dataclass(frozen=True)
class PhaseFinished:
    name: str
    t_s: float
    duration_ms: float


@dataclass(frozen=True)
class Progress:
    """Steady-state progress; `fraction` is of iterations or of the time budget."""

    iterations_done: int
    fraction: float
    elapsed_s: float
    fps: float


@dataclass(frozen=True)
class Note:
    """Something the user should know that is not an error (e.g. zero-filled inputs)."""

    text: str


Event = PhaseStarted | PhaseFinished | Progress | Note
EventCallback = Callable[[Event], None]


def ignore_event(_event: Event) -> None:
    """Default callback for callers that only want the report."""


LATENCY_HISTORY_CAP = 100_000
"""Latencies kept per run: every one up to here (about 10 MB in memory, 5 MB of a report), then a
uniform sample of this many. A 24-hour run at 1,000 inferences a second would otherwise hold
86 million floats and write them all into its report."""
RESERVOIR_SEED = 0


@dataclass
class LiveData:
    """Append-only buffers filled by the engine and read by any thread.

    Appending to a list is atomic under the GIL, so a reader may take
    ``buf[len_seen:]`` at any time and get a consistent prefix.

    The latency history is bounded: `latencies_ms` (and `iteration_end_times` beside it) hold
    every iteration up to `latency_cap`; past it they stop growing and become a uniform random
    sample of all iterations (Vitter's algorithm R, seeded): the n-th latency replaces a kept one
    with probability cap/n.  `latency_iterations` then says which iteration (1-based) each kept
    sample is.  Count, sum, min and max stay exact over every iteration.
    """

    latencies_ms: list[float] = field(default_factory=list)
    iteration_end_times: list[float] = field(default_factory=list)
    first_inference_ms: float | None = None
    memory_samples: list[tuple[float, float]] = field(default_factory=list)
    phase_marks: list[tuple[str, float]] = field(default_factory=list)
    layers: list = field(default_factory=list)
    layers_version: int = 0
    frames: list = field(default_factory=list)
    latest_frame: tuple | None = None
    latency_cap: int = LATENCY_HISTORY_CAP
    latency_iterations: list[int] = field(default_factory=list)
    iterations: int = 0
    latency_sum_ms: float = 0.0
    latency_min_ms: float = math.inf
    latency_max_ms: float = -math.inf

    def __post_init__(self) -> None:
        # A LiveData made with latencies already in it (a test, a replay) counts them.
        for latency_ms in self.latencies_ms[: self.latency_cap]:
            self._count(latency_ms)
        self._lock = threading.Lock()
        self._random = random.Random(RESERVOIR_SEED)

    def publish_layers(self, layers: list) -> None:
        """A whole new per-layer snapshot (`LayerStats`, steady-state means so far), about once a second.

        The list is replaced, never changed in place, so a reader holding the old one keeps a
        consistent table; `layers_version` tells a poller whether there is anything new.
        """
        self.layers = layers
        self.layers_version += 1

    def add_frame(self, pixels, result) -> None:
        """A frame of a set or a video is done: its `FrameResult`, and its pixels (BGR) as the
        latest picture to show; only the latest is kept, so a long video holds one frame."""
        self.latest_frame = (pixels, result)
        self.frames.append(result)

    def add_iteration(self, latency_ms: float) -> None:
        """The end time (``perf_counter``) first: a reader of `latencies_ms` may rely on it being there.

        Locked: in throughput mode OpenVINO's callback threads add iterations concurrently."""
        end_time = time.perf_counter()
        with self._lock:
            self._count(latency_ms)
            if self.iterations <= self.latency_cap:
                self.iteration_end_times.append(end_time)
                self.latencies_ms.append(latency_ms)
                return
            if not self.latency_iterations:
                self.latency_iterations.extend(range(1, len(self.latencies_ms) + 1))
            slot = self._random.randrange(self.iterations)
            if slot < self.latency_cap:
                self.latency_iterations[slot] = self.iterations
                self.iteration_end_times[slot] = end_time
                self.latencies_ms[slot] = latency_ms

    @property
    def sampled(self) -> bool:
        """True once the history holds a uniform sample rather than every iteration."""
        return self.iterations > len(self.latencies_ms)

    def latency_stats(self, keep_samples: bool = False) -> LatencyStats:
        """The run's latency statistics so far: every latency, or past the history's cap its uniform
        sample with exact count, mean, min and max.  A live view asks without the samples (they stay
        in `latencies_ms`); the report keeps them."""
        values = np.asarray(self.latencies_ms, dtype=np.float64)
        if not self.sampled:
            return LatencyStats.from_samples(values, keep_samples)
        return LatencyStats.from_reservoir(values, self.latency_iterations, self.iterations, self.latency_sum_ms,
                                           self.latency_min_ms, self.latency_max_ms, keep_samples)

    def _count(self, latency_ms: float) -> None:
        self.iterations += 1
        self.latency_sum_ms += latency_ms
        self.latency_min_ms = min(self.latency_min_ms, latency_ms)
        self.latency_max_ms = max(self.latency_max_ms, latency_ms)
