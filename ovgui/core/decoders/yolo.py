"""Ultralytics YOLO heads: boxes ``cx, cy, w, h`` in model-input pixels plus class scores.

YOLOv5 exports ``[1, N, 5+C]`` rows with an objectness column (score =
objectness x class probability); YOLOv8 / YOLO11 export ``[1, 4+C, N]``,
channels first and without objectness.  Both need per-class NMS afterwards.
The candidate count (25200 / 8400) is read by shape, never by looping.
"""

from __future__ import annotations

import numpy as np

from ovgui.core.decoders.base import DecodeOptions, DecodeResult
from ovgui.core.decoders.common import (
    Family,
    Outputs,
    as_float32,
    cxcywh_to_xyxy,
    data_of,
    make_detections,
    nms_per_class,
    shape_is,
)
from ovgui.core.geometry import Geometry
from ovgui.core.report import Detection


def _is_candidate_list(count: int, width: int, minimum_width: int) -> bool:
    """Candidates outnumber columns by far; a dynamic (-1) candidate count is accepted."""
    return width >= minimum_width and (count == -1 or count > width)


def fits_v5(outputs: Outputs) -> bool:
    if len(outputs) != 1 or not shape_is(outputs[0].shape, (1, None, None)):
        return False
    _, count, width = outputs[0].shape
    return _is_candidate_list(count, width, minimum_width=6)


def fits_v8(outputs: Outputs) -> bool:
    if len(outputs) != 1 or not shape_is(outputs[0].shape, (1, None, None)):
        return False
    _, width, count = outputs[0].shape
    return _is_candidate_list(count, width, minimum_width=5)


def decode_yolov5(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    data = as_float32(data_of(outputs[0]))
    rows = data.reshape(-1, data.shape[-1])
    class_scores = rows[:, 5:] * rows[:, 4:5]
    return DecodeResult("yolov5", _detect(rows[:, :4], class_scores, geometry, options))


def decode_yolov8(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    data = as_float32(data_of(outputs[0]))
    rows = data.reshape(data.shape[-2], data.shape[-1]).T
    return DecodeResult("yolov8", _detect(rows[:, :4], rows[:, 4:], geometry, options))


def _detect(
    boxes_cxcywh: np.ndarray, class_scores: np.ndarray, geometry: Geometry, options: DecodeOptions
) -> list[Detection]:
    class_ids = class_scores.argmax(axis=1)
    scores = np.take_along_axis(class_scores, class_ids[:, None], axis=1)[:, 0]
    keep = scores > options.threshold
    boxes, scores, class_ids = cxcywh_to_xyxy(boxes_cxcywh[keep]), scores[keep], class_ids[keep]
    kept = nms_per_class(boxes, scores, class_ids, options.nms_iou)
    return make_detections(boxes[kept], scores[kept], class_ids[kept], geometry, options.labels)


YOLOV5 = Family("yolov5", "one output [1,N,5+C] with N > 5+C", fits_v5, decode_yolov5)
YOLOV8 = Family("yolov8", "one output [1,4+C,N] with N > 4+C", fits_v8, decode_yolov8)
