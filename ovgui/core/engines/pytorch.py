"""PyTorch (CPU): the module a TorchScript or ExportedProgram file holds, called under
`torch.inference_mode()` with the same host-preprocessed inputs, decoders and report as the
other engines (OpenVINO's conversion of the file still names the inputs and outputs).

Threads: `--nthreads` is `torch.set_num_threads` and `--inter-op-threads`
`torch.set_num_interop_threads`, both set when the engine is made.  The intra-op count is put
back when the engine is released, so a later run in the same process (the window, a
comparison) starts from torch's own; every phase runs on a thread of its own, and a new thread
takes torch's count as it stands.  torch takes an inter-op count once per process, before any
inter-op work, so a different count asked for later is not applied, and a note says so.

Latency is timed around the module call.  Per-operator times come from `torch.profiler` in a
separate profiled pass after the timed one, as ONNX Runtime's do, because the profiler slows
every call it records (measured: +13% median latency on the tests' 128x128 detector, as
TorchScript and as an ExportedProgram, and +14% on their 64x64 classifier).  Each profiled run
is one `record_function` marker; its rows are the operators called directly inside it (a
dispatched operator with no operator above it in that run: TorchScript's function frames in
between are looked through), each with its inclusive wall time on the calling thread, so what
an operator calls (aten::conv2d -> aten::convolution -> …) is inside its time and never
counted twice.  An operator is named alike in every run: an ExportedProgram's by the graph node
it comes from (``conv2d_1``), TorchScript's by the operator and its occurrence in the run
(``aten::_convolution #2``).  The pass's first run is the first-inference column, the
following ones (as many as were timed, at most `PROFILED_RUNS`) real per-run samples, and the
pass's own latencies, timed like the timed ones, are what the operator times are set against
(`profile.profiled_mean_ms`, `profiled_first_ms`).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from typing import Any

import numpy as np
import openvino as ov
import torch
from torch.profiler import ProfilerActivity, profile, record_function

from ovgui.core.blocking import call
from ovgui.core.decoders.base import ModelOutput
from ovgui.core.engines.base import Engine, Findings, OneAtATime, Pipeline
from ovgui.core.engines.timed_loop import Budget, LoopResult, ProgressCallback, TimedLoop
from ovgui.core.errors import OvguiError, RunCancelled, first_line
from ovgui.core.events import LiveData
from ovgui.core.preprocess import PreparedInputs
from ovgui.core.profile import OperatorRun
from ovgui.core.report import CompiledSettings, EngineInfo, LayerStats, Report, RunConfig
from ovgui.core.torch_model import EXPORTED_PROGRAM, TorchModel, load_torch_model

DEVICES = ["CPU"]
PROFILED_RUNS = 100
RUN_MARKER = "ovgui run"
OPERATOR_SCOPE = torch._C._profiler.RecordScope.FUNCTION.value
"""The record scope of a dispatched operator (`FunctionEvent.scope`); TorchScript's function
frames and `record_function` markers have scopes of their own."""
PROFILED_METHOD = (
    "mean of {runs} runs' operator times from torch.profiler (each operator called directly in the run, "
    "its wall time on the calling thread including the operators it calls), in a separate profiled pass "
    "after the timed one (their sum is set against that pass's own mean; the first-inference column is "
    "that pass's own first run, not the timed first inference)"
)


class PyTorchEngine(Engine):
    name = "pytorch"

    def __init__(self, config: RunConfig, core: ov.Core):
        """`core` is OpenVINO's, which reads the model for every engine; torch loads the file itself."""
        super().__init__(config, core)
        self._module: Any = None
        self._inputs: list[torch.Tensor] = []
        self._output_names: list[list[str]] = []
        self._nodes: list[tuple[str, str]] = []
        self._threads_before = torch.get_num_threads()
        self._threads_used = 0
        self.profiled_latencies_ms: list[float] = []
        if config.nthreads is not None:
            torch.set_num_threads(config.nthreads)
        self.notes += interop_notes(config.inter_op_threads)
        if config.perf_counters:
            start_profiler_here()

    def compile(self, model: ov.Model, path: str, prepared: PreparedInputs, device: str) -> None:
        """torch loads the file; `model` (OpenVINO's conversion of it) only names the outputs."""
        loaded = load_torch_model(path)
        self._module = loaded.module
        self._nodes = graph_operators(loaded)
        self._inputs = tensors(prepared.arrays)
        self._output_names = [sorted(port.get_names()) for port in model.outputs]

    def first_inference(self) -> list[ModelOutput]:
        self._threads_used = torch.get_num_threads()
        with torch.inference_mode():
            return self._outputs(called(self._ready, self._inputs))

    @property
    def _ready(self) -> Any:
        assert self._module is not None, "the runner compiles before it runs and releases last"
        return self._module

    def steady(self, budget: Budget, cancel: threading.Event, live: LiveData, progress: ProgressCallback) -> LoopResult:
        """Each run is timed around the module call, inside one `inference_mode` for the whole loop."""
        module, inputs = self._ready, self._inputs
        loop = TimedLoop(budget, cancel, live, progress)

        def step() -> tuple[float, int]:
            started = time.perf_counter()
            called(module, inputs)
            finished = time.perf_counter()
            live.add_iteration((finished - started) * 1000.0)
            return finished, live.iterations

        with torch.inference_mode():
            loop.run(step)
        return LoopResult(loop.finish(), 0.0, 1, [])

    def pipeline(self) -> Pipeline:
        """One module call at a time; per-operator figures come from the profiled pass, not from the frames."""
        return OneAtATime(self._infer, list)

    def _infer(self, arrays: dict[int, np.ndarray]) -> tuple[float, list[ModelOutput]]:
        inputs = tensors(arrays)
        with torch.inference_mode():
            started = time.perf_counter()
            value = called(self._ready, inputs)
            latency_ms = (time.perf_counter() - started) * 1000.0
            return latency_ms, self._outputs(value)

    def _outputs(self, value: Any) -> list[ModelOutput]:
        """Whatever the module returns, flattened in order; named as OpenVINO's conversion names
        them where it has as many outputs."""
        arrays = [output_array(leaf) for leaf in flat_outputs(value)]
        names = self._output_names
        if len(names) != len(arrays):
            names = [[f"output_{index}"] for index in range(len(arrays))]
        return [ModelOutput(list(name), list(array.shape), array) for name, array in zip(names, arrays)]

    def begin_layers(self, prepared: PreparedInputs) -> None:
        """Nothing to read yet: the per-operator figures come from the profiled pass after the loop."""

    def layers(self, loop: LoopResult, steady_done: int) -> list[LayerStats]:
        """The separate profiled pass, as many runs as were timed (at most `PROFILED_RUNS`) after
        its first; only runs with operators are kept, with their latencies, so the pass's mean and
        the operator means cover the same runs.  A stop ends the pass, without per-operator figures."""
        if not self.config.perf_counters or self.cancel.is_set():
            return []
        runs = min(max(steady_done, 1), PROFILED_RUNS) + 1
        try:
            events, latencies_ms = call(lambda: self._profile(runs), self.cancel, name="ovgui-torch-profile")
        except RunCancelled:
            return []
        if self.cancel.is_set():
            return []
        profiled = [(run, ms) for run, ms in zip(operator_runs(events, self._nodes), latencies_ms) if run]
        if not profiled:
            return []
        self.profiled_latencies_ms = [ms for _, ms in profiled]
        return self.profiler.finish_profiled([run for run, _ in profiled], DEVICES[0], steady_done, PROFILED_METHOD)

    def _profile(self, runs: int) -> tuple[list, list[float]]:
        """The profiler's events and each run's latency in ms, timed as the steady loop times them
        (the marker's own cost inside); a stop ends the pass at the next run."""
        module, inputs = self._ready, self._inputs
        latencies_ms = []
        with torch.inference_mode(), profile(activities=[ProfilerActivity.CPU]) as profiler:
            for index in range(runs):
                if self.cancel.is_set():
                    break
                started = time.perf_counter()
                with record_function(f"{RUN_MARKER} {index}"):
                    called(module, inputs)
                latencies_ms.append((time.perf_counter() - started) * 1000.0)
        return list(profiler.events()), latencies_ms

    def findings(self, report: Report) -> Findings:
        """The profiled pass's own latencies beside the timed ones: what its operator figures add up against."""
        return Findings.of_profiled_pass(report.layers, self.profiled_latencies_ms)

    def settings(self, loop: LoopResult) -> CompiledSettings:
        """The intra-op threads as the inference's own thread read them."""
        return CompiledSettings(inference_num_threads=self._threads_used, requests_used=1, execution_devices=list(DEVICES))

    def info(self) -> EngineInfo:
        return EngineInfo(self.name, torch.__version__, list(DEVICES))

    def release(self) -> None:
        """The module goes, and torch's intra-op threads are what they were before this run (a run
        walked away from inside the module is never released: its count stays)."""
        self._module, self._inputs = None, []
        if self.config.nthreads is not None:
            torch.set_num_threads(self._threads_before)


def interop_notes(requested: int | None) -> list[str]:
    """Set torch's inter-op threads, or say why they are not what was asked: torch takes the count
    once per process, before any inter-op work."""
    if requested is None or requested == torch.get_num_interop_threads():
        return []
    try:
        torch.set_num_interop_threads(requested)
    except RuntimeError:
        return [f"inter_op_threads {requested} not applied: PyTorch sets its inter-op threads once per process, "
                f"and this one already has {torch.get_num_interop_threads()} (start a new process to change it)"]
    return []


def called(module: Any, inputs: list[torch.Tensor]) -> Any:
    """What the module returns; what its code raises, in one line."""
    try:
        return module(*inputs)
    except Exception as error:  # noqa: BLE001 - a module's code raises whatever it raises
        raise OvguiError(f"PyTorch inference failed: {first_line(error)}") from None


def start_profiler_here() -> None:
    """Start torch's profiler once, empty, on this thread.  Its first start (Kineto's set-up,
    about a second here; later starts take well under a millisecond) writes an error line to
    stderr unless it happens on the thread that imported torch: the engine is made on the run's
    own thread, which imported torch (`check_engine_request`) unless something earlier in the
    process did.  Kineto also writes a line at every start and stop unless its log level, read
    at that first start, says otherwise (a level the user set is kept)."""
    os.environ.setdefault("KINETO_LOG_LEVEL", "6")
    with profile(activities=[ProfilerActivity.CPU]):
        pass


def tensors(arrays: dict[int, np.ndarray]) -> list[torch.Tensor]:
    """The prepared arrays in the model's input order, shared with torch (no copy)."""
    return [torch.from_numpy(arrays[index]) for index in sorted(arrays)]


def flat_outputs(value: Any) -> list[Any]:
    """A module's outputs in order: a tensor, or tensors in tuples, lists and dicts (in their order)."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in flat_outputs(item)]
    return [value]


def output_array(value: Any) -> np.ndarray:
    """A copy: a module may return a tensor it keeps (a buffer, a parameter)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    return np.asarray(value)


def graph_operators(loaded: TorchModel) -> list[tuple[str, str]]:
    """An ExportedProgram's operator nodes in graph order, as (node name, operator name as the
    profiler records it, without the overload); empty for TorchScript."""
    if loaded.kind != EXPORTED_PROGRAM:
        return []
    return [(node.name, node.target.name().split(".")[0]) for node in loaded.module.graph.nodes
            if node.op == "call_function" and isinstance(node.target, torch._ops.OpOverload)]


def operator_runs(events: list, nodes: list[tuple[str, str]]) -> list[OperatorRun]:
    """Each profiled run's operators, {name: (operator, µs)}, one entry per run marker in the order
    they ran (see the module's docstring for which operators and how they are named)."""
    markers = sorted((event for event in events if event.name.startswith(RUN_MARKER) and event.scope != OPERATOR_SCOPE),
                     key=lambda event: event.time_range.start)
    runs = []
    for marker in markers:
        operators = top_operators(marker)
        run: OperatorRun = {}
        for name, operator in zip(operator_names([op.name for op in operators], nodes), operators):
            run[name] = (operator.name, run.get(name, ("", 0.0))[1] + operator.time_range.elapsed_us())
        runs.append(run)
    return runs


def top_operators(event: Any) -> list[Any]:
    """The operators called directly inside `event`, in the order they ran: an operator ends the
    descent (what it calls is inside its time); anything else (a TorchScript frame) is looked through."""
    found = []
    for child in sorted(event.cpu_children, key=lambda child: child.time_range.start):
        found += [child] if child.scope == OPERATOR_SCOPE else top_operators(child)
    return found


def operator_names(operators: list[str], nodes: list[tuple[str, str]]) -> list[str]:
    """Names that stay the same from run to run: the graph node each operator comes from, matched
    in order (`nodes` as `graph_operators` gives them), else the operator and its occurrence in
    the run (``aten::_convolution #2``)."""
    names, seen, position = [], Counter[str](), 0
    for operator in operators:
        seen[operator] += 1
        found = next((index for index in range(position, len(nodes)) if nodes[index][1] == operator), None)
        if found is None:
            names.append(f"{operator} #{seen[operator]}")
        else:
            names.append(nodes[found][0])
            position = found + 1
    return names
