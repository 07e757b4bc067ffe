"""The roof measurement itself, run as `python -m ovgui.core.roof_probe REQUEST_JSON` by
ovgui.core.roofline so that its buffers and threads stay out of the profiled process.

It prints one JSON value on stdout: a list of roofs (one per requested precision), or
{"error": "one line"}; its stderr is the parent's.

Each compute kernel is sized to run about a millisecond: on a busy machine only short spans run
undisturbed (a 70 ms chain of four MatMuls measured a third of what the same kernels reached in
1 ms, and a model's sub-millisecond convolutions then beat it).

On the CPU a kernel's time is read from the same per-layer counters a model's layers are judged
by, not from the wall time of `infer()`: the wall time adds the Python call, the start and wait
of the request and the input and output reorders (tens of microseconds, a few percent of a
millisecond kernel), so a model's convolution timed by its counter beat a roof timed by the wall
clock by 0.5 %.  The counters are running means since compile in whole microseconds; a window's
own mean is recovered from the totals before and after it, as ovgui.core.profile does for a run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime, timezone
from functools import partial

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from ovgui.core.bandwidth import memory_roofs, nested
from ovgui.core.errors import OvguiError
from ovgui.core.model import openvino_message
from ovgui.core.precision import normalise
from ovgui.core.report import MemoryRoof, Roofline
from ovgui.core.roofline import COMPUTE_WINDOW_S, COPY_WINDOW_S, WINDOWS, cpu_name

MATMUL_ROWS, MATMUL_SIZE = 256, 1024
CONVOLUTIONS = ((3, 128, 28), (3, 256, 14), (1, 512, 14), (1, 256, 28))
"""Convolutions (kernel size, channels, height = width) run the brgconv kernels a model's
convolutions do, 3x3 and 1x1 (the two kinds that reach the highest rates; depthwise ones are
bound by memory), at shapes that split evenly over the cores; on AVX-512 bf16 they outrun a
MatMul, so the compute roof is the fastest of the kernels."""


def _matmul() -> tuple[ov.Model, float]:
    rng = np.random.default_rng(0)
    a = ops.parameter([MATMUL_ROWS, MATMUL_SIZE], np.float32)
    weights = ops.constant(rng.standard_normal((MATMUL_SIZE, MATMUL_SIZE), dtype=np.float32) / np.float32(32))
    return ov.Model([ops.matmul(a, weights, False, False)], [a]), 2.0 * MATMUL_ROWS * MATMUL_SIZE**2


def _convolution(kernel: int, channels: int, size: int) -> tuple[ov.Model, float]:
    rng = np.random.default_rng(0)
    x = ops.parameter([1, channels, size, size], np.float32)
    scale = np.float32(kernel * kernel * channels)
    weights = ops.constant(rng.standard_normal((channels, channels, kernel, kernel), dtype=np.float32) / scale)
    pad = kernel // 2
    output = ops.convolution(x, weights, [1, 1], [pad, pad], [pad, pad], [1, 1])
    return ov.Model([output], [x]), 2.0 * channels * channels * kernel * kernel * size * size


KERNELS: list[Callable[[], tuple[ov.Model, float]]] = [_matmul, *(partial(_convolution, *shape) for shape in CONVOLUTIONS)]
COMPILES_PER_WINDOW = 2
"""Each kernel is timed over this many fresh compiles per requested window: a compile's short
window (COMPUTE_WINDOW_S, about ten inferences) is more often undisturbed on a busy machine
than one long one, and each compile's counters start from zero."""
READ_MIN_BYTES = 4 * 2**20
"""Levels whose working set is at least this big also get a weight-streaming roof: a smaller set
is read in a few microseconds, too close to the counters' resolution to time."""


def _weight_stream(weight_bytes: int) -> tuple[ov.Model, int]:
    """A one-row MatMul (a fully connected layer at batch 1) over f32 weights of about
    `weight_bytes`: it reads every weight once per inference and does little else, as a model's
    weight-bound layers do; returns the model and the bytes it moves."""
    side = max(64, int((weight_bytes / 4) ** 0.5) // 64 * 64)
    a = ops.parameter([1, side], np.float32)
    weights = ops.constant(np.random.default_rng(0).standard_normal((side, side), dtype=np.float32) / np.float32(side))
    return ov.Model([ops.matmul(a, weights, False, False)], [a]), 4 * (side * side + 2 * side)


def with_weight_streaming(core: ov.Core, device: str, levels: list[MemoryRoof], threads: int, windows: int,
                          window_s: float) -> list[MemoryRoof]:
    """Each cache level's roof raised to the rate a weight-streaming layer reads it at, where
    that is higher.  A copy's count (bytes read + bytes written) leaves out the lines it fetches
    before writing them, so a layer that mostly reads (its weights) can move more counted bytes a
    second than a copy.  Both are rates the level really delivered; the higher is the better bound."""
    raised = []
    for level in levels:
        if level.capacity_bytes and level.working_set_bytes >= READ_MIN_BYTES:
            model, moved = _weight_stream(level.working_set_bytes)
            seconds = _fastest_counted_s(partial(_compiled, core, model, device, "f32", threads), windows, window_s)
            level = replace(level, gbytes_per_s=max(level.gbytes_per_s, moved / seconds / 1e9))
        raised.append(level)
    return raised


def measure_here(
    device: str, precisions: list[str], threads: int, windows: int = WINDOWS, compute_window_s: float = COMPUTE_WINDOW_S,
    copy_window_s: float = COPY_WINDOW_S,
) -> list[Roofline]:
    """Compute roofs per precision the device really used, then the memory roofs on the threads it used."""
    load_average = os.getloadavg()[0]
    measured_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    core = ov.Core()
    computed: dict[str, float] = {}
    used_precisions, used_threads = [], threads
    for precision in precisions:
        rates = []
        for build in KERNELS:
            model, flops = build()
            compiled = _compiled(core, model, device, precision, threads)
            used = normalise(_read_back(compiled, "INFERENCE_PRECISION_HINT")) or precision
            used_threads = int(_read_back(compiled, "INFERENCE_NUM_THREADS") or threads)
            if used in computed:
                break
            if _counted(device):
                compile_kernel = partial(_compiled, core, model, device, precision, threads)
                seconds = min(_counted_window_s(compiled, compute_window_s),
                              _fastest_counted_s(compile_kernel, COMPILES_PER_WINDOW * windows - 1, compute_window_s))
            else:
                seconds = _fastest_s(compiled, windows, compute_window_s)
            rates.append(flops / seconds / 1e9)
        if rates:
            computed[used] = max(rates)
        used_precisions.append(used)
    memory: list[MemoryRoof] = []
    if device.split(".")[0] == "CPU":
        memory = nested(with_weight_streaming(core, device, memory_roofs(used_threads, windows, copy_window_s),
                                              used_threads, windows, compute_window_s))
    dram = memory[-1].gbytes_per_s if memory else None
    timed_by = ("its own layer counter, each window on a fresh compile" if _counted(device)
                else "the wall time of its fastest inference")
    method = (
        f"compute: the fastest of a {MATMUL_ROWS}x{MATMUL_SIZE}x{MATMUL_SIZE} MatMul and convolutions ("
        + ", ".join(f"{k}x{k} {c} channels {h}x{h}" for k, c, h in CONVOLUTIONS)
        + f"), each the best of {COMPILES_PER_WINDOW * windows} windows of {compute_window_s:g} s timed by {timed_by}; memory: "
        + (f"the fastest repetition of {windows} windows of {copy_window_s:g} s of a {used_threads}-thread numpy copy over "
           + ", ".join(f"{roof.working_set_bytes / 2**20:g} MiB ({roof.level})" for roof in memory)
           + f", each cache level of at least {READ_MIN_BYTES / 2**20:g} MiB raised to the rate a batch-1 f32 MatMul "
           "reads its weights there at, where higher"
           if memory else "not measured off the CPU")
    )
    return [
        Roofline(device, used, used_threads, ov.get_version(), computed[used], dram, method, memory,
                 requested_precision=precision, load_average=load_average, measured_at=measured_at, cpu=cpu_name())
        for precision, used in zip(precisions, used_precisions)
    ]


def _counted(device: str) -> bool:
    """Whether the kernels are timed by their layer counters: the CPU plugin's are running means
    of one graph, which a window's mean can be recovered from; other devices' may not be."""
    return device.split(".")[0] == "CPU"


def _compiled(core: ov.Core, model: ov.Model, device: str, precision: str, threads: int) -> ov.CompiledModel:
    properties: dict[str, object] = {"PERFORMANCE_HINT": "LATENCY", "PERF_COUNT": _counted(device)}
    if precision:
        properties["INFERENCE_PRECISION_HINT"] = precision
    if threads and device.split(".")[0] == "CPU":
        properties["INFERENCE_NUM_THREADS"] = threads
    try:
        return core.compile_model(model, device, properties)
    except (RuntimeError, TypeError, ValueError) as error:
        raise OvguiError(f"cannot measure what {device} can do: {openvino_message(error)}") from None


def _fastest_s(compiled: ov.CompiledModel, windows: int, window_s: float) -> float:
    """The fastest inference of several windows (after a warm-up one): the attainable rate, which
    other processes on the machine can only lower."""
    request = compiled.create_infer_request()
    shape = list(compiled.input(0).get_shape())
    request.infer([np.random.default_rng(1).standard_normal(shape, dtype=np.float32)])
    best = float("inf")
    for _ in range(windows):
        end = time.perf_counter() + window_s
        count = 0
        while time.perf_counter() < end or count < 2:
            started = time.perf_counter()
            request.infer()
            best = min(best, time.perf_counter() - started)
            count += 1
    return best


def _fastest_counted_s(compile_kernel: Callable[[], ov.CompiledModel], windows: int, window_s: float) -> float:
    """The best window's mean time of the kernel's own layer, each window on a freshly compiled
    model: the counters are running means since compile, so a window's mean is recovered from the
    totals before and after it, and the totals' error grows with the inferences before the window
    (a twelfth window after 550 inferences would be known to ±11 µs, one after a single warm-up
    inference to ±0.5 µs)."""
    return min((_counted_window_s(compile_kernel(), window_s) for _ in range(windows)), default=float("inf"))


def _counted_window_s(compiled: ov.CompiledModel, window_s: float) -> float:
    """The mean time of the kernel's layer (the one-op model's slowest layer over the window: on
    the first inference an input reorder can be the slower) over a window after one warm-up
    inference: n inferences after the first spent (n+1)·mean_after − mean_first µs, each mean
    truncated to a whole microsecond, so the midpoint is taken, as for a run's layers
    (ovgui.core.profile.steady_means)."""
    request = compiled.create_infer_request()
    shape = list(compiled.input(0).get_shape())
    request.infer([np.random.default_rng(1).standard_normal(shape, dtype=np.float32)])
    first = _counter_us(request)
    end = time.perf_counter() + window_s
    count = 0
    while time.perf_counter() < end or count < 2:
        request.infer()
        count += 1
    after = _counter_us(request)
    total_us = max((count + 1) * after[name] - first[name] for name in first) + 0.5 * count
    return total_us / count / 1e6


def _counter_us(request: ov.InferRequest) -> dict[str, float]:
    """Each layer's running-mean time since compile, in microseconds."""
    return {info.node_name: info.real_time.total_seconds() * 1e6 for info in request.get_profiling_info()}


def _read_back(compiled: ov.CompiledModel, name: str) -> str:
    try:
        value = compiled.get_property(name)
    except (RuntimeError, TypeError):
        return ""
    return value.get_type_name() if isinstance(value, ov.Type) else str(value)


def main(argv: list[str]) -> int:
    request = json.loads(argv[0])
    try:
        roofs = measure_here(
            request["device"], request["precisions"], request["threads"], request["windows"],
            request["compute_window_s"], request["copy_window_s"],
        )
    except OvguiError as error:
        print(json.dumps({"error": str(error)}))
        return 0
    except (RuntimeError, MemoryError, OSError, ValueError) as error:
        # An inference or an allocation failing mid-measurement: one line for the parent to show.
        print(json.dumps({"error": f"cannot measure what {request['device']} can do: {openvino_message(error)}"}))
        return 0
    print(json.dumps([asdict(roof) for roof in roofs]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
