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


def named(parameter: ov.Node, name: str) -> ov.Node:
    parameter.output(0).get_tensor().set_names({name})
    return parameter


def image_and_vector(folder: Path) -> Path:
    """Two inputs a run must shape apart: image [?,3,?,?] and vector [?,?] (any batch), each
    averaged to one value per batch item."""
    image = named(ops.parameter(ov.PartialShape([-1, 3, -1, -1]), ov.Type.f32, name="image"), "image")
    vector = named(ops.parameter(ov.PartialShape([-1, -1]), ov.Type.f32, name="vector"), "vector")
    pooled = ops.reduce_mean(image, ops.constant(np.array([1, 2, 3], np.int64)), keep_dims=False)
    summed = ops.reduce_mean(vector, ops.constant(np.array([1], np.int64)), keep_dims=False)
    path = folder / "image_and_vector.xml"
    ov.save_model(ov.Model([ops.add(pooled, summed)], [image, vector], "image_and_vector"), path)
    return path


def height_48_any_width(folder: Path) -> Path:
    """Input x [?,3,48,?], as a text recogniser declares it: 48 is the model's, the rest is free."""
    image = named(ops.parameter(ov.PartialShape([-1, 3, 48, -1]), ov.Type.f32, name="x"), "x")
    weights = ops.constant(np.ones((8, 3, 3, 3), np.float32))
    conv = ops.convolution(image, weights, [1, 1], [1, 1], [1, 1], [1, 1])
    pooled = ops.reduce_mean(ops.relu(conv), ops.constant(np.array([2, 3], np.int64)), keep_dims=False)
    path = folder / "height_48.xml"
    ov.save_model(ov.Model([pooled], [image], "height_48"), path)
    return path
