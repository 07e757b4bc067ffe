"""OpenVINO: compile with the user's properties, one request (latency) or an `AsyncInferQueue`
(throughput), per-layer figures from the plugin's counters (see `ovgui.core.profile`)."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import openvino as ov

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.engines.base import Engine, Findings, Finished, OneAtATime, Pipeline
from ovgui.core.engines.openvino_loops import LayerWatch, bind_inputs, run_async, run_sync
from ovgui.core.engines.timed_loop import Budget, LoopResult, ProgressCallback
from ovgui.core.errors import OvguiError
from ovgui.core.events import LiveData
from ovgui.core.flops import runtime_layer_costs, with_layer_costs
from ovgui.core.graph import runtime_graph as executed_graph
from ovgui.core.model import openvino_message, rt_text
from ovgui.core.preprocess import PreparedInputs, preprocessing_layers
from ovgui.core.report import CompiledSettings, EngineInfo, LayerStats, Report, Roofline, RunConfig
from ovgui.core.roofline import judge

HINTS = {"latency": "LATENCY", "throughput": "THROUGHPUT", "cumulative_throughput": "CUMULATIVE_THROUGHPUT"}


def effective_hint(config: RunConfig) -> str:
    """Like benchmark_app: without an explicit hint, the mode decides (sync -> latency, async -> throughput)."""
    return config.hint or config.mode


def compile_properties(config: RunConfig) -> dict[str, object]:
    properties: dict[str, object] = {}
    if config.perf_counters:
        properties["PERF_COUNT"] = True
    hint = effective_hint(config)
    if hint in HINTS:
        properties["PERFORMANCE_HINT"] = HINTS[hint]
    optional = {
        "INFERENCE_PRECISION_HINT": config.precision,
        "NUM_STREAMS": config.nstreams,
        "INFERENCE_NUM_THREADS": config.nthreads,
        "CACHE_DIR": config.cache_dir,
    }
    properties.update({key: value for key, value in optional.items() if value is not None})
    return properties


@dataclass
class _Compiled:
    """What `compile` made, until `release`: `model` is the very object compiled (the plugin
    numbers unnamed ops anew on every read, so layer costs come from it), `arrays` the inputs the
    request shares."""

    compiled: ov.CompiledModel
    model: ov.Model
    request: ov.InferRequest
    arrays: dict[int, np.ndarray]
    runtime_model: ov.Model | None = None
    queue: QueuePipeline | None = None

    def requests_for(self, config: RunConfig) -> int:
        return config.nireq or int(read_property(self.compiled, "OPTIMAL_NUMBER_OF_INFER_REQUESTS", 1))


class OpenVinoEngine(Engine):
    name = "openvino"

    def __init__(self, config: RunConfig, core: ov.Core):
        super().__init__(config, core)
        self._loaded: _Compiled | None = None

    @property
    def _ready(self) -> _Compiled:
        assert self._loaded is not None, "the runner compiles before it runs and releases last"
        return self._loaded

    def compile(self, model: ov.Model, path: str, prepared: PreparedInputs, device: str) -> None:
        try:
            compiled = self.core.compile_model(model, device, compile_properties(self.config))
        except (RuntimeError, TypeError, ValueError) as error:
            raise OvguiError(f"cannot compile the model for {device}: {openvino_message(error)}") from None
        self._loaded = _Compiled(compiled, model, compiled.create_infer_request(), prepared.arrays)
        bind_inputs(self._loaded.request, prepared.arrays)

    def first_inference(self) -> list[ModelOutput]:
        loaded = self._ready
        try:
            loaded.request.infer()
        except RuntimeError as error:
            raise OvguiError(f"inference failed: {openvino_message(error)}") from None
        return read_outputs(loaded.compiled, loaded.request)

    def begin_layers(self, prepared: PreparedInputs) -> None:
        """The first inference's counters, and what they are: on one graph a request that never ran tells."""
        loaded = self._ready
        loaded.runtime_model = runtime_graph(loaded.compiled)
        if not self.config.perf_counters:
            return
        never_run = loaded.compiled.create_infer_request().get_profiling_info() if self._one_graph() else None
        preprocessing = preprocessing_layers(loaded.runtime_model, prepared) if loaded.runtime_model is not None else set()
        self.profiler.begin(loaded.request.get_profiling_info(), never_run, preprocessing)

    def steady(self, budget: Budget, cancel: threading.Event, live: LiveData, progress: ProgressCallback) -> LoopResult:
        loaded = self._ready
        watch = LayerWatch(self.profiler, self._one_graph()) if self.profiler.first is not None else None
        shared = self.config.shared_memory
        if self.config.mode == "throughput":
            return run_async(loaded.compiled, loaded.request, loaded.arrays, shared, loaded.requests_for(self.config),
                             budget, cancel, live, watch, progress)
        return run_sync(loaded.request, loaded.arrays, shared, budget, cancel, live, watch, progress)

    def pipeline(self) -> Pipeline:
        """Latency mode: one request, frame after frame; throughput mode: a queue of them."""
        if self.config.mode != "throughput":
            return OneAtATime(self._infer, self._end_reads)
        loaded = self._ready
        loaded.queue = QueuePipeline(loaded.compiled, loaded.requests_for(self.config), loaded.arrays, self._end_reads)
        return loaded.queue

    def _infer(self, arrays: dict[int, np.ndarray]) -> tuple[float, list[ModelOutput]]:
        """The new pixels go into the arrays the request already shares, so nothing is rebound."""
        loaded = self._ready
        for index, array in arrays.items():
            np.copyto(loaded.arrays[index], array)
        if self.config.shared_memory:
            loaded.request.infer()
            return loaded.request.latency, read_outputs(loaded.compiled, loaded.request)
        started = time.perf_counter()
        loaded.request.infer(loaded.arrays)
        return (time.perf_counter() - started) * 1000.0, read_outputs(loaded.compiled, loaded.request)

    def _end_reads(self) -> list[list]:
        if self.profiler.first is None:
            return []
        loaded = self._ready
        queued = loaded.queue.infer_requests if loaded.queue is not None else []
        return [request.get_profiling_info() for request in [loaded.request, *queued]]

    def layers(self, loop: LoopResult, steady_done: int) -> list[LayerStats]:
        if self.profiler.first is None:
            return []
        layers = self.profiler.finish(loop.end_reads, steady_done, self._one_graph())
        return with_runtime_details(layers, self._ready.runtime_model)

    def findings(self, report: Report) -> Findings:
        """Operations and bytes per layer from the compiled model, efficiency against the device's
        measured roofs, and the runtime graph for the graph view.  A stopped run measures no roofs
        (that takes seconds the first time): Stop ends the run, not start more work."""
        loaded = self._ready
        if loaded.runtime_model is None or not report.layers:
            return Findings(report.layers)
        layers, flops_total = with_layer_costs(report.layers, runtime_layer_costs(loaded.model, loaded.runtime_model))
        rooflines: list[Roofline] = []
        notes: list[str] = []
        if self.config.roofline and not self.cancel.is_set():
            judgement = judge(replace(report, layers=layers, flops_total=flops_total))
            layers, rooflines, notes = judgement.judged(layers), judgement.rooflines, judgement.notes
        graph = executed_graph(loaded.runtime_model, layers)
        return Findings(layers, flops_total, rooflines, notes, graph=graph)

    def serving_target(self) -> tuple[ov.CompiledModel, dict[int, np.ndarray], int]:
        """A LoadGen test keeps several samples in flight whatever the mode: the device's optimum of requests unless set."""
        loaded = self._ready
        return loaded.compiled, loaded.arrays, loaded.requests_for(self.config)

    def settings(self, loop: LoopResult) -> CompiledSettings:
        return read_compiled_settings(self._ready.compiled, loop.requests)

    def info(self) -> EngineInfo:
        devices = read_property(self._ready.compiled, "EXECUTION_DEVICES", [])
        return EngineInfo(self.name, ov.get_version(), [str(device) for device in devices])

    def release(self) -> None:
        """Tearing down a compiled model takes tens of milliseconds: callers do it after the report is out."""
        loaded, self._loaded = self._loaded, None
        if loaded is not None and hasattr(loaded.compiled, "release_memory"):
            loaded.compiled.release_memory()

    def _one_graph(self) -> bool:
        """Whether every inference ran on one graph (one stream), so the aggregate counters can be differenced."""
        try:
            return int(self._ready.compiled.get_property("NUM_STREAMS")) == 1
        except (RuntimeError, TypeError, ValueError):
            return self.config.mode == "latency" and effective_hint(self.config) == "latency"


class QueuePipeline(Pipeline):
    """An `AsyncInferQueue` fed frame by frame.  Each request gets its own copy of the input
    arrays (so a frame being decoded never overwrites one in flight); the callback, on
    OpenVINO's thread, only copies the outputs out and appends."""

    def __init__(self, compiled: ov.CompiledModel, nireq: int, template: dict[int, np.ndarray],
                 end_reads: Callable[[], list[list]]):
        super().__init__(end_reads)
        self._queue = ov.AsyncInferQueue(compiled, nireq)
        self._compiled = compiled
        self._finished: collections.deque[Finished] = collections.deque()
        self._queue.set_callback(self._completed)
        self._template = template

    def submit(self, arrays: dict[int, np.ndarray], index: int) -> None:
        self._queue.start_async({**self._template, **arrays}, index)

    def done(self) -> list[Finished]:
        finished = []
        while self._finished:
            finished.append(self._finished.popleft())
        return finished

    def wait(self) -> None:
        self._queue.wait_all()

    @property
    def requests(self) -> int:
        return len(self._queue)

    @property
    def infer_requests(self) -> list[ov.InferRequest]:
        return list(self._queue)

    def _completed(self, request: ov.InferRequest, index: int) -> None:
        self._finished.append((index, request.latency, read_outputs(self._compiled, request)))


def read_property(compiled: ov.CompiledModel, name: str, default: Any) -> Any:
    """One property, or `default` where the device lacks it: the others are still read."""
    try:
        return compiled.get_property(name)
    except (RuntimeError, TypeError):
        return default


def read_compiled_settings(compiled: ov.CompiledModel, requests_used: int) -> CompiledSettings:
    precision = read_property(compiled, "INFERENCE_PRECISION_HINT", "")
    return CompiledSettings(
        performance_hint=str(read_property(compiled, "PERFORMANCE_HINT", "")),
        num_streams=int(read_property(compiled, "NUM_STREAMS", 0)),
        inference_num_threads=int(read_property(compiled, "INFERENCE_NUM_THREADS", 0)),
        inference_precision=precision.get_type_name() if isinstance(precision, ov.Type) else str(precision),
        optimal_requests=int(read_property(compiled, "OPTIMAL_NUMBER_OF_INFER_REQUESTS", 0)),
        requests_used=requests_used,
        execution_devices=[str(d) for d in read_property(compiled, "EXECUTION_DEVICES", [])],
        loaded_from_cache=bool(read_property(compiled, "LOADED_FROM_CACHE", False)),
        input_shapes={port.get_any_name(): str(port.get_partial_shape()) for port in compiled.inputs},
    )


def read_outputs(compiled: ov.CompiledModel, request: ov.InferRequest) -> list[ModelOutput]:
    """Copies, because the request overwrites its output buffers on the next inference."""
    outputs = []
    for index, port in enumerate(compiled.outputs):
        data = np.array(request.get_output_tensor(index).data, copy=True)
        outputs.append(ModelOutput(sorted(port.get_names()), list(data.shape), data))
    return outputs


def runtime_graph(compiled: ov.CompiledModel) -> ov.Model | None:
    try:
        return compiled.get_runtime_model()
    except RuntimeError:
        return None


def with_runtime_details(layers: list[LayerStats], runtime_model: ov.Model | None) -> list[LayerStats]:
    """Add what the executed graph says about each layer: precision, layouts, what was fused into it."""
    if runtime_model is None:
        return layers
    runtime_ops = {op.get_friendly_name(): op.get_rt_info() for op in runtime_model.get_ordered_ops()}
    for layer in layers:
        info = runtime_ops.get(layer.name)
        if info is None:
            continue
        layer.runtime_precision = rt_text(info, "runtimePrecision")
        layer.output_layouts = rt_text(info, "outputLayouts")
        layer.original_layers = [name for name in rt_text(info, "originalLayersNames").split(",") if name]
    return layers
