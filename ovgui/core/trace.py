"""A run as a Chrome / Perfetto trace (trace-event JSON), to open in ui.perfetto.dev or chrome://tracing.

One process per run with three tracks on the session's clock: the phases as
spans, every inference as a span (async mode: async slices, since requests
overlap), and one mean inference laid out layer by layer in execution order.
Process RSS is a counter track.  Times are microseconds, as the format wants.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ovgui.core.events import PHASE_TITLES
from ovgui.core.files import write_text_atomic
from ovgui.core.report import Report, non_finite_as_null

PID = 1
PHASES_TID, INFERENCES_TID, LAYERS_TID = 1, 2, 3
US = 1_000_000


def trace_events(report: Report) -> dict[str, Any]:
    events = _metadata(report) + _phases(report) + _inferences(report) + _layers(report) + _memory(report)
    other = {"tool": "ovgui", "schema_version": report.schema_version}
    return {"traceEvents": events, "displayTimeUnit": "ms", "otherData": other}


def save_trace(report: Report, path: str | Path) -> None:
    """JSON has no NaN: a value that is not finite (a layer's rate over a zero time…) is written as null."""
    events, _ = non_finite_as_null(trace_events(report), "")
    write_text_atomic(path, json.dumps(events, allow_nan=False))


def _metadata(report: Report) -> list[dict[str, Any]]:
    process = f"{Path(report.model.path).name} on {report.device.name} ({report.config.mode})"
    names = {PHASES_TID: "phases", INFERENCES_TID: "inferences", LAYERS_TID: "layers (one mean inference)"}
    return [{"name": "process_name", "ph": "M", "pid": PID, "tid": 0, "args": {"name": process}}] + [
        {"name": "thread_name", "ph": "M", "pid": PID, "tid": tid, "args": {"name": name}} for tid, name in names.items()
    ]


def _span(name: str, tid: int, start_s: float, duration_s: float, **args: Any) -> dict[str, Any]:
    return {"name": name, "ph": "X", "pid": PID, "tid": tid, "ts": start_s * US, "dur": max(duration_s, 0.0) * US, "args": args}


def _phases(report: Report) -> list[dict[str, Any]]:
    return [
        _span(PHASE_TITLES.get(p.name, p.name), PHASES_TID, p.start_s, p.end_s - p.start_s,
              rss_delta_mib=round(p.rss_delta_mib, 2))
        for p in report.memory.phases
    ]


def _inferences(report: Report) -> list[dict[str, Any]]:
    latency = report.latency_ms
    asynchronous = report.config.mode == "throughput"
    events = []
    numbers = [number - 1 for number in latency.sample_iterations] if latency.sampled else range(len(latency.samples))
    for index, latency_ms, end_s in zip(numbers, latency.samples, latency.end_times_s):
        start_s = end_s - latency_ms / 1000.0
        if asynchronous:
            common = {"name": "inference", "cat": "inference", "id": index, "pid": PID, "tid": INFERENCES_TID}
            events.append({**common, "ph": "b", "ts": start_s * US, "args": {"index": index, "latency_ms": latency_ms}})
            events.append({**common, "ph": "e", "ts": end_s * US})
        else:
            events.append(_span(f"inference {index}", INFERENCES_TID, start_s, latency_ms / 1000.0, latency_ms=latency_ms))
    return events


def _layers(report: Report) -> list[dict[str, Any]]:
    """Mean layer times end to end from the start of the steady state: where one inference's time goes."""
    steady = next((p for p in report.memory.phases if p.name == "steady_state"), None)
    start_s = steady.start_s if steady else 0.0
    events = []
    for layer in sorted((layer for layer in report.layers if layer.executed), key=lambda layer: layer.index):
        duration_s = layer.real_time_ms / 1000.0
        events.append(_span(
            layer.name, LAYERS_TID, start_s, duration_s, type=layer.type, exec_type=layer.exec_type,
            share=round(layer.share, 4), flops=layer.flops, gflops_per_s=layer.gflops_per_s,
        ))
        start_s += duration_s
    return events


def _memory(report: Report) -> list[dict[str, Any]]:
    return [{"name": "RSS (MiB)", "ph": "C", "pid": PID, "tid": 0, "ts": t_s * US, "args": {"rss": rss}}
            for t_s, rss in report.memory.samples]
