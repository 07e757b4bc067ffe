"""SSD ``DetectionOutput``: rows ``[image_id, label, conf, x1, y1, x2, y2]`` with corners normalised 0..1.

Open Model Zoo SSD-style detectors (face-detection-adas-0001,
person-vehicle-bike-detection-2002, ...) end in this layer.  The row list has a
fixed length and ends early at a row whose image_id is -1; what follows is padding.
"""

from __future__ import annotations

import numpy as np

from ovgui.core.decoders.base import DecodeOptions, DecodeResult
from ovgui.core.decoders.common import Family, Outputs, as_float32, data_of, make_detections, shape_is
from ovgui.core.geometry import Geometry

ROW_LENGTH = 7


def fits(outputs: Outputs) -> bool:
    return len(outputs) == 1 and shape_is(outputs[0].shape, (1, 1, None, ROW_LENGTH))


def decode_ssd(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    rows = as_float32(data_of(outputs[0])).reshape(-1, ROW_LENGTH)
    terminators = np.flatnonzero(rows[:, 0] == -1)
    if terminators.size:
        rows = rows[: terminators[0]]
    rows = rows[rows[:, 2] > options.threshold]
    input_size = np.array([geometry.input_width, geometry.input_height] * 2, dtype=np.float32)
    boxes = rows[:, 3:7] * input_size
    class_ids = rows[:, 1].astype(np.int64)
    return DecodeResult("ssd", make_detections(boxes, rows[:, 2], class_ids, geometry, options.labels))


FAMILY = Family("ssd", "one output [1,1,N,7]", fits, decode_ssd)
