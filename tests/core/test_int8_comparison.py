"""FP32 against INT8: the layer A/B names what an INT8 model pays for (Reorders, quantizers fused
into layers or left alone, layers left in float) and puts the slowed ones first; the comparison
runs source, FP16 IR and INT8 copy on the same image, fed as the source is, and every copy ovgui
writes records its source.

The synthetic reports check the rules on known answers; the real ones quantize SqueezeNet on the
seven shared photos (a smoke calibration, as in test_quantize.py) and check the comparison itself.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from shared_data import IMAGES, image_path, model_path

from ovgui.cli import profile_main
from ovgui.console import format_comparison
from ovgui.core.compare import compare_layers
from ovgui.core.devices import shared_core
from ovgui.core.int8_comparison import run_int8_comparison
from ovgui.core.layer_causes import (
    FUSED_QUANTIZER,
    REFERENCE_KERNEL,
    REORDER,
    UNFUSED_FAKE_QUANTIZE,
    exec_precision,
    is_quantized,
    quantization_summary,
)
from ovgui.core.lineage import source_of
from ovgui.core.outcome import RunOutcome
from ovgui.core.quantize import Quantization, QuantizeRequest
from ovgui.core.quantize_options import QuantizeOptions
from ovgui.core.report import DeviceInfo, LayerStats, ModelInfo, Report, RunConfig
from ovgui.core.runner import RunRequest
from ovgui.core.save_ir import save_as_ir
from tests.core.test_accuracy import class_tree, own_top1, run

F32 = RunConfig(precision="f32", iterations=5, roofline=False)
CONV1 = "conv1/WithoutBiases"


def layer(name: str, kind: str, exec_type: str, ms: float, originals: tuple[str, ...] = ()) -> LayerStats:
    return LayerStats(0, name, kind, exec_type, "EXECUTED", ms, None, ms, 0.0, original_layers=list(originals or (name,)))


def made(*layers: LayerStats) -> Report:
    report = Report(ModelInfo("/models/m.xml", "OpenVINO IR", 1), DeviceInfo("CPU", "cpu"), RunConfig())
    report.layers = list(layers)
    return report


FP32_RUN = made(layer("data/mean", "Subgraph", "jit_avx512_f32", 0.02),
                layer("data/mean_abcd_acdb_conv1", "Reorder", "jit_uni_f32", 0.03),
                layer("conv1", "Convolution", "brgconv_avx512_f32", 0.50),
                layer("conv2", "Convolution", "brgconv_avx512_f32", 0.40),
                layer("head", "MatMul", "brgemm_avx512_f32", 0.10),
                layer("conv3", "Convolution", "brgconv_avx512_f32", 0.30),
                layer("add3", "Subgraph", "jit_avx512_f32", 0.05),
                layer("pool", "MaxPool", "jit_avx512_f32", 0.02))
INT8_RUN = made(layer("data/mean/fq_output_0", "Subgraph", "jit_avx512_f32", 0.05),
                layer("data/mean/fq_output_0_abcd_acdb_conv1", "Reorder", "jit_uni_I8", 0.04),
                layer("conv1", "Convolution", "brgconv_avx512_I8", 0.20),
                layer("conv2", "Convolution", "brgconv_avx512_f32", 0.45),
                layer("conv2/fq_output_0", "FakeQuantize", "jit_avx512_f32", 0.06),
                layer("head", "MatMul", "brgemm_avx512_I8", 0.05),
                layer("conv3", "Convolution", "brgconv_avx512_I8", 0.32, ("conv3", "add3", "conv3/fq_output_0")),
                layer("pool", "MaxPool", "ref_any_I8", 0.045))


def test_the_kernel_names_the_precision_it_ran_in():
    assert [exec_precision(one) for one in INT8_RUN.layers] == ["f32", "i8", "i8", "f32", "f32", "i8", "i8", "i8"]
    assert is_quantized(INT8_RUN) and not is_quantized(FP32_RUN)


def test_the_slowed_costs_of_int8_come_first_named_then_the_biggest_changes():
    deltas = compare_layers(FP32_RUN, INT8_RUN)
    rows = [(d.name_a, d.name_b, round(d.delta_ms, 3), d.matched_by, d.why) for d in deltas]
    assert rows == [
        ("", "conv2/fq_output_0", 0.06, "", UNFUSED_FAKE_QUANTIZE),
        ("conv2", "conv2", 0.05, "name", "left in f32"),
        ("data/mean", "data/mean/fq_output_0", 0.03, "quantizer name", FUSED_QUANTIZER),
        ("pool", "pool", 0.025, "name", REFERENCE_KERNEL),
        ("conv3", "conv3", 0.02, "name", "fused +1 layer"),
        ("data/mean_abcd_acdb_conv1", "data/mean/fq_output_0_abcd_acdb_conv1", 0.01, "quantizer name", REORDER),
        ("conv1", "conv1", -0.3, "name", ""),
        ("head", "head", -0.05, "name", ""),
        ("add3", "", -0.05, "", ""),
    ]
    assert [d.rank for d in deltas] == list(range(len(deltas)))


def test_two_float_runs_have_no_causes_and_keep_the_biggest_change_first():
    slower = made(*(layer(one.name, one.type, one.exec_type, one.real_time_ms * (3 if one.name == "conv2" else 1))
                    for one in FP32_RUN.layers))
    deltas = compare_layers(FP32_RUN, slower)
    assert not any(d.why for d in deltas) and deltas[0].name_a == "conv2"
    assert quantization_summary(FP32_RUN, slower) is None


def test_the_precision_mix_counts_compute_layers_and_reorder_time():
    assert quantization_summary(FP32_RUN, INT8_RUN) == (
        "A: 4 compute layers: 4 f32 · Reorders 0.030 ms; B: 4 compute layers: 3 i8/u8, 1 f32 · Reorders 0.040 ms")


@pytest.fixture(scope="module")
def squeezenet_int8(tmp_path_factory) -> Path:
    """SqueezeNet quantized on the seven photos with conv1 kept in float (a smoke calibration)."""
    out = tmp_path_factory.mktemp("int8") / "squeezenet_int8.xml"
    request = QuantizeRequest(str(model_path("squeezenet")), str(IMAGES), out, QuantizeOptions(keep_float=(CONV1,)), F32)
    return Quantization(request).run(lambda _event: None).xml


def test_the_copies_ovgui_writes_record_their_source(squeezenet_int8, tmp_path):
    source = model_path("squeezenet").resolve()
    assert source_of(shared_core().read_model(str(squeezenet_int8))) == str(source)
    saved = save_as_ir(model_path("yolov5"), tmp_path / "yolo.xml")
    assert source_of(shared_core().read_model(str(saved.xml))) == str(model_path("yolov5").resolve())
    assert source_of(shared_core().read_model(str(source))) == "", "a model ovgui did not write has no source"


def test_source_fp16_ir_and_int8_run_side_by_side_with_sizes_drift_and_named_layers(squeezenet_int8, tmp_path):
    events = []
    base = RunRequest(str(squeezenet_int8), str(image_path("dog.jpg")), F32)
    results = list(run_int8_comparison(base, on_event=lambda _name, event: events.append(event),
                                       source=model_path("squeezenet"), int8=squeezenet_int8, with_fp16=True,
                                       root=tmp_path))
    names = [name for name, _outcome in results]
    assert names == ["squeezenet1.1.xml (source)", "squeezenet1.1.xml (FP16 IR)", "squeezenet_int8.xml (INT8)"]
    assert all(isinstance(outcome, RunOutcome) for _name, outcome in results), results
    source, fp16, int8 = (outcome.report for _name, outcome in results)
    root = str(model_path("squeezenet").resolve())
    assert (source.model.source_path, fp16.model.source_path, int8.model.source_path) == ("", root, root)
    assert Path(fp16.model.path).parent.parent == tmp_path, "the FP16 IR is kept under the given cache root"
    assert int8.model.file_size_bytes < 0.7 * source.model.file_size_bytes
    assert source.drift == [] and fp16.drift and int8.drift
    assert fp16.drift[0].max_abs_diff < 1e-3, "the source's weights are FP16 already: the FP16 IR computes the same"
    assert int8.classes[0].class_id == source.classes[0].class_id
    assert source.preprocess.color_order == int8.preprocess.color_order, "the INT8 copy is fed as the source is"
    assert int8.notes[0].startswith("the INT8 copy quantized with NNCF")
    assert is_quantized(int8) and not is_quantized(source)
    deltas = compare_layers(source, int8)
    assert sum(d.presence == "both" for d in deltas) >= 0.9 * len(deltas), "the copy's layers pair with the source's"
    kept = next(d for d in deltas if d.name_b == CONV1)
    assert kept.why == "left in f32"
    slowed = [d for d in deltas if d.why and d.delta_ms > 0]
    assert deltas[:len(slowed)] == sorted(slowed, key=lambda d: -d.delta_ms)


def test_the_command_line_profiles_source_fp16_ir_and_int8_and_prints_the_layers(tmp_path, capsys):
    out, both = tmp_path / "int8.xml", tmp_path / "all.json"
    code = profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), "--quantize", str(IMAGES),
                         "--save-ir", str(out), "--with-fp16-ir", "--json", str(both), "--precision", "f32", "-n", "5",
                         "--no-roofline"])
    printed = capsys.readouterr().out
    assert code == 0
    assert [entry["name"] for entry in json.loads(both.read_text())["comparison"]] == [
        "squeezenet1.1.xml (source)", "squeezenet1.1.xml (FP16 IR)", "int8.xml (INT8)"]
    assert "size MB" in printed and "Layers, B against A" in printed
    assert "B: 26 compute layers: 26 i8/u8" in printed


def test_with_fp16_ir_goes_with_quantize(capsys):
    with pytest.raises(SystemExit) as stopped:
        profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), "--with-fp16-ir"])
    assert stopped.value.code == 2
    assert "--with-fp16-ir goes with --quantize CALIB_DIR" in capsys.readouterr().err


def test_a_labelled_set_scores_every_variant_and_the_comparison_prints_each(squeezenet_int8, tmp_path, capsys):
    """The tree holds SqueezeNet's own f32 top-1 for each photo, so the source scores 100%."""
    tree = class_tree(tmp_path / "tree", own_top1(run("squeezenet", str(IMAGES))))
    base = RunRequest(str(squeezenet_int8), str(tree), replace(F32, accuracy=str(tree)))
    results = list(run_int8_comparison(base, source=model_path("squeezenet"), int8=squeezenet_int8))
    source, int8 = (outcome.report.accuracy for _name, outcome in results)
    assert (source.top1, source.evaluated, int8.evaluated) == (1.0, 7, 7)
    assert int8.top1 in {count / 7 for count in range(8)}
    print(format_comparison(results), end="")
    printed = capsys.readouterr().out
    assert "squeezenet1.1.xml (source): accuracy top-1 100.0% · top-5 100.0% over 7 images" in printed
    assert f"squeezenet_int8.xml (INT8): accuracy top-1 {int8.top1:.1%}" in printed
