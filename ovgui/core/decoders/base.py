"""What every decoder receives and returns.

Decoders turn raw output arrays into detections or classes in the *original
image's* pixels.  The preprocessing step knows how the image was fitted into
the model input (stretch or letterbox); it hands that over as a `Geometry`, so
no decoder repeats resize arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ovgui.core.report import ClassScore, ClassShare, Detection


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


@dataclass(frozen=True)
class ModelOutput:
    """One output of the compiled model: all its tensor names, its static shape if known, its data."""

    names: list[str]
    shape: list[int]
    data: np.ndarray | None = None


@dataclass(frozen=True)
class DecodeOptions:
    """`min_area_px` (smallest box kept, in photo pixels), `channel` and `output` (which map to read;
    None = the first that lines up with the input) serve the map decoders."""

    decoder: str = "auto"
    threshold: float | None = None
    nms_iou: float = 0.45
    labels: list[str] | None = None
    min_area_px: float = 16.0
    channel: int = 0
    output: str | None = None


@dataclass
class DecodeResult:
    """`mask` is at the photo's size: class ids (segmentation) or probabilities (probability map)."""

    decoder: str
    detections: list[Detection] = field(default_factory=list)
    classes: list[ClassScore] = field(default_factory=list)
    note: str = ""
    mask: np.ndarray | None = None
    segments: list[ClassShare] = field(default_factory=list)
