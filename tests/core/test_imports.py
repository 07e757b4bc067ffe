"""benchmark_app's counters reports from a real run import with the same layer names and times."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import image_path, model_path

from ovgui.core.compare import compare_layers
from ovgui.core.errors import OvguiError
from ovgui.core.imports import load_report
from ovgui.core.report import RunConfig
from ovgui.core.runner import RunRequest, run_profile

BENCHMARK_APP = shutil.which("benchmark_app", path=str(Path(sys.executable).parent)) or shutil.which("benchmark_app")


def benchmark_app(folder: Path, report_type: str, json_stats: bool) -> Path:
    """One short real benchmark_app run with per-layer counters; returns its counters report."""
    if BENCHMARK_APP is None:
        pytest.fail("benchmark_app (shipped in the openvino wheel) is not on PATH")
    folder.mkdir()
    args = [BENCHMARK_APP, "-m", str(model_path("squeezenet")), "-d", "CPU", "-api", "sync", "-niter", "10",
            "-infer_precision", "f32", "-pc", "-report_type", report_type, "-report_folder", str(folder)]
    result = subprocess.run(args + (["-json_stats"] if json_stats else []), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return folder / f"benchmark_{report_type}_report.{'json' if json_stats else 'csv'}"


def csv_rows(path: Path) -> list[dict[str, str]]:
    rows = csv.DictReader(path.read_text().splitlines(), delimiter=";")
    return [row for row in rows if row["layerName"] not in ("Total", "layerName") and row["layerName"]]


@pytest.mark.parametrize("report_type", ["average_counters", "detailed_counters"])
def test_csv_imports_names_and_times(tmp_path, report_type):
    path = benchmark_app(tmp_path / "ba", report_type, json_stats=False)
    report = load_report(path)
    rows = csv_rows(path)
    assert [layer.name for layer in report.layers] == [row["layerName"] for row in rows]
    assert [layer.real_time_ms for layer in report.layers] == pytest.approx([float(row["realTime (ms)"]) for row in rows])
    assert {layer.status for layer in report.layers} <= {"EXECUTED", "NOT_RUN", "OPTIMIZED_OUT"}
    assert sum(layer.share for layer in report.layers) == pytest.approx(1.0)
    assert report.layer_types and "benchmark_app" in report.notes[0]


def test_detailed_json_imports_and_matches_an_ovgui_run(tmp_path):
    path = benchmark_app(tmp_path / "ba", "detailed_counters", json_stats=True)
    imported = load_report(path)
    nodes = json.loads(path.read_text())["detailed_performance"][0]["nodes"]
    assert [layer.name for layer in imported.layers] == [node["name"] for node in nodes]
    assert [layer.cpu_time_ms for layer in imported.layers] == pytest.approx([float(node["cpu_time"]) for node in nodes])
    request = RunRequest(str(model_path("squeezenet")), str(image_path("chelsea.png")), RunConfig(iterations=5, precision="f32"))
    ours = run_profile(request).report
    deltas = compare_layers(imported, ours)
    assert sum(1 for d in deltas if d.matched_by == "name") >= 20


def test_not_a_report(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(OvguiError, match="neither an ovgui report nor a benchmark_app"):
        load_report(path)
