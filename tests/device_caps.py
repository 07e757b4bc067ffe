"""What the CPU running the suite supports, asked of the device rather than assumed.

The project's machines differ (AVX2-only EPYCs, AVX-512/bf16 Xeons): a bf16 request compiles as
bf16 on one and as f32 on the other, so a test asserts on what the device reports it used.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import openvino as ov
from openvino import opset13 as ops


@cache
def cpu_capabilities() -> tuple[str, ...]:
    """The CPU plugin's OPTIMIZATION_CAPABILITIES, e.g. ("BF16", "FP32", "INT8", ...) or ("FP32", "INT8", ...)."""
    return tuple(ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES"))


@cache
def precision_used(requested: str) -> str:
    """The INFERENCE_PRECISION_HINT the CPU reads back after compiling a small convolution with
    `requested`: "bf16" where the CPU runs bf16, "f32" where it quietly falls back."""
    image = ops.parameter([1, 3, 16, 16], ov.Type.f32, name="image")
    weights = ops.constant(np.ones((4, 3, 3, 3), np.float32))
    conv = ops.convolution(image, weights, [1, 1], [1, 1], [1, 1], [1, 1])
    model = ov.Model([ops.result(conv)], [image], "probe")
    compiled = ov.Core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": requested})
    return compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()
