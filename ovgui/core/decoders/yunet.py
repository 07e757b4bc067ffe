"""YuNet face detector (libfacedetection / OpenCV zoo): anchor-free heads at strides 8, 16 and 32.

Each stride has ``cls_<s>``, ``obj_<s>``, ``bbox_<s>`` (and ``kps_<s>``
landmarks, not drawn) with one row per grid cell of the model input, so the
grid size comes from the input size in `Geometry`, not from the outputs.
NMS uses IoU 0.3, the value YuNet and OpenCV's FaceDetectorYN are tuned for.
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
    find_named,
    make_detections,
    nms_per_class,
)
from ovgui.core.geometry import Geometry

STRIDES = (8, 16, 32)
HEADS = ("cls", "obj", "bbox")
NMS_IOU = 0.3
DEFAULT_LABELS = ["face"]


def fits(outputs: Outputs) -> bool:
    return all(find_named(outputs, f"{head}_{stride}") is not None for head in HEADS for stride in STRIDES)


def _head(outputs: Outputs, head: str, stride: int) -> np.ndarray:
    return as_float32(data_of(find_named(outputs, f"{head}_{stride}")))


def _decode_stride(outputs: Outputs, stride: int, geometry: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (cx, cy, w, h in input pixels) and scores for one stride's grid."""
    columns = geometry.input_width // stride
    cells = columns * (geometry.input_height // stride)
    cls, obj = _head(outputs, "cls", stride).reshape(-1), _head(outputs, "obj", stride).reshape(-1)
    if cls.size != cells:
        raise ValueError(
            f"cls_{stride} has {cls.size} rows but a {geometry.input_width}x{geometry.input_height} input needs {cells}"
        )
    bbox = _head(outputs, "bbox", stride).reshape(cells, 4)
    rows, cols = np.divmod(np.arange(cells), columns)
    centres = (np.stack([cols, rows], axis=1) + bbox[:, :2]) * stride
    sizes = np.exp(bbox[:, 2:4]) * stride
    scores = np.sqrt(np.clip(cls, 0, 1) * np.clip(obj, 0, 1))
    return np.concatenate([centres, sizes], axis=1), scores


def decode_yunet(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    per_stride = [_decode_stride(outputs, stride, geometry) for stride in STRIDES]
    boxes = np.concatenate([boxes for boxes, _ in per_stride])
    scores = np.concatenate([scores for _, scores in per_stride])
    keep = scores > options.threshold
    boxes, scores = cxcywh_to_xyxy(boxes[keep]), scores[keep]
    class_ids = np.zeros(len(scores), dtype=np.int64)
    kept = nms_per_class(boxes, scores, class_ids, NMS_IOU)
    labels = options.labels or DEFAULT_LABELS
    return DecodeResult("yunet", make_detections(boxes[kept], scores[kept], class_ids[kept], geometry, labels))


FAMILY = Family("yunet", "outputs cls_8/16/32, obj_8/16/32 and bbox_8/16/32", fits, decode_yunet)
