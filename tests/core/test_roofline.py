"""The device's roofs: measured on the device, cached per device, precision, threads and OpenVINO version."""

from __future__ import annotations

import json

import openvino as ov
import pytest

from ovgui.core import roofline
from ovgui.core.errors import OvguiError
from ovgui.core.report import LayerStats, Report, Roofline
from ovgui.core.roofline import CACHE_FILE, attainable, cache_key, fill_efficiency


def refuse_to_measure(*args, **kwargs):
    raise AssertionError("measured although the cache had it")


def test_a_measurement_is_plausible_and_cached(tmp_path, monkeypatch) -> None:
    roof = attainable("CPU", "f32", 1, cache_dir=tmp_path)
    assert roof.precision == "f32" and roof.threads == 1 and roof.openvino_version == ov.get_version()
    # one core of any machine OpenVINO runs on: above 1 GFLOP/s, below 10 TFLOP/s, and a bandwidth
    assert 1 < roof.gflops_per_s < 10_000 and 0.1 < roof.gbytes_per_s < 10_000
    assert roof.ridge_intensity == pytest.approx(roof.gflops_per_s / roof.gbytes_per_s)
    entries = json.loads((tmp_path / CACHE_FILE).read_text())
    assert list(entries) == [cache_key("CPU", "f32", 1, ov.get_version())]

    monkeypatch.setattr(roofline, "measure", refuse_to_measure)
    assert attainable("CPU", "f32", 1, cache_dir=tmp_path) == roof


def test_another_thread_count_or_openvino_version_is_measured_again(tmp_path, monkeypatch) -> None:
    measured = []

    def fake_measure(device, precision, threads, core):
        measured.append((device, precision, threads))
        return Roofline(device, precision, threads, ov.get_version(), 100.0 * threads, 10.0)

    monkeypatch.setattr(roofline, "measure", fake_measure)
    attainable("CPU", "f32", 1, cache_dir=tmp_path)
    attainable("CPU", "f32", 2, cache_dir=tmp_path)
    attainable("CPU", "bf16", 2, cache_dir=tmp_path)
    assert attainable("CPU", "f32", 2, cache_dir=tmp_path).gflops_per_s == 200.0
    assert measured == [("CPU", "f32", 1), ("CPU", "f32", 2), ("CPU", "bf16", 2)]
    assert len(json.loads((tmp_path / CACHE_FILE).read_text())) == 3

    monkeypatch.setattr(ov, "get_version", lambda: "2099.1.0")
    attainable("CPU", "f32", 1, cache_dir=tmp_path)
    assert measured[-1] == ("CPU", "f32", 1) and len(measured) == 4


def test_a_broken_cache_is_measured_again_and_rewritten(tmp_path, monkeypatch) -> None:
    (tmp_path / CACHE_FILE).write_text("{not json")
    monkeypatch.setattr(roofline, "measure", lambda *a: Roofline("CPU", "f32", 1, ov.get_version(), 50.0, 5.0))
    assert attainable("CPU", "f32", 1, cache_dir=tmp_path).gflops_per_s == 50.0
    assert len(json.loads((tmp_path / CACHE_FILE).read_text())) == 1


def test_a_device_that_cannot_compile_is_one_line(tmp_path) -> None:
    with pytest.raises(OvguiError, match="cannot measure what NO_SUCH_DEVICE can do") as error:
        attainable("NO_SUCH_DEVICE", cache_dir=tmp_path)
    assert "\n" not in str(error.value)


def layer(name: str, gflops_per_s: float | None) -> LayerStats:
    return LayerStats(0, name, "Convolution", "jit", "EXECUTED", 1.0, None, 1.0, 1.0, gflops_per_s=gflops_per_s)


def test_efficiency_is_achieved_over_the_compute_roof() -> None:
    report = Report.from_dict({"model": {"path": "m", "format": "IR", "file_size_bytes": 1},
                               "device": {"name": "CPU", "full_name": "cpu"}, "config": {}})
    report.layers = [layer("fast", 50.0), layer("unknown", None)]
    roof = Roofline("CPU", "f32", 2, "x", 200.0, 20.0)
    fill_efficiency(report, roof)
    assert report.layers[0].efficiency == 0.25 and report.layers[1].efficiency is None
    assert Report.from_json(report.to_json()).roofline == roof
