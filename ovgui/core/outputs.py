"""Statistics of every model output, so a model ovgui has no decoder for still shows what it produced.

Min, max, mean and std are taken over the finite values only, with NaN and
infinity counted apart: one NaN would otherwise hide every other figure, and a
count of them is what tells a broken export from a working one.  The histogram
spans the finite range; small tensors (regressors, a few angles, a gaze vector)
are kept whole because their numbers are the result.
"""

from __future__ import annotations

import textwrap

import numpy as np

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.decoders.common import display_name, format_shape
from ovgui.core.report import OutputStats, Report

SMALL_TENSOR = 64
HISTOGRAM_BINS = 32
NUMERIC_KINDS = "biuf"
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
# numpy dtype -> OpenVINO's element type name, the spelling ModelInfo uses for ports.
ELEMENT_TYPES = {
    "float64": "f64", "float32": "f32", "float16": "f16", "int64": "i64", "int32": "i32", "int16": "i16",
    "int8": "i8", "uint64": "u64", "uint32": "u32", "uint16": "u16", "uint8": "u8", "bool": "boolean",
}


def output_stats(outputs: list[ModelOutput]) -> list[OutputStats]:
    return [tensor_stats(output) for output in outputs]


def element_type(data: np.ndarray) -> str:
    return ELEMENT_TYPES.get(data.dtype.name, data.dtype.name)


def tensor_stats(output: ModelOutput) -> OutputStats:
    """Figures for one output; a tensor without numbers (strings) gets its name, shape and type only."""
    name = display_name(output)
    if output.data is None:
        return OutputStats(name, list(output.shape), "", names=list(output.names))
    data = np.asarray(output.data)
    stats = OutputStats(name, list(data.shape), element_type(data), names=list(output.names))
    if data.dtype.kind not in NUMERIC_KINDS:
        return stats
    flat = data.reshape(-1).astype(np.float64)
    finite_mask = np.isfinite(flat)
    finite = flat[finite_mask]
    stats.nan = int(np.isnan(flat).sum())
    stats.inf = int(np.isinf(flat).sum())
    if flat.size <= SMALL_TENSOR:
        stats.values = [float(value) if ok else None for value, ok in zip(flat, finite_mask)]
    if finite.size:
        stats.min, stats.max = float(finite.min()), float(finite.max())
        stats.mean, stats.std = float(finite.mean()), float(finite.std())
        counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS, range=histogram_range(stats.min, stats.max))
        stats.histogram_counts = [int(count) for count in counts]
        stats.histogram_edges = [float(edge) for edge in edges]
    return stats


def histogram_range(low: float, high: float) -> tuple[float, float]:
    """A constant tensor still gets a bin of width one around its value."""
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def format_outputs(report: Report) -> str:
    """The CLI summary's outputs section: a row of figures per output, then its values or a histogram line."""
    if not report.outputs:
        return ""
    width = max(6, *(len(stats.name) for stats in report.outputs))
    header = f"  {'output':<{width}} {'shape':<16} {'type':<7} "
    rows = [header + " ".join(f"{title:>10}" for title in ("min", "max", "mean", "std")) + f" {'nan':>6} {'inf':>6}"]
    for stats in report.outputs:
        rows.append(
            f"  {stats.name:<{width}} {format_shape(stats.shape):<16} {stats.element_type:<7} "
            f"{_number(stats.min):>10} {_number(stats.max):>10} {_number(stats.mean):>10} {_number(stats.std):>10} "
            f"{stats.nan:>6} {stats.inf:>6}"
        )
        rows.extend(_detail_lines(stats, indent=" " * (width + 3)))
    return f"Outputs ({len(report.outputs)})\n" + "\n".join(rows)


def _detail_lines(stats: OutputStats, indent: str) -> list[str]:
    if stats.values is not None:
        text = "values " + ", ".join(_number(value) for value in stats.values)
        return textwrap.wrap(text, 100, initial_indent=indent, subsequent_indent=indent + "       ")
    if stats.histogram_counts:
        return [f"{indent}histogram {sparkline(stats.histogram_counts)}  over [{_number(stats.min)}, {_number(stats.max)}]"]
    return []


def sparkline(counts: list[int]) -> str:
    """One character per bin, empty bins blank, so a spike next to nothing still reads as a spike."""
    top = max(counts, default=0)
    if top == 0:
        return " " * len(counts)
    steps = len(SPARK_LEVELS) - 1
    return "".join(" " if count == 0 else SPARK_LEVELS[round(steps * count / top)] for count in counts)


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"
