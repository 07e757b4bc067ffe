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
import math
from pathlib import Path

from ovgui.core.errors import OvguiError
from ovgui.core.files import parse_json, read_text_limited
from ovgui.core.options import RunConfig
from ovgui.core.profile import totals_by_type
from ovgui.core.report import DeviceInfo, LayerStats, ModelInfo, Report
from ovgui.core.schema import MAX_NUMBER

CSV_HEADER = "layerName;execStatus;layerType;execType;realTime (ms);cpuTime (ms)"
Node = tuple[str, str, str, str, float, float]


def load_report(path: str | Path) -> Report:
    """An ovgui JSON report, or a benchmark_app counters report (CSV or JSON), by content."""
    path = Path(path)
    try:
        text = read_text_limited(path, encoding="utf-8-sig")
    except FileNotFoundError:
        raise OvguiError(f"report not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OvguiError(f"cannot read {path.name}: {error}") from None
    try:
        if text.lstrip().startswith(CSV_HEADER.split(";")[0]):
            return _from_blocks(path, _csv_blocks(text))
        try:
            data = parse_json(text, path.name)
        except ValueError:
            raise OvguiError(f"{path.name} is neither an ovgui report nor a benchmark_app counters report") from None
        if isinstance(data, dict) and ("avg_performance" in data or "detailed_performance" in data):
            return _from_blocks(path, _json_blocks(data))
    except BadField as error:
        raise OvguiError(f"{path.name}: {error}") from None
    return Report.load(path)


class BadField(ValueError):
    """Where in an imported file a value is missing or wrong, in words."""


def _csv_blocks(text: str) -> list[list[Node]]:
    blocks: list[list[Node]] = [[]]
    for line, row in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1):
        if not row or row[0] == "layerName":
            continue
        if row[0] == "Total":
            blocks.append([])
            continue
        if len(row) < 6:
            raise BadField(f"line {line} has {len(row)} fields, a counters row has 6 ({CSV_HEADER})")
        name, status, node_type, exec_type, real, cpu = row[:6]
        where = f"line {line}"
        blocks[-1].append((name, status, node_type, exec_type, _time(real, where, "realTime"), _time(cpu, where, "cpuTime")))
    return [block for block in blocks if block]


def _json_blocks(data: dict) -> list[list[Node]]:
    groups = [data["avg_performance"]] if "avg_performance" in data else data["detailed_performance"]
    if not isinstance(groups, list) or not all(isinstance(g, dict) and isinstance(g.get("nodes"), list) for g in groups):
        raise BadField("each performance group needs a list of 'nodes'")
    return [[_json_node(node, f"node {i + 1}") for i, node in enumerate(group["nodes"])] for group in groups]


def _json_node(node: object, where: str) -> Node:
    if not isinstance(node, dict):
        raise BadField(f"{where} is not an object")
    texts = []
    for key in ("name", "status", "node_type", "exec_type"):
        if not isinstance(node.get(key), str):
            raise BadField(f"{where} has no text '{key}'")
        texts.append(node[key])
    return (*texts, _time(node.get("real_time"), where, "real_time"), _time(node.get("cpu_time"), where, "cpu_time"))


def _time(value: object, where: str, field: str) -> float:
    """A counter in ms: a finite, non-negative number, or the line that says why not."""
    try:
        number = float(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else math.nan
    except (ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number) or not 0 <= number <= MAX_NUMBER:
        raise BadField(f"{where}: {field} {_clipped(value)} is not a time in ms (a finite number from 0 to {MAX_NUMBER:g})")
    return number


def _clipped(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


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
            real_time_median_ms=None,
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
    report.profile.method = f"benchmark_app's counters ({source}), as it reports them"
    report.notes = [f"imported from benchmark_app counters in {path.name} ({source}); no latency or memory data"]
    return report
