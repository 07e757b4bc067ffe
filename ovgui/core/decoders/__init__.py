"""Decoders: raw model outputs into boxes, classes or masks (`families`), whatever the model.

This package's top level holds only the decoders' names, so the option declarations
(and `ovgui-profile --help`) can list them without importing a decoder.
"""

from __future__ import annotations

DECODERS: tuple[str, ...] = (
    "auto", "ssd", "yolov5", "yolov8", "classify", "boxes_labels", "yunet", "segmentation", "probability_map", "ctc", "none",
)
