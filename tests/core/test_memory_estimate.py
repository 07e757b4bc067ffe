"""A shape's memory estimated from the model before compiling: exact on a small graph, an upper
bound of the right order on a real one (measured peak RSS), and a refusal in one line when it
exceeds the available memory, in the CLI and for a comparison entry."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import psutil
import pytest
from shared_data import image_path, model_path

from ovgui.core import memory_estimate
from ovgui.core.compare import Variant, run_variants
from ovgui.core.errors import OvguiError
from ovgui.core.image import load_image
from ovgui.core.memory_estimate import MemoryEstimate, check_memory, estimate_memory
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import RunConfig
from ovgui.core.runner import RunRequest

PROJECT = Path(__file__).resolve().parents[2]
MIB = 1024**2
LOOSENESS = 25
"""The estimate's growth is at least the measured growth and at most LOOSENESS times it (measured:
about 10x for OpenVINO, 3x for ONNX Runtime with its profiled session; 25 leaves room for other CPUs)."""
HUGE = [1, 3, 16384, 16384]
MEASURE_PEAK = """import atexit, re, sys
def print_peak():
    status = open('/proc/self/status').read()
    print('peak_kib', re.search(r'^VmHWM:\\s+(\\d+) kB', status, re.MULTILINE).group(1), file=sys.stderr)
atexit.register(print_peak)
"""
"""The process's own peak RSS (VmHWM starts afresh at exec; ru_maxrss would start from the parent's peak)."""
MAIN = "from ovgui.cli import profile_main; sys.exit(profile_main())"
REFUSAL = re.compile(r"^error: input shape 1,3,16384,16384 may need up to (\d+) GiB \(every layer's output held at once, "
                     r"the input and the weights; at least [\d.]+ GiB\); [\d.]+ GiB is available$")


def profile(*argv: str) -> tuple[subprocess.CompletedProcess, float]:
    """`ovgui-profile ARGV` in its own process, and that process's peak RSS in MiB."""
    result = subprocess.run([sys.executable, "-c", MEASURE_PEAK + MAIN, *map(str, argv)], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(PROJECT)}, cwd=PROJECT)
    peak = re.search(r"^peak_kib (\d+)$", result.stderr, re.MULTILINE)
    assert peak, result.stderr
    return result, int(peak.group(1)) / 1024


def yunet_estimate(side: int) -> MemoryEstimate:
    model = ov.Core().read_model(str(model_path("yunet_dynamic")))
    return estimate_memory(model, load_image(image_path("dog.jpg")), RunConfig(input_shape=[1, 3, side, side]))


def test_every_output_is_counted_once_constants_as_weights():
    data = ops.parameter([1, 3, 8, 8], ov.Type.f32, name="data")
    weights = ops.constant(np.ones((4, 3, 3, 3), np.float32))
    conv = ops.convolution(data, weights, [1, 1], [1, 1], [1, 1], [1, 1])
    pooled = ops.max_pool(conv, [2, 2], [1, 1], [0, 0], [0, 0], [2, 2])
    model = ov.Model([ops.relu(pooled.output(0))], [data])
    estimate = estimate_memory(model, load_image(image_path("dog.jpg")), RunConfig())
    parameter, conv_out, pool_values, pool_indices, relu = 3 * 64 * 4, 4 * 64 * 4, 4 * 16 * 4, 4 * 16 * 8, 4 * 16 * 4
    result = 4 * 16 * 4
    assert estimate.activations_bytes == parameter + conv_out + pool_values + pool_indices + relu + result
    assert estimate.largest_activation_bytes == conv_out
    assert estimate.weights_bytes == 4 * 3 * 3 * 3 * 4
    assert estimate.inputs_bytes == 3 * 64 * 4
    assert estimate.input_shapes == {"data": [1, 3, 8, 8]}


def test_the_estimate_reshapes_a_copy_and_grows_with_the_area():
    model = ov.Core().read_model(str(model_path("yunet_dynamic")))
    small, large = (estimate_memory(model, load_image(image_path("dog.jpg")), RunConfig(input_shape=[1, 3, side, side]))
                    for side in (320, 640))
    assert model.inputs[0].get_partial_shape().is_dynamic
    assert large.activations_bytes / small.activations_bytes == pytest.approx(4, rel=0.01)
    assert large.inputs_bytes == 3 * 640 * 640 * 4


def test_without_a_shape_the_estimate_is_at_the_images_size_rounded_up():
    """dog.jpg is 768x576: the dynamic YuNet runs at 768x576, and so is it estimated."""
    model = ov.Core().read_model(str(model_path("yunet_dynamic")))
    estimate = estimate_memory(model, load_image(image_path("dog.jpg")), RunConfig())
    assert estimate.input_shapes == {"input": [1, 3, 576, 768]}


@pytest.mark.parametrize("engine", ["openvino", "onnxruntime"])
def test_the_estimate_bounds_the_measured_growth_within_its_stated_factor(engine):
    """Peak RSS of the whole process at 640x640 and at 1280x1280: what grew is what the shape costs."""
    peaks = []
    for side in (640, 1280):
        result, peak_mib = profile(model_path("yunet_dynamic"), image_path("dog.jpg"), "--engine", engine,
                                   "--shape", f"1,3,{side},{side}", "-n", "2", "-q")
        assert result.returncode == 0, result.stderr
        peaks.append(peak_mib)
    measured_mib = peaks[1] - peaks[0]
    estimated_mib = (yunet_estimate(1280).upper_bytes - yunet_estimate(640).upper_bytes) / MIB
    assert measured_mib <= estimated_mib <= LOOSENESS * measured_mib, (engine, peaks, estimated_mib)


@pytest.mark.parametrize("engine", ["openvino", "onnxruntime"])
def test_a_shape_beyond_the_available_memory_is_refused_before_allocating(engine):
    estimate = yunet_estimate(HUGE[-1])
    assert estimate.upper_bytes > psutil.virtual_memory().total, (
        "this machine could hold the shape; the test needs one that cannot"
    )
    result, peak_mib = profile(model_path("yunet_dynamic"), image_path("dog.jpg"), "--engine", engine,
                               "--shape", ",".join(map(str, HUGE)))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if not line.startswith("peak_kib")]
    assert len(lines) == 1 and REFUSAL.match(lines[0]), lines
    assert int(REFUSAL.match(lines[0]).group(1)) == round(estimate.upper_bytes / 1024**3)
    assert peak_mib < 1024, "the input tensor (3 GiB) was allocated before the refusal"


def test_a_comparison_entry_beyond_the_memory_fails_alone():
    base = RunRequest(str(model_path("yunet_dynamic")), str(image_path("dog.jpg")), RunConfig(iterations=2))
    variants = [Variant("huge", {"input_shape": HUGE}), Variant("fits", {"input_shape": [1, 3, 320, 320]})]
    (_, huge), (_, fits) = run_variants(base, variants)
    assert isinstance(huge, str) and huge.startswith("input shape 1,3,16384,16384 may need up to")
    assert isinstance(fits, RunOutcome) and fits.report.preprocess.input_shape == [1, 3, 320, 320]


def test_the_refusal_compares_with_the_memory_available_now(monkeypatch):
    """The same shape passes or not with what is free at the moment (psutil's `available`)."""
    model = ov.Core().read_model(str(model_path("squeezenet")))
    image = load_image(image_path("dog.jpg"))
    needed = estimate_memory(model, image, RunConfig()).upper_bytes
    for free, refused in ((needed - 1, True), (needed, False)):
        monkeypatch.setattr(memory_estimate.psutil, "virtual_memory", lambda free=free: SimpleNamespace(available=free))
        if refused:
            with pytest.raises(OvguiError, match=r"^input shape 1,3,227,227 may need up to .* is available$"):
                check_memory(model, image, RunConfig())
        else:
            check_memory(model, image, RunConfig())
