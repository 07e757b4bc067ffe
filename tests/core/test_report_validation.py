"""Saved reports and benchmark_app counters are checked on import: a wrong value is one line that
names the file, the field and what is wrong, and nothing half-read comes back."""

from __future__ import annotations

import json

import pytest

from ovgui.cli import profile_main
from ovgui.core.errors import OvguiError
from ovgui.core.imports import CSV_HEADER, load_report
from ovgui.core.report import SCHEMA_VERSION, DeviceInfo, LatencyStats, LayerStats, ModelInfo, Report, RunConfig

CSV_ROWS = "conv;EXECUTED;Convolution;jit_avx2;{real};{cpu}\nTotal;;;;{real};{cpu}\n"
NODE_TEXTS = {"name": "a", "status": "EXECUTED", "node_type": "t", "exec_type": "e"}


def saved_report() -> dict:
    layer = LayerStats(0, "conv", "Convolution", "jit", "EXECUTED", 1.5, None, 1.4, 1.0, first_inference_ms=3.0)
    report = Report(ModelInfo("m.xml", "OpenVINO IR", 10), DeviceInfo("CPU", "cpu"), RunConfig(), layers=[layer])
    report.latency_ms = LatencyStats.from_samples([1.0, 2.0, 3.0])
    return report.to_dict()


def edited(path, change) -> str:
    data = saved_report()
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


BAD_REPORTS = [
    ("median is text", lambda d: d["latency_ms"].update(median="fast"), "report.latency_ms.median should be a number"),
    ("layer time is null", lambda d: d["layers"][0].update(real_time_ms=None),
     "report.layers[0].real_time_ms should be a number"),
    ("layers is an object", lambda d: d.update(layers={}), "report.layers should be a list"),
    ("iterations is a float", lambda d: d["config"].update(iterations=1.5), "report.config.iterations should be a whole number"),
    ("layer without a name", lambda d: d["layers"][0].pop("name"), "report.layers[0].name is missing"),
    ("samples hold text", lambda d: d["latency_ms"].update(samples=[1, "x"]), "report.latency_ms.samples[1] should be a number"),
    ("a whole number too large", lambda d: d["config"].update(iterations=1e300),
     "report.config.iterations should be a finite number of at most 1e+15 in size, not 1e+300"),
    ("a result written as NaN, not null", lambda d: d.update(classes=[{"class_id": 1, "label": "x", "score": float("nan")}]),
     "report.classes[0].score should be a finite number of at most 1e+15 in size, not NaN"),
    ("a box corner is text", lambda d: d.update(detections=[{"class_id": 1, "label": "x", "score": 0.5, "box": [0, 0, "1", 1]}]),
     'report.detections[0].box[2] should be a number, not "1"'),
]


@pytest.mark.parametrize("case,change,message", BAD_REPORTS, ids=[c[0] for c in BAD_REPORTS])
def test_a_wrong_value_in_a_report_is_named(tmp_path, case, change, message):
    path = edited(tmp_path / "run.json", change)
    with pytest.raises(OvguiError) as error:
        load_report(path)
    assert str(error.value).startswith(f"run.json: {message}")
    assert "\n" not in str(error.value)


def test_a_report_from_a_newer_ovgui_opens_with_a_warning(tmp_path, capsys):
    path = edited(tmp_path / "new.json", lambda d: d.update(schema_version=SCHEMA_VERSION + 1, future_section={"x": 1}))
    report = load_report(path)
    assert report.from_newer_ovgui and "newer ovgui" in report.notes[0]
    assert report.layers[0].name == "conv"
    assert profile_main(["--diff", path, path]) == 0
    assert capsys.readouterr().err.count("warning: new.json: written by a newer ovgui") == 2


def test_a_newer_report_that_cannot_be_read_says_why(tmp_path):
    path = edited(tmp_path / "new.json", lambda d: d.update(schema_version=SCHEMA_VERSION + 1, layers="moved"))
    with pytest.raises(OvguiError, match=r"new.json: report.layers should be a list.*newer ovgui: schema"):
        load_report(path)


BAD_COUNTERS = [
    ("csv non-number", CSV_HEADER + "\n" + CSV_ROWS.format(real="abc", cpu="1"), "line 2: realTime 'abc' is not a time in ms"),
    ("csv nan", CSV_HEADER + "\n" + CSV_ROWS.format(real="nan", cpu="1"), "line 2: realTime 'nan' is not a time in ms"),
    ("csv short row", CSV_HEADER + "\nconv;EXECUTED;Convolution\n", "line 2 has 3 fields, a counters row has 6"),
    ("json missing key",
     json.dumps({"detailed_performance": [{"nodes": [{**NODE_TEXTS, "cpu_time": 1}]}]}),
     "node 1: real_time None is not a time in ms"),
    ("json wrong type",
     json.dumps({"avg_performance": {"nodes": [{**NODE_TEXTS, "name": 3, "real_time": 1, "cpu_time": 1}]}}),
     "node 1 has no text 'name'"),
    ("json nodes not a list", json.dumps({"detailed_performance": [{"nodes": 5}]}),
     "each performance group needs a list of 'nodes'"),
]


@pytest.mark.parametrize("case,text,message", BAD_COUNTERS, ids=[c[0] for c in BAD_COUNTERS])
def test_a_wrong_value_in_benchmark_app_counters_is_named(tmp_path, capsys, case, text, message):
    path = tmp_path / "counters.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OvguiError, match="^counters.csv: " + message.replace("(", r"\(")):
        load_report(path)
    assert profile_main(["--diff", str(path), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: counters.csv: ") and err.count("\n") == 1


def test_good_counters_import_and_export_again(tmp_path):
    path = tmp_path / "counters.csv"
    path.write_text(CSV_HEADER + "\n" + CSV_ROWS.format(real="0.25", cpu="0.20"), encoding="utf-8")
    report = load_report(path)
    assert report.layers[0].real_time_ms == 0.25 and report.layers[0].real_time_median_ms is None
    out = tmp_path / "again.json"
    report.save_json(out)
    assert load_report(out).layers[0].real_time_ms == 0.25
