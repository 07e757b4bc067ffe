"""Probability map -> boxes: text detectors (DBNet, EAST's score map), saliency and blob detectors.

The chosen channel is thresholded at the map's own resolution; each outer
contour (``cv2.findContours``) becomes a box in model-input pixels (a cell
covers ``stride`` pixels) and is then mapped to the photo through the
preprocessing's geometry like every other decoder's boxes.  A box's score is
the mean probability inside its contour, as DBNet scores its regions.  Maps
with values outside 0..1 are logits and go through a sigmoid first.  "Auto"
never picks this decoder: a depth or feature map has the same shape.
"""

from __future__ import annotations

import cv2
import numpy as np

from ovgui.core.decoders.base import DecodeOptions, DecodeResult
from ovgui.core.decoders.common import Family, Outputs, make_detections
from ovgui.core.geometry import Geometry
from ovgui.core.overlay import find_map, has_map_shape, to_photo

DEFAULT_THRESHOLD = 0.5


def as_probabilities(plane: np.ndarray) -> tuple[np.ndarray, str]:
    """The map itself when it is a probability, else its sigmoid, with a note saying so."""
    finite = np.nan_to_num(plane, nan=0.0)
    if finite.min() >= 0.0 and finite.max() <= 1.0:
        return finite, ""
    return 1.0 / (1.0 + np.exp(-finite)), "values outside 0..1 were read as logits (sigmoid applied)"


def region_boxes(probabilities: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Boxes ``[x1, y1, x2, y2]`` in map cells around each region above the threshold, with mean scores."""
    above = (probabilities > threshold).astype(np.uint8)
    contours, _ = cv2.findContours(above, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes, scores = [], []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        inside = np.zeros((h, w), np.uint8)
        cv2.drawContours(inside, [contour - np.array([x, y])], -1, 1, cv2.FILLED)
        scores.append(float(probabilities[y : y + h, x : x + w][inside > 0].mean()))
        boxes.append([x, y, x + w, y + h])
    return np.asarray(boxes, np.float64).reshape(-1, 4), np.asarray(scores, np.float64)


def decode_probability_map(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    spatial = find_map(outputs, geometry, options.output)
    probabilities, note = as_probabilities(spatial.plane(options.channel))
    cells, scores = region_boxes(probabilities, options.threshold or 0.0)
    boxes = cells * spatial.layout.stride
    photo = geometry.to_image(boxes)
    large = (photo[:, 2] - photo[:, 0]) * (photo[:, 3] - photo[:, 1]) >= options.min_area_px
    class_ids = np.full(len(scores), options.channel, dtype=np.int64)
    detections = make_detections(boxes[large], scores[large], class_ids[large], geometry, options.labels)
    mask = to_photo(probabilities, geometry, spatial.layout.stride)
    return DecodeResult("probability_map", detections, note=note, mask=mask)


FAMILY = Family(
    "probability_map",
    "a [1,1,H,W] / [1,C,H,W] / [1,H,W] probability map at the input's resolution or a stride of it",
    has_map_shape,
    decode_probability_map,
    recognises=lambda outputs: False,
)
