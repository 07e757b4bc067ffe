"""Per-layer statistics across iterations.

OpenVINO keeps the counters of the *latest* inference only, so the runner hands
every iteration's `get_profiling_info()` to a `LayerProfiler`.  Means are exact
(running sums); medians and per-layer distributions come from a uniform
reservoir of iterations, which bounds memory for 100k-iteration runs.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ovgui.core.report import LayerStats, LayerTypeTotal

DEFAULT_RESERVOIR = 1000


def _to_ms(durations: list) -> np.ndarray:
    return np.array(durations, dtype="timedelta64[us]").astype(np.float64) / 1000.0


class LayerProfiler:
    def __init__(self, reservoir_size: int = DEFAULT_RESERVOIR, seed: int = 0):
        self._reservoir_size = reservoir_size
        self._rng = np.random.default_rng(seed)
        self._names: list[str] = []
        self._types: list[str] = []
        self._exec_types: list[str] = []
        self._statuses: list[str] = []
        self._real_sum: np.ndarray | None = None
        self._cpu_sum: np.ndarray | None = None
        self._reservoir: np.ndarray | None = None
        self.iterations = 0

    def record(self, infos: list) -> None:
        """Add one iteration's `ProfilingInfo` list (the same layers in the same order every time)."""
        real = _to_ms([info.real_time for info in infos])
        cpu = _to_ms([info.cpu_time for info in infos])
        if self._real_sum is None:
            self._describe(infos)
            self._real_sum = np.zeros_like(real)
            self._cpu_sum = np.zeros_like(cpu)
            self._reservoir = np.empty((self._reservoir_size, len(infos)), dtype=np.float32)
        self._real_sum += real
        self._cpu_sum += cpu
        self._keep_sample(real)
        self.iterations += 1

    def layer_samples(self, index: int) -> np.ndarray:
        """Real times (ms) of one layer over the kept iterations: its time distribution."""
        if self._reservoir is None:
            return np.empty(0, dtype=np.float32)
        return self._reservoir[: min(self.iterations, self._reservoir_size), index].copy()

    def layers(self) -> list[LayerStats]:
        if self._real_sum is None:
            return []
        real_mean = self._real_sum / self.iterations
        cpu_mean = self._cpu_sum / self.iterations
        kept = self._reservoir[: min(self.iterations, self._reservoir_size)]
        real_median = np.median(kept, axis=0)
        total = real_mean.sum()
        shares = real_mean / total if total > 0 else np.zeros_like(real_mean)
        return [
            LayerStats(
                index=i,
                name=self._names[i],
                type=self._types[i],
                exec_type=self._exec_types[i],
                status=self._statuses[i],
                real_time_ms=float(real_mean[i]),
                real_time_median_ms=float(real_median[i]),
                cpu_time_ms=float(cpu_mean[i]),
                share=float(shares[i]),
            )
            for i in range(len(self._names))
        ]

    def _describe(self, infos: list) -> None:
        self._names = [info.node_name for info in infos]
        self._types = [info.node_type for info in infos]
        self._exec_types = [info.exec_type for info in infos]
        self._statuses = [info.status.name for info in infos]

    def _keep_sample(self, real: np.ndarray) -> None:
        if self.iterations < self._reservoir_size:
            self._reservoir[self.iterations] = real
            return
        slot = int(self._rng.integers(0, self.iterations + 1))
        if slot < self._reservoir_size:
            self._reservoir[slot] = real


def totals_by_type(layers: list[LayerStats]) -> list[LayerTypeTotal]:
    """Time per node type, slowest first; the shares add up to 1 like the layers' do."""
    count: dict[str, int] = defaultdict(int)
    time_ms: dict[str, float] = defaultdict(float)
    for layer in layers:
        count[layer.type] += 1
        time_ms[layer.type] += layer.real_time_ms
    total = sum(time_ms.values())
    rows = [LayerTypeTotal(t, count[t], time_ms[t], time_ms[t] / total if total > 0 else 0.0) for t in count]
    return sorted(rows, key=lambda row: row.real_time_ms, reverse=True)
