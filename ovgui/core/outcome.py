"""What one run leaves behind: its report, and what the views need beyond the report.

A run ends with one `RunOutcome`, built once when it ends; nothing else is read off
the run afterwards.  A report opened from a file is an outcome with only its report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.geometry import Geometry
from ovgui.core.report import Report

if TYPE_CHECKING:  # the graph module imports OpenVINO; a report opened from a file needs neither
    from ovgui.core.graph import RuntimeGraph
    from ovgui.core.profile import LayerProfiler


@dataclass(frozen=True)
class RunOutcome:
    """One run, as every view and writer receives it.

    `outputs` are the first inference's raw outputs and `geometry` how the image was fitted to
    the input (for the outputs panel, overlays and output drift), `mask` a decoder's class or
    probability mask at photo size, `graph` the executed graph (OpenVINO runs).
    `layer_samples` holds each layer's real time per profiled iteration (rows: iterations,
    columns: layer index) only when the report says they are real per-iteration values
    (`profile.distributions`): OpenVINO's CPU counters are running means since compile, and
    statistics of those would mean nothing.
    """

    report: Report
    outputs: tuple[ModelOutput, ...] = field(default=(), repr=False, compare=False)
    geometry: Geometry | None = None
    mask: np.ndarray | None = field(default=None, repr=False, compare=False)
    graph: RuntimeGraph | None = field(default=None, repr=False, compare=False)
    layer_samples: np.ndarray | None = field(default=None, repr=False, compare=False)

    @classmethod
    def measured(cls, report: Report, outputs: list[ModelOutput], geometry: Geometry, mask: np.ndarray | None,
                 profiler: LayerProfiler, graph: RuntimeGraph | None) -> RunOutcome:
        """The one place a run's outcome is made: on the run's thread, so copying the samples of
        800 layers (once, not once per layer) costs the GUI nothing."""
        return cls(report, tuple(outputs), geometry, mask, graph, real_samples(report, profiler))

    def samples_of(self, layer_index: int) -> np.ndarray | None:
        """One layer's real times (ms) over the profiled iterations; None where there are none."""
        if self.layer_samples is None or not 0 <= layer_index < self.layer_samples.shape[1]:
            return None
        return self.layer_samples[:, layer_index]


def real_samples(report: Report, profiler: LayerProfiler) -> np.ndarray | None:
    """Every layer's per-iteration times, read-only, or None unless the report says they are real."""
    if not (report.profile.distributions and profiler.iterations and report.layers):
        return None
    samples = profiler.samples()
    samples.setflags(write=False)
    return samples
