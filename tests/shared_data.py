"""Paths to the real models and photos in ../shared (read in place, never copied), and a clip made
of those photos for the video tests."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import pytest

from ovgui.core.events import PHASES

SHARED = Path(os.environ.get("OVGUI_SHARED", Path(__file__).resolve().parents[2] / "shared"))
MODELS = SHARED / "models"
IMAGES = SHARED / "images"

MODEL_PATHS = {
    "face": MODELS / "omz/face-detection-adas-0001/FP16/face-detection-adas-0001.xml",
    "pvb2002": MODELS / "omz/person-vehicle-bike-detection-2002/FP16/person-vehicle-bike-detection-2002.xml",
    "pvb2004": MODELS / "omz/person-vehicle-bike-detection-2004/FP16/person-vehicle-bike-detection-2004.xml",
    "gaze": MODELS / "omz/gaze-estimation-adas-0002/FP16/gaze-estimation-adas-0002.xml",
    "headpose": MODELS / "omz/head-pose-estimation-adas-0001/FP16/head-pose-estimation-adas-0001.xml",
    "landmarks": MODELS / "omz/landmarks-regression-retail-0009/FP16/landmarks-regression-retail-0009.xml",
    "squeezenet": MODELS / "classification/squeezenet1.1/FP16/squeezenet1.1.xml",
    "yolov5": MODELS / "yolo/yolov5n_fp16.onnx",
    "yolov8": MODELS / "yolo/yolov8n_int8.onnx",
    "yunet_dynamic": MODELS / "yunet/yunet_s_dynamic.onnx",
    "yunet_640": MODELS / "yunet/yunet_s_640_640.onnx",
}


def model_path(key: str) -> Path:
    path = MODEL_PATHS[key]
    if not path.exists():
        pytest.fail(f"shared model missing: {path} (tests need ../shared next to the project)")
    return path


def image_path(name: str) -> Path:
    path = IMAGES / name
    if not path.exists():
        pytest.fail(f"shared image missing: {path}")
    return path


def write_video(path: Path, count: int = 12) -> str:
    """The shared photos as the frames of one MJPG clip (640x480, 10 FPS), cycled: bus, zidane, dog."""
    photos = [cv2.resize(cv2.imread(str(image_path(name))), (640, 480)) for name in ("bus.jpg", "zidane.jpg", "dog.jpg")]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for index in range(count):
        writer.write(photos[index % len(photos)])
    writer.release()
    return str(path)


NOT_PYTORCH_PHASES = [phase for phase in PHASES if phase != "convert"]
"""The memory phases of a run of a model that is not a PyTorch file: it has no conversion phase."""
