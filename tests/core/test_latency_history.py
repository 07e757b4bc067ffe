"""The latency history is bounded: every iteration up to a cap, then a uniform reservoir with exact
count, mean, min and max; the report says which, and old reports still read."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ovgui.core.events import LiveData
from ovgui.core.report import LatencyStats, Report, RunConfig
from ovgui.core.runner import ProfileRun, RunRequest
from ovgui.core.trace import trace_events
from tests.shared_data import image_path, model_path

CAP = 1000
STREAM = 20_000


def latency_of(iteration: int) -> float:
    """A stream whose value tells which iteration it came from (and drifts, so order matters)."""
    return 5.0 + iteration / 1000.0


def fill(live: LiveData, count: int) -> None:
    for iteration in range(1, count + 1):
        live.add_iteration(latency_of(iteration))


def test_every_iteration_is_kept_up_to_the_cap():
    live = LiveData(latency_cap=CAP)
    fill(live, CAP)

    assert not live.sampled
    assert live.latencies_ms == [latency_of(i) for i in range(1, CAP + 1)]
    stats = live.latency_stats(keep_samples=True)
    assert (stats.history, stats.count, stats.iterations, stats.sample_iterations) == ("all", CAP, CAP, [])
    assert stats.history_text() == ""


def test_past_the_cap_the_history_is_a_uniform_sample_with_exact_statistics():
    live = LiveData(latency_cap=CAP)
    fill(live, STREAM)

    assert live.sampled and live.iterations == STREAM
    assert len(live.latencies_ms) == len(live.iteration_end_times) == len(live.latency_iterations) == CAP
    kept = np.asarray(live.latency_iterations)
    assert len(set(kept.tolist())) == CAP and kept.min() >= 1 and kept.max() <= STREAM
    assert live.latencies_ms == [latency_of(i) for i in live.latency_iterations], "each value stays with its iteration"
    # Uniform over the whole stream: a reservoir that kept the first or the last CAP would put
    # the mean kept iteration near 500 or 19,500, and none or all of them in the second half.
    assert abs(kept.mean() / STREAM - 0.5) < 0.03
    assert abs(np.mean(kept > STREAM / 2) - 0.5) < 0.05
    assert abs(np.mean(kept <= STREAM / 10) - 0.1) < 0.03

    stats = live.latency_stats(keep_samples=True)
    everything = np.asarray([latency_of(i) for i in range(1, STREAM + 1)])
    assert stats.history == "reservoir" and stats.count == STREAM == stats.iterations
    assert stats.mean == pytest.approx(everything.mean(), rel=1e-12)
    assert (stats.min, stats.max) == (everything.min(), everything.max())
    assert stats.median == pytest.approx(np.median(everything), rel=0.03), "percentiles from the reservoir"
    assert stats.p90 == pytest.approx(np.percentile(everything, 90), rel=0.03)
    assert "uniform sample of 1,000 of 20,000 iterations" in stats.history_text()


@pytest.mark.parametrize("count", [CAP // 2, 5 * CAP], ids=["every iteration", "reservoir"])
def test_live_figures_are_the_reports_without_the_samples(count):
    """What a chart reads during the run is what the report will say at its end."""
    live = LiveData(latency_cap=CAP)
    fill(live, count)
    report = live.latency_stats(keep_samples=True)
    figures = live.latency_stats()
    assert figures.samples == [] and (figures.history, figures.count) == (report.history, report.count)
    assert (figures.mean, figures.min, figures.max) == pytest.approx((report.mean, report.min, report.max), rel=1e-12)
    assert (figures.median, figures.p90, figures.p99) == pytest.approx((report.median, report.p90, report.p99), rel=1e-12)


def test_live_figures_of_a_run_without_latencies_are_empty():
    assert LiveData().latency_stats() == LatencyStats()


def test_live_figures_of_a_history_filled_directly_come_from_it():
    """A replay or a test may extend `latencies_ms` without counting: the history is then all there is."""
    live = LiveData()
    live.latencies_ms.extend([4.0, 5.0, 9.0])
    figures = live.latency_stats()
    assert (figures.count, figures.mean, figures.min, figures.max, figures.median) == (3, 6.0, 4.0, 9.0, 5.0)


def test_the_reservoir_is_seeded():
    first, second = LiveData(latency_cap=CAP), LiveData(latency_cap=CAP)
    fill(first, 5 * CAP)
    fill(second, 5 * CAP)
    assert first.latency_iterations == second.latency_iterations


def test_concurrent_callbacks_lose_no_iteration():
    live = LiveData(latency_cap=CAP)
    threads = [threading.Thread(target=fill, args=(live, 3000)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert live.iterations == 12_000
    assert live.latency_sum_ms == pytest.approx(4 * sum(latency_of(i) for i in range(1, 3001)))
    assert len(live.latencies_ms) == CAP


def test_a_sampled_report_round_trips_and_its_trace_numbers_the_iterations():
    live = LiveData(latency_cap=CAP)
    fill(live, 3 * CAP)
    report = Report.from_dict({
        "model": {"path": "m.xml", "format": "IR", "file_size_bytes": 1},
        "device": {"name": "CPU", "full_name": "CPU"},
        "config": {},
    })
    report.latency_ms = live.latency_stats(keep_samples=True)
    report.latency_ms.end_times_s = [float(i) for i in range(CAP)]

    again = Report.from_json(report.to_json())
    assert again.latency_ms == report.latency_ms
    numbered = [int(event["name"].split()[-1]) for event in trace_events(again)["traceEvents"]
                if event.get("name", "").startswith("inference ")]
    assert sorted(numbered) == sorted(i - 1 for i in report.latency_ms.sample_iterations)


def test_a_report_from_before_the_history_fields_still_reads():
    old = {
        "schema_version": 2,
        "model": {"path": "m.xml", "format": "IR", "file_size_bytes": 1},
        "device": {"name": "CPU", "full_name": "CPU"},
        "config": {},
        "latency_ms": {"samples": [4.0, 5.0, 6.0], "median": 5.0, "mean": 5.0, "min": 4.0, "max": 6.0,
                       "p90": 5.8, "p99": 5.98, "end_times_s": [1.0, 2.0, 3.0]},
    }
    stats = Report.from_dict(old).latency_ms
    assert (stats.history, stats.count, stats.iterations, stats.sampled) == ("all", 0, 3, False)


def test_a_real_run_past_a_small_cap_reports_its_reservoir():
    request = RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")), RunConfig(iterations=60))
    run = ProfileRun(request, live=LiveData(latency_cap=25))
    try:
        report = run.run().report
    finally:
        run.release()

    stats = report.latency_ms
    assert (stats.history, stats.count, len(stats.samples), len(stats.end_times_s)) == ("reservoir", 60, 25, 25)
    assert stats.min <= min(stats.samples) and stats.max >= max(stats.samples)
    assert any("uniform sample of 25 of 60 iterations" in note for note in report.notes)
