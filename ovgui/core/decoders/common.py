"""What the family decoders share, so each family module holds only its own format.

A `Family` bundles the three things `decode()` needs to treat every output
format alike: a shape test for an explicit choice, a stricter one for "auto",
and the decode function.  The box helpers keep NMS, coordinate mapping,
rounding and labelling identical across families, so two decoders never
disagree on how a box is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ovgui.core.decoders.base import DecodeOptions, DecodeResult, ModelOutput
from ovgui.core.geometry import Geometry
from ovgui.core.report import Detection

Outputs = list[ModelOutput]


@dataclass(frozen=True)
class Family:
    """One output format: ``fits`` accepts what the decoder can read, ``recognises`` what "auto" may pick."""

    name: str
    expects: str
    fits: Callable[[Outputs], bool]
    decode: Callable[[Outputs, Geometry, DecodeOptions], DecodeResult]
    recognises: Callable[[Outputs], bool] | None = None

    def recognised(self, outputs: Outputs) -> bool:
        return (self.recognises or self.fits)(outputs)


def shape_is(shape: list[int], pattern: tuple[int | None, ...]) -> bool:
    """Compare a shape with a pattern where None is any size; a dynamic (-1) dim may stand for a batch of 1."""
    return len(shape) == len(pattern) and all(
        want is None or dim == want or (dim == -1 and want == 1) for dim, want in zip(shape, pattern)
    )


def format_shape(shape: list[int]) -> str:
    return "[" + ",".join("?" if dim < 0 else str(dim) for dim in shape) + "]"


def display_name(output: ModelOutput) -> str:
    """Prefer a readable tensor name: compiled models often list a numeric alias first."""
    return next((name for name in output.names if not name.isdigit()), output.names[0] if output.names else "?")


def describe(outputs: Outputs) -> str:
    return ", ".join(f"{display_name(output)} {format_shape(output.shape)}" for output in outputs)


def find_named(outputs: Outputs, fragment: str) -> ModelOutput | None:
    """First output with a tensor name containing ``fragment``; every name counts, not just the first."""
    return next((output for output in outputs if any(fragment in name.lower() for name in output.names)), None)


def data_of(output: ModelOutput | None) -> np.ndarray:
    """An output's values: `decode` hands a family only outputs that hold data and that it `fits`,
    so a missing one is that family's `fits` letting through what it cannot read."""
    if output is None or output.data is None:
        raise ValueError("an output the decoder reads is missing")
    return output.data


def as_float32(data: np.ndarray) -> np.ndarray:
    """FP16 exports return float16 tensors; scores and box arithmetic need float32."""
    return np.asarray(data, dtype=np.float32)


def cxcywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    centre, half = boxes[:, :2], boxes[:, 2:4] / 2
    return np.concatenate([centre - half, centre + half], axis=1)


def nms_per_class(boxes_xyxy: np.ndarray, scores: np.ndarray, class_ids: np.ndarray, iou: float) -> np.ndarray:
    """Indices that survive NMS run separately per class, so a dog never suppresses an overlapping bicycle."""
    if len(scores) == 0:
        return np.empty(0, dtype=np.int64)
    xywh = np.concatenate([boxes_xyxy[:, :2], boxes_xyxy[:, 2:] - boxes_xyxy[:, :2]], axis=1)
    keep = cv2.dnn.NMSBoxesBatched(
        xywh.astype(np.float64).tolist(), scores.astype(np.float32).tolist(), class_ids.astype(int).tolist(), 0.0, iou
    )
    return np.asarray(keep, dtype=np.int64).reshape(-1)


def label_for(class_id: int, labels: list[str] | None) -> str:
    if labels and 0 <= class_id < len(labels):
        return labels[class_id]
    return f"class {class_id}"


def make_detections(
    boxes_input_xyxy: np.ndarray,
    scores: np.ndarray,
    class_ids: np.ndarray,
    geometry: Geometry,
    labels: list[str] | None,
) -> list[Detection]:
    """Detections in original-image pixels, best first; boxes left with no area after clipping are dropped."""
    boxes = np.round(geometry.to_image(boxes_input_xyxy), 1)
    visible = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    order = np.argsort(-np.asarray(scores), kind="stable")
    order = order[visible[order]]
    return [
        Detection(int(class_ids[i]), label_for(int(class_ids[i]), labels), float(scores[i]), boxes[i].tolist())
        for i in order
    ]
