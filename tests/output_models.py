"""Small opset13 models whose outputs are maps, score maps or vectors, and a way to run them as the runner does.

Each map model computes something visible from its input (brightness, the
dominant colour), so a test can check that an overlay reproduces the photo's
content at the right place after stretch or letterbox preprocessing.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.engines.openvino import read_outputs
from ovgui.core.geometry import Geometry
from ovgui.core.image import LoadedImage
from ovgui.core.preprocess import prepare_inputs
from ovgui.core.report import ImageInfo, RunConfig


def named(node: ov.Node, name: str) -> ov.Output:
    output = node.output(0)
    output.get_tensor().set_names({name})
    return output


def pooled(image: ov.Node, stride: int) -> ov.Node:
    """Mean over each stride x stride cell, scaled to 0..1: the photo downsampled."""
    if stride == 1:
        return ops.divide(image, ops.constant(np.float32(255)))
    pool = ops.avg_pool(image, [stride, stride], [0, 0], [0, 0], [stride, stride], exclude_pad=True)
    return ops.divide(pool, ops.constant(np.float32(255)))


def brightness_map(height: int, width: int, stride: int, layout: str = "NCHW", logits: bool = False) -> ov.Model:
    """``heat``: the photo's brightness at 1/stride resolution, [1,1,h,w] (or [1,h,w,1] / [1,h,w])."""
    image = ops.parameter([1, 3, height, width], ov.Type.f32, name="image")
    grey = ops.reduce_mean(pooled(image, stride), ops.constant(np.array([1], np.int64)), keep_dims=True)
    if logits:
        grey = ops.multiply(ops.subtract(grey, ops.constant(np.float32(0.5))), ops.constant(np.float32(10)))
    if layout == "NHWC":
        grey = ops.transpose(grey, ops.constant(np.array([0, 2, 3, 1], np.int64)))
    elif layout == "NHW":
        grey = ops.squeeze(grey, ops.constant(np.array([1], np.int64)))
    return ov.Model([ops.result(named(grey, "heat"))], [image], "brightness-map")


def colour_scores(height: int, width: int, stride: int, layout: str = "NCHW") -> ov.Model:
    """``scores`` [1,3,h,w]: per-cell B, G, R means, so the argmax class is the cell's dominant colour."""
    image = ops.parameter([1, 3, height, width], ov.Type.f32, name="image")
    scores = pooled(image, stride)
    if layout == "NHWC":
        scores = ops.transpose(scores, ops.constant(np.array([0, 2, 3, 1], np.int64)))
    return ov.Model([ops.result(named(scores, "scores"))], [image], "colour-scores")


def colour_ids(height: int, width: int, stride: int) -> ov.Model:
    """``ids`` [1,h,w] int64: the dominant colour's channel index per cell (a segmentation model's argmax)."""
    image = ops.parameter([1, 3, height, width], ov.Type.f32, name="image")
    ids = ops.topk(pooled(image, stride), ops.constant(np.int64(1)), 1, "max", "none", "i64").output(1)
    ids = ops.squeeze(ids, ops.constant(np.array([1], np.int64)))
    return ov.Model([ops.result(named(ids, "ids"))], [image], "colour-ids")


def vectors(height: int, width: int) -> ov.Model:
    """``vector`` [1,3] and ``pooled`` [1,3,1,1]: global colour means, not maps."""
    image = ops.parameter([1, 3, height, width], ov.Type.f32, name="image")
    means = ops.reduce_mean(pooled(image, 1), ops.constant(np.array([2, 3], np.int64)), keep_dims=True)
    vector = ops.squeeze(means, ops.constant(np.array([2, 3], np.int64)))
    return ov.Model([ops.result(named(vector, "vector")), ops.result(named(means, "pooled"))], [image], "vectors")


def photo(bgr: np.ndarray) -> LoadedImage:
    height, width = bgr.shape[:2]
    return LoadedImage(bgr, ImageInfo("synthetic.png", width, height, 3, "uint8"))


def run(
    model: ov.Model, image: LoadedImage, resize: str = "stretch", precision: str = "f32"
) -> tuple[list[ModelOutput], Geometry]:
    """Preprocess on the host, compile, infer once and read the outputs: the runner's path, untimed."""
    prepared = prepare_inputs(model, image, "none", "OpenVINO IR", RunConfig(resize=resize))
    compiled = ov.Core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": precision})
    request = compiled.create_infer_request()
    for index, array in prepared.arrays.items():
        request.set_input_tensor(index, ov.Tensor(array))
    request.infer()
    return read_outputs(compiled, request), prepared.geometry


def square_photo(width: int, height: int, squares: list[tuple[int, int, int, int]], colour=(255, 255, 255)) -> np.ndarray:
    """A black photo with filled rectangles ``(x1, y1, x2, y2)`` (exclusive ends)."""
    pixels = np.zeros((height, width, 3), np.uint8)
    for x1, y1, x2, y2 in squares:
        pixels[y1:y2, x1:x2] = colour
    return pixels


def blazeface_like(face_anchor: int, offsets: list[float]) -> ov.Model:
    """BlazeFace's heads on a 128x128 NHWC input: ``regressors`` [1,896,16] all zero but `face_anchor`'s
    row (`offsets` = dx, dy, w, h in input pixels), ``classificators`` [1,896,1] logits of -10 but 10 there."""
    image = ops.parameter([1, 128, 128, 3], ov.Type.f32, name="input")
    nothing = ops.multiply(ops.reduce_mean(image, ops.constant(np.array([0, 1, 2, 3], np.int64))), ops.constant(np.float32(0)))
    boxes = np.zeros((1, 896, 16), np.float32)
    boxes[0, face_anchor, :4] = offsets
    logits = np.full((1, 896, 1), -10, np.float32)
    logits[0, face_anchor] = 10
    regressors = ops.add(ops.constant(boxes), nothing)
    classificators = ops.add(ops.constant(logits), nothing)
    return ov.Model([ops.result(named(regressors, "regressors")), ops.result(named(classificators, "classificators"))],
                    [image], "blazeface-like")


def sequence_scores(steps: np.ndarray) -> ov.Model:
    """``softmax`` [1,T,C]: the given per-step scores (any input), as a text recogniser's CTC head ends."""
    image = ops.parameter([1, 3, 48, 320], ov.Type.f32, name="x")
    nothing = ops.multiply(ops.reduce_mean(image, ops.constant(np.array([0, 1, 2, 3], np.int64))), ops.constant(np.float32(0)))
    return ov.Model([ops.result(named(ops.add(ops.constant(steps.astype(np.float32)), nothing), "softmax"))], [image],
                    "sequence-scores")
