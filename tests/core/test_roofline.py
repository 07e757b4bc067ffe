"""The device's roofs: measured on the device, cached per device, precision, threads and OpenVINO version."""

from __future__ import annotations

import json

import openvino as ov
import pytest

from ovgui.core import roofline
from ovgui.core.errors import OvguiError
from ovgui.core.flops import fill_layer_costs, runtime_layer_costs
from ovgui.core.report import LayerStats, Report, Roofline, RunConfig
from ovgui.core.roofline import CACHE_FILE, attainable, cache_key, fill_efficiency
from ovgui.core.runner import RunRequest, run_profile
from shared_data import image_path, model_path


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


def layer(name: str, precision: str, gflops_per_s: float | None) -> LayerStats:
    return LayerStats(0, name, "Convolution", "jit", "EXECUTED", 1.0, None, 1.0, 1.0, runtime_precision=precision,
                      flops=1e6 if gflops_per_s else None, gflops_per_s=gflops_per_s)


def bf16_report() -> Report:
    report = Report.from_dict({"model": {"path": "m", "format": "IR", "file_size_bytes": 1},
                               "device": {"name": "CPU", "full_name": "cpu"}, "config": {}})
    report.compiled.inference_precision, report.compiled.inference_num_threads = "bf16", 2
    report.layers = [layer("bf16 conv", "bf16", 100.0), layer("f32 conv", "f32", 50.0), layer("int8 conv", "i8", 40.0),
                     layer("no time", "bf16", None)]
    return report


def test_each_layer_is_judged_against_the_roof_of_the_precision_it_ran_at(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(roofline, "measure", lambda device, precision, threads, core: Roofline(
        device, precision, threads, ov.get_version(), {"bf16": 400.0, "f32": 200.0}[precision], 20.0))
    report = bf16_report()
    roofs = roofline.roofs_for_run(report, cache_dir=tmp_path)
    assert [(roof.precision, roof.threads) for roof in roofs] == [("bf16", 2), ("f32", 2)]
    fill_efficiency(report, roofs)
    assert [layer.efficiency for layer in report.layers] == [0.25, 0.25, 0.1, None]  # int8: the run's roof
    assert Report.from_json(report.to_json()).rooflines == roofs


def test_a_real_runs_layers_get_efficiencies_against_a_measured_roof(tmp_path) -> None:
    """The whole chain the runner wires: a run, its runtime graph's costs, the roofs, the efficiencies."""
    path = model_path("squeezenet")
    report = run_profile(RunRequest(str(path), str(image_path("chelsea.png")), RunConfig(iterations=5, precision="f32")))
    core = ov.Core()
    model = core.read_model(path)
    runtime = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32", "PERF_COUNT": True}).get_runtime_model()
    fill_layer_costs(report, runtime_layer_costs(model, runtime))
    roofs = roofline.roofs_for_run(report, cache_dir=tmp_path, core=core)
    assert [roof.precision for roof in roofs] == ["f32"] and roofs[0].threads == report.compiled.inference_num_threads
    fill_efficiency(report, roofs)
    convolutions = [layer for layer in report.layers if layer.type == "Convolution" and layer.executed]
    assert convolutions and all(layer.efficiency > 0 for layer in convolutions)
    assert all(layer.efficiency is None for layer in report.layers if layer.gflops_per_s is None)
