"""Latency and throughput modes, the settings OpenVINO really used, comparisons and A/B matching."""

from __future__ import annotations

import json
from pathlib import Path

import openvino as ov
import pytest
from shared_data import image_path, model_path

from ovgui.cli import profile_main
from ovgui.core.compare import Variant, compare_layers, load_variants, run_variants
from ovgui.core.errors import OvguiError
from ovgui.core.formatting import format_ms
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import Report, RunConfig
from ovgui.core.runner import RunRequest, run_profile


def profile(model: str | Path, image: str = "zidane.jpg", **config) -> Report:
    path = model_path(model) if isinstance(model, str) else model
    return run_profile(RunRequest(str(path), str(image_path(image)), RunConfig(**{"iterations": 8, **config}))).report


def test_throughput_mode_uses_a_queue_of_requests():
    report = profile("face", mode="throughput", iterations=24, precision="f32")
    assert report.compiled.performance_hint == "THROUGHPUT"
    assert report.compiled.requests_used == report.compiled.optimal_requests >= 1
    assert len(report.latency_ms.samples) == 24
    assert report.throughput_fps > 0 and report.layers
    assert len(report.detections) == 2


def test_throughput_mode_with_user_nireq_and_time_budget():
    report = profile("squeezenet", "chelsea.png", mode="throughput", nireq=3, iterations=None, duration_s=0.4)
    assert report.compiled.requests_used == 3
    assert len(report.latency_ms.samples) >= 3
    assert report.classes[0].class_id == 285


def test_settings_are_read_back_from_the_compiled_model():
    report = profile("face", nstreams=1, nthreads=1, precision="f32", hint="latency")
    used = report.compiled
    assert (used.num_streams, used.inference_num_threads, used.inference_precision) == (1, 1, "f32")
    assert used.performance_hint == "LATENCY" and used.execution_devices == ["CPU"]
    assert not report.notes


def test_a_setting_openvino_adjusts_is_noted():
    report = profile("squeezenet", "chelsea.png", nstreams=64, mode="throughput", iterations=4)
    assert report.compiled.num_streams < 64
    assert any(note.startswith("asked for streams 64, OpenVINO used") for note in report.notes)


def test_model_cache_makes_the_second_compile_load_from_cache(tmp_path):
    first = profile("face", cache_dir=str(tmp_path), iterations=2)
    second = profile("face", cache_dir=str(tmp_path), iterations=2)
    assert not first.compiled.loaded_from_cache and second.compiled.loaded_from_cache
    assert any(tmp_path.iterdir())


def test_copying_inputs_instead_of_sharing_gives_the_same_results():
    shared = profile("face", iterations=30, precision="f32")
    copied = profile("face", iterations=30, precision="f32", shared_memory=False)
    assert len(copied.latency_ms.samples) == 30 and copied.detections == shared.detections


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"nstreams": 0}, "must be between 1 and 256, got 0"),
        ({"mode": "turbo"}, "must be one of latency, throughput, got 'turbo'"),
        ({"hint": "fastest"}, "must be one of latency, throughput, cumulative_throughput, none, got 'fastest'"),
        ({"cache_dir": "/proc/no/such/dir"}, "cannot compile the model for CPU"),
    ],
)
def test_rejected_settings_give_one_clear_message(changes, message):
    with pytest.raises(OvguiError, match=message) as error:
        profile("face", **changes)
    assert "\n" not in str(error.value)


def test_run_variants_keeps_going_after_a_rejected_one():
    base = RunRequest(str(model_path("squeezenet")), str(image_path("chelsea.png")), RunConfig(iterations=4))
    variants = [
        Variant("default", {}), Variant("broken cache", {"cache_dir": "/proc/no/dir"}), Variant("1 thread", {"nthreads": 1}),
    ]
    results = list(run_variants(base, variants))
    assert [name for name, _ in results] == ["default", "broken cache", "1 thread"]
    (_, default), (_, error), (_, one_thread) = results
    assert isinstance(default, RunOutcome) and isinstance(one_thread, RunOutcome) and isinstance(error, str)
    assert "Couldn't create directory" in error
    assert one_thread.report.compiled.inference_num_threads == 1


def test_load_variants_validates_names(tmp_path):
    path = tmp_path / "configs.json"
    path.write_text(json.dumps([{"name": "a", "precision": "f32"}, {"name": "b", "streams": 2}]))
    with pytest.raises(OvguiError, match="unknown setting"):
        load_variants(path)
    path.write_text("{not json")
    with pytest.raises(OvguiError, match="cannot read comparison file"):
        load_variants(path)


@pytest.fixture(scope="module")
def fp16_and_fp32(tmp_path_factory) -> tuple[Report, Report]:
    """The shared FP16 face IR and an FP32 IR made from it: same graph, different weights precision."""
    folder = tmp_path_factory.mktemp("ir")
    fp32 = folder / "face_fp32.xml"
    ov.save_model(ov.Core().read_model(model_path("face")), fp32, compress_to_fp16=False)
    return profile("face", precision="f32"), profile(fp32, precision="f32")


def test_ab_matches_layers_by_name_and_by_fused_originals(fp16_and_fp32):
    fp16, fp32 = fp16_and_fp32
    deltas = compare_layers(fp16, fp32)
    executed = {layer.name for layer in fp16.layers if layer.executed}
    matched = [d for d in deltas if d.presence == "both"]
    assert len(matched) >= 0.8 * len(executed)
    assert {d.matched_by for d in matched} <= {"name", "fused layers"}
    assert [abs(d.delta_ms) for d in deltas] == sorted((abs(d.delta_ms) for d in deltas), reverse=True)
    convolution = next(d for d in matched if d.type == "Convolution")
    assert convolution.ratio is not None and convolution.time_a_ms > 0


def test_ab_flags_layers_present_in_one_run_only():
    bf16 = profile("squeezenet", "chelsea.png", precision="bf16")
    f32 = profile("squeezenet", "chelsea.png", precision="f32")
    deltas = compare_layers(bf16, f32)
    total_a = sum(d.time_a_ms for d in deltas)
    assert total_a == pytest.approx(sum(layer.real_time_ms for layer in bf16.layers if layer.executed))
    for delta in deltas:
        assert delta.presence in ("both", "only in A", "only in B")


def test_cli_compare_and_diff(tmp_path, capsys):
    configs = tmp_path / "configs.json"
    configs.write_text(json.dumps([{"name": "latency f32", "precision": "f32"}, {"name": "throughput", "mode": "throughput"}]))
    out = tmp_path / "comparison.json"
    code = profile_main([str(model_path("squeezenet")), str(image_path("chelsea.png")), "-n", "6",
                         "--compare", str(configs), "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "latency f32" in printed and "throughput" in printed
    entries = json.loads(out.read_text())["comparison"]
    reports = [Report.from_dict(entry["report"]) for entry in entries]
    assert reports[1].config.mode == "throughput"
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    reports[0].save_json(a)
    reports[1].save_json(b)
    assert profile_main(["--diff", str(a), str(b)]) == 0
    assert "Layers, B against A: by change" in capsys.readouterr().out


def test_cli_summary_sets_the_layers_sum_against_the_mean_latency(capsys, tmp_path):
    """The printed comparison is with the mean of the timed inferences (what the report holds),
    never the median: a sum of per-layer means pairs with a mean."""
    out = tmp_path / "report.json"
    code = profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "12", "--precision", "f32",
                         "--json", str(out)])
    printed = capsys.readouterr().out
    report = Report.load(out)
    assert code == 0 and report.profile.latency_mean_ms == report.latency_ms.mean > 0
    ratio = report.profile.layers_sum_ms / report.latency_ms.mean
    expected = (f"layers sum {format_ms(report.profile.layers_sum_ms)} ms "
                f"vs mean {format_ms(report.latency_ms.mean)} ms (x{ratio:.2f})")
    assert expected in printed
    assert "vs median" not in printed
