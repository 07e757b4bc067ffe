"""The steady-state loops: synchronous (one request, latency) and asynchronous (a queue, throughput).

Both fill the same append-only latency list, honour the same cancel flag and
budget, and hand per-layer counters to the same profiler, so the rest of the
engine does not care which mode ran.

Latency is OpenVINO's own per-request `latency`: the binding times the C++
inference with the GIL released, so a GUI thread holding the GIL when
`infer()` returns cannot inflate it.  Only without shared memory is it the
wall time of the call, because the input copy being compared happens before
OpenVINO's timer starts.  In async mode throughput is completed frames over
wall time; callbacks run on OpenVINO threads and only append.

Per-layer counters are not copied per inference where they are running means
(OpenVINO's CPU plugin): the loops only publish a live per-layer snapshot about
once a second, outside the timed region.  Only counters that hold each
inference's own figures are copied after each inference; in async mode, where
a request stays busy until its callback returns, within a 1% time budget.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import openvino as ov

from ovgui.core.events import LiveData
from ovgui.core.profile import LayerProfiler

ProgressCallback = Callable[[int, float, float], None]
PROGRESS_INTERVAL_S = 0.1
LIVE_LAYERS_INTERVAL_S = 1.0
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
    end_reads: list[list]


@dataclass
class LayerWatch:
    """The counters' side of a loop: which profiler, whether all requests share one graph (one
    stream), and when the live table was last refreshed."""

    profiler: LayerProfiler
    one_graph: bool
    last_publish_s: float = 0.0

    def publish_due(self, now_s: float) -> bool:
        if now_s - self.last_publish_s < LIVE_LAYERS_INTERVAL_S:
            return False
        self.last_publish_s = now_s
        return True

    def publish(self, request: ov.InferRequest, steady_done: int, live: LiveData) -> None:
        live.publish_layers(self.profiler.live_layers(request.get_profiling_info(), steady_done, self.one_graph))


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
    watch: LayerWatch | None,
    progress: ProgressCallback,
) -> LoopResult:
    """Without shared memory every `infer(arrays)` copies the inputs, as naive code does."""
    collection_s = 0.0
    loop_start = last_progress = time.perf_counter()
    if watch is not None:
        watch.last_publish_s = loop_start
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
        if watch is not None:
            if watch.profiler.records_each_inference:
                watch.profiler.record(request.get_profiling_info())
            if watch.publish_due(finished):
                watch.publish(request, live.iterations, live)
            collection_s += time.perf_counter() - finished
        elapsed = finished - loop_start
        if budget.reached(live.iterations, elapsed):
            break
        if finished - last_progress >= PROGRESS_INTERVAL_S:
            last_progress = finished
            progress(live.iterations, elapsed, collection_s)
    wall_s = time.perf_counter() - loop_start
    progress(live.iterations, wall_s, collection_s)
    return LoopResult(wall_s, collection_s, 1, end_reads(watch, [request]))


def end_reads(watch: LayerWatch | None, requests: list[ov.InferRequest]) -> list[list]:
    """Every request's counters once the loop is over (aggregate counters: one read per stream graph)."""
    return [] if watch is None else [request.get_profiling_info() for request in requests]


def run_async(
    compiled: ov.CompiledModel,
    idle_request: ov.InferRequest,
    arrays: dict[int, np.ndarray],
    shared_memory: bool,
    nireq: int,
    budget: Budget,
    cancel: threading.Event,
    live: LiveData,
    watch: LayerWatch | None,
    progress: ProgressCallback,
) -> LoopResult:
    """`idle_request` (the first inference's) is never queued: the live table reads its graph's
    counters while the queue's requests are busy."""
    queue = ov.AsyncInferQueue(compiled, nireq)
    if shared_memory:
        for request in queue:
            bind_inputs(request, arrays)
    collection = [0.0]
    lock = threading.Lock()
    loop_start = time.perf_counter()

    copies_each = watch is not None and watch.profiler.records_each_inference

    def completed(request: ov.InferRequest, _userdata: object) -> None:
        """OpenVINO frees the request only after this returns: copying counters here idles a stream.
        So per-inference counters are sampled while their copying stays within 1% of the elapsed time."""
        live.add_iteration(request.latency)
        started = time.perf_counter()
        if copies_each and collection[0] <= ASYNC_PROFILING_BUDGET * (started - loop_start):
            with lock:
                watch.profiler.record(request.get_profiling_info())
                collection[0] += time.perf_counter() - started

    queue.set_callback(completed)
    inputs = None if shared_memory else arrays
    submitted = 0
    last_progress_s = 0.0
    if watch is not None:
        watch.last_publish_s = loop_start
    while not cancel.is_set():
        now = time.perf_counter()
        elapsed = now - loop_start
        if budget.reached(submitted if budget.duration_s is None else live.iterations, elapsed):
            break
        queue.start_async(inputs)
        submitted += 1
        if elapsed - last_progress_s >= PROGRESS_INTERVAL_S:
            last_progress_s = elapsed
            progress(live.iterations, elapsed, collection[0])
        if watch is not None and not copies_each and watch.publish_due(now):
            watch.publish(idle_request, live.iterations, live)
            with lock:
                collection[0] += time.perf_counter() - now
    queue.wait_all()
    wall_s = time.perf_counter() - loop_start
    progress(live.iterations, wall_s, collection[0])
    return LoopResult(wall_s, collection[0], len(queue), end_reads(watch, [idle_request, *queue]))
