"""Anchor decoding for SSD-style heads without a DetectionOutput layer, set up for BlazeFace (front, 128x128).

The model gives, per anchor, box offsets ([1,896,16]: dx, dy, w, h, then six keypoints) and a score logit
([1,896,1]). The anchors themselves are not in the model: they are the grid it was trained with, rebuilt
here from STRIDES_AND_ANCHORS. For another model of this kind, change those, SCORE_WIDTH/BOX_WIDTH and
the defaults below.
"""

import cv2
import numpy as np

STRIDES_AND_ANCHORS = ((8, 2), (16, 6))  # 16x16 cells x 2 anchors + 8x8 cells x 6 anchors = 896
BOX_WIDTH = 16
SCORE_WIDTH = 1
DEFAULT_THRESHOLD = 0.75
NMS_IOU = 0.3


def anchor_centres(size):
    """Anchor centres in input pixels, in the model's order: layer by layer, row by row, anchors of a cell together."""
    centres = []
    for stride, per_cell in STRIDES_AND_ANCHORS:
        cells = size // stride
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([xs + 0.5, ys + 0.5], axis=-1).reshape(-1, 2) * stride
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres)


def rows(outputs, width):
    """The output whose last dimension is `width`, as one row per anchor."""
    return next(np.asarray(array, np.float32).reshape(-1, width) for array in outputs.values() if array.shape[-1] == width)


def to_photo(x, y, info):
    """Input pixels -> photo pixels: undo ``input = photo * scale + pad``."""
    return (x - info["pad_left"]) / info["scale_x"], (y - info["pad_top"]) / info["scale_y"]


def decode(outputs, info):
    offsets = rows(outputs, BOX_WIDTH)
    logits = rows(outputs, SCORE_WIDTH)[:, 0]
    centres = anchor_centres(info["input_width"])
    if len(centres) != len(offsets):
        raise ValueError(f"the model has {len(offsets)} anchors, STRIDES_AND_ANCHORS makes {len(centres)}")
    scores = 1 / (1 + np.exp(-np.clip(logits, -100, 100)))
    threshold = DEFAULT_THRESHOLD if info["threshold"] is None else info["threshold"]
    found = np.flatnonzero(scores > threshold)
    cx, cy = centres[found, 0] + offsets[found, 0], centres[found, 1] + offsets[found, 1]
    w, h = offsets[found, 2], offsets[found, 3]
    x1, y1 = to_photo(cx - w / 2, cy - h / 2, info)
    x2, y2 = to_photo(cx + w / 2, cy + h / 2, info)
    xywh = np.stack([x1, y1, x2 - x1, y2 - y1], axis=1)
    kept = np.asarray(cv2.dnn.NMSBoxes(xywh.tolist(), scores[found].tolist(), 0.0, NMS_IOU), np.int64).reshape(-1)
    return {"boxes": [[x1[i], y1[i], x2[i], y2[i], float(scores[found][i]), 0] for i in kept]}
