"""The steady-state loops: synchronous (one request, latency) and asynchronous (a queue, throughput).

Both fill the same append-only latency list, honour the same cancel flag and
budget, and hand per-layer counters to the same profiler, so the rest of the
engine does not care which mode ran.

Latency is OpenVINO's own per-request `latency`: the binding times the C++
inference with the GIL released, so a GUI thread holding the GIL when
`infer()` returns cannot inflate it.  Only without shared memory is it the
wall time of the call, because the input copy being compared happens before
OpenVINO's timer starts.  Counters are copied after each inference, outside
the timed region.  In async mode throughput is completed frames over wall
time; callbacks run on OpenVINO threads and only append and record, and
because a request is busy until its callback returns, counters are copied
there only within a 1% time budget (the report's `iterations_profiled` says
how many inferences the layer figures cover).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import openvino as ov

from ovgui.core.events import LiveData
from ovgui.core.profile import LayerProfiler

ProgressCallback = Callable[[int, float, float], None]
PROGRESS_INTERVAL_S = 0.1
ASYNC_PROFILING_BUDGET = 0.01


@dataclass(frozen=True)
class Budget:
    iterations: int | None
    duration_s: float | None

    def reached(self, done: int, elapsed_s: float) -> bool:
        if self.duration_s is not None:
            return elapsed_s >= self.duration_s
        return done >= (self.iterations or 0)

    def fraction(self, done: int, elapsed_s: float) -> float:
        if self.duration_s is not None:
            return min(elapsed_s / self.duration_s, 1.0)
        return min(done / (self.iterations or 1), 1.0)


@dataclass
class LoopResult:
    wall_s: float
    collection_s: float
    requests: int


def bind_inputs(request: ov.InferRequest, arrays: dict[int, np.ndarray]) -> None:
    """Share the arrays with OpenVINO once; every iteration then reads them in place."""
    for index, array in arrays.items():
        request.set_input_tensor(index, ov.Tensor(array, shared_memory=True))


def run_sync(
    request: ov.InferRequest,
    arrays: dict[int, np.ndarray],
    shared_memory: bool,
    budget: Budget,
    cancel: threading.Event,
    live: LiveData,
    profiler: LayerProfiler | None,
    progress: ProgressCallback,
) -> LoopResult:
    """Without shared memory every `infer(arrays)` copies the inputs, as naive code does."""
    collection_s = 0.0
    loop_start = last_progress = time.perf_counter()
    while not cancel.is_set():
        started = time.perf_counter()
        if shared_memory:
            request.infer()
            finished = time.perf_counter()
            live.add_iteration(request.latency)
        else:
            request.infer(arrays)
            finished = time.perf_counter()
            live.add_iteration((finished - started) * 1000.0)
        if profiler is not None:
            profiler.record(request.get_profiling_info())
            collection_s += time.perf_counter() - finished
        elapsed = finished - loop_start
        if budget.reached(len(live.latencies_ms), elapsed):
            break
        if finished - last_progress >= PROGRESS_INTERVAL_S:
            last_progress = finished
            progress(len(live.latencies_ms), elapsed, collection_s)
    wall_s = time.perf_counter() - loop_start
    progress(len(live.latencies_ms), wall_s, collection_s)
    return LoopResult(wall_s, collection_s, 1)


def run_async(
    compiled: ov.CompiledModel,
    arrays: dict[int, np.ndarray],
    shared_memory: bool,
    nireq: int,
    budget: Budget,
    cancel: threading.Event,
    live: LiveData,
    profiler: LayerProfiler | None,
    progress: ProgressCallback,
) -> LoopResult:
    queue = ov.AsyncInferQueue(compiled, nireq)
    if shared_memory:
        for request in queue:
            bind_inputs(request, arrays)
    collection = [0.0]
    lock = threading.Lock()
    loop_start = time.perf_counter()

    def completed(request: ov.InferRequest, _userdata: object) -> None:
        """OpenVINO frees the request only after this returns: copying counters here idles a stream.
        So counters are sampled while their copying stays within 1% of the elapsed time."""
        live.add_iteration(request.latency)
        started = time.perf_counter()
        if profiler is not None and collection[0] <= ASYNC_PROFILING_BUDGET * (started - loop_start):
            with lock:
                profiler.record(request.get_profiling_info())
                collection[0] += time.perf_counter() - started

    queue.set_callback(completed)
    inputs = None if shared_memory else arrays
    submitted = 0
    last_progress_s = 0.0
    while not cancel.is_set():
        elapsed = time.perf_counter() - loop_start
        if budget.reached(submitted if budget.duration_s is None else len(live.latencies_ms), elapsed):
            break
        queue.start_async(inputs)
        submitted += 1
        if elapsed - last_progress_s >= PROGRESS_INTERVAL_S:
            last_progress_s = elapsed
            progress(len(live.latencies_ms), elapsed, collection[0])
    queue.wait_all()
    wall_s = time.perf_counter() - loop_start
    progress(len(live.latencies_ms), wall_s, collection[0])
    return LoopResult(wall_s, collection[0], len(queue))
