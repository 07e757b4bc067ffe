"""How a photo was fitted to the model input (stretch or letterbox, with padding).

The preprocessing makes a `Geometry` when it fits the photo; decoders and overlays
only read it to map model-input pixels back to the photo's.  It lives apart from
`preprocess` so its readers need neither OpenCV nor OpenVINO to import it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Geometry:
    """How original-image pixels map onto model-input pixels: ``input = image * scale + pad``."""

    image_width: int
    image_height: int
    input_width: int
    input_height: int
    scale_x: float
    scale_y: float
    pad_left: float = 0.0
    pad_top: float = 0.0

    @classmethod
    def stretch(cls, image_size: tuple[int, int], input_size: tuple[int, int]) -> Geometry:
        (iw, ih), (mw, mh) = image_size, input_size
        return cls(iw, ih, mw, mh, mw / iw, mh / ih)

    @classmethod
    def letterbox(cls, image_size: tuple[int, int], input_size: tuple[int, int]) -> Geometry:
        """Ultralytics letterbox: keep aspect, centre, pad with grey."""
        (iw, ih), (mw, mh) = image_size, input_size
        scale = min(mw / iw, mh / ih)
        new_w, new_h = max(1, round(iw * scale)), max(1, round(ih * scale))
        return cls(iw, ih, mw, mh, scale, scale, (mw - new_w) // 2, (mh - new_h) // 2)

    @property
    def resized_size(self) -> tuple[int, int]:
        """Size of the image content inside the model input (without padding), at least a pixel."""
        return max(1, round(self.image_width * self.scale_x)), max(1, round(self.image_height * self.scale_y))

    def to_image(self, boxes_xyxy: np.ndarray, clip: bool = True) -> np.ndarray:
        """Map ``[N,4]`` boxes in model-input pixels to original-image pixels."""
        boxes = np.asarray(boxes_xyxy, dtype=np.float64).reshape(-1, 4).copy()
        boxes[:, [0, 2]] = (boxes[:, [0, 2]] - self.pad_left) / self.scale_x
        boxes[:, [1, 3]] = (boxes[:, [1, 3]] - self.pad_top) / self.scale_y
        if clip:
            boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, self.image_width)
            boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, self.image_height)
        return boxes
