"""Events the engine emits while it works.

They are plain dataclasses passed to a callback, so the CLI's printer and the
GUI's worker consume the same stream.  Per-iteration data is *not* sent as an
event: it goes to append-only buffers (`LiveData`) that consumers poll at their
own pace, which keeps a 100k-iteration run from flooding a GUI event loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Union

PHASES = ("read_model", "compile", "first_inference", "steady_state")
PHASE_TITLES = {
    "read_model": "read",
    "compile": "compile",
    "first_inference": "first inference",
    "steady_state": "steady state",
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


Event = Union[PhaseStarted, PhaseFinished, Progress, Note]
EventCallback = Callable[[Event], None]


def ignore_event(_event: Event) -> None:
    """Default callback for callers that only want the report."""


@dataclass
class LiveData:
    """Append-only buffers filled by the engine and read by any thread.

    Appending to a list is atomic under the GIL, so a reader may take
    ``buf[len_seen:]`` at any time and get a consistent prefix.
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
        """The end time (``perf_counter``) first: a reader of `latencies_ms` may rely on it being there."""
        self.iteration_end_times.append(time.perf_counter())
        self.latencies_ms.append(latency_ms)
