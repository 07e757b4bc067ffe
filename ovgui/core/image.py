"""Reading the user's image into 8-bit BGR, whatever OpenCV can decode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ovgui.core.errors import OvguiError
from ovgui.core.report import ImageInfo


@dataclass(frozen=True)
class LoadedImage:
    bgr: np.ndarray
    info: ImageInfo

    @property
    def size(self) -> tuple[int, int]:
        return self.info.width, self.info.height


def load_image(path: str | Path) -> LoadedImage:
    """Decode from bytes (so non-ASCII paths work) and normalise depth and channels."""
    path = Path(path)
    if not path.exists():
        raise OvguiError(f"image file not found: {path}")
    if path.is_dir():
        raise OvguiError(f"{path} is a folder; choose an image file")
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        raise OvguiError(f"image file is empty: {path}")
    decoded = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if decoded is None or decoded.size == 0:
        raise OvguiError(f"{path.name} is not an image OpenCV can read (try .jpg, .png, .bmp or .tiff)")
    channels = 1 if decoded.ndim == 2 else decoded.shape[2]
    info = ImageInfo(str(path), decoded.shape[1], decoded.shape[0], channels, str(decoded.dtype))
    return LoadedImage(to_bgr8(decoded), info)


def to_bgr8(pixels: np.ndarray) -> np.ndarray:
    """Any depth, 1/3/4 channels -> contiguous uint8 BGR."""
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    elif pixels.dtype != np.uint8:
        pixels = cv2.normalize(pixels.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)
    if pixels.shape[2] == 4:
        return cv2.cvtColor(pixels, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(pixels[:, :, :3])
