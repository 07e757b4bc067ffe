"""The latency and memory charts: live pulls from LiveData on the window's poller, and static views from an outcome."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtWidgets import QTableWidget
from shared_data import NOT_PYTORCH_PHASES

from ovgui.core.events import LiveData
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import (
    DeviceInfo,
    LatencyStats,
    MemoryPhase,
    MemoryReport,
    ModelInfo,
    PreprocessInfo,
    ProfileSummary,
    Report,
    RunConfig,
    Timings,
)
from ovgui.gui import live_chart
from ovgui.gui.latency_chart import ROLLING_POINTS, LatencyChart, rolling_median
from ovgui.gui.memory_chart import MemoryChart


def steady_latencies(count: int, seed: int = 0) -> list[float]:
    """About 8 ms with noise and a spike every hundred iterations, like a CPU run."""
    rng = np.random.default_rng(seed)
    values = 8.0 + rng.normal(0.0, 0.25, count)
    values[::100] += 6.0
    return values.tolist()


def empty_report(**fields) -> Report:
    return Report(ModelInfo("model.xml", "ir", 1), DeviceInfo("CPU", "Test CPU"), RunConfig(), **fields)


def outcome(**fields) -> RunOutcome:
    return RunOutcome(empty_report(**fields))


@pytest.fixture
def slow_poller(monkeypatch):
    """Every refresh comes a minute after the last: as many refreshes as the test makes, each one pulls."""
    ticks = iter(range(0, 10**9, 60))
    monkeypatch.setattr(live_chart, "monotonic", lambda: float(next(ticks)))


@pytest.fixture
def latency_chart(show_sized) -> Iterator[LatencyChart]:
    chart = LatencyChart()
    host = show_sized(chart)
    yield chart
    host.close()


@pytest.fixture
def memory_chart(show_sized) -> Iterator[MemoryChart]:
    chart = MemoryChart()
    host = show_sized(chart)
    yield chart
    host.close()


def test_latency_chart_pulls_chunks_between_refreshes(latency_chart, slow_poller):
    live = LiveData()
    latency_chart.follow(live)
    live.first_inference_ms = 40.0
    values = steady_latencies(500)
    for start in range(0, 500, 37):
        live.latencies_ms.extend(values[start : start + 37])
        latency_chart.refresh()
    latency_chart.stop_following()

    assert latency_chart.point_count() == 500
    assert "500 iterations" in latency_chart.readout_text()
    assert f"median {np.median(values):.2f} ms" in latency_chart.readout_text()


def test_first_inference_is_drawn_apart_without_squashing_the_steady_state(latency_chart):
    live = LiveData(first_inference_ms=40.0, latencies_ms=steady_latencies(500))
    latency_chart.follow(live)
    latency_chart.refresh()

    y_low, y_high = latency_chart.plot.viewRange()[1]
    assert y_high < 40.0, "a 5x slower first inference must not set the y-range"
    assert y_high > max(live.latencies_ms[1:100]), "ordinary iterations stay in view"
    assert latency_chart.first_inference_label() == "first inference 40.0 ms (off scale ↑)"
    assert latency_chart.point_count() == 500, "the first inference is not one of the iterations"


def test_first_inference_in_range_is_labelled_plainly(latency_chart):
    latency_chart.follow(LiveData(first_inference_ms=8.5, latencies_ms=steady_latencies(200)))
    latency_chart.refresh()

    assert latency_chart.first_inference_label() == "first inference 8.50 ms"


def test_latency_show_report_needs_no_live_data(latency_chart):
    samples = steady_latencies(300)
    report = empty_report(
        latency_ms=LatencyStats.from_samples(samples),
        timings_ms=Timings(read_model=20.0, compile=300.0, first_inference=35.0),
        throughput_fps=121.5,
    )
    latency_chart.show_outcome(RunOutcome(report))

    assert latency_chart.point_count() == 300
    assert not latency_chart.is_timing()
    assert "121.5 FPS" in latency_chart.readout_text()
    assert "first inference 35.0 ms" in latency_chart.first_inference_label()


def test_show_report_replaces_a_live_view(latency_chart):
    live = LiveData(latencies_ms=steady_latencies(50))
    latency_chart.follow(live)
    latency_chart.refresh()
    latency_chart.show_outcome(outcome(latency_ms=LatencyStats.from_samples(steady_latencies(80))))
    live.latencies_ms.extend(steady_latencies(50))
    latency_chart.refresh()

    assert latency_chart.point_count() == 80


def test_a_hidden_chart_only_collects_and_draws_once_shown(latency_chart):
    latency_chart.hide()
    latency_chart.follow(LiveData(latencies_ms=steady_latencies(200)))
    latency_chart.refresh()
    assert latency_chart.point_count() == 0, "nothing drawn while hidden"

    latency_chart.show()
    assert latency_chart.point_count() == 200


def test_latency_chart_handles_100k_points_in_a_few_refreshes(latency_chart, slow_poller):
    live = LiveData(first_inference_ms=45.0)
    latency_chart.follow(live)
    values = steady_latencies(100_000)
    for start in range(0, 100_000, 12_500):
        live.latencies_ms.extend(values[start : start + 12_500])
        latency_chart.refresh()

    assert latency_chart.point_count() == 100_000
    assert "100000 iterations" in latency_chart.readout_text()


def test_clear_empties_the_latency_chart(latency_chart):
    latency_chart.show_outcome(outcome(latency_ms=LatencyStats.from_samples(steady_latencies(10))))
    latency_chart.clear()

    assert latency_chart.point_count() == 0
    assert latency_chart.first_inference_label() == ""
    assert latency_chart.readout_text() == "No latency data yet"


def test_rolling_median_matches_a_plain_median_and_stays_small():
    values = np.asarray(steady_latencies(100))
    centres, medians = rolling_median(values)
    expected = [np.median(values[i : i + 5]) for i in range(96)]
    np.testing.assert_allclose(medians, expected)
    np.testing.assert_allclose(centres, np.arange(96) + 2)

    centres, medians = rolling_median(np.asarray(steady_latencies(100_000)))
    assert len(medians) <= ROLLING_POINTS
    assert np.all(np.abs(medians - 8.0) < 0.1)


# Realistic phase boundaries (s) and RSS (MiB): read +58, compile +290, first inference +49, then flat.
PHASE_BOUNDS = {
    "read_model": (0.00, 0.12, 180.0, 238.0),
    "compile": (0.12, 0.95, 238.0, 528.0),
    "first_inference": (0.95, 1.01, 528.0, 577.0),
    "steady_state": (1.01, 2.80, 577.0, 577.0),
    "results": (2.80, 3.00, 577.0, 577.0),
    "release": (3.00, 3.10, 577.0, 420.0),
}


def memory_samples() -> list[tuple[float, float]]:
    """A 20 ms grid plus a sample at each phase start, as the sampler takes one at every mark."""
    starts = [bounds[0] for bounds in PHASE_BOUNDS.values()]
    times = np.union1d(np.round(np.arange(0.0, 3.1 + 1e-9, 0.02), 3), starts)
    rss = np.interp(times, starts + [3.1], [bounds[2] for bounds in PHASE_BOUNDS.values()] + [420.0])
    return list(zip(times.tolist(), rss.tolist()))


def test_memory_chart_draws_live_samples_and_phases_in_order(memory_chart, slow_poller):
    live = LiveData()
    memory_chart.follow(live)
    pending = [(name, bounds[0]) for name, bounds in PHASE_BOUNDS.items()]
    for index, (t_s, rss_mib) in enumerate(memory_samples()):
        while pending and t_s >= pending[0][1]:
            live.phase_marks.append(pending.pop(0))
        live.memory_samples.append((t_s, rss_mib))
        if index % 25 == 0:
            memory_chart.refresh()
    memory_chart.stop_following()

    assert memory_chart.sample_count() == len(memory_samples())
    assert memory_chart.phase_names() == NOT_PYTORCH_PHASES
    table = memory_chart.findChild(QTableWidget)
    assert table.item(1, 0).text() == "compile"
    assert table.item(1, 2).text() == "+290.0 MiB"


def test_open_phase_runs_to_the_latest_sample(memory_chart):
    live = LiveData(memory_samples=[(0.0, 100.0), (0.1, 110.0), (0.5, 150.0)])
    live.phase_marks.extend([("read_model", 0.0), ("compile", 0.1)])
    memory_chart.follow(live)
    memory_chart.refresh()

    table = memory_chart.findChild(QTableWidget)
    assert memory_chart.phase_names() == ["read_model", "compile"]
    assert table.item(1, 1).text() == "400 ms"
    assert table.item(1, 3).text() == "150.0 MiB"


def test_memory_show_report_draws_the_reported_phases(memory_chart):
    phases = [MemoryPhase(name, s, e, r0, r1, r1 - r0) for name, (s, e, r0, r1) in PHASE_BOUNDS.items()]
    samples = [list(sample) for sample in memory_samples()]
    report = empty_report(memory=MemoryReport(samples, phases, peak_mib=577.0, peak_t_s=1.01))
    memory_chart.show_outcome(RunOutcome(report))

    assert memory_chart.sample_count() == len(samples)
    assert memory_chart.phase_names() == NOT_PYTORCH_PHASES
    table = memory_chart.findChild(QTableWidget)
    assert [table.item(row, 2).text() for row in range(5)] == ["+58.0 MiB", "+290.0 MiB", "+49.0 MiB", "+0.0 MiB", "+0.0 MiB"]
    assert table.item(3, 1).text() == "1.79 s"


def test_phase_table_goes_below_the_plot_in_a_narrow_dock(memory_chart, qtbot):
    phases = [MemoryPhase(name, s, e, r0, r1, r1 - r0) for name, (s, e, r0, r1) in PHASE_BOUNDS.items()]
    memory_chart.show_outcome(outcome(memory=MemoryReport([list(p) for p in memory_samples()], phases)))
    table = memory_chart.findChild(QTableWidget)
    assert table.geometry().left() > memory_chart.plot.geometry().right()

    memory_chart.resize(480, 500)
    qtbot.waitUntil(lambda: table.geometry().top() > memory_chart.plot.geometry().bottom())


def test_clear_empties_the_memory_chart(memory_chart):
    memory_chart.follow(LiveData(memory_samples=memory_samples(), phase_marks=[("read_model", 0.0)]))
    memory_chart.refresh()
    memory_chart.clear()

    assert memory_chart.sample_count() == 0
    assert memory_chart.phase_names() == []


def test_one_stall_does_not_set_the_latency_scale_and_is_marked_on_the_edge(latency_chart):
    values = [34.0 + 0.1 * (i % 7) for i in range(200)]
    values[120] = 900.0
    latency_chart.show_outcome(outcome(latency_ms=LatencyStats.from_samples(values)))

    low, high = latency_chart.y_range()
    assert high < 40.0 and low > 30.0
    assert latency_chart.off_scale_count() == 1
    assert "1 off scale" in latency_chart._legend.text()


def test_readout_names_each_fps_and_what_was_measured(latency_chart):
    report = empty_report(
        latency_ms=LatencyStats.from_samples([8.0] * 50),
        throughput_fps=110.0,
        preprocess=PreprocessInfo(mode="graph"),
        profile=ProfileSummary(method="steady-state mean of 50 inferences", layers_sum_ms=7.1, latency_median_ms=8.0,
                               latency_mean_ms=8.0),
    )
    latency_chart.show_outcome(RunOutcome(report))

    assert "125.0 FPS (1000/mean)" in latency_chart.readout_text()
    assert "throughput 110.0 FPS (completed/elapsed)" in latency_chart.readout_text()
    footnote = latency_chart.footnote_text()
    assert "end to end, preprocessing in the graph" in footnote
    assert "layers sum 7.10 ms vs mean 8.00 ms" in footnote
    assert "per layer: steady-state mean of 50 inferences" in footnote


def test_readout_wraps_instead_of_being_cut_in_a_narrow_dock(qtbot, show_sized):
    chart = LatencyChart()
    host = show_sized(chart)
    chart.show_outcome(outcome(
        latency_ms=LatencyStats.from_samples(steady_latencies(100)),
        throughput_fps=120.0,
        profile=ProfileSummary(method="steady-state mean of 100 inferences, first inference excluded", layers_sum_ms=7.0,
                               latency_median_ms=8.0),
    ))
    chart.resize(300, 420)
    qtbot.waitUntil(lambda: chart._readout.width() <= 300)

    chart.resize(300, chart.minimumSizeHint().height())
    qtbot.waitUntil(lambda: chart.height() == chart.minimumSizeHint().height())
    readout, legend, footnote = chart._readout, chart._legend, chart._footnote
    for label in (readout, footnote):
        assert label.height() >= label.heightForWidth(label.width()), "every wrapped line has room"
    assert readout.geometry().bottom() < legend.geometry().top()
    assert legend.geometry().bottom() < chart.plot.geometry().top()
    assert chart.plot.geometry().bottom() < footnote.geometry().top(), "no line drawn over the plot"
    assert y_title_fits(chart), "the plot keeps room for its axis title"
    host.close()


def y_title_fits(chart) -> bool:
    axis = chart.plot.getAxis("left")
    return axis.label.boundingRect().width() <= axis.geometry().height()


@pytest.mark.parametrize("kind", [LatencyChart, MemoryChart])
def test_y_axis_title_is_not_cut_in_the_smallest_dock(qtbot, show_sized, kind):
    chart = kind()
    host = show_sized(chart)
    chart.resize(340, 60)
    qtbot.waitUntil(lambda: chart.plot.height() == chart.plot.minimumHeight())
    assert y_title_fits(chart)
    host.close()


def test_a_short_narrow_memory_dock_puts_durations_in_the_phase_labels(memory_chart, qtbot):
    phases = [MemoryPhase(name, s, e, r0, r1, r1 - r0) for name, (s, e, r0, r1) in PHASE_BOUNDS.items()]
    memory_chart.show_outcome(outcome(memory=MemoryReport([list(p) for p in memory_samples()], phases)))
    assert memory_chart.shows_phase_table()

    memory_chart.resize(440, 200)
    qtbot.waitUntil(lambda: not memory_chart.shows_phase_table())
    assert not memory_chart.findChild(QTableWidget).isVisible()
    captions = memory_chart.phase_captions()
    assert captions[1] == "compile 830 ms +290 MiB" and captions[3] == "steady state 1.79 s +0 MiB"
    labels = [label for _, label in memory_chart._regions]
    qtbot.waitUntil(lambda: labels[3].pos().y() == labels[0].pos().y())  # steady state shares read's row


def test_phase_labels_near_the_end_stay_inside_the_plot(memory_chart, qtbot):
    bounds = {"read_model": (0.0, 0.1, 180.0, 238.0), "compile": (0.1, 2.6, 238.0, 528.0),
              "first_inference": (2.6, 2.8, 528.0, 577.0), "steady_state": (2.8, 3.0, 577.0, 577.0)}
    phases = [MemoryPhase(name, s, e, r0, r1, r1 - r0) for name, (s, e, r0, r1) in bounds.items()]
    memory_chart.show_outcome(outcome(memory=MemoryReport([list(p) for p in memory_samples()], phases)))
    memory_chart.resize(440, 200)
    qtbot.waitUntil(lambda: not memory_chart.shows_phase_table())
    view = memory_chart.plot.getViewBox()
    qtbot.waitUntil(lambda: view.width() > 300)
    x_high, pixel_w = view.viewRange()[0][1], view.viewPixelSize()[0]
    for _, label in memory_chart._regions:
        right = label.pos().x() + label.textItem.boundingRect().width() * pixel_w
        assert right <= x_high, f"{label.toPlainText()} runs off the plot"


def test_compact_memory_chart_gives_the_peak_in_its_footnote(memory_chart, qtbot):
    phases = [MemoryPhase(name, s, e, r0, r1, r1 - r0) for name, (s, e, r0, r1) in PHASE_BOUNDS.items()]
    report = empty_report(memory=MemoryReport([list(p) for p in memory_samples()], phases, peak_mib=577.0, peak_t_s=1.01))
    memory_chart.show_outcome(RunOutcome(report))
    assert not memory_chart._footnote.text().startswith("peak")

    memory_chart.resize(440, 200)
    qtbot.waitUntil(lambda: not memory_chart.shows_phase_table())
    assert memory_chart._footnote.text().startswith("peak 577 MiB · ")
    assert not memory_chart._peak_label.isVisible()


def test_a_short_run_shows_every_iteration(latency_chart):
    latency_chart.show_outcome(outcome(latency_ms=LatencyStats.from_samples([150.0, 222.0, 204.0, 199.0, 203.0])))
    low, high = latency_chart.y_range()
    assert low < 150.0 and high > 222.0 and latency_chart.off_scale_count() == 0


def test_fast_iterations_stay_in_view(latency_chart):
    values = [34.0 + 0.1 * (i % 7) for i in range(200)]
    values[50:54] = [20.0] * 4
    latency_chart.show_outcome(outcome(latency_ms=LatencyStats.from_samples(values)))
    assert latency_chart.y_range()[0] < 20.0 and latency_chart.off_scale_count() == 0


def test_latency_chart_slows_down_while_timing_and_says_so(latency_chart, monkeypatch):
    now = [0.0]
    monkeypatch.setattr(live_chart, "monotonic", lambda: now[0])
    live = LiveData(first_inference_ms=9.0)
    latency_chart.follow(live)
    latency_chart.refresh()
    assert not latency_chart.is_timing(), "before the steady state the chart keeps the poller's rate"
    assert "while timing" not in latency_chart.footnote_text()

    live.latencies_ms.extend(steady_latencies(30))
    now[0] = 0.1
    latency_chart.refresh()
    assert latency_chart.is_timing()
    assert latency_chart.point_count() == 30
    assert "redrawn once every 1 s while timing" in latency_chart.footnote_text()

    live.latencies_ms.extend(steady_latencies(10))
    now[0] = 0.6
    latency_chart.refresh()
    assert latency_chart.point_count() == 30, "within the second a poller tick costs nothing"
    now[0] = 1.2
    latency_chart.refresh()
    assert latency_chart.point_count() == 40

    live.latencies_ms.extend(steady_latencies(10))
    latency_chart.stop_following()
    assert not latency_chart.is_timing()
    assert "while timing" not in latency_chart.footnote_text()
    assert latency_chart.point_count() == 50, "the last pull draws every point"
    live.latencies_ms.extend(steady_latencies(10))
    latency_chart.refresh()
    assert latency_chart.point_count() == 50, "a chart that stopped following pulls nothing more"


def test_memory_chart_slows_down_only_in_the_steady_state(memory_chart):
    live = LiveData(memory_samples=[(0.0, 100.0), (0.05, 120.0)], phase_marks=[("read_model", 0.0), ("compile", 0.02)])
    memory_chart.follow(live)
    memory_chart.refresh()
    assert not memory_chart.is_timing()

    live.phase_marks.extend([("first_inference", 0.06), ("steady_state", 0.08)])
    live.memory_samples.append((0.1, 125.0))
    memory_chart.refresh()
    assert memory_chart.is_timing()
    assert "while timing" in memory_chart._footnote.text()

    memory_chart.stop_following()
    assert not memory_chart.is_timing()
    assert "while timing" not in memory_chart._footnote.text()


def test_past_the_history_cap_the_chart_shows_the_uniform_sample_at_its_iterations(latency_chart):
    live = LiveData(latency_cap=100)
    latency_chart.follow(live)
    for latency_ms in steady_latencies(1000):
        live.add_iteration(latency_ms)
    latency_chart.refresh()

    assert latency_chart.point_count() == 100
    assert "1000 iterations" in latency_chart.readout_text()
    assert "a uniform sample of 100 iterations" in latency_chart._legend_text()
    x = latency_chart._points.xData
    assert sorted(x.tolist()) == sorted(live.latency_iterations) and x.max() > 100

    report = empty_report(latency_ms=LatencyStats.from_reservoir(
        live.latencies_ms, live.latency_iterations, live.iterations, live.latency_sum_ms,
        live.latency_min_ms, live.latency_max_ms))
    latency_chart.show_outcome(RunOutcome(report))
    assert latency_chart.point_count() == 100
    assert "1000 iterations" in latency_chart.readout_text()
    assert latency_chart._points.xData.max() == max(live.latency_iterations)
