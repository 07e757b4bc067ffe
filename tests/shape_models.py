"""A model that takes one input size only, as a text recogniser takes lines 48 px high: fed a
photo at the photo's size, it fails inside OpenVINO's shape inference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops


def needs_height_48(folder: Path) -> Path:
    """Input x [?,3,?,?]; a Reshape to [1,144] after averaging each row's pixels holds only when 3 x H = 144."""
    image = ops.parameter(ov.PartialShape([-1, 3, -1, -1]), ov.Type.f32, name="x")
    image.output(0).get_tensor().set_names({"x"})
    rows = ops.reduce_mean(image, ops.constant(np.array([3], np.int64)), keep_dims=False)
    flat = ops.reshape(rows, ops.constant(np.array([1, 144], np.int64)), special_zero=False)
    path = folder / "needs_h48.xml"
    ov.save_model(ov.Model([flat], [image], "needs_h48"), path)
    return path
