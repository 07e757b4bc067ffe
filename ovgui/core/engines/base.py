"""What every engine does for the runner, and the checks that an engine can take a request."""

from __future__ import annotations

import importlib
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np
import openvino as ov

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.errors import OvguiError
from ovgui.core.events import LiveData
from ovgui.core.graph import RuntimeGraph
from ovgui.core.loops import Budget, LoopResult, ProgressCallback
from ovgui.core.preprocess import PreparedInputs
from ovgui.core.profile import LayerProfiler
from ovgui.core.report import CompiledSettings, EngineInfo, LayerStats, Report, RunConfig

INSTALL_ONNXRUNTIME = "pip install 'ovgui[onnxruntime]'"


class Engine(ABC):
    """One compiled model and how it runs: compile (session creation), a first inference, a
    steady loop, per-layer figures and the settings it really used.  `profiler` holds the
    per-layer data whatever the engine, so the GUI reads samples the same way; `graph` is the
    executed graph where the engine has one (it travels with the run, not in the report)."""

    name: str

    def __init__(self) -> None:
        self.profiler = LayerProfiler()
        self.graph: RuntimeGraph | None = None
        self.notes: list[str] = []
        """What the user should know about how this engine runs the request, said before compiling."""
        self.cancel = threading.Event()
        """The run's cancel flag (the runner hands over its own): work after the timed loop honours it too."""

    @abstractmethod
    def compile(self, model: ov.Model, path: str, prepared: PreparedInputs, device: str) -> None:
        """`model` is what OpenVINO read from `path` (with in-graph preprocessing added in graph mode)."""

    @abstractmethod
    def first_inference(self) -> list[ModelOutput]:
        """Run once and return copies of the outputs."""

    def begin_layers(self, prepared: PreparedInputs) -> None:
        """After the first inference, before the steady state: what per-layer reads need."""

    @abstractmethod
    def steady(self, budget: Budget, cancel: threading.Event, live: LiveData, progress: ProgressCallback) -> LoopResult:
        """The timed loop over one input; latencies go to `live`."""

    @abstractmethod
    def infer(self, arrays: dict[int, np.ndarray]) -> tuple[float, list[ModelOutput]]:
        """One inference on new input arrays (the next frame): its latency in ms and its outputs."""

    def pipeline(self) -> Pipeline | None:
        """Requests in flight for a frame-by-frame pass (throughput mode), or None where the
        engine runs one inference at a time."""
        return None

    def end_reads(self) -> list[list]:
        """Per-layer reads once a frame-by-frame pass is over (see `LoopResult.end_reads`)."""
        return []

    @abstractmethod
    def layers(self, loop: LoopResult, steady_done: int) -> list[LayerStats]:
        """Per-layer figures once the loop is over (leaves the means in `profiler.means`)."""

    def annotate(self, report: Report) -> None:
        """What the engine's graph tells about the measured layers beyond their times (OpenVINO:
        operations, bytes, efficiency, the runtime graph); nothing by default."""

    @abstractmethod
    def settings(self, loop: LoopResult) -> CompiledSettings:
        """What the engine actually used, read back."""

    @abstractmethod
    def info(self) -> EngineInfo:
        """Name, version, and where it ran."""

    def release(self) -> None:
        """Free the compiled model; called after the report is handed on."""


class Pipeline(ABC):
    """Frames in flight: `submit` hands over a frame's arrays (blocking while every request is
    busy) and finished frames come back from `done()` as (frame index, latency ms, outputs)."""

    @abstractmethod
    def submit(self, arrays: dict[int, np.ndarray], index: int) -> None: ...

    @abstractmethod
    def done(self) -> list[tuple[int, float, list[ModelOutput]]]: ...

    @abstractmethod
    def wait(self) -> None: ...

    @property
    @abstractmethod
    def requests(self) -> int: ...


def check_onnxruntime_importable() -> None:
    """Import it here, not only look for it: an install whose native library fails to load would
    otherwise end in a traceback when the engine is created."""
    try:
        importlib.import_module("onnxruntime")
    except ImportError as error:
        if isinstance(error, ModuleNotFoundError) and error.name == "onnxruntime":
            raise OvguiError(f"ONNX Runtime is not installed; install it with {INSTALL_ONNXRUNTIME}") from None
        raise OvguiError(f"ONNX Runtime cannot be loaded ({error}); reinstall it with {INSTALL_ONNXRUNTIME}") from None


def check_engine_request(config: RunConfig, model_path: str) -> None:
    """Refuse what an engine cannot do before any expensive work, in one line each (an unknown
    engine never gets here: the option's declaration refuses it)."""
    if config.engine != "onnxruntime":
        return
    check_onnxruntime_importable()
    if Path(model_path).suffix.lower() != ".onnx":
        raise OvguiError(f"ONNX Runtime reads ONNX models (.onnx), not {Path(model_path).name}; use --engine openvino")
    if config.device.upper() != "CPU":
        raise OvguiError(f"ONNX Runtime runs here on the CPU (CPUExecutionProvider), not on {config.device}")
    if config.preprocess == "graph":
        raise OvguiError("preprocessing in the graph is OpenVINO's (PrePostProcessor); use --preprocess host with ONNX Runtime")
    if config.mode != "latency":
        raise OvguiError("ONNX Runtime runs in latency mode here (one synchronous run at a time); use --mode latency")


def create_engine(name: str, config: RunConfig, core: ov.Core) -> Engine:
    """The engine the user chose, its module imported only now (ONNX Runtime is an extra)."""
    if name == "onnxruntime":
        from ovgui.core.engines.onnxruntime import OnnxRuntimeEngine

        return OnnxRuntimeEngine(config)
    from ovgui.core.engines.openvino import OpenVinoEngine

    return OpenVinoEngine(config, core)
