"""The built-in demo: a small convolutional colour-marker detector and a scene to run it on.

On a fresh machine there is no model to open, so ovgui builds one with the
opset API and draws an image it can find things in.  The detector is a real
convolutional network (1x1 colour filters, a depthwise blur, pooling, a
sigmoid head) with a YOLOv8-shaped output ``[1, 4+C, N]``, so the demo goes
through exactly the same preprocessing, profiling and decoding as a user's
model.  Every object in the scene is a 56-px marker centred on the detector's
8-px grid, which is what its fixed-size boxes assume.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import openvino as ov
import openvino.opset13 as ops

DEMO_SIZE = 384
STRIDE = 8
MARKER_CELLS = 7
MARKER_PX = MARKER_CELLS * STRIDE
CLASSES = ("red marker", "green marker", "blue marker")
RGB = {"red marker": (225, 40, 45), "green marker": (40, 185, 70), "blue marker": (45, 95, 230)}
SCENE = (
    ("red marker", "disc", (12, 10)),
    ("green marker", "square", (10, 30)),
    ("blue marker", "diamond", (34, 21)),
    ("red marker", "square", (36, 38)),
)
MODEL_NAME = "ovgui-demo-detector"


def demo_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ovgui" / "demo"


def ensure_demo_files(folder: Path | None = None) -> tuple[Path, Path]:
    """Write the demo model and image once; later calls reuse them."""
    folder = folder or demo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    model_path, image_path = folder / "demo_detector.xml", folder / "demo_scene.png"
    if not model_path.exists() or not model_path.with_suffix(".bin").exists():
        ov.save_model(build_detector(), model_path, compress_to_fp16=False)
    if not image_path.exists():
        cv2.imwrite(str(image_path), draw_scene())
    return model_path, image_path


def is_demo_model(path: str | Path) -> bool:
    return Path(path).resolve().parent == demo_dir().resolve()


def build_detector() -> ov.Model:
    """RGB in 0..1 -> per-class marker likelihood per 8-px cell -> YOLOv8-style candidates."""
    image = ops.parameter([1, 3, DEMO_SIZE, DEMO_SIZE], ov.Type.f32, name="images")
    colour = ops.relu(ops.convolution(image, _colour_filters(), [1, 1], [0, 0], [0, 0], [1, 1]))
    blurred = ops.group_convolution(colour, _blur_filters(), [1, 1], [1, 1], [1, 1], [1, 1])
    per_cell = ops.avg_pool(blurred, [STRIDE, STRIDE], [0, 0], [0, 0], [STRIDE, STRIDE], exclude_pad=True)
    half = MARKER_CELLS // 2
    coverage = ops.avg_pool(per_cell, [1, 1], [half, half], [half, half], [MARKER_CELLS] * 2, exclude_pad=False)
    logits = ops.multiply(ops.subtract(coverage, _scalar(0.3)), _scalar(12.0))
    grid = DEMO_SIZE // STRIDE
    peaks = ops.multiply(ops.sigmoid(logits), _local_maxima(coverage))
    scores = ops.reshape(peaks, ops.constant(np.array([1, len(CLASSES), grid * grid], np.int64)), False)
    output = ops.concat([ops.constant(_anchor_boxes(grid)), scores], axis=1)
    output.output(0).get_tensor().set_names({"output0"})
    model = ov.Model([output], [image], MODEL_NAME)
    model.set_rt_info(str(dict(enumerate(CLASSES))), ["framework", "names"])
    return model


def _local_maxima(heatmap: ov.Node) -> ov.Node:
    """CenterNet-style peak picking: 1 where a cell is the maximum of its 3x3 neighbourhood, else 0."""
    neighbourhood = ops.max_pool(heatmap, [1, 1], [1, 1], [1, 1], [1, 1], [3, 3]).output(0)
    return ops.convert(ops.greater_equal(heatmap, neighbourhood), ov.Type.f32)


def _scalar(value: float) -> ov.Node:
    return ops.constant(np.float32(value))


def _colour_filters() -> np.ndarray:
    """Each class responds to its channel minus the mean of the other two: grey gives ~0."""
    weights = np.full((len(CLASSES), 3, 1, 1), -0.5, np.float32)
    for channel in range(3):
        weights[channel, channel] = 1.0
    return weights * 1.6


def _blur_filters() -> np.ndarray:
    return np.full((len(CLASSES), 1, 1, 3, 3), 1.0 / 9.0, np.float32)


def _anchor_boxes(grid: int) -> np.ndarray:
    rows, cols = np.mgrid[0:grid, 0:grid].astype(np.float32)
    centres_x = ((cols + 0.5) * STRIDE).ravel()
    centres_y = ((rows + 0.5) * STRIDE).ravel()
    size = np.full_like(centres_x, MARKER_PX)
    return np.stack([centres_x, centres_y, size, size])[None]


def draw_scene() -> np.ndarray:
    """A grey, slightly textured backdrop with saturated markers (BGR, for cv2.imwrite)."""
    rng = np.random.default_rng(7)
    ramp = np.linspace(150, 200, DEMO_SIZE, dtype=np.float32)
    backdrop = (ramp[:, None] + ramp[None, :]) / 2 + rng.normal(0, 4, (DEMO_SIZE, DEMO_SIZE))
    scene = np.repeat(backdrop.clip(0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    for label, shape, (col, row) in SCENE:
        _draw_marker(scene, shape, ((col + 0.5) * STRIDE, (row + 0.5) * STRIDE), RGB[label][::-1])
    cv2.putText(scene, "ovgui demo scene", (12, DEMO_SIZE - 14), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (70, 70, 70), 1, cv2.LINE_AA)
    return scene


def _draw_marker(scene: np.ndarray, shape: str, centre: tuple[float, float], bgr: tuple[int, int, int]) -> None:
    cx, cy = centre
    half = MARKER_PX / 2
    if shape == "disc":
        cv2.circle(scene, (int(cx), int(cy)), int(half), bgr, cv2.FILLED, cv2.LINE_AA)
    elif shape == "diamond":
        points = np.array([[cx, cy - half], [cx + half, cy], [cx, cy + half], [cx - half, cy]], np.int32)
        cv2.fillConvexPoly(scene, points, bgr, cv2.LINE_AA)
    else:
        cv2.rectangle(scene, (int(cx - half), int(cy - half)), (int(cx + half) - 1, int(cy + half) - 1), bgr, cv2.FILLED)


def expected_boxes() -> list[tuple[str, list[float]]]:
    """Where the scene's markers are, for tests and for the window's demo banner."""
    return [
        (label, [(c + 0.5) * STRIDE - MARKER_PX / 2, (r + 0.5) * STRIDE - MARKER_PX / 2,
                 (c + 0.5) * STRIDE + MARKER_PX / 2, (r + 0.5) * STRIDE + MARKER_PX / 2])
        for label, _shape, (c, r) in SCENE
    ]
