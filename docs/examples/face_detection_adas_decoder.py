"""A user decoder for Open Model Zoo's face-detection-adas-0001 (an SSD ending in DetectionOutput).

Its one output, ``detection_out`` [1,1,200,7], holds rows
``[image_id, label, confidence, x_min, y_min, x_max, y_max]`` with corners as
fractions of the model input (672x384); the list ends at a row whose image_id
is -1.  ovgui wants boxes in photo pixels, so each corner goes input fraction ->
input pixels -> photo pixels with the numbers in ``info``.

    ovgui-profile face-detection-adas-0001.xml zidane.jpg --decoder-file face_detection_adas_decoder.py
"""

import numpy as np

DEFAULT_THRESHOLD = 0.5


def to_photo(x, y, info):
    """Input pixels -> photo pixels: undo ``input = photo * scale + pad``."""
    return (x - info["pad_left"]) / info["scale_x"], (y - info["pad_top"]) / info["scale_y"]


def decode(outputs, info):
    rows = np.asarray(outputs["detection_out"]).reshape(-1, 7)
    threshold = DEFAULT_THRESHOLD if info["threshold"] is None else info["threshold"]
    boxes = []
    for image_id, label, confidence, x_min, y_min, x_max, y_max in rows:
        if image_id < 0:
            break
        if confidence <= threshold:
            continue
        x1, y1 = to_photo(x_min * info["input_width"], y_min * info["input_height"], info)
        x2, y2 = to_photo(x_max * info["input_width"], y_max * info["input_height"], info)
        boxes.append([x1, y1, x2, y2, float(confidence), int(label)])
    return {"boxes": boxes}
