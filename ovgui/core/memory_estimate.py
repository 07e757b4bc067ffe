"""What a run's input shapes will cost in memory, estimated from the model before anything is compiled.

A big `--shape` (YuNet at 16384x16384) used to be discovered by the kernel's OOM killer after
tens of gigabytes.  A copy of the model made static at the shapes the run will use
(`preprocess.fix_input_shapes`, the same code the run goes through) knows every tensor's size
at the cost of a reshape, so the run can be refused in one line before compiling or
allocating anything.

The estimate adds every operation's outputs as if all were held at once: an upper bound for
the activations, because a runtime frees or reuses a buffer once its readers have run.  How
loose it is was measured on YuNet, growing the input from 640x640 to 1280x1280 (peak RSS of the
whole process, tests/core/test_memory_estimate.py): OpenVINO's CPU plugin grew by about a tenth
of the estimated growth, ONNX Runtime (with its second, profiled session) by about a third; a
lower bound is the largest single activation plus the weights and the input.  Refusing on the
upper bound can turn away a shape that would just have fitted; it never lets through one that
cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import openvino as ov
import psutil

from ovgui.core.errors import OvguiError
from ovgui.core.image import LoadedImage
from ovgui.core.preprocess import fix_input_shapes
from ovgui.core.report import RunConfig

HOST_BYTES_PER_ELEMENT = 4
"""The host converts an image to float32 before casting it to the input's type (`host_tensor`)."""
GIB = 1024**3


@dataclass(frozen=True)
class MemoryEstimate:
    input_shapes: dict[str, list[int]]
    activations_bytes: int
    """Every operation's outputs, as if all were held at once (parameters included, constants not)."""
    largest_activation_bytes: int
    weights_bytes: int
    """The constants: weights, biases, and shape tensors."""
    inputs_bytes: int
    """The input tensors built on the host, at `HOST_BYTES_PER_ELEMENT`."""

    @property
    def upper_bytes(self) -> int:
        return self.activations_bytes + self.weights_bytes + self.inputs_bytes

    @property
    def lower_bytes(self) -> int:
        return self.largest_activation_bytes + self.weights_bytes + self.inputs_bytes


def estimate_memory(model: ov.Model, image: LoadedImage, config: RunConfig) -> MemoryEstimate | None:
    """The estimate for `model` at the shapes the run will give it; None where an input stays
    dynamic (the run refuses that itself).  `model` is not changed: a copy is reshaped (its
    constants share the original's data, so the copy costs about a megabyte)."""
    planned = model.clone()
    fix_input_shapes(planned, image, config)
    if any(port.get_partial_shape().is_dynamic for port in planned.inputs):
        return None
    activations = largest = weights = 0
    for op in planned.get_ordered_ops():
        sizes = [tensor_bytes(output) for output in op.outputs()]
        if op.get_type_name() == "Constant":
            weights += sum(sizes)
            continue
        activations += sum(sizes)
        largest = max([largest, *sizes])
    shapes = {port.get_any_name(): list(port.get_shape()) for port in planned.inputs}
    inputs = sum(int(np.prod(shape, dtype=np.int64)) * HOST_BYTES_PER_ELEMENT for shape in shapes.values())
    return MemoryEstimate(shapes, activations, largest, weights, inputs)


def tensor_bytes(output: ov.Output) -> int:
    """Bytes of one output; 0 where its size depends on the data (NMS, NonZero): unknown before a run."""
    shape = output.get_partial_shape()
    if shape.is_dynamic:
        return 0
    return int(np.prod(shape.to_shape(), dtype=np.int64)) * output.get_element_type().size


def check_memory(model: ov.Model, image: LoadedImage, config: RunConfig) -> None:
    """Refuse, in one line, a run whose estimate exceeds the memory available now."""
    estimate = estimate_memory(model, image, config)
    available = psutil.virtual_memory().available
    if estimate is not None and estimate.upper_bytes > available:
        raise OvguiError(refusal(estimate, available))


def refusal(estimate: MemoryEstimate, available: int) -> str:
    return (
        f"{shapes_text(estimate.input_shapes)} may need up to {gib_text(estimate.upper_bytes)} "
        f"(every layer's output held at once, the input and the weights; at least {gib_text(estimate.lower_bytes)}); "
        f"{gib_text(available)} is available"
    )


def shapes_text(shapes: dict[str, list[int]]) -> str:
    if len(shapes) == 1:
        return f"input shape {','.join(map(str, next(iter(shapes.values()))))}"
    return "input shapes " + "; ".join(f"{name} {','.join(map(str, shape))}" for name, shape in shapes.items())


def gib_text(size_bytes: int) -> str:
    gib = size_bytes / GIB
    return f"{gib:.1f} GiB" if gib < 10 else f"{gib:.0f} GiB"
