"""How a run is named wherever runs are set side by side (the run history, A/B, Compare):
its model file, the engine that ran it and the device, so two runs that differ only in
engine never read alike."""

from __future__ import annotations

from pathlib import Path

from ovgui.core.engines.capabilities import ENGINES, capabilities
from ovgui.core.formatting import MISSING, format_ms
from ovgui.core.report import Report

IMPORTED_FORMAT = "benchmark_app counters"


def model_name(report: Report) -> str:
    name = Path(report.model.path).name
    return f"benchmark_app import {name}" if report.model.format == IMPORTED_FORMAT else name


def engine_label(report: Report) -> str:
    """The engine's label as the window's engine picker says it ("ONNX Runtime"); a report from a
    release that named an engine this one does not know keeps the name it recorded."""
    engine = report.config.engine
    return capabilities(engine).label if engine in ENGINES else report.engine.name


def run_identity(report: Report) -> str:
    """Model, engine and device: what a user reads to tell two runs apart."""
    return f"{model_name(report)} · {engine_label(report)} · {report.device.name}"


def median_text(report: Report) -> str:
    """A report without latencies (a benchmark_app counters import) has no median: "—", not 0."""
    latency = report.latency_ms
    return f"{format_ms(latency.median)} ms" if latency.samples or latency.median > 0 else MISSING
