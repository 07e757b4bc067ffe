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


def test_a_run_ends_by_releasing_its_compiled_model_and_records_what_was_given_back(capsys):
    """person-vehicle-bike-detection-2002's compile grows RSS by ~50 MiB here; freeing the compiled
    model gives most of it back, and what it does not is the summary's 'kept after release'."""
    from shared_data import image_path, model_path

    from ovgui.cli import profile_main
    from ovgui.core.memory import kept_after_release_mib
    from ovgui.core.report import RunConfig
    from ovgui.core.runner import RunRequest, run_profile

    report = run_profile(RunRequest(str(model_path("pvb2002")), str(image_path("bus.jpg")),
                                    RunConfig(iterations=5, roofline=False))).report
    phases = {phase.name: phase for phase in report.memory.phases}
    assert list(phases)[-2:] == ["results", "release"]
    assert report.timings_ms.release > 0
    assert phases["release"].rss_delta_mib < -0.5 * phases["compile"].rss_delta_mib, "most of compile's memory comes back"
    kept = kept_after_release_mib(report)
    assert kept == phases["release"].rss_end_mib - phases["read_model"].rss_start_mib
    assert profile_main([str(model_path("pvb2002")), str(image_path("bus.jpg")), "-n", "3", "--no-roofline"]) == 0
    assert "kept after release" in capsys.readouterr().out
