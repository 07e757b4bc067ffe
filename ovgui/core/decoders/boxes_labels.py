"""Open Model Zoo two-output detectors (ATSS, e.g. person-vehicle-bike-detection-2004).

``boxes`` rows are ``[x1, y1, x2, y2, conf]`` in model-input pixels and
``labels`` holds one int64 class id per row.  NMS is already done inside the
model, and the row count is dynamic: it changes per image and may be 0.
"""

from __future__ import annotations

import numpy as np

from ovgui.core.decoders.base import DecodeOptions, DecodeResult
from ovgui.core.decoders.common import Family, Outputs, as_float32, data_of, find_named, make_detections, shape_is
from ovgui.core.geometry import Geometry

BOX_COLUMNS = 5


def fits(outputs: Outputs) -> bool:
    boxes, labels = find_named(outputs, "boxes"), find_named(outputs, "labels")
    return (
        len(outputs) == 2
        and boxes is not None
        and labels is not None
        and boxes is not labels
        and (shape_is(boxes.shape, (None, BOX_COLUMNS)) or shape_is(boxes.shape, (1, None, BOX_COLUMNS)))
        and (shape_is(labels.shape, (None,)) or shape_is(labels.shape, (1, None)))
    )


def decode_boxes_labels(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    rows = as_float32(data_of(find_named(outputs, "boxes"))).reshape(-1, BOX_COLUMNS)
    class_ids = data_of(find_named(outputs, "labels")).reshape(-1).astype(np.int64)
    if len(class_ids) != len(rows):
        raise ValueError(f"{len(rows)} boxes but {len(class_ids)} labels")
    keep = rows[:, 4] > options.threshold
    return DecodeResult(
        "boxes_labels", make_detections(rows[keep, :4], rows[keep, 4], class_ids[keep], geometry, options.labels)
    )


FAMILY = Family("boxes_labels", "two outputs: boxes [N,5] and labels [N]", fits, decode_boxes_labels)
