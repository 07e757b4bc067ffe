"""ONNX Runtime (CPU execution provider): the same model file, preprocessed inputs and decoders.

Latency is timed in a session without profiling, because ONNX Runtime's profiler slows small
models noticeably (measured: +6% on YOLOv5n, +55% on YuNet at 640x640).  Per-node times come
from a second, profiled session afterwards, like trtexec's ``--separateProfileRun``: its first
run is the first-inference column and the next runs (as many as were timed, at most
`PROFILED_RUNS`) give real per-run node times, so per-layer medians and distributions exist
here, unlike OpenVINO's running means.

Those figures belong to the profiled session, so they are set against that session's own runs,
timed the same way as the timed session's (around `session.run`): the report's
`profile.profiled_mean_ms` (the mean of exactly the runs the node means average) and
`profiled_first_ms` (the run the first-inference column comes from).  The timed session's first
inference is a different run of a different session, and is never compared with the column.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import openvino as ov
import psutil

from ovgui.core.blocking import call, leave
from ovgui.core.decoders.base import ModelOutput
from ovgui.core.engines.base import Engine, Findings, OneAtATime, Pipeline
from ovgui.core.engines.timed_loop import Budget, LoopResult, ProgressCallback, TimedLoop
from ovgui.core.errors import OvguiError, RunCancelled, first_line
from ovgui.core.events import LiveData
from ovgui.core.preprocess import PreparedInputs
from ovgui.core.profile import OperatorRun
from ovgui.core.report import CompiledSettings, EngineInfo, LayerStats, Report, RunConfig

PROVIDERS = ["CPUExecutionProvider"]
PROFILED_RUNS = 100
OPTIMIZATION_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}
EXECUTION_MODES = {"sequential": ort.ExecutionMode.ORT_SEQUENTIAL, "parallel": ort.ExecutionMode.ORT_PARALLEL}
KERNEL_SUFFIX = "_kernel_time"
PROFILED_METHOD = (
    "mean of {runs} runs' node times from ONNX Runtime's profiler, in a separate profiled session "
    "after the timed one (their sum is set against that session's own mean; the first-inference "
    "column is that session's own first run, not the timed first inference)"
)


class OnnxRuntimeEngine(Engine):
    name = "onnxruntime"

    def __init__(self, config: RunConfig, core: ov.Core):
        """`core` is OpenVINO's, which reads the model for every engine; ONNX Runtime needs no other."""
        super().__init__(config, core)
        self._path = ""
        self._session: ort.InferenceSession | None = None
        self._feeds: dict[str, np.ndarray] = {}
        self._names: list[str] = []
        self.profiled_latencies_ms: list[float] = []

    def compile(self, model: ov.Model, path: str, prepared: PreparedInputs, device: str) -> None:
        """The session reads the file itself; `model` (OpenVINO's reading) only names the inputs."""
        self._path = path
        self._session = self._new_session(profile_dir=None)
        self._names = [port.get_any_name() for port in model.inputs]
        self._feeds = {self._names[index]: array for index, array in prepared.arrays.items()}

    @property
    def _timed_session(self) -> ort.InferenceSession:
        assert self._session is not None, "the runner compiles before it runs; the profiled pass comes last"
        return self._session

    def first_inference(self) -> list[ModelOutput]:
        return self._outputs(self._run(self._timed_session))

    def _outputs(self, values: list) -> list[ModelOutput]:
        outputs = self._timed_session.get_outputs()
        return [ModelOutput([out.name], list(np.shape(value)), np.asarray(value)) for out, value in zip(outputs, values)]

    def steady(self, budget: Budget, cancel: threading.Event, live: LiveData, progress: ProgressCallback) -> LoopResult:
        """Each run is timed around `session.run` (ONNX Runtime has no timer of its own per run)."""
        session, feeds = self._timed_session, self._feeds
        loop = TimedLoop(budget, cancel, live, progress)

        def step() -> tuple[float, int]:
            started = time.perf_counter()
            session.run(None, feeds)
            finished = time.perf_counter()
            live.add_iteration((finished - started) * 1000.0)
            return finished, live.iterations

        loop.run(step)
        return LoopResult(loop.finish(), 0.0, 1, [])

    def pipeline(self) -> Pipeline:
        """One session run at a time; per-node figures come from the profiled pass, not from the frames."""
        return OneAtATime(self._infer, list)

    def _infer(self, arrays: dict[int, np.ndarray]) -> tuple[float, list[ModelOutput]]:
        for index, array in arrays.items():
            self._feeds[self._names[index]] = array
        started = time.perf_counter()
        values = self._run(self._timed_session)
        latency_ms = (time.perf_counter() - started) * 1000.0
        return latency_ms, self._outputs(values)

    def layers(self, loop: LoopResult, steady_done: int) -> list[LayerStats]:
        """The separate profiled pass; the timed session is released first so the two never
        hold memory at once.  Only runs whose node times the profile holds are kept, with their
        latencies, so the session's mean and the node means cover the same runs.  A run stopped
        before or during the pass has no per-node figures (creating a session with a thousand
        threads can take long; the pass is walked away from)."""
        if not self.config.perf_counters or self.cancel.is_set():
            return []
        self._session = None
        try:
            events, latencies_ms = call(
                lambda: self._profile(min(max(steady_done, 1), PROFILED_RUNS)), self.cancel, name="ovgui-ort-profile"
            )
        except RunCancelled:
            return []
        profiled = [(run, ms) for run, ms in zip(node_runs(events), latencies_ms) if run]
        if not profiled:
            return []
        self.profiled_latencies_ms = [ms for _, ms in profiled]
        runs = [run for run, _ in profiled]
        return self.profiler.finish_profiled(runs, PROVIDERS[0], steady_done, PROFILED_METHOD)

    def findings(self, report: Report) -> Findings:
        """The profiled session's own latencies beside the timed ones: what its node figures add up against."""
        return Findings.of_profiled_pass(report.layers, self.profiled_latencies_ms)

    def begin_layers(self, prepared: PreparedInputs) -> None:
        """Nothing to read yet: the per-node figures come from the profiled pass after the loop."""

    def settings(self, loop: LoopResult) -> CompiledSettings:
        threads = self.config.nthreads or psutil.cpu_count(logical=False) or 1
        return CompiledSettings(inference_num_threads=threads, requests_used=1, execution_devices=list(PROVIDERS))

    def info(self) -> EngineInfo:
        return EngineInfo(self.name, ort.__version__, list(PROVIDERS))

    def release(self) -> None:
        """A stopped run's session is dropped on a thread nobody waits for: tearing down a session
        of a thousand intra-op and inter-op threads can take minutes."""
        session, self._session = [self._session], None
        if self.cancel.is_set():
            leave(session.clear, "ovgui-ort-release")

    def _new_session(self, profile_dir: Path | None) -> ort.InferenceSession:
        options = session_options(self.config)
        if profile_dir is not None:
            options.enable_profiling = True
            options.profile_file_prefix = str(profile_dir / "ort")
        try:
            return ort.InferenceSession(self._path, options, providers=PROVIDERS)
        except (RuntimeError, ValueError, ort.capi.onnxruntime_pybind11_state.Fail) as error:
            raise OvguiError(f"ONNX Runtime cannot load {Path(self._path).name}: {first_line(error)}") from None

    def _run(self, session: ort.InferenceSession) -> list:
        try:
            return session.run(None, self._feeds)
        except (RuntimeError, ValueError, ort.capi.onnxruntime_pybind11_state.Fail) as error:
            raise OvguiError(f"ONNX Runtime inference failed: {first_line(error)}") from None

    def _profile(self, runs: int) -> tuple[list[dict], list[float]]:
        """The profile's events and each run's latency in ms, timed as the steady loop times them."""
        folder = Path(tempfile.mkdtemp(prefix="ovgui-ort-profile-"))
        latencies_ms = []
        try:
            session = self._new_session(folder)
            for _ in range(runs + 1):
                started = time.perf_counter()
                self._run(session)
                latencies_ms.append((time.perf_counter() - started) * 1000.0)
            events = json.loads(Path(session.end_profiling()).read_text(encoding="utf-8"))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return events, latencies_ms


def session_options(config: RunConfig) -> ort.SessionOptions:
    options = ort.SessionOptions()
    if config.nthreads is not None:
        options.intra_op_num_threads = config.nthreads
    if config.inter_op_threads is not None:
        options.inter_op_num_threads = config.inter_op_threads
    if config.graph_optimization is not None:
        options.graph_optimization_level = OPTIMIZATION_LEVELS[config.graph_optimization]
    if config.execution_mode is not None:
        options.execution_mode = EXECUTION_MODES[config.execution_mode]
    return options


def node_runs(events: list[dict]) -> list[OperatorRun]:
    """Node events grouped by the `model_run` they fall in: {node name: (op type, µs)} per run,
    one entry per recorded run in order (empty where a run has no node events), so the i-th
    entry is the i-th `session.run`.  A profiler that stopped recording (ONNX Runtime caps its
    events) leaves out the last runs, never one in the middle."""
    runs = sorted((e["ts"], e["ts"] + e["dur"]) for e in events if e.get("cat") == "Session" and e.get("name") == "model_run")
    grouped: list[OperatorRun] = [{} for _ in runs]
    kernels = (e for e in events if e.get("cat") == "Node" and str(e.get("name", "")).endswith(KERNEL_SUFFIX))
    nodes = sorted(kernels, key=lambda e: e["ts"])
    index = 0
    for event in nodes:
        while index < len(runs) and event["ts"] > runs[index][1]:
            index += 1
        if index == len(runs):
            break
        args = event.get("args", {})
        name = event["name"][: -len(KERNEL_SUFFIX)] or f"{args.get('op_name', 'node')}_{args.get('node_index', '')}"
        op_type, total = grouped[index].get(name, (args.get("op_name", "?"), 0.0))
        grouped[index][name] = (op_type, total + float(event["dur"]))
    return grouped

