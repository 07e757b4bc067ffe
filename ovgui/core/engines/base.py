"""What every engine does for the runner, and the checks that an engine can take a request.

A new engine is one module and one entry in `capabilities.DECLARED`; its
class is an `Engine` and the runner calls it in this order:

1. ``Engine(config, core)``: every engine is made the same way (`create_engine`); `notes` (the
   settings it ignores) come from its declaration;
2. `compile` the model file for the device, then `first_inference` (the outputs, copied), then
   `begin_layers` (what per-layer reads need, outside the first inference's timing);
3. one image: `steady`, the timed loop: build it on `timed_loop.TimedLoop` so budget, Stop and
   progress behave as in every engine, and time only the inference in each step; a frame set:
   `pipeline`, frames in flight (`OneAtATime` where the engine runs one inference at a time);
4. `settings` (what it really used) and `info` (name, version, devices), `layers` (per-layer
   figures, with `profiler` holding the samples) and `findings` (what it knows about those layers
   beyond their times, as a value the runner puts on the report);
5. `release`, once the report is handed on.

What it cannot do is refused by its declaration before any of this (`check_engine_request`),
never by the engine half-way through a run.
"""

from __future__ import annotations

import importlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import openvino as ov

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.engines.capabilities import Capabilities, capabilities
from ovgui.core.engines.timed_loop import Budget, LoopResult, ProgressCallback
from ovgui.core.errors import OvguiError
from ovgui.core.events import LiveData
from ovgui.core.graph import RuntimeGraph
from ovgui.core.preprocess import PreparedInputs
from ovgui.core.profile import LayerProfiler
from ovgui.core.report import CompiledSettings, EngineInfo, LayerStats, Report, Roofline, RunConfig


@dataclass(frozen=True)
class Findings:
    """What an engine found about the measured layers beyond their times: the layers with their
    operations, bytes and efficiency (OpenVINO), the roofs they were judged against and what the
    judgement noted, the profiled session's own latencies (ONNX Runtime, PyTorch) and the executed graph
    (it travels with the run, not in the report).  Defaults are what a report has without them."""

    layers: list[LayerStats]
    flops_total: float | None = None
    rooflines: list[Roofline] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiled_first_ms: float = 0.0
    profiled_mean_ms: float = 0.0
    graph: RuntimeGraph | None = None

    @classmethod
    def of_profiled_pass(cls, layers: list[LayerStats], latencies_ms: list[float]) -> Findings:
        """A separate profiled pass's own latencies, what its per-layer figures add up against: its
        first run (the first-inference column) and the mean of the runs after it (the runs the
        layer means average)."""
        if not latencies_ms:
            return cls(layers)
        first, *steady = latencies_ms
        return cls(layers, profiled_first_ms=first, profiled_mean_ms=float(np.mean(steady)) if steady else first)

    def apply_to(self, report: Report) -> None:
        """The one place the findings reach a report (its notes after the run's own)."""
        report.layers = self.layers
        report.flops_total = self.flops_total
        report.rooflines = self.rooflines
        report.notes = [*report.notes, *self.notes]
        report.profile.profiled_first_ms = self.profiled_first_ms
        report.profile.profiled_mean_ms = self.profiled_mean_ms


class Engine(ABC):
    """One compiled model and how it runs (see the module's docstring for the order of calls).
    `profiler` holds the per-layer data whatever the engine, so the GUI reads samples the same way;
    `cancel` is the run's cancel flag (the runner hands over its own): work after the timed loop
    honours it too."""

    name: str

    def __init__(self, config: RunConfig, core: ov.Core) -> None:
        self.config = config
        self.core = core
        self.profiler = LayerProfiler()
        self.cancel = threading.Event()
        self.notes: list[str] = capabilities(self.name).ignored_notes(config)
        """The settings the user gave that this engine does not read, one note each."""

    @abstractmethod
    def compile(self, model: ov.Model, path: str, prepared: PreparedInputs, device: str) -> None:
        """`model` is what OpenVINO read from `path` (with in-graph preprocessing added in graph mode)."""

    @abstractmethod
    def first_inference(self) -> list[ModelOutput]:
        """Run once and return copies of the outputs."""

    @abstractmethod
    def begin_layers(self, prepared: PreparedInputs) -> None:
        """After the first inference, before the steady state: what per-layer reads need."""

    @abstractmethod
    def steady(self, budget: Budget, cancel: threading.Event, live: LiveData, progress: ProgressCallback) -> LoopResult:
        """The timed loop over one input; latencies go to `live`."""

    @abstractmethod
    def pipeline(self) -> Pipeline:
        """How a frame-by-frame pass hands frames to the compiled model."""

    @abstractmethod
    def layers(self, loop: LoopResult, steady_done: int) -> list[LayerStats]:
        """Per-layer figures once the loop is over (leaves the means in `profiler.means`)."""

    def findings(self, report: Report) -> Findings:
        """What the engine knows about `report`'s measured layers beyond their times; it reads the
        report (layers, profile, settings) and leaves it as it is.  Nothing by default."""
        return Findings(report.layers)

    def serving_target(self) -> tuple[ov.CompiledModel, dict[int, np.ndarray], int]:
        """The compiled model, the inputs its requests share and how many requests, for MLPerf
        LoadGen's scenarios (`ovgui.core.scenario`); only OpenVINO's engine has them (the
        `scenario` option refuses the others)."""
        raise OvguiError(f"the {self.name} engine cannot run a LoadGen scenario")

    @abstractmethod
    def settings(self, loop: LoopResult) -> CompiledSettings:
        """What the engine actually used, read back."""

    @abstractmethod
    def info(self) -> EngineInfo:
        """Name, version, and where it ran."""

    @abstractmethod
    def release(self) -> None:
        """Free the compiled model; called after the report is handed on."""


Finished = tuple[int, float, list[ModelOutput]]
"""A frame back from inference: its index, the engine's latency in ms, its outputs (copies)."""


class Pipeline(ABC):
    """Frames in flight: `submit` hands over a frame's arrays (blocking while every request is
    busy) and finished frames come back from `done()`; `end_reads` gives the per-layer reads once
    the pass is over (see `LoopResult.end_reads`)."""

    def __init__(self, end_reads: Callable[[], list[list]]):
        self.end_reads = end_reads

    @abstractmethod
    def submit(self, arrays: dict[int, np.ndarray], index: int) -> None: ...

    @abstractmethod
    def done(self) -> list[Finished]: ...

    @abstractmethod
    def wait(self) -> None: ...

    @property
    @abstractmethod
    def requests(self) -> int: ...


class OneAtATime(Pipeline):
    """One inference at a time: `submit` runs the frame there and then (`infer` returns its
    latency in ms and its outputs), so `done()` always has it."""

    def __init__(self, infer: Callable[[dict[int, np.ndarray]], tuple[float, list[ModelOutput]]],
                 end_reads: Callable[[], list[list]]):
        super().__init__(end_reads)
        self._infer = infer
        self._finished: list[Finished] = []

    def submit(self, arrays: dict[int, np.ndarray], index: int) -> None:
        self._finished.append((index, *self._infer(arrays)))

    def done(self) -> list[Finished]:
        finished, self._finished = self._finished, []
        return finished

    def wait(self) -> None:
        """Nothing is ever in flight."""

    @property
    def requests(self) -> int:
        return 1


def check_importable(declared: Capabilities) -> None:
    """Import an extra here, not only look for it: an install whose native library fails to load
    would otherwise end in a traceback when the engine is created."""
    if not declared.extra:
        return
    try:
        importlib.import_module(declared.extra)
    except ImportError as error:
        if isinstance(error, ModuleNotFoundError) and error.name == declared.extra:
            raise OvguiError(f"{declared.label} is not installed; install it with {declared.install}") from None
        raise OvguiError(f"{declared.label} cannot be loaded ({error}); reinstall it with {declared.install}") from None


def check_engine_request(config: RunConfig, model_path: str) -> None:
    """Refuse what an engine cannot do before any expensive work, in one line each (an unknown
    engine never gets here: the option's declaration refuses it)."""
    declared = capabilities(config.engine)
    check_importable(declared)
    refusal = declared.refusal(config, model_path)
    if refusal:
        raise OvguiError(refusal)


def create_engine(name: str, config: RunConfig, core: ov.Core) -> Engine:
    """Engine `name` as its declaration says to import it: its module is imported only now (ONNX
    Runtime is an extra)."""
    module, _, class_name = capabilities(name).engine.partition(":")
    engine: type[Engine] = getattr(importlib.import_module(module), class_name)
    return engine(config, core)
