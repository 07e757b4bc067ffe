"""Reports from elsewhere: benchmark_app's per-layer counters, as ovgui reports.

benchmark_app writes its counters as ``-report_type average_counters`` or
``detailed_counters``: a ``;``-separated CSV (one block per infer request in
the detailed form, each closed by a ``Total`` row) or, with ``-json_stats``,
JSON (``avg_performance`` / ``detailed_performance``).  Imported, they fill the
layer table and the A/B view like a run of ovgui's own; several requests'
blocks are averaged layer by layer.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ovgui.core.errors import OvguiError
from ovgui.core.profile import totals_by_type
from ovgui.core.report import DeviceInfo, LayerStats, ModelInfo, Report, RunConfig

CSV_HEADER = "layerName;execStatus;layerType;execType;realTime (ms);cpuTime (ms)"
Node = tuple[str, str, str, str, float, float]


def load_report(path: str | Path) -> Report:
    """An ovgui JSON report, or a benchmark_app counters report (CSV or JSON), by content."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise OvguiError(f"report not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OvguiError(f"cannot read {path.name}: {error}") from None
    if text.lstrip().startswith(CSV_HEADER.split(";")[0]):
        return _from_blocks(path, _csv_blocks(text))
    try:
        data = json.loads(text)
    except ValueError:
        raise OvguiError(f"{path.name} is neither an ovgui report nor a benchmark_app counters report") from None
    if isinstance(data, dict) and ("avg_performance" in data or "detailed_performance" in data):
        return _from_blocks(path, _json_blocks(data))
    return Report.load(path)


def _csv_blocks(text: str) -> list[list[Node]]:
    blocks: list[list[Node]] = [[]]
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if not row or row[0] == "layerName":
            continue
        if row[0] == "Total":
            blocks.append([])
            continue
        name, status, node_type, exec_type, real, cpu = row[:6]
        blocks[-1].append((name, status, node_type, exec_type, float(real), float(cpu)))
    return [block for block in blocks if block]


def _json_blocks(data: dict) -> list[list[Node]]:
    groups = [data["avg_performance"]] if "avg_performance" in data else data["detailed_performance"]
    return [
        [(n["name"], n["status"], n["node_type"], n["exec_type"], float(n["real_time"]), float(n["cpu_time"])) for n in group["nodes"]]
        for group in groups
    ]


def _from_blocks(path: Path, blocks: list[list[Node]]) -> Report:
    if not blocks:
        raise OvguiError(f"{path.name} holds no per-layer counters")
    first = blocks[0]
    if any([node[0] for node in block] != [node[0] for node in first] for block in blocks):
        raise OvguiError(f"{path.name}: the infer requests' counter blocks list different layers")
    count = len(blocks)
    real = [sum(block[i][4] for block in blocks) / count for i in range(len(first))]
    cpu = [sum(block[i][5] for block in blocks) / count for i in range(len(first))]
    total = sum(real)
    layers = [
        LayerStats(
            index=i,
            name=name,
            type=node_type,
            exec_type=exec_type,
            status=status.removeprefix("Status."),
            real_time_ms=real[i],
            real_time_median_ms=real[i],
            cpu_time_ms=cpu[i],
            share=real[i] / total if total > 0 else 0.0,
        )
        for i, (name, status, node_type, exec_type, _real, _cpu) in enumerate(first)
    ]
    report = Report(
        model=ModelInfo(path=str(path), format="benchmark_app counters", file_size_bytes=0),
        device=DeviceInfo("?", "imported from benchmark_app"),
        config=RunConfig(iterations=None),
        layers=layers,
        layer_types=totals_by_type(layers),
    )
    report.profile.layers_sum_ms = total
    source = f"averaged over {count} infer requests" if count > 1 else "one infer request"
    report.notes = [f"imported from benchmark_app counters in {path.name} ({source}); no latency or memory data"]
    return report
