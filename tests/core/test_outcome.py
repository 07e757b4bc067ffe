"""A run's outcome: per-iteration samples from hand-made counters (copied once, read-only, only
where the report says they are real), and a comparison that yields one outcome per configuration,
with output drift against the first and one stop for all of them."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from shared_data import image_path, model_path

from ovgui.core.compare import Variant, run_variants
from ovgui.core.events import LiveData, Progress
from ovgui.core.geometry import Geometry
from ovgui.core.outcome import RunOutcome
from ovgui.core.profile import PER_INFERENCE, CounterSnapshot, LayerProfiler
from ovgui.core.report import DeviceInfo, ModelInfo, ProfileSummary, Report, RunConfig
from ovgui.core.runner import RunRequest

ROWS_MS = [[1.0, 2.0, 3.0], [1.5, 2.5, 3.5], [0.5, 1.5, 2.5]]
"""Three inferences' own times of three layers."""
FIT = Geometry.stretch((640, 480), (320, 320))


def snapshot(real_ms: list[float]) -> CounterSnapshot:
    count = len(real_ms)
    real_us = np.array(real_ms) * 1000.0
    return CounterSnapshot([f"layer{i}" for i in range(count)], ["Convolution"] * count, ["jit_avx2"] * count,
                           ["EXECUTED"] * count, real_us, real_us.copy())


def measured(distributions: bool) -> RunOutcome:
    """An outcome as the runner builds it, from a profiler that kept each inference's counters."""
    profiler = LayerProfiler()
    profiler.begin_snapshots(snapshot(ROWS_MS[0]), PER_INFERENCE)
    for row in ROWS_MS:
        profiler.record_snapshot(snapshot(row))
    layers = profiler.finish([], len(ROWS_MS), one_graph=True)
    report = Report(ModelInfo("model.xml", "IR", 0), DeviceInfo("CPU", "CPU"), RunConfig(), layers=layers,
                    profile=ProfileSummary(distributions=distributions))
    return RunOutcome.measured(report, [], FIT, None, profiler, None)


def test_a_layer_s_samples_are_its_times_over_the_iterations_read_only():
    outcome = measured(distributions=True)
    for layer in outcome.report.layers:
        assert outcome.samples_of(layer.index).tolist() == [row[layer.index] for row in ROWS_MS]
    assert outcome.samples_of(len(ROWS_MS[0])) is None and outcome.samples_of(-1) is None
    with pytest.raises(ValueError, match="read-only"):
        outcome.layer_samples[0, 0] = 0.0


def test_counters_the_report_does_not_call_real_give_no_samples():
    outcome = measured(distributions=False)
    assert outcome.layer_samples is None
    assert all(outcome.samples_of(layer.index) is None for layer in outcome.report.layers)


def test_a_report_opened_from_a_file_is_an_outcome_with_only_its_report():
    report = measured(distributions=True).report
    opened = RunOutcome(report)
    assert opened.samples_of(0) is None
    assert (opened.outputs, opened.geometry, opened.mask, opened.graph) == ((), None, None, None)


def squeezenet(iterations: int) -> RunRequest:
    return RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")), RunConfig(iterations=iterations))


def test_a_comparison_yields_each_configuration_with_drift_against_the_first():
    variants = [Variant("f32", {"precision": "f32"}), Variant("no device", {"device": "TPU"}),
                Variant("1 thread", {"precision": "f32", "nthreads": 1})]
    (first_name, first), (failed_name, failed), (last_name, last) = run_variants(squeezenet(2), variants)
    assert (first_name, failed_name, last_name) == ("f32", "no device", "1 thread")
    assert isinstance(failed, str) and "TPU" in failed and "\n" not in failed
    assert isinstance(first, RunOutcome) and isinstance(last, RunOutcome)
    assert first.report.drift == [], "the first configuration is the reference"
    assert [d.name for d in last.report.drift] == [d.name for d in first.report.outputs]
    assert all(d.compared for d in last.report.drift)


def test_one_stop_ends_the_configuration_under_way_and_starts_no_other():
    cancel = threading.Event()
    started: list[LiveData] = []

    def stop_after_three(_name: str, event: object) -> None:
        if isinstance(event, Progress) and event.iterations_done >= 3:
            cancel.set()

    def live() -> LiveData:
        started.append(LiveData())
        return started[-1]

    results = list(run_variants(squeezenet(100_000), [Variant("a", {}), Variant("b", {})], stop_after_three, cancel, live))
    [(name, outcome)] = results
    assert name == "a" and isinstance(outcome, RunOutcome)
    assert not outcome.report.completed and 3 <= outcome.report.latency_ms.iterations < 100_000
    assert len(started) == 1 and started[0].iterations == outcome.report.latency_ms.iterations
