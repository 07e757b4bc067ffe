"""The Perfetto / Chrome trace export: valid trace-event JSON whose tracks match the report."""

from __future__ import annotations

import json

import pytest
from shared_data import image_path, model_path

from ovgui.cli import profile_main
from ovgui.core.report import Report, RunConfig
from ovgui.core.runner import RunRequest, run_profile
from ovgui.core.trace import trace_events

PHASES_ALLOWED = {"M", "X", "b", "e", "C"}


def run(mode: str) -> Report:
    config = RunConfig(iterations=12, mode=mode, precision="f32")
    return run_profile(RunRequest(str(model_path("face")), str(image_path("zidane.jpg")), config)).report


def assert_valid_trace(trace: dict) -> list[dict]:
    """The subset of the trace-event format Perfetto's JSON importer relies on."""
    events = json.loads(json.dumps(trace))["traceEvents"]
    for event in events:
        assert event["ph"] in PHASES_ALLOWED and isinstance(event["name"], str)
        assert isinstance(event["pid"], int) and isinstance(event["tid"], int)
        if event["ph"] != "M":
            assert event["ts"] >= 0
        if event["ph"] == "X":
            assert event["dur"] >= 0
    return events


@pytest.mark.parametrize("mode", ["latency", "throughput"])
def test_trace_tracks_match_the_report(mode):
    report = run(mode)
    events = assert_valid_trace(trace_events(report))
    phases = [e for e in events if e["tid"] == 1 and e["ph"] == "X"]
    assert [e["name"] for e in phases] == ["read", "compile", "first inference", "steady state", "results"]
    assert [e["ts"] for e in phases] == sorted(e["ts"] for e in phases)
    inference_ends = [e for e in events if e["tid"] == 2 and e["ph"] in ("X", "e")]
    assert len(inference_ends) == len(report.latency_ms.samples) == 12
    steady = next(e for e in phases if e["name"] == "steady state")
    starts = [e["ts"] for e in events if e["tid"] == 2 and e["ph"] in ("X", "b")]
    assert min(starts) >= steady["ts"] - 1000 and max(starts) <= steady["ts"] + steady["dur"]
    layers = [e for e in events if e["tid"] == 3 and e["ph"] == "X"]
    assert len(layers) == sum(1 for layer in report.layers if layer.executed)
    assert sum(e["dur"] for e in layers) / 1000 == pytest.approx(sum(layer.real_time_ms for layer in report.layers if layer.executed), rel=1e-6)
    assert sum(1 for e in events if e["ph"] == "C") == len(report.memory.samples)


def test_sync_inference_spans_do_not_overlap():
    report = run("latency")
    ends = report.latency_ms.end_times_s
    assert ends == sorted(ends)
    starts = [end - latency / 1000 for end, latency in zip(ends, report.latency_ms.samples)]
    assert all(start >= previous_end - 1e-4 for start, previous_end in zip(starts[1:], ends))


def test_cli_writes_the_trace(tmp_path, capsys):
    out = tmp_path / "run_trace.json"
    code = profile_main([str(model_path("squeezenet")), str(image_path("chelsea.png")), "-n", "5", "-q", "--trace", str(out)])
    assert code == 0
    assert_valid_trace(json.loads(out.read_text()))
