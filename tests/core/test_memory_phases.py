"""A running session's memory phases, from its marks and samples: what the memory chart shows
before the sampler's exact phases arrive with the report."""

from __future__ import annotations

import numpy as np
import pytest

from ovgui.core.events import LiveData
from ovgui.core.memory import MemorySampler, phases_so_far
from ovgui.core.report import MemoryPhase


def test_each_phase_runs_to_the_next_mark_and_the_open_one_to_the_latest_sample():
    t_s = np.array([0.0, 0.1, 0.3, 0.5])
    rss = np.array([100.0, 110.0, 130.0, 150.0])
    phases = phases_so_far([("read_model", 0.0), ("compile", 0.2)], t_s, rss)
    assert phases == [
        MemoryPhase("read_model", 0.0, 0.2, 100.0, pytest.approx(120.0), pytest.approx(20.0)),
        MemoryPhase("compile", 0.2, 0.5, pytest.approx(120.0), 150.0, pytest.approx(30.0)),
    ]


def test_a_mark_after_the_latest_sample_ends_at_itself():
    phases = phases_so_far([("read_model", 0.0), ("compile", 0.8)], np.array([0.0, 0.5]), np.array([100.0, 140.0]))
    assert (phases[-1].start_s, phases[-1].end_s, phases[-1].rss_delta_mib) == (0.8, 0.8, 0.0)


def test_no_samples_no_phases():
    assert phases_so_far([("read_model", 0.0)], np.array([]), np.array([])) == []


def test_live_phases_end_where_the_samplers_exact_ones_do():
    """The sampler takes a sample at every mark, so the interpolated ends are its own samples."""
    live = LiveData()
    sampler = MemorySampler(live, interval_s=3600)
    sampler.begin_phase("read_model")
    sampler.sample()
    sampler.begin_phase("compile")
    sampler.end_phase()
    samples = np.array(sorted(live.memory_samples))
    live_phases = phases_so_far(list(live.phase_marks), samples[:, 0], samples[:, 1])
    assert live_phases == sampler.report().phases
