"""OpenVINO: compile with the user's properties, one request (latency) or an `AsyncInferQueue`
(throughput), per-layer figures from the plugin's counters (see `ovgui.core.profile`)."""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import replace

import numpy as np
import openvino as ov

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.engines.base import Engine, Findings, Pipeline
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


class OpenVinoEngine(Engine):
    name = "openvino"

    def __init__(self, config: RunConfig, core: ov.Core):
        super().__init__(config, core)
        self._compiled: ov.CompiledModel | None = None
        self._model: ov.Model | None = None
        self._request: ov.InferRequest | None = None
        self._arrays: dict[int, np.ndarray] = {}
        self._runtime_model: ov.Model | None = None
        self._queue: QueuePipeline | None = None

    def compile(self, model: ov.Model, path: str, prepared: PreparedInputs, device: str) -> None:
        try:
            self._compiled = self.core.compile_model(model, device, compile_properties(self.config))
        except (RuntimeError, TypeError, ValueError) as error:
            raise OvguiError(f"cannot compile the model for {device}: {openvino_message(error)}") from None
        self._model = model
        self._request = self._compiled.create_infer_request()
        self._arrays = prepared.arrays
        bind_inputs(self._request, prepared.arrays)

    def first_inference(self) -> list[ModelOutput]:
        try:
            self._request.infer()
        except RuntimeError as error:
            raise OvguiError(f"inference failed: {openvino_message(error)}") from None
        return read_outputs(self._compiled, self._request)

    def begin_layers(self, prepared: PreparedInputs) -> None:
        """The first inference's counters, and what they are: on one graph a request that never ran tells."""
        self._runtime_model = runtime_graph(self._compiled)
        if not self.config.perf_counters:
            return
        never_run = self._compiled.create_infer_request().get_profiling_info() if self._one_graph() else None
        preprocessing = preprocessing_layers(self._runtime_model, prepared) if self._runtime_model is not None else set()
        self.profiler.begin(self._request.get_profiling_info(), never_run, preprocessing)

    def steady(self, budget: Budget, cancel: threading.Event, live: LiveData, progress: ProgressCallback) -> LoopResult:
        watch = LayerWatch(self.profiler, self._one_graph()) if self.profiler.first is not None else None
        common = (self._arrays, self.config.shared_memory)
        loop_args = (budget, cancel, live, watch, progress)
        if self.config.mode == "throughput":
            nireq = self.config.nireq or int(self._compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
            return run_async(self._compiled, self._request, *common, nireq, *loop_args)
        return run_sync(self._request, *common, *loop_args)

    def infer(self, arrays: dict[int, np.ndarray]) -> tuple[float, list[ModelOutput]]:
        """The new pixels go into the arrays the request already shares, so nothing is rebound."""
        for index, array in arrays.items():
            np.copyto(self._arrays[index], array)
        if self.config.shared_memory:
            self._request.infer()
            return self._request.latency, read_outputs(self._compiled, self._request)
        started = time.perf_counter()
        self._request.infer(self._arrays)
        return (time.perf_counter() - started) * 1000.0, read_outputs(self._compiled, self._request)

    def pipeline(self) -> QueuePipeline | None:
        if self.config.mode != "throughput":
            return None
        nireq = self.config.nireq or int(self._compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        self._queue = QueuePipeline(self._compiled, nireq, self._arrays)
        return self._queue

    def end_reads(self) -> list[list]:
        if self.profiler.first is None:
            return []
        queued = list(self._queue.infer_requests) if self._queue is not None else []
        return [request.get_profiling_info() for request in [self._request, *queued]]

    def layers(self, loop: LoopResult, steady_done: int) -> list[LayerStats]:
        if self.profiler.first is None:
            return []
        layers = self.profiler.finish(loop.end_reads, steady_done, self._one_graph())
        return with_runtime_details(layers, self._runtime_model)

    def findings(self, report: Report) -> Findings:
        """Operations and bytes per layer from the compiled model (the very object compiled: the
        plugin numbers unnamed ops anew on every read), efficiency against the device's measured
        roofs, and the runtime graph for the graph view.  A stopped run measures no roofs (that
        takes seconds the first time): Stop ends the run, not start more work."""
        if self._runtime_model is None or self._model is None or not report.layers:
            return Findings(report.layers)
        layers, flops_total = with_layer_costs(report.layers, runtime_layer_costs(self._model, self._runtime_model))
        rooflines: list[Roofline] = []
        notes: list[str] = []
        if self.config.roofline and not self.cancel.is_set():
            judgement = judge(replace(report, layers=layers, flops_total=flops_total))
            layers, rooflines, notes = judgement.judged(layers), judgement.rooflines, judgement.notes
        graph = executed_graph(self._runtime_model, layers)
        return Findings(layers, flops_total, rooflines, notes, graph=graph)

    def settings(self, loop: LoopResult) -> CompiledSettings:
        return read_compiled_settings(self._compiled, loop.requests)

    def info(self) -> EngineInfo:
        devices = self.settings_property("EXECUTION_DEVICES", [])
        return EngineInfo("OpenVINO", ov.get_version(), [str(device) for device in devices])

    def settings_property(self, name: str, default: object) -> object:
        try:
            return self._compiled.get_property(name)
        except (RuntimeError, TypeError):
            return default

    def release(self) -> None:
        """Tearing down a compiled model takes tens of milliseconds: callers do it after the report is out."""
        compiled, self._compiled, self._request, self._runtime_model, self._queue = self._compiled, None, None, None, None
        self._model = None
        if compiled is not None and hasattr(compiled, "release_memory"):
            compiled.release_memory()

    def _one_graph(self) -> bool:
        """Whether every inference ran on one graph (one stream), so the aggregate counters can be differenced."""
        try:
            return int(self._compiled.get_property("NUM_STREAMS")) == 1
        except (RuntimeError, TypeError, ValueError):
            return self.config.mode == "latency" and effective_hint(self.config) == "latency"


class QueuePipeline(Pipeline):
    """An `AsyncInferQueue` fed frame by frame.  Each request gets its own copy of the input
    arrays (so a frame being decoded never overwrites one in flight); the callback, on
    OpenVINO's thread, only copies the outputs out and appends."""

    def __init__(self, compiled: ov.CompiledModel, nireq: int, template: dict[int, np.ndarray]):
        self._queue = ov.AsyncInferQueue(compiled, nireq)
        self._compiled = compiled
        self._finished: collections.deque = collections.deque()
        self._queue.set_callback(self._completed)
        self._template = template

    def submit(self, arrays: dict[int, np.ndarray], index: int) -> None:
        self._queue.start_async({**self._template, **arrays}, index)

    def done(self) -> list[tuple[int, float, list[ModelOutput]]]:
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


def read_compiled_settings(compiled: ov.CompiledModel, requests_used: int) -> CompiledSettings:
    """Each property is read on its own: a device that lacks one still reports the others."""

    def read(name: str, default: object) -> object:
        try:
            return compiled.get_property(name)
        except (RuntimeError, TypeError):
            return default

    precision = read("INFERENCE_PRECISION_HINT", "")
    return CompiledSettings(
        performance_hint=str(read("PERFORMANCE_HINT", "")),
        num_streams=int(read("NUM_STREAMS", 0)),
        inference_num_threads=int(read("INFERENCE_NUM_THREADS", 0)),
        inference_precision=precision.get_type_name() if isinstance(precision, ov.Type) else str(precision),
        optimal_requests=int(read("OPTIMAL_NUMBER_OF_INFER_REQUESTS", 0)),
        requests_used=requests_used,
        execution_devices=[str(d) for d in read("EXECUTION_DEVICES", [])],
        loaded_from_cache=bool(read("LOADED_FROM_CACHE", False)),
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
