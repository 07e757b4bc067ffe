"""What a device can do: its compute roof and memory roof, measured once and cached.

A layer's achieved GFLOP/s means little alone; against what the same device reaches on a large
MatMul at the same precision and thread count it says how well the layer uses the hardware.
The compute roof is the best rate of a 1024³ MatMul (the kind of kernel OpenVINO tunes hardest),
the memory roof the best rate of an elementwise Add over arrays far larger than the caches.  Both
are measured in well under two seconds and cached per device, precision, thread count and
OpenVINO version, because a new OpenVINO can bring new kernels.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from ovgui.core.errors import OvguiError
from ovgui.core.model import openvino_message
from ovgui.core.report import Report, Roofline

CACHE_FILE = "roofline.json"
MATMUL_SIZE = 1024
ADD_ELEMENTS = 8 * 1024 * 1024  # three 32 MiB arrays: beyond any last-level cache
MATMUL_WINDOW_S = 0.3
ADD_WINDOW_S = 0.2


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ovgui"


def cache_key(device: str, precision: str, threads: int, openvino_version: str) -> str:
    """`threads` 0 means OpenVINO's default."""
    return f"{device}|{precision or 'default'}|{threads}|{openvino_version}"


def attainable(
    device: str,
    precision: str = "",
    threads: int = 0,
    cache_dir: Path | None = None,
    core: ov.Core | None = None,
) -> Roofline:
    """The device's roofs at this precision hint ("" for the device default) and thread count
    (0 for the default), from the cache when this OpenVINO measured them before."""
    version = ov.get_version()
    path = (cache_dir or default_cache_dir()) / CACHE_FILE
    key = cache_key(device, precision, threads, version)
    cached = _read_cache(path).get(key)
    if cached is not None:
        return cached
    roof = measure(device, precision, threads, core or ov.Core())
    _write_cache(path, key, roof)
    return roof


def measure(device: str, precision: str, threads: int, core: ov.Core) -> Roofline:
    properties = _properties(device, precision, threads)
    rng = np.random.default_rng(0)
    n = MATMUL_SIZE
    a = ops.parameter([n, n], np.float32)
    weights = ops.constant(rng.standard_normal((n, n), dtype=np.float32))
    matmul = _compiled(core, ov.Model([ops.matmul(a, weights, False, False)], [a]), device, properties)
    seconds = _best_time(matmul, [rng.standard_normal((n, n), dtype=np.float32)], MATMUL_WINDOW_S)
    gflops = 2.0 * n**3 / seconds / 1e9

    x, y = ops.parameter([ADD_ELEMENTS], np.float32), ops.parameter([ADD_ELEMENTS], np.float32)
    add = _compiled(core, ov.Model([ops.add(x, y)], [x, y]), device, _properties(device, "", threads))
    data = np.ones(ADD_ELEMENTS, np.float32)
    gbytes = 3 * 4 * ADD_ELEMENTS / _best_time(add, [data, data], ADD_WINDOW_S) / 1e9

    used_precision = _read_back(matmul, "INFERENCE_PRECISION_HINT") or precision
    used_threads = _read_back(matmul, "INFERENCE_NUM_THREADS")
    method = (
        f"best of {MATMUL_WINDOW_S:g} s of {n}x{n}x{n} MatMul inferences (compute roof) and of "
        f"{ADD_WINDOW_S:g} s of an elementwise Add over 3 x {ADD_ELEMENTS * 4 // 2**20} MiB (memory roof)"
    )
    return Roofline(device, used_precision, int(used_threads or threads), ov.get_version(), gflops, gbytes, method)


def _properties(device: str, precision: str, threads: int) -> dict[str, object]:
    properties: dict[str, object] = {"PERFORMANCE_HINT": "LATENCY"}
    if precision:
        properties["INFERENCE_PRECISION_HINT"] = precision
    if threads and device.split(".")[0] == "CPU":
        properties["INFERENCE_NUM_THREADS"] = threads
    return properties


def _compiled(core: ov.Core, model: ov.Model, device: str, properties: dict[str, object]) -> ov.CompiledModel:
    try:
        return core.compile_model(model, device, properties)
    except (RuntimeError, TypeError, ValueError) as error:
        raise OvguiError(f"cannot measure what {device} can do: {openvino_message(error)}") from None


def _best_time(compiled: ov.CompiledModel, inputs: list[np.ndarray], window_s: float) -> float:
    """The fastest inference in the window (after a warm-up one): the attainable rate, which other
    processes on the machine can only lower."""
    request = compiled.create_infer_request()
    request.infer(inputs)
    best = float("inf")
    end = time.perf_counter() + window_s
    while time.perf_counter() < end or best == float("inf"):
        started = time.perf_counter()
        request.infer()
        best = min(best, time.perf_counter() - started)
    return best


def _read_back(compiled: ov.CompiledModel, name: str) -> str:
    try:
        value = compiled.get_property(name)
    except (RuntimeError, TypeError):
        return ""
    return value.get_type_name() if isinstance(value, ov.Type) else str(value)


def _read_cache(path: Path) -> dict[str, Roofline]:
    """A missing, unreadable or foreign cache is an empty one: the roofs are measured again."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return {key: Roofline(**value) for key, value in entries.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _write_cache(path: Path, key: str, roof: Roofline) -> None:
    """Best effort: a read-only cache folder costs a new measurement next time, nothing more."""
    entries = {k: asdict(v) for k, v in _read_cache(path).items()}
    entries[key] = asdict(roof)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    except OSError:
        pass


FLOAT_PRECISIONS = ("f32", "bf16", "f16")


def roofs_for_run(report: Report, cache_dir: Path | None = None, core: ov.Core | None = None) -> list[Roofline]:
    """The roofs a run's layers are judged against: at the run's inference precision, and at each
    other float precision its counted layers ran at (a bf16 run keeps some layers in f32, e.g. all
    of YOLOv8n's int8-quantised convolutions, and those are judged against the f32 roof)."""
    run_precision = report.compiled.inference_precision or (report.config.precision or "")
    ran_at = [
        layer.runtime_precision for layer in report.layers
        if layer.flops and layer.executed and layer.runtime_precision in FLOAT_PRECISIONS
    ]
    precisions = list(dict.fromkeys([run_precision, *ran_at]))
    threads = report.compiled.inference_num_threads
    return [attainable(report.device.name, precision, threads, cache_dir, core) for precision in precisions]


def fill_efficiency(report: Report, roofs: list[Roofline]) -> None:
    """Each layer's achieved GFLOP/s as a fraction of the compute roof at the precision it ran at
    (the first roof, the run's own, where none was measured at that precision, e.g. int8), and
    the roofs on the report so a saved report can draw its roofline."""
    report.rooflines = list(roofs)
    by_precision = {roof.precision: roof for roof in roofs}
    for layer in report.layers:
        if layer.gflops_per_s is None or not roofs:
            layer.efficiency = None
            continue
        roof = by_precision.get(layer.runtime_precision, roofs[0])
        layer.efficiency = layer.gflops_per_s / roof.gflops_per_s
