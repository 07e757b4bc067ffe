"""One profiling session: read, compile, first inference, then N timed iterations.

Each phase is timed on its own and marked in the memory sampler.  Latency is
OpenVINO's own timer of each inference; the image is preprocessed before
anything is timed (unless the user asks for preprocessing in the graph).  The
per-layer counters are read after the first inference and at the end (see
`profile`), plus a live snapshot about once a second, outside the timed region,
and what those reads cost is reported.  The input tensors share memory with the
numpy arrays (no copy per iteration).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
import openvino as ov

from ovgui.core import events
from ovgui.core.decoders import class_count, decode, guess_family
from ovgui.core.decoders.base import DecodeOptions, DecodeResult, ModelOutput
from ovgui.core.decoders.labels import default_labels, labels_from_metadata, load_labels
from ovgui.core.devices import resolve_device, shared_core
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.image import LoadedImage, load_image
from ovgui.core.memory import MemorySampler
from ovgui.core.model import (
    check_model_path,
    describe_model,
    metadata_names,
    openvino_message,
    read_model,
    rt_text,
    static_dims,
)
from ovgui.core.preprocess import PreparedInputs, prepare_inputs, preprocessing_layers
from ovgui.core.options import validate
from ovgui.core.profile import LayerProfiler, totals_by_type
from ovgui.core.loops import Budget, LayerWatch, LoopResult, bind_inputs, run_async, run_sync
from ovgui.core.report import (
    CompiledSettings,
    DecoderInfo,
    DeviceInfo,
    LatencyStats,
    LayerStats,
    ProfileSummary,
    Report,
    RunConfig,
    Timings,
)

HINTS = {"latency": "LATENCY", "throughput": "THROUGHPUT", "cumulative_throughput": "CUMULATIVE_THROUGHPUT"}


@dataclass
class RunRequest:
    model_path: str
    image_path: str
    config: RunConfig = field(default_factory=RunConfig)
    is_demo: bool = False


def validate_config(config: RunConfig) -> None:
    """Reject settings that cannot make a run, before any expensive work, as the CLI and the window do."""
    validate(config)


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


class ProfileRun:
    """Runs one request; `cancel()` may be called from any thread and is honoured between iterations."""

    def __init__(
        self,
        request: RunRequest,
        on_event: events.EventCallback = events.ignore_event,
        live: events.LiveData | None = None,
        core: ov.Core | None = None,
    ):
        self.request = request
        self.live = live or events.LiveData()
        self._emit = on_event
        self._core = core or shared_core()
        self._cancel = threading.Event()
        self._notes: list[str] = []
        self.profiler = LayerProfiler()
        self._compiled: tuple[ov.CompiledModel, ov.InferRequest] | None = None

    def release(self) -> None:
        """Free the compiled model and its request; callers do it after handing the report on,
        because tearing down a compiled model takes tens of milliseconds."""
        if self._compiled is not None:
            compiled, _request = self._compiled
            self._compiled = None
            if hasattr(compiled, "release_memory"):
                compiled.release_memory()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> Report:
        config = self.request.config
        validate_config(config)
        device = resolve_device(config.device, self._core)
        check_model_path(self.request.model_path)
        image = load_image(self.request.image_path)
        with MemorySampler(self.live) as memory:
            self._memory = memory
            report = self._run_phases(image, device)
        report.memory = memory.report()
        report.notes = self._notes
        return report

    def _note(self, text: str) -> None:
        self._notes.append(text)
        self._emit(events.Note(text))

    def _begin(self, name: str) -> float:
        self._memory.begin_phase(name)
        self._emit(events.PhaseStarted(name, self._memory.now_s()))
        return time.perf_counter()

    def _end(self, name: str, started: float) -> float:
        duration_ms = (time.perf_counter() - started) * 1000.0
        self._emit(events.PhaseFinished(name, self._memory.now_s(), duration_ms))
        return duration_ms

    def _run_phases(self, image: LoadedImage, device: DeviceInfo) -> Report:
        config = self.request.config
        timings = Timings()

        started = self._begin("read_model")
        model = read_model(self._core, self.request.model_path)
        timings.read_model = self._end("read_model", started)
        info = describe_model(model, self.request.model_path, self.request.is_demo)
        family = self._family(model)
        labels = self._labels(model, family)

        started = self._begin("compile")
        prepared = prepare_inputs(model, image, family, info.format, config)
        for note in prepared.notes:
            self._note(note)
        compiled = self._compile(model, device.name)
        request = compiled.create_infer_request()
        bind_inputs(request, prepared.arrays)
        timings.compile = self._end("compile", started)
        self._raise_if_cancelled()

        started = self._begin("first_inference")
        self._infer(request)
        outputs = read_outputs(compiled, request)
        timings.first_inference = self._end("first_inference", started)
        self.live.first_inference_ms = timings.first_inference
        runtime_model = runtime_graph(compiled)
        if config.perf_counters:
            self._begin_layers(compiled, request, runtime_model, prepared)

        self._begin("steady_state")
        loop = self._steady_state(compiled, request, prepared)
        self._memory.end_phase()
        self._compiled = (compiled, request)

        report = Report(model=info, device=device, config=config, image=image.info, preprocess=prepared.info)
        report.timings_ms = timings
        self._add_measurements(report, compiled, loop, runtime_model)
        result = self._decode(outputs, prepared, family, labels)
        report.decoder = DecoderInfo(result.decoder, result.note)
        report.detections = result.detections
        report.classes = result.classes
        return report

    def _begin_layers(
        self, compiled: ov.CompiledModel, request: ov.InferRequest, runtime_model: ov.Model | None, prepared: PreparedInputs
    ) -> None:
        """The first inference's counters, and what they are: on one graph a request that never ran tells."""
        never_run = compiled.create_infer_request().get_profiling_info() if one_graph(compiled, self.request.config) else None
        preprocessing = preprocessing_layers(runtime_model, prepared) if runtime_model is not None else set()
        self.profiler.begin(request.get_profiling_info(), never_run, preprocessing)

    def _add_measurements(
        self, report: Report, compiled: ov.CompiledModel, loop: LoopResult, runtime_model: ov.Model | None
    ) -> None:
        """Latency, throughput, the settings OpenVINO used and the per-layer figures."""
        config = self.request.config
        report.compiled = read_compiled_settings(compiled, loop.requests)
        for note in adjusted_settings(config, report.compiled):
            self._note(note)
        latencies = list(self.live.latencies_ms)
        report.latency_ms = LatencyStats.from_samples(latencies)
        report.latency_ms.end_times_s = [t - self._memory.origin for t in self.live.iteration_end_times[: len(latencies)]]
        report.throughput_fps = throughput(len(latencies), loop, config.mode) * report.preprocess.batch
        report.completed = not self.cancelled
        if not config.perf_counters or self.profiler.first is None:
            return
        layers = self.profiler.finish(loop.end_reads, len(latencies), one_graph(compiled, config))
        report.layers = with_runtime_details(layers, runtime_model)
        report.layer_types = totals_by_type(report.layers)
        report.profile = profile_summary(report, self.profiler, loop, len(latencies))

    def _family(self, model: ov.Model) -> str:
        decoder = self.request.config.decoder
        if decoder not in ("auto", "none"):
            return decoder
        return guess_family(declared_outputs(model))

    def _labels(self, model: ov.Model, family: str) -> list[str] | None:
        if self.request.config.labels_path:
            return load_labels(self.request.config.labels_path)
        from_metadata = labels_from_metadata(metadata_names(model))
        if from_metadata:
            return from_metadata
        return default_labels(family, class_count(family, declared_outputs(model)), self.request.model_path)

    def _compile(self, model: ov.Model, device: str) -> ov.CompiledModel:
        try:
            return self._core.compile_model(model, device, compile_properties(self.request.config))
        except (RuntimeError, TypeError, ValueError) as error:
            raise OvguiError(f"cannot compile the model for {device}: {openvino_message(error)}") from None

    def _raise_if_cancelled(self) -> None:
        """Between phases: a stop during compilation discards the compiled model instead of running it."""
        if self._cancel.is_set():
            raise RunCancelled("run stopped before the first inference")

    @staticmethod
    def _infer(request: ov.InferRequest) -> None:
        try:
            request.infer()
        except RuntimeError as error:
            raise OvguiError(f"inference failed: {openvino_message(error)}") from None

    def _steady_state(self, compiled: ov.CompiledModel, request: ov.InferRequest, prepared: PreparedInputs) -> LoopResult:
        config = self.request.config
        budget = Budget(config.iterations, config.duration_s)
        watch = LayerWatch(self.profiler, one_graph(compiled, config)) if self.profiler.first is not None else None
        common = (prepared.arrays, config.shared_memory)
        loop_args = (budget, self._cancel, self.live, watch, self._progress)
        if config.mode == "throughput":
            nireq = config.nireq or int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
            return run_async(compiled, request, *common, nireq, *loop_args)
        return run_sync(request, *common, *loop_args)

    def _progress(self, done: int, elapsed_s: float, collection_s: float) -> None:
        budget = Budget(self.request.config.iterations, self.request.config.duration_s)
        inferring = elapsed_s - collection_s if self.request.config.mode == "latency" else elapsed_s
        fps = done / inferring if inferring > 0 else 0.0
        self._emit(events.Progress(done, budget.fraction(done, elapsed_s), elapsed_s, fps))

    def _decode(
        self, outputs: list[ModelOutput], prepared: PreparedInputs, family: str, labels: list[str] | None
    ) -> DecodeResult:
        config = self.request.config
        options = DecodeOptions(config.decoder, config.threshold, config.nms_iou, labels)
        return decode(first_of_batch(outputs, prepared.info.batch), prepared.geometry, options, family)


def adjusted_settings(config: RunConfig, used: CompiledSettings) -> list[str]:
    """Where OpenVINO quietly used something other than what was asked, say so."""
    asked_and_used = [
        ("precision", config.precision, used.inference_precision),
        ("streams", config.nstreams, used.num_streams),
        ("threads", config.nthreads, used.inference_num_threads),
    ]
    return [
        f"asked for {name} {asked}, OpenVINO used {used_value}"
        for name, asked, used_value in asked_and_used
        if asked is not None and used_value not in ("", 0) and str(asked) != str(used_value)
    ]


def throughput(frames: int, loop: LoopResult, mode: str) -> float:
    """Async: frames over wall time.  Sync: over the time spent inferring, without counter copying."""
    seconds = loop.wall_s if mode == "throughput" else loop.wall_s - loop.collection_s
    return frames / seconds if seconds > 0 else 0.0


def one_graph(compiled: ov.CompiledModel, config: RunConfig) -> bool:
    """Whether every inference ran on one graph (one stream, one request at a time in latency mode,
    or any number of requests on a single stream), so the aggregate counters can be differenced."""
    try:
        return int(compiled.get_property("NUM_STREAMS")) == 1
    except (RuntimeError, TypeError, ValueError):
        return config.mode == "latency" and effective_hint(config) == "latency"


def profile_summary(report: Report, profiler: LayerProfiler, loop: LoopResult, steady_inferences: int) -> ProfileSummary:
    means = profiler.means
    model_layers = [layer for layer in report.layers if not layer.is_preprocessing]
    return ProfileSummary(
        iterations_profiled=means.inferences,
        layers_sum_ms=sum((layer.real_time_ms for layer in model_layers), 0.0),
        latency_median_ms=report.latency_ms.median,
        collection_cost_ms=loop.collection_s * 1000.0 / max(steady_inferences, 1),
        counters=profiler.semantics,
        excludes_first_inference=means.excludes_first,
        rounding_error_ms=means.rounding_error_ms,
        method=means.method,
        distributions=profiler.iterations > 0,
        preprocess_sum_ms=sum((layer.real_time_ms for layer in report.layers if layer.is_preprocessing), 0.0),
    )


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


def declared_outputs(model: ov.Model) -> list[ModelOutput]:
    """The outputs as the model file declares them (-1 for dynamic dims), for choosing a decoder."""
    return [ModelOutput(sorted(port.get_names()), static_dims(port)) for port in model.outputs]


def read_outputs(compiled: ov.CompiledModel, request: ov.InferRequest) -> list[ModelOutput]:
    """Copies, because the request overwrites its output buffers on the next inference."""
    outputs = []
    for index, port in enumerate(compiled.outputs):
        data = np.array(request.get_output_tensor(index).data, copy=True)
        outputs.append(ModelOutput(sorted(port.get_names()), list(data.shape), data))
    return outputs


def first_of_batch(outputs: list[ModelOutput], batch: int) -> list[ModelOutput]:
    """Every image of a batch is the same picture: decode the first."""
    if batch <= 1:
        return outputs
    return [
        ModelOutput(out.names, [1, *out.shape[1:]], out.data[:1]) if out.shape and out.shape[0] == batch else out
        for out in outputs
    ]


def run_profile(request: RunRequest, on_event: events.EventCallback = events.ignore_event) -> Report:
    """Convenience for scripts and tests: one run, no cancellation."""
    run = ProfileRun(request, on_event)
    try:
        return run.run()
    finally:
        run.release()
