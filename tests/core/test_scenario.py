"""MLPerf LoadGen scenarios on SqueezeNet: LoadGen's own verdict and figures reach the report, the
Server rate search records every rate it tried, the options refuse what cannot run, Stop ends a test."""

from __future__ import annotations

import sys
import threading

import openvino as ov
import pytest
from metadata_models import image_model
from shared_data import image_path, model_path

from ovgui.console import format_summary
from ovgui.core import scenario as scenario_module
from ovgui.core.errors import OvguiError
from ovgui.core.events import Event, PhaseStarted
from ovgui.core.options import OptionError, make_config, validate
from ovgui.core.report import Report, ScenarioResult
from ovgui.core.runner import ProfileRun, RunRequest, run_profile
from ovgui.core.scenario import require_loadgen, search, wait_for_loadgen


def loadgen_run(**settings) -> Report:
    request = RunRequest(str(model_path("squeezenet")), str(image_path("bus.jpg")), make_config(settings))
    return run_profile(request).report


def test_singlestream_reports_loadgen_s_own_summary():
    """One inference per LoadGen sample, and LoadGen's queries per second is its query count over
    its own duration (both from its log) within a few percent."""
    report = loadgen_run(scenario="singlestream", duration_s=1.0)
    scenario = report.scenario
    assert scenario is not None and scenario.scenario == "SingleStream"
    assert scenario.result in ("VALID", "INVALID") and (scenario.result == "VALID") == (not scenario.invalid_reasons)
    assert {"50.00", "90.00", "99.00"} <= scenario.percentiles_ms.keys()
    assert 0 < scenario.min_ms <= scenario.percentiles_ms["50.00"] <= scenario.percentiles_ms["99.00"] <= scenario.max_ms
    assert scenario.min_duration_ms == 1000.0 and (scenario.duration_ms >= 1000.0 or scenario.result == "INVALID")
    assert report.latency_ms.count == scenario.query_count > 0
    assert scenario.rates["qps_with_loadgen_overhead"] == pytest.approx(
        scenario.query_count / (scenario.duration_ms / 1000.0), rel=0.05)
    assert not scenario.official and "600 s minimum not met" in scenario.not_official_reason
    assert report.completed and not report.layers
    summary = format_summary(report)
    assert "LoadGen SingleStream: " + scenario.result in summary and "not an official MLPerf result" in summary


def test_server_runs_at_the_target_rate_with_its_p99_bound():
    report = loadgen_run(scenario="server", target_qps=40.0, p99_ms=1000.0, duration_s=1.0)
    scenario = report.scenario
    assert scenario is not None and scenario.scenario == "Server"
    assert scenario.target_qps == 40.0 and scenario.p99_bound_ms == 1000.0
    assert scenario.result in ("VALID", "INVALID") and "99.00" in scenario.percentiles_ms
    assert {"scheduled_samples_per_sec", "completed_samples_per_sec"} <= scenario.rates.keys()
    assert scenario.rates["completed_samples_per_sec"] == pytest.approx(
        scenario.query_count / (scenario.duration_ms / 1000.0), rel=0.1)
    assert report.latency_ms.count == scenario.query_count
    assert "at 40.0 QPS target" in format_summary(report)
    assert Report.from_json(report.to_json()).scenario == scenario


def test_server_search_records_every_rate_it_tried(monkeypatch, tmp_path):
    """On a one-operation model each test of LoadGen's 500 queries takes a moment."""
    monkeypatch.setattr(scenario_module, "SEARCH_MAX_RUNS", 3)
    model = tmp_path / "relu.xml"
    ov.save_model(image_model(), model)
    config = make_config({"scenario": "server", "p99_ms": 200.0, "duration_s": 0.1, "mode": "throughput"})
    report = run_profile(RunRequest(str(model), str(image_path("bus.jpg")), config)).report
    scenario = report.scenario
    assert scenario is not None and len(scenario.trials) >= 2
    assert all(trial.result in ("VALID", "INVALID") for trial in scenario.trials)
    valid = [trial.target_qps for trial in scenario.trials if trial.result == "VALID"]
    assert scenario.found_qps == (max(valid) if valid else None)
    if valid:
        assert scenario.target_qps == pytest.approx(scenario.found_qps, rel=1e-3) and scenario.result == "VALID"
    assert "search of" in format_summary(report)


def test_search_brackets_then_bisects_to_its_resolution():
    def at(qps: float) -> ScenarioResult:
        return ScenarioResult(scenario="Server", result="VALID" if qps <= 130 else "INVALID", target_qps=qps)

    found = search(at, 50.0, threading.Event())
    assert [(trial.target_qps, trial.result) for trial in found.trials] == [
        (50.0, "VALID"), (100.0, "VALID"), (200.0, "INVALID"), (150.0, "INVALID"), (125.0, "VALID"), (137.5, "INVALID")]
    assert found.found_qps == 125.0 and found.target_qps == 125.0 and found.search_resolution == 0.1


def test_search_halves_when_the_first_rate_fails_and_stops_at_its_run_limit():
    found = search(lambda qps: ScenarioResult(result="INVALID", target_qps=qps), 80.0, threading.Event(), max_runs=3)
    assert [trial.target_qps for trial in found.trials] == [80.0, 40.0, 20.0] and found.found_qps is None


@pytest.mark.parametrize(("settings", "message"), [
    ({"target_qps": 10.0}, "target QPS (--target-qps) needs LoadGen scenario (--scenario) server"),
    ({"scenario": "offline", "p99_ms": 5.0}, "p99 bound (--p99-ms) is for LoadGen scenario (--scenario) server, not offline"),
    ({"scenario": "singlestream", "target_qps": 5.0}, "is for LoadGen scenario (--scenario) server, not singlestream"),
    ({"scenario": "server"}, "p99 bound (--p99-ms) is needed with LoadGen scenario (--scenario) server"),
    ({"scenario": "server", "p99_ms": -1.0}, "p99 bound (--p99-ms) must be more than 0"),
    ({"scenario": "server", "p99_ms": 5.0, "target_qps": float("nan")}, "must be a finite number"),
    ({"scenario": "serverish"}, "must be one of singlestream, multistream, server, offline"),
    ({"scenario": "offline", "engine": "onnxruntime"}, "runs on the OpenVINO engine"),
])
def test_scenario_options_refuse_what_cannot_run(settings, message):
    with pytest.raises(OptionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate(make_config(settings))


def test_a_missing_loadgen_is_one_line_with_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlperf_loadgen", None)
    with pytest.raises(OvguiError, match=r"MLPerf LoadGen is not installed; install it with pip install 'ovgui\[loadgen\]'"):
        require_loadgen()
    with pytest.raises(OvguiError, match="MLPerf LoadGen is not installed"):
        loadgen_run(scenario="singlestream", iterations=5)


def test_stop_answers_loadgen_s_queries_without_inferring_and_marks_the_run_stopped():
    """Stopped as the test starts: LoadGen's 30 s test runs out at once, every query answered
    without an inference, and the run and LoadGen's summary say they were stopped."""
    cancel = threading.Event()

    def stop_at_steady_state(event: Event) -> None:
        if isinstance(event, PhaseStarted) and event.name == "steady_state":
            cancel.set()

    request = RunRequest(str(model_path("squeezenet")), str(image_path("bus.jpg")),
                         make_config({"scenario": "singlestream", "duration_s": 30.0}))
    run = ProfileRun(request, stop_at_steady_state, cancel=cancel)
    try:
        report = run.run().report
    finally:
        run.release()
    scenario = report.scenario
    assert scenario is not None and scenario.stopped and not report.completed
    assert scenario.query_count > 0 and report.latency_ms.count == 0
    assert scenario.not_official_reason.startswith("stopped before LoadGen's test ended")
    assert "SingleStream: " + scenario.result + ", stopped" in format_summary(report)


def test_stop_walks_away_from_a_server_test_keeping_loadgen_s_schedule():
    """A Server test keeps LoadGen's arrival schedule whatever the answers: the run leaves it
    running (answering without inferring) and says it was stopped, without LoadGen's summary."""
    cancel = threading.Event()

    def stop_at_steady_state(event: Event) -> None:
        if isinstance(event, PhaseStarted) and event.name == "steady_state":
            cancel.set()

    config = make_config({"scenario": "server", "target_qps": 20.0, "p99_ms": 100.0, "duration_s": 4.0})
    run = ProfileRun(RunRequest(str(model_path("squeezenet")), str(image_path("bus.jpg")), config), stop_at_steady_state,
                     cancel=cancel)
    try:
        report = run.run().report
    finally:
        run.release()
        wait_for_loadgen()
    scenario = report.scenario
    assert scenario is not None and scenario.scenario == "Server" and scenario.stopped and not report.completed
    assert scenario.result == "" and report.latency_ms.count == 0
    assert "LoadGen Server: no verdict, stopped" in format_summary(report)
