"""The roof measurement itself, run as `python -m ovgui.core.roof_probe REQUEST_JSON` by
ovgui.core.roofline so that its buffers and threads stay out of the profiled process.

It prints one JSON value on stdout: a list of roofs (one per requested precision), or
{"error": "one line"}; its stderr is the parent's.

Each compute kernel is sized to run about a millisecond: on a busy machine only short spans run
undisturbed (a 70 ms chain of four MatMuls measured a third of what the same kernels reached in
1 ms, and a model's sub-millisecond convolutions then beat it).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from functools import partial

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from ovgui.core.bandwidth import memory_roofs
from ovgui.core.errors import OvguiError
from ovgui.core.model import openvino_message
from ovgui.core.precision import normalise
from ovgui.core.report import MemoryRoof, Roofline
from ovgui.core.roofline import COMPUTE_WINDOW_S, COPY_WINDOW_S, WINDOWS, cpu_name

MATMUL_ROWS, MATMUL_SIZE = 256, 1024
CONVOLUTIONS = ((128, 28), (256, 14))
"""3x3 convolutions (channels, height = width) run the brgconv kernels a model's convolutions do;
on AVX-512 bf16 they outrun a MatMul, so the compute roof is the fastest of the kernels."""


def _matmul() -> tuple[ov.Model, float]:
    rng = np.random.default_rng(0)
    a = ops.parameter([MATMUL_ROWS, MATMUL_SIZE], np.float32)
    weights = ops.constant(rng.standard_normal((MATMUL_SIZE, MATMUL_SIZE), dtype=np.float32) / np.float32(32))
    return ov.Model([ops.matmul(a, weights, False, False)], [a]), 2.0 * MATMUL_ROWS * MATMUL_SIZE**2


def _convolution(channels: int, size: int) -> tuple[ov.Model, float]:
    rng = np.random.default_rng(0)
    x = ops.parameter([1, channels, size, size], np.float32)
    weights = ops.constant(rng.standard_normal((channels, channels, 3, 3), dtype=np.float32) / np.float32(9 * channels))
    output = ops.convolution(x, weights, [1, 1], [1, 1], [1, 1], [1, 1])
    return ov.Model([output], [x]), 2.0 * channels * channels * 9 * size * size


KERNELS = [_matmul, *(partial(_convolution, channels, size) for channels, size in CONVOLUTIONS)]


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
            rates.append(flops / _fastest_s(compiled, windows, compute_window_s) / 1e9)
        if rates:
            computed[used] = max(rates)
        used_precisions.append(used)
    memory: list[MemoryRoof] = []
    if device.split(".")[0] == "CPU":
        memory = memory_roofs(used_threads, windows, copy_window_s)
    dram = memory[-1].gbytes_per_s if memory else None
    method = (
        f"compute: the fastest of a {MATMUL_ROWS}x{MATMUL_SIZE}x{MATMUL_SIZE} MatMul and 3x3 convolutions ("
        + ", ".join(f"{c} channels {h}x{h}" for c, h in CONVOLUTIONS)
        + f"), each the fastest inference of {windows} windows of {compute_window_s:g} s; memory: "
        + (f"the fastest repetition of {windows} windows of {copy_window_s:g} s of a {used_threads}-thread numpy copy over "
           + ", ".join(f"{roof.working_set_bytes / 2**20:g} MiB ({roof.level})" for roof in memory)
           if memory else "not measured off the CPU")
    )
    return [
        Roofline(device, used, used_threads, ov.get_version(), computed[used], dram, method, memory,
                 requested_precision=precision, load_average=load_average, measured_at=measured_at, cpu=cpu_name())
        for precision, used in zip(precisions, used_precisions)
    ]


def _compiled(core: ov.Core, model: ov.Model, device: str, precision: str, threads: int) -> ov.CompiledModel:
    properties: dict[str, object] = {"PERFORMANCE_HINT": "LATENCY"}
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
