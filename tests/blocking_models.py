"""Models that block where nothing can interrupt them, built with openvino.opset13 for the stopping tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
from openvino import opset13 as ops

CHAINED_OPS = 20_000  # compiles in minutes here (measured: not done after 5 min on 2 shared cores)


SLOW_MATMULS = 24


def slow_inference_model(path: Path) -> Path:
    """Batched 2048x2048 matmuls of the input with itself: about 1.2 TFLOP, compiled in a moment.
    Run it in f32: seconds per inference on any CPU, where bf16 on a CPU with AMX could take
    well under a second."""
    image = ops.parameter([1, 3, 2048, 2048], np.float32, name="image")
    x = ops.reshape(image, ops.constant(np.array([3, 2048, 2048], np.int64)), False)
    for _ in range(SLOW_MATMULS):
        x = ops.multiply(ops.matmul(x, x, False, False), ops.constant(np.float32(1e-3)))
    ov.save_model(ov.Model([ops.result(x)], [image]), path)
    return path


def chained_model(path: Path, count: int = CHAINED_OPS) -> Path:
    """Elementwise ops one after another: tiny to run, minutes to compile."""
    image = ops.parameter([1, 3, 8, 8], np.float32, name="image")
    node = image
    for index in range(count):
        node = ops.add(node, ops.constant(np.float32(1))) if index % 2 else ops.multiply(node, ops.constant(np.float32(1)))
    ov.save_model(ov.Model([ops.result(node)], [image]), path, compress_to_fp16=False)
    return path
