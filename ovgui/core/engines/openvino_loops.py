"""OpenVINO's steady-state loops: synchronous (one request, latency) and asynchronous (a queue, throughput).

Both run in the one timed loop (`timed_loop.TimedLoop`: budget, cancel, progress), fill the
same append-only latency list and hand per-layer counters to the same profiler, so the rest of
the engine does not care which mode ran.

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
from dataclasses import dataclass

import numpy as np
import openvino as ov

from ovgui.core.engines.timed_loop import Budget, LoopResult, ProgressCallback, TimedLoop
from ovgui.core.events import LiveData
from ovgui.core.profile import LayerProfiler

LIVE_LAYERS_INTERVAL_S = 1.0
ASYNC_PROFILING_BUDGET = 0.01


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
    """Without shared memory every `infer(arrays)` copies the inputs, as naive code does.  Copying
    counters and publishing the live table happen after the inference's interval."""
    loop = TimedLoop(budget, cancel, live, progress)
    if watch is not None:
        watch.last_publish_s = loop.start

    def step() -> tuple[float, int]:
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
            loop.collection_s += time.perf_counter() - finished
        return finished, live.iterations

    loop.run(step)
    return LoopResult(loop.finish(), loop.collection_s, 1, end_reads(watch, [request]))


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
    counters while the queue's requests are busy.  An iteration budget counts submissions, a
    time budget completions; the wall time starts once the queue exists and ends when it is empty."""
    queue = ov.AsyncInferQueue(compiled, nireq)
    if shared_memory:
        for request in queue:
            bind_inputs(request, arrays)
    lock = threading.Lock()
    loop = TimedLoop(budget, cancel, live, progress)
    recorder = watch.profiler if watch is not None and watch.profiler.records_each_inference else None
    publisher = watch if watch is not None and recorder is None else None

    def completed(request: ov.InferRequest, _userdata: object) -> None:
        """OpenVINO frees the request only after this returns: copying counters here idles a stream.
        So per-inference counters are sampled while their copying stays within 1% of the elapsed time."""
        live.add_iteration(request.latency)
        started = time.perf_counter()
        if recorder is not None and loop.collection_s <= ASYNC_PROFILING_BUDGET * (started - loop.start):
            with lock:
                recorder.record(request.get_profiling_info())
                loop.collection_s += time.perf_counter() - started

    queue.set_callback(completed)
    inputs = None if shared_memory else arrays
    submitted = 0
    if publisher is not None:
        publisher.last_publish_s = loop.start

    def submit() -> tuple[float, int]:
        nonlocal submitted
        queue.start_async(inputs)
        submitted += 1
        now = time.perf_counter()
        if publisher is not None and publisher.publish_due(now):
            publisher.publish(idle_request, live.iterations, live)
            with lock:
                loop.collection_s += time.perf_counter() - now
        return time.perf_counter(), submitted if budget.duration_s is None else live.iterations

    loop.run(submit)
    queue.wait_all()
    return LoopResult(loop.finish(), loop.collection_s, len(queue), end_reads(watch, [idle_request, *queue]))
