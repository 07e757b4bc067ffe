"""The report schema: JSON round trip, the keys other tools rely on, the layer CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from shared_data import image_path, model_path

from ovgui.core.formatting import format_ms, layers_vs_latency_text
from ovgui.core.report import SCHEMA_VERSION, LatencyStats, Report, RunConfig
from ovgui.core.runner import RunRequest, run_profile


@pytest.fixture(scope="module")
def report() -> Report:
    config = RunConfig(iterations=4, precision="f32")
    return run_profile(RunRequest(str(model_path("face")), str(image_path("zidane.jpg")), config)).report


def test_json_has_the_documented_keys(report):
    data = json.loads(report.to_json())
    assert data["schema_version"] == SCHEMA_VERSION
    for key in ("model", "device", "config", "timings_ms", "latency_ms", "throughput_fps", "layers", "memory", "detections"):
        assert key in data
    assert set(data["timings_ms"]) == {"read_model", "convert", "compile", "first_inference", "release"}
    assert {"samples", "median", "mean", "min", "max", "p90", "p99"} <= set(data["latency_ms"])
    assert {"name", "type", "exec_type", "status", "real_time_ms", "cpu_time_ms"} <= set(data["layers"][0])
    assert {"samples", "phases", "peak_mib"} <= set(data["memory"])
    assert {"name", "start_s", "end_s", "rss_delta_mib"} <= set(data["memory"]["phases"][0])
    assert all(len(sample) == 2 for sample in data["memory"]["samples"])
    assert set(data["detections"][0]) == {"class_id", "label", "score", "box"}


def test_json_round_trip_is_identical(report):
    again = Report.from_json(report.to_json())
    assert again == report
    assert again.to_json() == report.to_json()


def test_a_report_from_before_the_mean_latency_was_recorded_still_imports(report):
    """Reports written before `profile.latency_mean_ms` (and the ONNX Runtime session figures)
    existed read as they were: the new fields 0, the comparison named for the median it used."""
    data = json.loads(report.to_json())
    assert data["profile"]["latency_mean_ms"] == report.latency_ms.mean
    for key in ("latency_mean_ms", "profiled_mean_ms", "profiled_first_ms"):
        del data["profile"][key]
    old = Report.from_dict(data).profile
    assert (old.latency_mean_ms, old.profiled_mean_ms, old.profiled_first_ms) == (0.0, 0.0, 0.0)
    assert layers_vs_latency_text(old).endswith(f"vs median {format_ms(report.latency_ms.median)} ms")


def test_layer_csv_matches_layers(report):
    rows = list(csv.DictReader(io.StringIO(report.layers_csv())))
    assert len(rows) == len(report.layers)
    assert rows[0]["name"] == report.layers[0].name
    assert float(rows[0]["real_time_ms"]) == pytest.approx(report.layers[0].real_time_ms)


def test_latency_stats_from_samples():
    stats = LatencyStats.from_samples([float(v) for v in range(1, 101)])
    assert stats.median == pytest.approx(50.5)
    assert stats.min == 1 and stats.max == 100
    assert stats.p90 == pytest.approx(90.1) and stats.p99 == pytest.approx(99.01)
    assert LatencyStats.from_samples([]) == LatencyStats()
