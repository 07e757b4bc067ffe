"""Drawing detections onto the image for the annotated PNG export.

The colour of a class is a function of its id alone, so the CLI's PNG and the
window's box items agree on it.
"""

from __future__ import annotations

import colorsys
from pathlib import Path

import cv2
import numpy as np

from ovgui.core.errors import OvguiError
from ovgui.core.files import write_bytes_atomic
from ovgui.core.image import load_image
from ovgui.core.inputs import frames_again
from ovgui.core.report import ClassScore, Detection, Report

GOLDEN_RATIO = 0.618033988749895


def class_color(class_id: int) -> tuple[int, int, int]:
    """A bright, well-separated RGB colour per class (hues spaced by the golden ratio)."""
    hue = (0.08 + class_id * GOLDEN_RATIO) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.85, 0.95)
    return int(r * 255), int(g * 255), int(b * 255)


def draw_detections(bgr: np.ndarray, detections: list[Detection]) -> np.ndarray:
    canvas = bgr.copy()
    thickness = max(1, round(max(canvas.shape[:2]) / 500))
    font_scale = max(0.4, max(canvas.shape[:2]) / 1600)
    for det in detections:
        r, g, b = class_color(det.class_id)
        x1, y1, x2, y2 = (int(round(v)) for v in det.box)
        cv2.rectangle(canvas, (x1, y1), (x2, y2), (b, g, r), thickness)
        _label(canvas, f"{det.label} {det.score:.2f}", (x1, y1), (b, g, r), font_scale)
    return canvas


def draw_classes(bgr: np.ndarray, classes: list[ClassScore]) -> np.ndarray:
    canvas = bgr.copy()
    font_scale = max(0.45, max(canvas.shape[:2]) / 1400)
    line_height = int(28 * font_scale / 0.6)
    for row, cls in enumerate(classes):
        r, g, b = class_color(cls.class_id)
        _label(canvas, f"{cls.score:.3f}  {cls.label}", (6, 6 + (row + 1) * line_height), (b, g, r), font_scale)
    return canvas


def _label(canvas: np.ndarray, text: str, anchor: tuple[int, int], bgr: tuple[int, int, int], font_scale: float) -> None:
    """Text on a filled tab in the class colour, above the anchor when there is room."""
    font = cv2.FONT_HERSHEY_SIMPLEX
    (width, height), baseline = cv2.getTextSize(text, font, font_scale, 1)
    x, y = anchor
    top = y - height - baseline - 4 if y - height - baseline - 4 >= 0 else y
    cv2.rectangle(canvas, (x, top), (x + width + 6, top + height + baseline + 4), bgr, cv2.FILLED)
    luminance = 0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2]
    ink = (0, 0, 0) if luminance > 140 else (255, 255, 255)
    cv2.putText(canvas, text, (x + 3, top + height + 2), font, font_scale, ink, 1, cv2.LINE_AA)


def check_image_path(path: str | Path) -> None:
    """Refuse, before any work, a file name whose suffix names no format OpenCV can write."""
    if not cv2.haveImageWriter(str(path)):
        suffix = Path(path).suffix or "a name without a suffix"
        raise OvguiError(f"cannot write {path}: OpenCV writes no image format for {suffix}; use .png, .jpg, .bmp, .tiff or .webp")


def save_image(bgr: np.ndarray, path: str | Path) -> None:
    """Encoded in the format the suffix names (.png, .jpg…), then written atomically.

    imencode + an atomic write rather than cv2.imwrite, which fails silently on non-ASCII
    paths and truncates the old file before writing."""
    check_image_path(path)
    ok, encoded = cv2.imencode(Path(path).suffix, bgr)
    if not ok:
        raise OvguiError(f"could not encode the annotated image for {path}")
    write_bytes_atomic(path, encoded.tobytes())


def draw_results(bgr: np.ndarray, detections: list[Detection], classes: list[ClassScore]) -> np.ndarray:
    return draw_classes(bgr, classes) if classes else draw_detections(bgr, detections)


def annotated_image(report: Report) -> np.ndarray:
    """The report's image with its classes or boxes drawn on: what the CLI and the window export."""
    if report.image is None:
        raise OvguiError("the report names no image to draw its results on")
    return draw_results(load_image(report.image.path).bgr, report.detections, report.classes)


def save_annotated_frames(report: Report, folder: Path) -> int:
    """Every image or frame of a set with its boxes (or classes), as PNGs in `folder`.

    The frames are read again from the source the report names (the report keeps results,
    not pixels); a frame that can no longer be read is left out.  Returns how many were written."""
    if report.frame_set is None:
        raise OvguiError("annotated frames need a run over a set of images or a video")
    if not folder.is_dir():
        raise OvguiError(f"cannot write annotated frames: {folder} is not a folder")
    written = 0
    for result, frame in frames_again(report):
        canvas = draw_results(frame.image.bgr, result.detections, result.classes)
        save_image(canvas, folder / f"{frame.index:05d}_{Path(frame.source).stem.replace(' ', '_')}.png")
        written += 1
    return written
