"""Turn raw model outputs into boxes or classes, whatever family the model belongs to.

`guess_family` looks only at output names and shapes, so the GUI can show the
chosen decoder before anything runs.  `decode` never raises on outputs it
cannot read: a profiling run is still worth its timings when the boxes fail,
so every mismatch comes back as a one-sentence note instead.
"""

from __future__ import annotations

import dataclasses

from ovgui.core.decoders import DECODERS, boxes_labels, classify, ctc, probability_map, segmentation, ssd, yolo, yunet
from ovgui.core.decoders.base import DecodeOptions, DecodeResult, ModelOutput
from ovgui.core.decoders.common import Family, describe
from ovgui.core.geometry import Geometry

# Name-based families first: their outputs' shapes alone could pass for another family.
_FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (yunet.FAMILY, boxes_labels.FAMILY, ssd.FAMILY, yolo.YOLOV5, yolo.YOLOV8, classify.FAMILY,
                   segmentation.FAMILY, probability_map.FAMILY, ctc.FAMILY)
}
_YOLO = ("yolov5", "yolov8")

_DEFAULT_THRESHOLDS = {
    "ssd": 0.5, "yolov5": 0.25, "yolov8": 0.25, "boxes_labels": 0.3, "yunet": 0.6,
    "probability_map": probability_map.DEFAULT_THRESHOLD,
}


def default_threshold(family: str) -> float:
    """Score cut-off each family's models are usually shown with (ATSS scores run low, YuNet's high)."""
    return _DEFAULT_THRESHOLDS.get(family, 0.0)


def guess_family(outputs: list[ModelOutput]) -> str:
    """Once data exists, a `[1,T,C]` whose every row is a distribution over C is a recogniser's
    sequence, not YOLO candidates (their rows start with box coordinates in pixels): OCR's
    `[1,40,6625]` passes YOLOv8's shape test, and its dynamic `[?,?,6625]` YOLOv5's."""
    name = next((family.name for family in _FAMILIES.values() if family.recognised(outputs)), "none")
    return _not_yolo_if_sequence(name, outputs)


def _not_yolo_if_sequence(name: str, outputs: list[ModelOutput]) -> str:
    return "none" if name in _YOLO and ctc.looks_like_sequence(outputs) else name


def class_count(family: str, outputs: list[ModelOutput]) -> int | None:
    """How many classes the outputs encode, where the format says so (for picking a default label set)."""
    if family not in ("yolov5", "yolov8", "classify") or not _FAMILIES[family].fits(outputs):
        return None
    shape = outputs[0].shape
    if family == "yolov5":
        return shape[2] - 5
    if family == "yolov8":
        return shape[1] - 4
    return shape[1]


def decode(
    outputs: list[ModelOutput],
    geometry: Geometry,
    options: DecodeOptions,
    family: str | None = None,
) -> DecodeResult:
    """Decode with the chosen (or guessed) family; `family` carries a guess already made on the model's shapes."""
    outputs = [_with_data_shape(output) for output in outputs]
    name = _not_yolo_if_sequence(family or guess_family(outputs), outputs) if options.decoder == "auto" else options.decoder
    if name == "none":
        unrecognised = f"no decoder recognises outputs {describe(outputs)}"
        reason = "decoder set to none" if options.decoder == "none" else unrecognised
        return DecodeResult("none", note=f"{reason}; showing timing only", failed=options.decoder != "none")
    chosen = _FAMILIES.get(name)
    if chosen is None:
        return DecodeResult("none", note=f"unknown decoder '{name}'; choose one of {', '.join(DECODERS)}", failed=True)
    if any(output.data is None for output in outputs):
        return DecodeResult(name, note=f"{name} decoder has no output data to read", failed=True)
    if not chosen.fits(outputs):
        return DecodeResult(name, note=f"{name} decoder expects {chosen.expects}; model gives {describe(outputs)}", failed=True)
    threshold = default_threshold(name) if options.threshold is None else options.threshold
    try:
        return chosen.decode(outputs, geometry, dataclasses.replace(options, threshold=threshold))
    except Exception as error:  # noqa: BLE001 - any failure on odd data becomes a note, the run's timings stay usable
        return DecodeResult(name, note=f"{name} decoder could not read {describe(outputs)}: {error}", failed=True)


def _with_data_shape(output: ModelOutput) -> ModelOutput:
    """Dynamic dims (-1) are only known once data exists; decoders then check the real shape."""
    if output.data is None:
        return output
    return dataclasses.replace(output, shape=list(output.data.shape))
