"""What a sweep's point changes in a run's settings (read by a sweep's runs and by the window's
"use this configuration" alike), and which run stands for the sweep."""

from __future__ import annotations

from ovgui.core.outcome import RunOutcome
from ovgui.core.report import DeviceInfo, ModelInfo, Report, RunConfig, Sweep, SweepBest, SweepPoint
from ovgui.core.runner import RunRequest
from ovgui.core.sweep import SweepRun, baseline_config, chosen_run, point_config
from ovgui.core.sweep_options import BASELINE, run_changes


def test_a_point_that_sets_streams_or_requests_runs_in_throughput_mode():
    assert run_changes({"nstreams": 2}) == {"nstreams": 2, "mode": "throughput"}
    assert run_changes({"nireq": 4, "nthreads": 2}) == {"nireq": 4, "nthreads": 2, "mode": "throughput"}
    assert run_changes({"nthreads": 2}) == {"nthreads": 2}
    assert run_changes({}, baseline=True) == {"mode": "throughput", "hint": "throughput",
                                              "nstreams": None, "nireq": None, "nthreads": None}


def test_a_sweeps_runs_take_the_same_changes_timed_alone_with_the_cache():
    base = RunRequest("m.xml", "i.jpg", RunConfig(mode="latency", nstreams=3, perf_counters=True))
    point = point_config(base, {"nireq": 4}, "/tmp/cache").config
    assert (point.mode, point.nireq, point.nstreams, point.perf_counters, point.cache_dir) == \
           ("throughput", 4, 3, False, "/tmp/cache")
    default = baseline_config(base, "/tmp/cache").config
    assert (default.mode, default.hint, default.nstreams, default.nireq) == ("throughput", "throughput", None, None)


def outcome(fps: float) -> RunOutcome:
    return RunOutcome(Report(ModelInfo("m.xml", "IR", 0), DeviceInfo("CPU", "CPU"), RunConfig(), throughput_fps=fps))


def test_the_chosen_run_is_the_best_points_last():
    runs = [SweepRun(-1, 0, outcome(1)), SweepRun(0, 0, outcome(2)), SweepRun(1, 0, outcome(3)),
            SweepRun(-1, 1, outcome(4)), SweepRun(0, 1, outcome(5)), SweepRun(1, 1, "failed")]
    points = [SweepPoint(BASELINE, baseline=True), SweepPoint("nstreams=1"), SweepPoint("nstreams=2")]
    best_second = Sweep(points, best=SweepBest(2, "nstreams=2", ""))
    assert chosen_run(best_second, runs) is runs[2]
    assert chosen_run(Sweep(points, best=SweepBest(0, BASELINE, "")), runs) is runs[3]
    assert chosen_run(Sweep(points, best=SweepBest(-1, "", "none within")), runs) is runs[4]
    assert chosen_run(Sweep(points), [SweepRun(0, 0, "failed")]) is None
