"""How far a model's outputs move between two runs (f32 vs bf16, OpenVINO vs ONNX Runtime, CPU vs GPU).

A precision or an engine is only worth its speed if the outputs hold; two
numbers per output say so without a dataset: the largest absolute difference
(what a threshold sees) and the cosine similarity (whether the tensor still
points the same way).  Outputs are matched by tensor name, then by position,
because two engines may list them in different orders.
"""

from __future__ import annotations

import numpy as np

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.decoders.common import display_name, format_shape
from ovgui.core.report import OutputDrift


def output_drift(reference: list[ModelOutput], other: list[ModelOutput]) -> list[OutputDrift]:
    """One entry per reference output; an output the other run lacks is reported, not skipped."""
    return [
        tensor_drift(output, counterpart(output, index, other)) for index, output in enumerate(reference)
    ]


def counterpart(output: ModelOutput, index: int, others: list[ModelOutput]) -> ModelOutput | None:
    named = next((other for other in others if set(other.names) & set(output.names)), None)
    return named or (others[index] if index < len(others) else None)


def tensor_drift(reference: ModelOutput, other: ModelOutput | None) -> OutputDrift:
    name, shape = display_name(reference), list(np.shape(np.asarray(reference.data)))
    if other is None:
        return OutputDrift(name, shape, compared=False, note="the other run has no such output")
    first, second = np.asarray(reference.data), np.asarray(other.data)
    if first.shape != second.shape:
        return OutputDrift(
            name, shape, compared=False,
            note=f"shapes differ ({format_shape(list(first.shape))} vs {format_shape(list(second.shape))})",
        )
    if first.dtype.kind not in "biuf" or second.dtype.kind not in "biuf":
        return OutputDrift(name, shape, compared=False, note="not numbers")
    a, b = first.reshape(-1).astype(np.float64), second.reshape(-1).astype(np.float64)
    both = np.isfinite(a) & np.isfinite(b)
    same_nonfinite = ~both & ((a == b) | (np.isnan(a) & np.isnan(b)))
    a, b = a[both], b[both]
    difference = np.abs(a - b)
    return OutputDrift(
        name,
        shape,
        max_abs_diff=float(difference.max()) if difference.size else 0.0,
        mean_abs_diff=float(difference.mean()) if difference.size else 0.0,
        cosine_similarity=cosine_similarity(a, b),
        nonfinite_mismatch=int((~both & ~same_nonfinite).sum()),
    )


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Two all-zero tensors are the same (1); one all-zero tensor against anything else shares nothing (0)."""
    norms = float(np.linalg.norm(a)) * float(np.linalg.norm(b))
    if norms == 0.0:
        return 1.0 if not a.any() and not b.any() else 0.0
    return float(np.clip(np.dot(a, b) / norms, -1.0, 1.0))


def format_drift(drift: list[OutputDrift]) -> str:
    """Rows for a comparison's text output: one per output, against the first configuration."""
    width = max(6, *(len(entry.name) for entry in drift)) if drift else 6
    rows = [f"  {'output':<{width}} {'max |Δ|':>10} {'mean |Δ|':>10} {'cosine':>10}"]
    for entry in drift:
        if not entry.compared:
            rows.append(f"  {entry.name:<{width}} not compared: {entry.note}")
            continue
        extra = f"  ({entry.nonfinite_mismatch} NaN/inf differ)" if entry.nonfinite_mismatch else ""
        rows.append(
            f"  {entry.name:<{width}} {entry.max_abs_diff:10.4g} {entry.mean_abs_diff:10.4g} "
            f"{entry.cosine_similarity:10.6f}{extra}"
        )
    return "\n".join(rows)
