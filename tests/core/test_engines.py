"""The same ONNX models through OpenVINO and ONNX Runtime: the manifest's detections on each, the
same report schema, and per-node figures from ONNX Runtime's own profiler."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest
from shared_data import image_path, model_path
from test_manifest_models import assert_detections

from ovgui.console import format_summary
from ovgui.core.agreement import agreement, iou
from ovgui.core.compare import Variant, run_variants
from ovgui.core.engines.base import check_importable
from ovgui.core.engines.capabilities import DECLARED, ENGINE_SETTINGS, Capabilities, Limit, capabilities
from ovgui.core.engines.onnxruntime import node_runs
from ovgui.core.errors import OvguiError
from ovgui.core.events import PHASES
from ovgui.core.formatting import format_ms
from ovgui.core.outcome import RunOutcome
from ovgui.core.profile import PER_INFERENCE
from ovgui.core.report import ClassScore, Detection, DeviceInfo, ModelInfo, Report, RunConfig
from ovgui.core.runner import ProfileRun, RunRequest, run_profile

ENGINES = ["openvino", "onnxruntime"]
YOLOV5_BUS = [
    (0, 0.823, [219, 408, 349, 863]), (0, 0.816, [52, 399, 207, 895]), (0, 0.676, [680, 377, 810, 870]),
    (5, 0.526, [49, 237, 810, 772]),
]
YOLOV8_BUS = [
    (0, 0.898, [672, 373, 810, 878]), (0, 0.896, [50, 398, 243, 903]), (0, 0.896, [221, 408, 343, 855]),
    (5, 0.834, [34, 231, 798, 768]), (0, 0.314, [0, 551, 60, 867]),
]
YUNET_ZIDANE = [(0, 0.939, [915, 100, 1055, 279]), (0, 0.896, [556, 258, 656, 410]), (0, 0.702, [1064, 282, 1280, 527])]


def profile(model: str, image: str, engine: str, **config) -> Report:
    settings = RunConfig(iterations=5, precision="f32" if engine == "openvino" else None, engine=engine, **config)
    return run_profile(RunRequest(str(model_path(model)), str(image_path(image)), settings)).report


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("model,image,expected,threshold", [
    ("yolov5", "bus.jpg", YOLOV5_BUS, 0.25),
    ("yolov8", "bus.jpg", YOLOV8_BUS, 0.25),
    ("yunet_dynamic", "zidane.jpg", YUNET_ZIDANE, 0.6),
])
def test_manifest_detections_through_each_engine(engine, model, image, expected, threshold):
    report = profile(model, image, engine)
    assert report.engine.name == engine
    assert report.engine.version and report.engine.providers
    if model != "yunet_dynamic":
        assert_detections(report, expected, threshold)
    else:
        found = [(d.class_id, round(d.score, 3), [round(v) for v in d.box]) for d in report.detections]
        for class_id, score, box in expected:
            assert any(c == class_id and abs(s - score) <= 0.03 and max(abs(a - b) for a, b in zip(b_, box)) <= 8
                       for c, s, b_ in found), (found, box)
    assert [phase.name for phase in report.memory.phases] == [phase for phase in PHASES if phase != "convert"]
    assert len(report.latency_ms.samples) == 5 and report.layers


def test_onnxruntime_node_times_are_real_per_run_values():
    report = profile("yolov8", "bus.jpg", "onnxruntime")
    assert report.profile.counters == PER_INFERENCE and report.profile.distributions
    assert report.profile.iterations_profiled == 5 and "separate profiled session" in report.profile.method
    executed = [layer for layer in report.layers if layer.executed]
    assert {"ConvInteger", "DynamicQuantizeLinear"} <= {layer.type for layer in executed}
    assert all(layer.real_time_median_ms is not None and layer.first_inference_ms is not None for layer in executed)
    assert report.layer_types and report.layer_types[0].real_time_ms > 0


@pytest.mark.parametrize("model", ["yolov5", "yolov8"])
def test_onnxruntime_figures_are_set_against_the_session_they_come_from(model):
    """The node means average the profiled session's runs after its first, and the report's
    profiled-session mean is the mean latency of exactly those runs; the first-inference column is
    that session's first run.  Nodes run one after another inside each run (sequential execution,
    the default), so their sums cannot exceed the runs' latencies (how far below is a wall-clock
    matter: what a run does besides its nodes, and the machine's load)."""
    config = RunConfig(iterations=8, engine="onnxruntime")
    run = ProfileRun(RunRequest(str(model_path(model)), str(image_path("bus.jpg")), config))
    try:
        report = run.run().report
    finally:
        run.release()
    prof, profiled = report.profile, run.engine.profiled_latencies_ms
    assert len(profiled) == prof.iterations_profiled + 1 == 9
    assert prof.profiled_first_ms == profiled[0]
    assert prof.profiled_mean_ms == pytest.approx(float(np.mean(profiled[1:])), rel=1e-12)
    assert prof.latency_mean_ms == report.latency_ms.mean, "the timed session's mean, beside it"
    assert 0 < prof.layers_sum_ms <= prof.profiled_mean_ms
    first_column = sum(layer.first_inference_ms for layer in report.layers if layer.first_inference_ms is not None)
    assert 0 < first_column <= prof.profiled_first_ms, "the column is the profiled session's first run"
    assert "first-inference column is that session's own first run, not the timed first inference" in prof.method

    summary = format_summary(report)
    assert (f"layers sum {format_ms(prof.layers_sum_ms)} ms vs profiled-session mean {format_ms(prof.profiled_mean_ms)} ms; "
            f"timed mean {format_ms(report.latency_ms.mean)} ms") in summary
    assert (f"the profiled session's own first run, layers sum {format_ms(first_column)} ms "
            f"of its {format_ms(prof.profiled_first_ms)} ms") in summary
    assert "first inference: layers sum" not in summary, "never against the timed session's first inference"
    again = Report.from_json(report.to_json()).profile
    assert (again.profiled_mean_ms, again.profiled_first_ms) == (prof.profiled_mean_ms, prof.profiled_first_ms)


def test_node_events_are_grouped_by_the_run_they_fall_in_one_entry_per_run():
    """Synthetic profile events: a run without node events keeps its place, so the i-th group is
    the i-th `session.run` and pairs with that run's latency; node events after the last
    recorded run (ONNX Runtime stops recording at its event cap) belong to no run."""
    def run(ts: int, dur: int) -> dict:
        return {"cat": "Session", "name": "model_run", "ts": ts, "dur": dur}

    def node(name: str, ts: int, dur: int) -> dict:
        return {"cat": "Node", "name": f"{name}_kernel_time", "ts": ts, "dur": dur, "args": {"op_name": "Conv"}}

    events = [run(0, 100), node("a", 10, 30), node("b", 50, 20), node("a", 60, 5), run(200, 100), run(400, 100),
              node("a", 410, 40), node("a", 600, 9)]
    assert node_runs(events) == [{"a": ("Conv", 35.0), "b": ("Conv", 20.0)}, {}, {"a": ("Conv", 40.0)}]


def test_openvino_figures_have_no_profiled_session():
    prof = profile("yolov5", "bus.jpg", "openvino").profile
    assert prof.profiled_mean_ms == prof.profiled_first_ms == 0.0 and prof.latency_mean_ms > 0


def test_onnxruntime_session_options_reach_the_session():
    report = profile("yolov5", "bus.jpg", "onnxruntime", nthreads=1, graph_optimization="basic", execution_mode="sequential")
    assert report.compiled.inference_num_threads == 1
    assert report.config.graph_optimization == "basic"


@pytest.mark.parametrize("model,config,message", [
    ("face", {"engine": "onnxruntime"}, "ONNX Runtime reads ONNX models"),
    ("yolov8", {"engine": "onnxruntime", "device": "GPU"}, "runs here on the CPU"),
    ("yolov8", {"engine": "onnxruntime", "preprocess": "graph"}, "preprocessing in the graph is OpenVINO's"),
    ("yolov8", {"engine": "tensorrt"}, "engine \\(--engine\\) must be one of openvino, onnxruntime, pytorch, got 'tensorrt'"),
])
def test_what_an_engine_cannot_do_is_one_line(model, config, message):
    with pytest.raises(OvguiError, match=message):
        run_profile(RunRequest(str(model_path(model)), str(image_path("bus.jpg")), RunConfig(iterations=1, **config)))


def without_onnxruntime(monkeypatch) -> None:
    """As if it were not installed: importing it fails, even where this process had imported it."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    monkeypatch.delitem(sys.modules, "ovgui.core.engines.onnxruntime", raising=False)


def test_a_missing_onnxruntime_is_one_line(monkeypatch):
    without_onnxruntime(monkeypatch)
    with pytest.raises(OvguiError, match=r"^ONNX Runtime is not installed; install it with pip install 'ovgui\[onnxruntime\]'$"):
        config = RunConfig(iterations=1, engine="onnxruntime")
        run_profile(RunRequest(str(model_path("yolov8")), str(image_path("bus.jpg")), config))


def test_a_missing_onnxruntime_fails_its_comparison_entry_only(monkeypatch):
    without_onnxruntime(monkeypatch)
    base = RunRequest(str(model_path("yolov8")), str(image_path("bus.jpg")), RunConfig(iterations=2))
    variants = [Variant("ort", {"engine": "onnxruntime"}), Variant("ov", {})]
    (ort_name, ort), (openvino_name, openvino) = run_variants(base, variants)
    assert (ort_name, openvino_name) == ("ort", "ov")
    assert isinstance(ort, str) and ort.startswith("ONNX Runtime is not installed")
    assert isinstance(openvino, RunOutcome) and len(openvino.report.latency_ms.samples) == 2


def test_an_onnxruntime_that_cannot_load_is_one_line(monkeypatch):
    """A broken install (its native library missing) raises ImportError on import, not at lookup."""
    def broken(name, *args, **kwargs):
        raise ImportError("libonnxruntime.so.1: cannot open shared object file")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(OvguiError, match=r"^ONNX Runtime cannot be loaded \(libonnxruntime.so.1: .*\); reinstall it with pip"):
        check_importable(capabilities("onnxruntime"))


def test_detections_agree_by_iou_and_class():
    box = [10.0, 10.0, 110.0, 110.0]
    a = report_with([Detection(0, "person", 0.9, box), Detection(2, "car", 0.5, [200.0, 200.0, 260.0, 260.0])])
    b = report_with([Detection(0, "person", 0.85, [12.0, 12.0, 112.0, 112.0]), Detection(5, "bus", 0.4, box)])
    result = agreement(a, b)
    assert (result.matched, result.missed, result.extra) == (1, 1, 1)
    assert result.max_score_diff == pytest.approx(0.05)
    assert iou(box, box) == 1.0 and iou(box, [200, 200, 300, 300]) == 0.0


def test_classes_agree_on_top1_and_top5():
    a, b = report_with([]), report_with([])
    a.classes = [ClassScore(i, str(i), 0.5 - i / 10) for i in range(5)]
    b.classes = [ClassScore(i, str(i), 0.5 - i / 10) for i in (0, 2, 4, 6, 7)]
    result = agreement(a, b)
    assert result.top1_same and result.top5_shared == 3


def report_with(detections: list[Detection]) -> Report:
    return Report(ModelInfo("m.onnx", "ONNX", 1), DeviceInfo("CPU", "cpu"), RunConfig(), detections=detections)


def test_a_declaration_alone_drives_the_request_check_and_the_ignored_settings():
    """A new engine's declaration, with no module behind it: what it refuses and what it ignores
    follow from the declaration, in the same words as the declared engines'."""
    torch = Capabilities("torch", "PyTorch", "nowhere:Engine", reads=("nthreads",),
                         suffixes=Limit((".pt", ".pth"), "PyTorch models"), modes=Limit(("latency",), "eager, one run at a time"))
    assert torch.refusal(RunConfig(), "model.onnx") == (
        "PyTorch reads PyTorch models (.pt, .pth), not model.onnx; use --engine openvino")
    assert torch.refusal(RunConfig(mode="throughput"), "m.pt") == \
        "PyTorch runs in latency mode here (eager, one run at a time); use --mode latency"
    assert torch.refusal(RunConfig(device="GPU", preprocess="graph"), "m.pt") == "", "no limit declared: anything OpenVINO takes"
    assert torch.ignored() == ENGINE_SETTINGS
    assert torch.ignored_notes(RunConfig(nireq=2, execution_mode="parallel")) == [
        "nireq is OpenVINO's setting; PyTorch ignores it", "execution_mode is ONNX Runtime's setting; PyTorch ignores it"]


def test_each_engine_ignores_exactly_what_only_the_others_read():
    for declared in DECLARED:
        others = {name for other in DECLARED if other is not declared for name in other.reads}
        assert set(declared.ignored()) == others - set(declared.reads)
    assert capabilities("onnxruntime").ignored_notes(RunConfig()) == [], "defaults are no request"
    assert capabilities("onnxruntime").ignored_notes(RunConfig(hint="latency", shared_memory=False)) == [
        "hint is OpenVINO's setting; ONNX Runtime ignores it", "shared_memory is OpenVINO's setting; ONNX Runtime ignores it"]
