"""One profiling session: read, compile, first inference, then N timed iterations.

Each phase is timed on its own and marked in the memory sampler, the same way
whichever engine runs the model (`ovgui.core.engines`).  OpenVINO reads the
model for both engines, so the inputs, the preprocessing and the decoders are
shared; the image is preprocessed before anything is timed (unless the user
asks for preprocessing in the graph).  How each engine times inferences and
reads per-layer figures is the engine's, and the report says what it did.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import TypeVar

import numpy as np
import openvino as ov

from ovgui.core import events
from ovgui.core.accuracy import LabelledSet, read_labelled_set
from ovgui.core.blocking import call
from ovgui.core.decoders.base import DecodeOptions, ModelOutput
from ovgui.core.decoders.families import class_count, guess_family
from ovgui.core.decoders.labels import default_labels, labels_from_metadata, load_labels
from ovgui.core.decoders.output_decoder import OutputDecoder
from ovgui.core.decoders.user import UserDecoder, load_user_decoder
from ovgui.core.devices import resolve_device, shared_core
from ovgui.core.engines.base import Engine, check_engine_request, create_engine
from ovgui.core.engines.capabilities import capabilities
from ovgui.core.engines.timed_loop import Budget, LoopResult
from ovgui.core.environment import environment_info
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.frame_pass import FramePass, summarize
from ovgui.core.geometry import Geometry
from ovgui.core.graph import RuntimeGraph
from ovgui.core.inputs import Frame, FrameSource, open_source
from ovgui.core.memory import MemorySampler
from ovgui.core.memory_estimate import check_memory
from ovgui.core.model import check_model_path, describe_model, metadata_names, read_model, static_dims
from ovgui.core.options import validate
from ovgui.core.outcome import RunOutcome
from ovgui.core.outputs import output_stats
from ovgui.core.preprocess import prepare_inputs
from ovgui.core.profile import LayerProfiler, totals_by_type
from ovgui.core.report import (
    CompiledSettings,
    DecoderInfo,
    DeviceInfo,
    ProfileSummary,
    Report,
    RunConfig,
    ScenarioResult,
    Timings,
)
from ovgui.core.scenario import ServingTarget, require_loadgen, serve
from ovgui.core.shape_runs import run_each_shape
from ovgui.core.torch_model import convert, is_torch_file, load_torch_model

log = logging.getLogger(__name__)
T = TypeVar("T")
STEADY_GRACE_S = 1.0


@dataclass
class RunRequest:
    """`image_path` is an image, a folder, a glob or a video; `more_images` are further files of a set."""

    model_path: str
    image_path: str
    config: RunConfig = field(default_factory=RunConfig)
    is_demo: bool = False
    more_images: tuple[str, ...] = ()


def validate_config(config: RunConfig) -> None:
    """Reject settings that cannot make a run, before any expensive work, as the CLI and the window do."""
    validate(config)


class ProfileRun:
    """Runs one request; `cancel()` may be called from any thread and is honoured between iterations.

    `cancel` may be an event shared with other runs (a comparison's configurations), so that
    one stop ends the run under way and every run still to come."""

    def __init__(
        self,
        request: RunRequest,
        on_event: events.EventCallback = events.ignore_event,
        live: events.LiveData | None = None,
        core: ov.Core | None = None,
        cancel: threading.Event | None = None,
    ):
        self.request = request
        self.live = live or events.LiveData()
        self._emit = on_event
        self._core = core or shared_core()
        self._cancel = cancel or threading.Event()
        self._notes: list[str] = []
        self._user_decoder: UserDecoder | None = None
        self._labelled: LabelledSet | None = None
        self.engine: Engine | None = None
        self.partial: Report | None = None
        """The report once its measurements are in, before decoding: what a run stopped at once can still write."""
        self.walked_away = False
        """Whether a stop left a compile or an inference still running on its thread."""
        self._scenario: ScenarioResult | None = None

    def release(self) -> None:
        """Free the compiled model; callers do it after handing the report on, because tearing
        down a compiled model takes tens of milliseconds.  An inference walked away from still
        uses it: it goes with that thread's last reference instead."""
        if self.engine is not None and not self.walked_away:
            self.engine.release()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> RunOutcome:
        config = self.request.config
        log.info("run: %s on %s, device %s, engine %s, mode %s",
                 self.request.model_path, self.request.image_path, config.device, config.engine, config.mode)
        validate_config(config)
        if config.data_shapes:
            return run_each_shape(self.request, self._run_shape, self._emit, self._cancel)
        check_engine_request(config, self.request.model_path)
        device = resolve_device(config.device, self._core)
        check_model_path(self.request.model_path)
        if config.decoder_file:
            self._user_decoder = load_user_decoder(config.decoder_file, config.decoder_timeout_s, self._cancel)
        if config.scenario:
            require_loadgen()
        source = open_source([self.request.image_path, *self.request.more_images], config.frames, config.stride)
        if config.scenario and source.is_set:
            raise OvguiError(f"--scenario runs LoadGen on one image's input, not on {source.description}")
        if config.accuracy:
            self._labelled = read_labelled_set(config.accuracy, source)
        frames = source.frames()
        first = next(frames, None)
        if first is None:
            raise OvguiError(f"{source.description} holds no {'frames' if source.kind == 'video' else 'images'} OpenCV can read")
        engine = self.engine = create_engine(config.engine, config, self._core)
        engine.cancel = self._cancel
        with MemorySampler(self.live) as memory:
            self._memory = memory
            report, outputs, geometry, mask, graph = self._run_phases(engine, source, first, frames, device)
            report.timings_ms.release = self._release_phase(engine)
        report.memory = memory.report()
        report.notes = [*self._notes, *source.notes, *report.notes]  # the engine's own (roofs) last
        report.environment = environment_info()
        log.info("run %s: latency median %.3f ms over %d iterations", "completed" if report.completed else "stopped",
                 report.latency_ms.median, report.latency_ms.count)
        return RunOutcome.measured(report, outputs, geometry, mask, engine.profiler, graph)

    def _release_phase(self, engine: Engine) -> float:
        """The compiled model freed (`CompiledModel.release_memory()` first, where the device has
        it) as a phase of its own: its RSS after says how much of the run's memory the process
        gets back (openvinotoolkit/openvino #11939: not all of it).  A run stopped before its
        results never gets here; `release` frees it afterwards."""
        started = self._begin("release")
        engine.release()
        gc.collect()
        duration_ms = self._end("release", started)
        self._memory.end_phase()
        return duration_ms

    def _run_shape(self, request: RunRequest) -> RunOutcome:
        """One shape of a `--data-shape` list as a run of its own (`shape_runs`); the window's live
        data follows the first, whose outcome it shows."""
        live = events.LiveData() if self.partial else self.live
        run = ProfileRun(request, self._emit, live, self._core, self._cancel)
        try:
            return run.run()
        finally:
            self.partial, self.walked_away = run.partial or self.partial, run.walked_away
            run.release()

    def _note(self, text: str) -> None:
        self._notes.append(text)
        self._emit(events.Note(text))

    def _begin(self, name: str) -> float:
        self._memory.begin_phase(name)
        self._emit(events.PhaseStarted(name, self._memory.now_s()))
        return time.perf_counter()

    def _end(self, name: str, started: float, duration_ms: float | None = None) -> float:
        """`duration_ms` when the phase was timed where it ran (on its own thread), else since `started`."""
        if duration_ms is None:
            duration_ms = (time.perf_counter() - started) * 1000.0
        self._emit(events.PhaseFinished(name, self._memory.now_s(), duration_ms))
        return duration_ms

    def _run_phases(self, engine: Engine, source: FrameSource, first: Frame, frames: Iterator[Frame],
                    device: DeviceInfo) -> tuple[Report, list[ModelOutput], Geometry, np.ndarray | None, RuntimeGraph | None]:
        """A single image runs the steady loop on itself; a set or a video runs frame by frame.
        Returns the report with the first inference's outputs, the image's fit, the decoder's mask
        and the executed graph."""
        config = self.request.config
        timings = Timings()
        image = first.image

        model = self._read_model(timings)
        info = describe_model(model, self.request.model_path, self.request.is_demo)
        family = self._family(model)
        labels = self._labels(model, family)
        scoring = self._labelled.matched(labels, "" if self._user_decoder else family) if self._labelled else None
        check_memory(model, image, config)

        started = self._begin("compile")
        prepared = prepare_inputs(model, image, family, info.format, config)
        for note in [*prepared.notes, *engine.notes]:
            self._note(note)
        compile_model = partial(engine.compile, model, self.request.model_path, prepared, device.name)
        del model
        self._abandonable(compile_model, "ovgui-compile", "run stopped during compilation")
        del compile_model
        timings.compile = self._end("compile", started)
        self._raise_if_cancelled()

        started = self._begin("first_inference")
        outputs, first_ms = self._abandonable(lambda: timed(engine.first_inference), "ovgui-first-inference",
                                              "run stopped during the first inference")
        timings.first_inference = self._end("first_inference", started, first_ms)
        self.live.first_inference_ms = timings.first_inference
        engine.begin_layers(prepared)

        steady_started = self._begin("steady_state")
        budget = Budget(config.iterations, config.duration_s)
        decoder = OutputDecoder(self._decode_options(labels), family, prepared.info.batch, self._user_decoder, self._cancel)
        if source.is_set:
            frame_pass = FramePass(engine, prepared, decoder)
            per_image, loop = frame_pass.run(chain([first], frames), budget, self._cancel, self.live, self._progress)
        elif config.scenario:
            per_image, loop = [], self._serve(engine, timings.first_inference)
        else:
            per_image, loop = [], self._steady(engine, budget, steady_started)
        results_started = self._begin("results")

        report = Report(model=info, device=device, config=config, image=image.info, preprocess=prepared.info)
        report.engine = engine.info()
        report.timings_ms = timings
        graph = self._add_measurements(engine, report, loop)
        report.scenario = self._scenario
        self.partial = report
        result = decoder(outputs, prepared.geometry)
        report.decoder = DecoderInfo(result.decoder, result.note, result.suggestions)
        report.text = result.text
        report.detections = result.detections
        report.classes = result.classes
        report.segments = result.segments
        report.outputs = output_stats(outputs)
        if source.is_set:
            report.per_image = per_image
            report.frame_set = summarize(source, per_image, loop, first.decode_ms)
            report.throughput_fps = report.frame_set.end_to_end_fps
        if scoring is not None:
            report.accuracy = scoring.score(report)
        self._end("results", results_started)
        self._memory.end_phase()
        return report, outputs, prepared.geometry, result.mask, graph

    def _read_model(self, timings: Timings) -> ov.Model:
        """A PyTorch file is read by torch, then converted by OpenVINO in a phase of its own: the
        conversion's time and memory are what a user saves by shipping an IR."""
        path = self.request.model_path
        started = self._begin("read_model")
        if not is_torch_file(path):
            model = read_model(self._core, path)
            timings.read_model = self._end("read_model", started)
            return model
        torch_model = load_torch_model(check_model_path(path))
        timings.read_model = self._end("read_model", started)
        started = self._begin("convert")
        model = convert(torch_model)
        del torch_model
        timings.convert = self._end("convert", started)
        return model

    def _abandonable(self, function: Callable[[], T], name: str, stopped: str) -> T:
        """`function()` on a thread a stop walks away from at once (`RunCancelled(stopped)`)."""
        try:
            return call(function, self._cancel, name=name, stopped=stopped)
        except RunCancelled:
            self.walked_away = True
            raise

    def _steady(self, engine: Engine, budget: Budget, started: float) -> LoopResult:
        """The timed loop, on a thread of its own: it ends at the next iteration once stopped, but
        one inference can take minutes (ONNX Runtime with a thousand threads on two cores), so
        `STEADY_GRACE_S` after a stop the run walks away with the iterations done so far."""
        try:
            return call(lambda: engine.steady(budget, self._cancel, self.live, self._progress), self._cancel,
                        name="ovgui-steady", grace_s=STEADY_GRACE_S)
        except RunCancelled:
            self.walked_away = True
            self._note(f"stopped inside an inference still running {STEADY_GRACE_S:g} s later: "
                       "the figures cover the iterations done, without per-layer figures")
            return LoopResult(time.perf_counter() - started, 0.0, 1, [])

    def _serve(self, engine: Engine, first_ms: float) -> LoopResult:
        """MLPerf LoadGen's test in place of the timed loop (`ovgui.core.scenario`): its figures go
        to `report.scenario`; the run's latency is OpenVINO's own latency of each inference LoadGen
        issued, its throughput those inferences over the LoadGen tests' wall time."""
        compiled, arrays, requests = engine.serving_target()
        served = serve(self.request.config, ServingTarget(compiled, arrays, requests, first_ms), self.live, self._cancel)
        self._scenario = served.result
        self._note(f"measured by MLPerf LoadGen ({served.result.scenario or self.request.config.scenario}, "
                   f"{len(served.trials)} test{'s' if len(served.trials) != 1 else ''}): the latency figures are "
                   f"OpenVINO's own latency of the {served.inferences} inferences LoadGen issued, without LoadGen's "
                   "queueing; LoadGen's own percentiles (issue to completion) are in its summary; "
                   "per-layer figures are not collected during a LoadGen test")
        return LoopResult(served.wall_s, 0.0, requests, [])

    def _add_measurements(self, engine: Engine, report: Report, loop: LoopResult) -> RuntimeGraph | None:
        """Latency, throughput, the settings the engine used and the per-layer figures; returns the
        executed graph where the engine has one."""
        config = self.request.config
        report.compiled = engine.settings(loop)
        for note in adjusted_settings(config, report.compiled, capabilities(config.engine).label):
            self._note(note)
        report.latency_ms = self.live.latency_stats(keep_samples=True)
        report.latency_ms.read_at(config.latency_percentile)
        ends = self.live.iteration_end_times[: len(report.latency_ms.samples)]
        report.latency_ms.end_times_s = [t - self._memory.origin for t in ends]
        if report.latency_ms.sampled:
            self._note(report.latency_ms.history_text())
        iterations = self.live.iterations
        mode = "throughput" if config.scenario else config.mode
        report.throughput_fps = throughput(iterations, loop, mode) * report.preprocess.batch
        report.completed = not self.cancelled
        report.layers = [] if self.walked_away or config.scenario else engine.layers(loop, iterations)
        if report.layers:
            report.layer_types = totals_by_type(report.layers)
            return self._add_layer_figures(engine, report, loop, iterations)
        return None

    def _add_layer_figures(self, engine: Engine, report: Report, loop: LoopResult, iterations: int) -> RuntimeGraph | None:
        """The profile summary, then what the engine measured beyond the layers' times; the
        executed graph (OpenVINO) travels with the outcome, not in the report."""
        report.profile = profile_summary(report, engine.profiler, loop, iterations)
        findings = engine.findings(report)
        findings.apply_to(report)
        return findings.graph

    def _decode_options(self, labels: list[str] | None) -> DecodeOptions:
        config = self.request.config
        return DecodeOptions(config.decoder, config.threshold, config.nms_iou, labels, config.min_area_px,
                             config.map_channel, config.map_output)

    def _family(self, model: ov.Model) -> str:
        return model_family(model, self.request.config.decoder)

    def _labels(self, model: ov.Model, family: str) -> list[str] | None:
        if self.request.config.labels_path:
            return load_labels(self.request.config.labels_path)
        from_metadata = labels_from_metadata(metadata_names(model))
        if from_metadata:
            return from_metadata
        return default_labels(family, class_count(family, declared_outputs(model)), self.request.model_path)

    def _raise_if_cancelled(self) -> None:
        """Between phases: a stop during compilation discards the compiled model instead of running it."""
        if self._cancel.is_set():
            raise RunCancelled("run stopped before the first inference")

    def _progress(self, done: int, elapsed_s: float, collection_s: float) -> None:
        budget = Budget(self.request.config.iterations, self.request.config.duration_s)
        inferring = elapsed_s - collection_s if self.request.config.mode == "latency" else elapsed_s
        fps = done / inferring if inferring > 0 else 0.0
        self._emit(events.Progress(done, budget.fraction(done, elapsed_s), elapsed_s, fps))


def adjusted_settings(config: RunConfig, used: CompiledSettings, engine: str) -> list[str]:
    """Where the engine quietly used something other than what was asked, say so."""
    asked_and_used = [
        ("precision", config.precision, used.inference_precision),
        ("streams", config.nstreams, used.num_streams),
        ("threads", config.nthreads, used.inference_num_threads),
    ]
    return [
        f"asked for {name} {asked}, {engine} used {used_value}"
        for name, asked, used_value in asked_and_used
        if asked is not None and used_value not in ("", 0) and str(asked) != str(used_value)
    ]


def throughput(frames: int, loop: LoopResult, mode: str) -> float:
    """Async: frames over wall time.  Sync: over the time spent inferring, without counter copying."""
    seconds = loop.wall_s if mode == "throughput" else loop.wall_s - loop.collection_s
    return frames / seconds if seconds > 0 else 0.0


def profile_summary(report: Report, profiler: LayerProfiler, loop: LoopResult, steady_inferences: int) -> ProfileSummary:
    means = profiler.means
    assert means is not None, "the engine's layers() sets the means the summary reads"
    model_layers = [layer for layer in report.layers if not layer.is_preprocessing]
    return ProfileSummary(
        iterations_profiled=means.inferences,
        layers_sum_ms=sum((layer.real_time_ms for layer in model_layers), 0.0),
        latency_median_ms=report.latency_ms.median,
        latency_mean_ms=report.latency_ms.mean,
        collection_cost_ms=loop.collection_s * 1000.0 / max(steady_inferences, 1),
        counters=profiler.semantics,
        excludes_first_inference=means.excludes_first,
        rounding_error_ms=means.rounding_error_ms,
        method=means.method,
        distributions=profiler.iterations > 0,
        preprocess_sum_ms=sum((layer.real_time_ms for layer in report.layers if layer.is_preprocessing), 0.0),
    )


def model_family(model: ov.Model, decoder: str) -> str:
    """The decoder family a run picks for `model`: the one asked for, else guessed from its outputs
    (the preprocessing recipe follows it)."""
    if decoder not in ("auto", "none"):
        return decoder
    return guess_family(declared_outputs(model))


def declared_outputs(model: ov.Model) -> list[ModelOutput]:
    """The outputs as the model file declares them (-1 for dynamic dims), for choosing a decoder."""
    return [ModelOutput(sorted(port.get_names()), static_dims(port)) for port in model.outputs]


def timed(function: Callable[[], T]) -> tuple[T, float]:
    """`function()` and its wall time in ms, taken on the thread that runs it."""
    started = time.perf_counter()
    result = function()
    return result, (time.perf_counter() - started) * 1000.0


def run_profile(request: RunRequest, on_event: events.EventCallback = events.ignore_event) -> RunOutcome:
    """Convenience for scripts and tests: one run, no cancellation."""
    run = ProfileRun(request, on_event)
    try:
        return run.run()
    finally:
        run.release()
