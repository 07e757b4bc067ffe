"""Per-layer statistics from what the engine's counters really hold.

OpenVINO's CPU plugin keeps, for every layer of a compiled graph, the integer
total of microseconds and the number of inferences since compile, and
`get_profiling_info()` returns ``total // count``: a running mean that includes
the first inference, shared by every request on that graph (a request that
never ran reports it too).  Copying it after each inference and averaging gives
statistics of running means, which mean nothing.  So the counters are read
once after the first inference (that read *is* the first inference) and once at
the end, and the steady-state mean is recovered exactly:

    steady mean = ((N + 1) * mean_end - first) / N

A plugin that reports each inference's own counters is detected from the data
(a request that never ran reads zeros) and then gets real per-inference
distributions, copied after every steady-state inference.  With several
streams each stream has its own graph, so a request that never ran reads zeros
either way: there the end reads decide (more requests than streams, so two
requests that last ran on one graph read the same figures only if they are the
graph's running means).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from ovgui.core.report import LayerStats, LayerTypeTotal

AGGREGATE = "aggregate"
PER_INFERENCE = "per_inference"
DEFAULT_RESERVOIR = 1000
PREPROCESSING_TYPE = "preprocessing (in graph)"

OperatorRun = dict[str, tuple[str, float]]
"""One profiled run's operators, from an engine's own profiler: {name: (type, µs)} in the order they ran."""


@dataclass(frozen=True)
class CounterSnapshot:
    """One `get_profiling_info()` read, as arrays in microseconds (the counters' own unit)."""

    names: list[str]
    types: list[str]
    exec_types: list[str]
    statuses: list[str]
    real_us: np.ndarray
    cpu_us: np.ndarray

    @classmethod
    def read(cls, infos: list) -> CounterSnapshot:
        return cls(
            [info.node_name for info in infos],
            [info.node_type for info in infos],
            [info.exec_type for info in infos],
            [info.status.name for info in infos],
            _to_us([info.real_time for info in infos]),
            _to_us([info.cpu_time for info in infos]),
        )

    def same_counts(self, other: CounterSnapshot) -> bool:
        return np.array_equal(self.real_us, other.real_us) and np.array_equal(self.cpu_us, other.cpu_us)


def _to_us(durations: list) -> np.ndarray:
    return np.array(durations, dtype="timedelta64[us]").astype(np.float64)


def counter_semantics(first: CounterSnapshot, never_run: CounterSnapshot) -> str:
    """What the counters hold, from the data: after one inference, a request that never ran
    reads the same non-zero figures when they belong to the graph (running means since compile),
    and zeros when each request reports its own latest inference."""
    if first.real_us.sum() > 0 and never_run.same_counts(first):
        return AGGREGATE
    return PER_INFERENCE


@dataclass(frozen=True)
class LayerMeans:
    """Per-layer means in milliseconds and what they are."""

    real_ms: np.ndarray
    cpu_ms: np.ndarray
    inferences: int
    excludes_first: bool
    rounding_error_ms: float
    method: str

    def described(self, method: str) -> LayerMeans:
        return replace(self, method=method)


def steady_means(first: CounterSnapshot, end: CounterSnapshot, steady_inferences: int) -> LayerMeans:
    """Exact steady-state means from two aggregate reads of one graph: after the first inference
    and after `steady_inferences` more.  The total behind ``mean_end`` lies in
    ``[(N+1)·mean_end, (N+1)·(mean_end+1))`` µs, so the midpoint is taken for layers that ran and
    the error is at most half of ``(N+1)/N`` µs per layer."""
    n = steady_inferences
    if n < 1:
        return LayerMeans(first.real_us / 1000.0, first.cpu_us / 1000.0, 0, False, 0.0, "the first inference only")
    correction = np.where(end.real_us > 0, 0.5 * (n + 1), 0.0)
    real = np.maximum(((n + 1) * end.real_us + correction - first.real_us) / n, 0.0)
    cpu_correction = np.where(end.cpu_us > 0, 0.5 * (n + 1), 0.0)
    cpu = np.maximum(((n + 1) * end.cpu_us + cpu_correction - first.cpu_us) / n, 0.0)
    error_ms = 0.5 * (n + 1) / n / 1000.0
    method = (
        f"steady-state mean of {n} inferences, first inference excluded, recovered from OpenVINO's "
        f"running-mean counters as ((N+1)·mean − first)/N (±{error_ms * 1000:.2f} µs per layer)"
    )
    return LayerMeans(real / 1000.0, cpu / 1000.0, n, True, error_ms, method)


def stream_means(graphs: list[CounterSnapshot], total_inferences: int) -> LayerMeans:
    """Several streams each keep their own graph and running means, and which stream ran how many
    inferences is not reported: the graphs' means are averaged with equal weight, each including
    its own first inference."""
    real = np.mean([graph.real_us for graph in graphs], axis=0)
    cpu = np.mean([graph.cpu_us for graph in graphs], axis=0)
    method = (
        f"mean of {len(graphs)} stream graphs' running means since compile ({total_inferences} inferences, "
        "each stream's first inference included, streams weighted equally)"
    )
    return LayerMeans(real / 1000.0, cpu / 1000.0, total_inferences, False, 0.0005, method)


def distinct_graphs(snapshots: list[CounterSnapshot]) -> list[CounterSnapshot]:
    """Requests that last ran on the same stream read the same figures: one per graph."""
    graphs: list[CounterSnapshot] = []
    for snapshot in snapshots:
        if snapshot.real_us.sum() > 0 and not any(snapshot.same_counts(graph) for graph in graphs):
            graphs.append(snapshot)
    return graphs


class SampledLayers:
    """Per-inference counters (for plugins that report them): exact means, and real distributions
    from a uniform reservoir of inferences, which bounds memory for 100k-inference runs."""

    def __init__(self, reservoir_size: int = DEFAULT_RESERVOIR, seed: int = 0):
        self._reservoir_size = reservoir_size
        self._rng = np.random.default_rng(seed)
        self._real_sum = np.zeros(0)
        self._cpu_sum = np.zeros(0)
        self._reservoir = np.empty((0, 0), dtype=np.float32)
        self.count = 0

    def record(self, snapshot: CounterSnapshot) -> None:
        if not self.count:
            self._real_sum = np.zeros_like(snapshot.real_us)
            self._cpu_sum = np.zeros_like(snapshot.cpu_us)
            self._reservoir = np.empty((self._reservoir_size, len(snapshot.names)), dtype=np.float32)
        self._real_sum += snapshot.real_us
        self._cpu_sum += snapshot.cpu_us
        self._keep(snapshot.real_us / 1000.0)
        self.count += 1

    def means(self) -> LayerMeans:
        method = f"mean of {self.count} inferences' own counters, first inference excluded"
        return LayerMeans(self._real_sum / self.count / 1000.0, self._cpu_sum / self.count / 1000.0,
                          self.count, True, 0.0005, method)

    def samples(self) -> np.ndarray:
        """Real times (ms) of every layer over the kept inferences: ``[kept, layers]``."""
        return self._reservoir[: min(self.count, self._reservoir_size)].copy()

    def medians(self) -> np.ndarray:
        return np.median(self.samples(), axis=0)

    def _keep(self, real_ms: np.ndarray) -> None:
        if self.count < self._reservoir_size:
            self._reservoir[self.count] = real_ms
            return
        slot = int(self._rng.integers(0, self.count + 1))
        if slot < self._reservoir_size:
            self._reservoir[slot] = real_ms


def layer_stats(
    first: CounterSnapshot,
    means: LayerMeans,
    medians: np.ndarray | None = None,
    preprocessing: set[str] | frozenset[str] = frozenset(),
) -> list[LayerStats]:
    """One row per layer; shares are of the model's own layers' total, so layers that in-graph
    preprocessing added show what they cost on top of the model."""
    roles = ["preprocess" if name in preprocessing else "model" for name in first.names]
    model_total = sum(float(t) for t, role in zip(means.real_ms, roles) if role == "model")
    return [
        LayerStats(
            index=i,
            name=first.names[i],
            type=first.types[i],
            exec_type=first.exec_types[i],
            status=first.statuses[i],
            real_time_ms=float(means.real_ms[i]),
            real_time_median_ms=None if medians is None else float(medians[i]),
            cpu_time_ms=float(means.cpu_ms[i]),
            share=float(means.real_ms[i]) / model_total if model_total > 0 else 0.0,
            first_inference_ms=float(first.real_us[i]) / 1000.0,
            role=roles[i],
        )
        for i in range(len(first.names))
    ]


def totals_by_type(layers: list[LayerStats]) -> list[LayerTypeTotal]:
    """Time per node type, slowest first; in-graph preprocessing is one row of its own, outside the
    model's types, whose shares add up to 1 like the model layers' do."""
    count: dict[str, int] = defaultdict(int)
    time_ms: dict[str, float] = defaultdict(float)
    for layer in layers:
        kind = PREPROCESSING_TYPE if layer.is_preprocessing else layer.type
        count[kind] += 1
        time_ms[kind] += layer.real_time_ms
    total = sum(t for kind, t in time_ms.items() if kind != PREPROCESSING_TYPE)
    rows = [LayerTypeTotal(t, count[t], time_ms[t], time_ms[t] / total if total > 0 else 0.0) for t in count]
    return sorted(rows, key=lambda row: row.real_time_ms, reverse=True)


def operator_snapshot(order: list[str], types: dict[str, str], run: OperatorRun, exec_type: str) -> CounterSnapshot:
    times = np.array([run.get(name, ("", 0.0))[1] for name in order], dtype=np.float64)
    statuses = ["EXECUTED" if name in run else "NOT_RUN" for name in order]
    return CounterSnapshot(order, [types[name] for name in order], [exec_type] * len(order), statuses, times, times)


class LayerProfiler:
    """Drives the reads for one run: the first inference, the semantics probe, per-inference
    copies only where counters are per inference, a live snapshot about once a second, and the
    final per-layer figures."""

    def __init__(self) -> None:
        self.first: CounterSnapshot | None = None
        self.semantics = ""
        self.preprocessing: set[str] = set()
        self._sampled = SampledLayers()
        self.means: LayerMeans | None = None

    def begin(self, first_infos: list, never_run_infos: list | None, preprocessing: set[str]) -> None:
        """`never_run_infos` only where all requests share one graph; else the end reads decide."""
        self.first = CounterSnapshot.read(first_infos)
        if never_run_infos is not None:
            self.semantics = counter_semantics(self.first, CounterSnapshot.read(never_run_infos))
        self.preprocessing = preprocessing

    def begin_snapshots(self, first: CounterSnapshot, semantics: str) -> None:
        """For engines whose per-layer times arrive as snapshots already (ONNX Runtime's profiler)."""
        self.first, self.semantics = first, semantics

    def record_snapshot(self, snapshot: CounterSnapshot) -> None:
        self._sampled.record(snapshot)

    def finish_profiled(self, runs: list[OperatorRun], exec_type: str, steady_done: int, method: str) -> list[LayerStats]:
        """Per-layer figures from a separate profiled pass (ONNX Runtime, PyTorch): its first run is
        the first-inference column, the following runs are real per-run samples; `method` (with
        ``{runs}``, the samples' count) says what the means are.  An operator missing from a run
        did not run in it."""
        order = list(dict.fromkeys(name for run in runs for name in run))
        types = {name: kind for run in runs for name, (kind, _) in run.items()}
        snapshots = [operator_snapshot(order, types, run, exec_type) for run in runs]
        self.begin_snapshots(snapshots[0], PER_INFERENCE)
        for snapshot in snapshots[1:]:
            self.record_snapshot(snapshot)
        layers = self.finish([], steady_done, one_graph=True)
        if self.means is not None:
            self.means = self.means.described(method.format(runs=len(snapshots) - 1))
        return layers

    @property
    def records_each_inference(self) -> bool:
        return self.semantics == PER_INFERENCE

    def record(self, infos: list) -> None:
        self.record_snapshot(CounterSnapshot.read(infos))

    def live_layers(self, infos: list, steady_done: int, one_graph: bool) -> list[LayerStats]:
        """What the table shows while the run goes on (steady-state means so far where they can be
        recovered, else the running means since compile)."""
        first = self._begun()
        if self.records_each_inference:
            means = self._sampled.means() if self._sampled.count else steady_means(first, first, 0)
        elif one_graph:
            means = steady_means(first, CounterSnapshot.read(infos), steady_done)
        else:
            means = stream_means([CounterSnapshot.read(infos)], steady_done + 1)
        return layer_stats(first, means, preprocessing=self.preprocessing)

    def finish(self, end_reads: list[list], steady_done: int, one_graph: bool) -> list[LayerStats]:
        """`end_reads`: every request's counters at the end (the request of the first inference first)."""
        first = self._begun()
        medians = None
        if self.records_each_inference and self._sampled.count:
            self.means, medians = self._sampled.means(), self._sampled.medians()
        elif self.records_each_inference:
            self.means = steady_means(first, first, 0)
        elif one_graph:
            self.means = steady_means(first, CounterSnapshot.read(end_reads[0]), steady_done)
        else:
            self.means = self._streams_means([CounterSnapshot.read(infos) for infos in end_reads], steady_done)
        return layer_stats(first, self.means, medians, self.preprocessing)

    def _begun(self) -> CounterSnapshot:
        """The first inference's counters, which every figure is read against: `begin` comes first."""
        if self.first is None:
            raise RuntimeError("LayerProfiler.begin() was not called before reading layers")
        return self.first

    def _streams_means(self, reads: list[CounterSnapshot], steady_done: int) -> LayerMeans:
        first = self._begun()
        ran = [read for read in reads if read.real_us.sum() > 0]
        graphs = distinct_graphs(ran)
        if len(graphs) < len(ran) or len(ran) < 2:
            self.semantics = AGGREGATE
            return stream_means(graphs or [first], steady_done + 1)
        self.semantics = PER_INFERENCE
        last = ran[1:] if len(ran) > 1 else ran
        real = np.mean([read.real_us for read in last], axis=0) / 1000.0
        cpu = np.mean([read.cpu_us for read in last], axis=0) / 1000.0
        method = f"mean of the last inference of each of {len(last)} requests (their own counters)"
        return LayerMeans(real, cpu, len(last), True, 0.0005, method)

    @property
    def iterations(self) -> int:
        """Inferences whose own counters were kept (0 where counters are running means)."""
        return self._sampled.count

    def samples(self) -> np.ndarray:
        """Every layer's real times (ms) over the kept inferences, ``[kept, layers]``; empty unless
        they are real per-inference values, because differences of running means are not."""
        return self._sampled.samples()
