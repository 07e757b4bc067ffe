"""PyTorch as the third engine, on real models built and saved here: the same outputs as
OpenVINO's conversion of the same file (drift and agreement in a comparison), per-operator
figures that are real per-run values from torch.profiler's separate pass, set against that
pass's own latencies, torch's threads from the run's options and put back afterwards, and the
extra's install line when torch is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from shared_data import image_path, model_path
from torch_models import CNN_INPUT, HEAD_INPUT, torch

from ovgui.console import format_comparison
from ovgui.core.agreement import agreement
from ovgui.core.compare import Variant, compare_layers, run_variants
from ovgui.core.engines.capabilities import INSTALL_TORCH
from ovgui.core.engines.pytorch import flat_outputs, graph_operators, interop_notes, operator_names, operator_runs
from ovgui.core.errors import OvguiError
from ovgui.core.events import PHASES
from ovgui.core.options import make_config
from ovgui.core.outcome import RunOutcome
from ovgui.core.profile import PER_INFERENCE
from ovgui.core.report import Report
from ovgui.core.runner import ProfileRun, RunRequest, run_profile
from ovgui.core.torch_model import load_torch_model
from ovgui.core.trace import LAYERS_TID, trace_events

PROJECT = Path(__file__).resolve().parents[2]
NOT_INSTALLED = f"PyTorch is not installed; install it with {INSTALL_TORCH}"
WITHOUT_TORCH = "import sys; sys.modules['torch'] = None\n"
MAIN = "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())"
NESTED = {"aten::convolution", "aten::_convolution", "aten::_slow_conv2d_forward", "aten::mkldnn_convolution",
          "aten::empty", "aten::clamp_min", "aten::sigmoid_"}
"""Operators that only run inside others in these models' graphs: a row of theirs would count time twice."""




def settings(path: Path, **changes) -> dict:
    """TorchScript records no input shape: it is given the one the model was traced with."""
    shape = {} if path.suffix == ".pt2" else {"input_shape": list(HEAD_INPUT if "detection" in path.name else CNN_INPUT)}
    return {"iterations": 5, **shape, **changes}


def profiled(path: Path, image: str = "bus.jpg", **changes) -> tuple[RunOutcome, ProfileRun]:
    run = ProfileRun(RunRequest(str(path), str(image_path(image)), make_config(settings(path, engine="pytorch", **changes))))
    try:
        return run.run(), run
    finally:
        run.release()


@pytest.mark.parametrize("which", [0, 1], ids=["pt", "pt2"])
@pytest.mark.parametrize("model", ["cnn", "head"])
def test_pytorch_and_openvino_give_the_same_outputs(request, model, which):
    path = request.getfixturevalue(model)[which]
    base = RunRequest(str(path), str(image_path("bus.jpg")), make_config(settings(path, precision="f32")))
    variants = [Variant("OpenVINO", {}), Variant("PyTorch", {"engine": "pytorch"})]
    (_, openvino), (_, pytorch) = run_variants(base, variants)
    assert isinstance(openvino, RunOutcome) and isinstance(pytorch, RunOutcome), (openvino, pytorch)
    report = pytorch.report
    assert (report.engine.name, report.engine.version, report.engine.providers) == ("pytorch", torch.__version__, ["CPU"])
    assert report.config.engine == "pytorch" and len(report.latency_ms.samples) == 5 and report.layers
    assert [phase.name for phase in report.memory.phases] == list(PHASES)
    assert report.decoder.name == openvino.report.decoder.name == ("classify" if model == "cnn" else "yolov8")
    [drift] = report.drift
    assert drift.compared and drift.max_abs_diff < 1e-4 and drift.cosine_similarity > 0.999999, drift
    against = agreement(openvino.report, report)
    if model == "cnn":
        assert against.kind == "classes" and against.top1_same and against.top5_shared == 5
    else:
        assert against.kind == "detections" and against.matched == len(report.detections) > 0
        assert against.missed == against.extra == 0
    text = format_comparison([("OpenVINO", openvino), ("PyTorch", pytorch)])
    assert f"PyTorch {torch.__version__} · sync latency" in text and "cosine" in text


def test_the_operator_table_is_real_per_run_values_set_against_the_profiled_pass(head):
    """Each profiled run's operators are one row of samples: they differ from run to run, their
    mean and median are the table's, and within every run the operators (one after another on
    the calling thread, nothing counted twice) add up to less than that run's own latency."""
    outcome, run = profiled(head[1], iterations=8)
    report, samples = outcome.report, outcome.layer_samples
    prof, latencies = report.profile, run.engine.profiled_latencies_ms
    assert prof.counters == PER_INFERENCE and prof.distributions and prof.iterations_profiled == 8
    assert prof.method.startswith("mean of 8 runs' operator times from torch.profiler")
    assert samples is not None and samples.shape == (8, len(report.layers))
    assert np.ptp(samples, axis=0).max() > 0, "per-run values, not one figure copied"
    np.testing.assert_allclose(samples.mean(axis=0), [layer.real_time_ms for layer in report.layers], rtol=1e-5)
    np.testing.assert_allclose(np.median(samples, axis=0), [layer.real_time_median_ms for layer in report.layers], rtol=1e-5)
    assert len(latencies) == 9 and prof.profiled_first_ms == latencies[0]
    assert prof.profiled_mean_ms == pytest.approx(float(np.mean(latencies[1:])), rel=1e-12)
    assert all(0 < total < ms for total, ms in zip(samples.sum(axis=1), latencies[1:]))
    first_column = sum(layer.first_inference_ms for layer in report.layers)
    assert 0 < first_column < prof.profiled_first_ms
    assert 0 < prof.layers_sum_ms < prof.profiled_mean_ms and prof.latency_mean_ms == report.latency_ms.mean


def test_rows_are_the_exported_programs_graph_nodes(head):
    report = profiled(head[1])[0].report
    nodes = graph_operators(load_torch_model(head[1]))
    assert [(layer.name, layer.type) for layer in report.layers] == nodes
    assert [layer.name for layer in report.layers][:4] == ["conv2d", "silu", "conv2d_1", "silu_1"]
    assert not {layer.type for layer in report.layers} & NESTED
    totals = {row.type: row.count for row in report.layer_types}
    assert totals == {"aten::conv2d": 5, "aten::silu": 3, "aten::sigmoid": 2, "aten::flatten": 2, "aten::mul": 1, "aten::cat": 1}


def test_torchscript_rows_are_operators_by_occurrence(cnn):
    """TorchScript's `forward` frame sits between the run and its operators: it is looked through."""
    report = profiled(cnn[0])[0].report
    assert [layer.name for layer in report.layers] == [
        "aten::_convolution #1", "aten::batch_norm #1", "aten::relu #1", "aten::max_pool2d #1",
        "aten::_convolution #2", "aten::relu #2", "aten::mean #1", "aten::linear #1", "aten::softmax #1"]
    assert all(layer.executed and layer.exec_type == "CPU" for layer in report.layers)


def test_one_profiler_pass_holds_each_run_apart(cnn):
    """What the engine builds on, shown on a real model: one torch.profiler pass over three
    marked runs gives three groups of the same operators, each inside its own run's marker."""
    from torch.profiler import ProfilerActivity, profile, record_function

    module = load_torch_model(cnn[1]).module
    example = torch.rand(*CNN_INPUT)
    with torch.inference_mode(), profile(activities=[ProfilerActivity.CPU]) as pass_:
        for index in range(3):
            with record_function(f"ovgui run {index}"):
                module(example)
    events = list(pass_.events())
    runs = operator_runs(events, graph_operators(load_torch_model(cnn[1])))
    assert len(runs) == 3 and len({tuple(run) for run in runs}) == 1
    markers = sorted((e for e in events if e.name.startswith("ovgui run")), key=lambda e: e.time_range.start)
    for marker, run in zip(markers, runs):
        assert sum(us for _, us in run.values()) <= marker.time_range.elapsed_us()
        inside = [e for e in events if e.name.startswith("aten::") and marker.time_range.start <= e.time_range.start
                  and e.time_range.end <= marker.time_range.end]
        assert len(inside) > len(run), "nested operators exist, and are not rows"


def test_operator_names_follow_the_graph_then_occurrence():
    nodes = [("conv2d", "aten::conv2d"), ("relu", "aten::relu"), ("conv2d_1", "aten::conv2d")]
    ops = ["aten::conv2d", "aten::relu", "aten::to", "aten::conv2d", "aten::to"]
    assert operator_names(ops, nodes) == ["conv2d", "relu", "aten::to #1", "conv2d_1", "aten::to #2"]
    assert operator_names(ops[:2], []) == ["aten::conv2d #1", "aten::relu #1"]


def test_outputs_are_flattened_in_order():
    a, b, c = torch.zeros(1), torch.ones(2), torch.full((3,), 2.0)
    assert flat_outputs({"boxes": a, "rest": (b, [c, None])}) == [a, b, c]
    assert flat_outputs(a) == [a]


def test_threads_are_the_runs_and_put_back_afterwards(head):
    """A new thread takes torch's count as it stands: one made after the run sees the count from before."""
    def count_on_new_thread() -> int:
        seen = []
        thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
        thread.start()
        thread.join()
        return seen[0]

    before = count_on_new_thread()
    report = profiled(head[1], nthreads=1)[0].report
    assert report.compiled.inference_num_threads == 1 and not any("threads" in note for note in report.notes)
    assert count_on_new_thread() == before


def test_inter_op_threads_already_fixed_are_noted_not_applied(head):
    """torch takes an inter-op count once per process: once one was set (by the first request in
    this process, or before it), another is refused by torch, and the run says it was not applied."""
    interop_notes(torch.get_num_interop_threads() + 1)
    current = torch.get_num_interop_threads()
    [note] = interop_notes(current + 1)
    assert note.startswith(f"inter_op_threads {current + 1} not applied") and torch.get_num_interop_threads() == current
    assert interop_notes(current) == [] and interop_notes(None) == []
    assert note in profiled(head[1], inter_op_threads=current + 1)[0].report.notes


def test_two_pytorch_runs_pair_up_layer_by_layer_and_make_a_trace(head):
    one, two = (profiled(head[1], nthreads=threads)[0].report for threads in (1, 2))
    deltas = compare_layers(one, two)
    assert len(deltas) == len(one.layers) and {delta.matched_by for delta in deltas} == {"name"}
    spans = [event for event in trace_events(two)["traceEvents"] if event.get("tid") == LAYERS_TID and event["ph"] == "X"]
    assert [span["name"] for span in spans] == [layer.name for layer in two.layers]


def test_a_set_of_images_runs_frame_by_frame(head):
    request = RunRequest(str(head[1]), str(image_path("bus.jpg")), make_config(settings(head[1], engine="pytorch")),
                         more_images=(str(image_path("zidane.jpg")),))
    report = run_profile(request).report
    assert [Path(frame.source).name for frame in report.per_image] == ["bus.jpg", "zidane.jpg"]
    assert all(frame.latency_ms > 0 and frame.detections for frame in report.per_image) and report.frame_set is not None


@pytest.mark.parametrize("path_of, config, message", [
    (lambda head: model_path("yolov8"), {"engine": "pytorch"},
     r"^PyTorch reads PyTorch models \(.pt, .pt2\), not yolov8n_int8.onnx; use --engine openvino$"),
    (lambda head: head[1], {"engine": "pytorch", "device": "GPU"}, "^PyTorch runs here on the CPU"),
    (lambda head: head[1], {"engine": "pytorch", "mode": "throughput"}, "^PyTorch runs in latency mode here"),
    (lambda head: head[1], {"engine": "pytorch", "preprocess": "graph"}, "preprocessing in the graph is OpenVINO's"),
    (lambda head: head[1], {"engine": "onnxruntime"}, r"^ONNX Runtime reads ONNX models \(.onnx\), not detection_head.pt2"),
])
def test_what_pytorch_cannot_take_is_one_line(head, path_of, config, message):
    with pytest.raises(OvguiError, match=message):
        run_profile(RunRequest(str(path_of(head)), str(image_path("bus.jpg")), make_config({"iterations": 1, **config})))


def test_a_missing_torch_is_one_line(monkeypatch, head):
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.delitem(sys.modules, "ovgui.core.engines.pytorch", raising=False)
    with pytest.raises(OvguiError) as error:
        run_profile(RunRequest(str(head[1]), str(image_path("bus.jpg")), make_config({"iterations": 1, "engine": "pytorch"})))
    assert str(error.value) == NOT_INSTALLED


def test_reports_written_with_engine_labels_read_as_engine_names(head):
    data = json.loads(run_profile(RunRequest(str(head[1]), str(image_path("bus.jpg")),
                                             make_config({"iterations": 1, "perf_counters": False}))).report.to_json())
    for recorded, name in [("OpenVINO", "openvino"), ("ONNX Runtime", "onnxruntime"), ("pytorch", "pytorch"),
                           ("TensorRT", "TensorRT")]:
        data["engine"]["name"] = recorded
        assert Report.from_dict(data).engine.name == name


def cli(*argv: object, prelude: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-c", prelude + MAIN, *map(str, argv)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=PROJECT)


def test_cli_without_torch_prints_the_install_line_and_exits_2(head):
    result = cli(head[1], image_path("bus.jpg"), "--engine", "pytorch", "-n", "1", prelude=WITHOUT_TORCH)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"error: {NOT_INSTALLED}"]


def test_cli_compares_openvino_and_pytorch_with_their_drift(tmp_path, head):
    """torch's profiler writes nothing of its own on stderr (Kineto's start, stop and thread lines)."""
    configs = tmp_path / "engines.json"
    configs.write_text(json.dumps([{"name": "OpenVINO", "precision": "f32"}, {"name": "PyTorch", "engine": "pytorch"}]))
    written = tmp_path / "comparison.json"
    result = cli(head[1], image_path("bus.jpg"), "--compare", configs, "-n", "3", "--json", written)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "PyTorch: 3 matched, 0 missed, 0 extra" in result.stdout and "cosine" in result.stdout
    entries = {entry["name"]: entry["report"] for entry in json.loads(written.read_text())["comparison"]}
    assert entries["PyTorch"]["engine"]["name"] == "pytorch" and entries["OpenVINO"]["engine"]["name"] == "openvino"
    [drift] = entries["PyTorch"]["drift"]
    assert drift["compared"] and drift["max_abs_diff"] < 1e-4 and drift["cosine_similarity"] > 0.999999
    assert entries["PyTorch"]["layers"] and entries["PyTorch"]["profile"]["profiled_mean_ms"] > 0
