"""What every decoder receives and returns.

Decoders turn raw output arrays into detections or classes in the *original
image's* pixels.  How the image was fitted into the model input is the
preprocessing's `ovgui.core.geometry.Geometry`; decoders only read it, so no
decoder repeats resize arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ovgui.core.report import ClassScore, ClassShare, DecoderSuggestion, Detection, RecognisedText


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
    text: RecognisedText | None = None
    failed: bool = False
    """Nothing could be read: no decoder fits, or the chosen one (or the user's file) failed; a
    decoder that read the outputs and found nothing has not failed."""
    suggestions: list[DecoderSuggestion] = field(default_factory=list)
