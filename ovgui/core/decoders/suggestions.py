"""When nothing decoded a run's outputs, which decoder might, and the options that would try it.

Each rule reads one output's shape and its first-inference values, because a shape alone cannot
tell a probability map from a depth map, nor a recogniser's character scores from a feature
sequence: the values can (0..1, rows that sum to 1).  A suggestion is only a lead worth one click,
so the rules stay loose and say why they fired.
"""

from __future__ import annotations

import numpy as np

from ovgui.core.decoders import ctc
from ovgui.core.decoders.base import ModelOutput
from ovgui.core.decoders.common import Outputs, data_of, display_name, format_shape
from ovgui.core.options import BY_NAME
from ovgui.core.report import DecoderSuggestion

MAP_THRESHOLD = 0.3
"""DBNet-style text detectors (PaddleOCR's) are read at 0.3; the probability-map default of 0.5 misses thin text."""
MIN_MAP_SIDE = 8
MAX_MAP_ASPECT = 8
"""A map's sides are a photo's: a `[1,40,6625]` sequence or `[1,896,16]` anchor rows are no map."""
ANCHOR_GUIDE = "docs/decoders.md, 'Anchor boxes and scores (BlazeFace-like)'"


def suggest(outputs: Outputs, tried: str = "none") -> list[DecoderSuggestion]:
    """Suggestions for outputs holding data, best lead first; none repeats the decoder `tried`."""
    found = [*_maps(outputs), *_sequences(outputs), *_anchors(outputs)]
    return [suggestion for suggestion in found if suggestion.changes.get("decoder") != tried]


def as_flags(suggestion: DecoderSuggestion) -> str:
    """The command-line flags that make the change, as `ovgui-profile` takes them."""
    if not suggestion.changes:
        return f"--decoder-file FILE.py (template: {suggestion.guide})"
    return " ".join(f"{BY_NAME[name].flags[-1]} {value}" for name, value in suggestion.changes.items())


def _maps(outputs: Outputs) -> list[DecoderSuggestion]:
    suggestions = []
    for output in outputs:
        channels = _map_channels(output)
        if channels is None or output.data is None or not np.all(np.isfinite(output.data)) or ctc.looks_like_sequence([output]):
            continue
        where = {"map_output": display_name(output)} if len(outputs) > 1 else {}
        shape = f"{display_name(output)} {format_shape(output.shape)}"
        if channels == 1 and output.data.min() >= 0 and output.data.max() <= 1:
            suggestions.append(DecoderSuggestion(
                "Try probability map", f"{shape} is one map of values in 0..1, like a text detector's probability map",
                {"decoder": "probability_map", "threshold": MAP_THRESHOLD, **where}))
        elif channels > 1:
            suggestions.append(DecoderSuggestion(
                "Try segmentation", f"{shape} has {channels} maps, like a segmenter's per-class scores",
                {"decoder": "segmentation", **where}))
    return suggestions


def _map_channels(output: ModelOutput) -> int | None:
    """Channels of a `[1,C,H,W]` or `[1,H,W]` map whose sides are image-like (not a vector or a sequence)."""
    shape = output.shape
    if shape[:1] != [1] or len(shape) not in (3, 4):
        return None
    sides = shape[-2:]
    if min(sides) < MIN_MAP_SIDE or max(sides) > MAX_MAP_ASPECT * min(sides):
        return None
    return 1 if len(shape) == 3 else shape[1]


def _sequences(outputs: Outputs) -> list[DecoderSuggestion]:
    if not ctc.looks_like_sequence(outputs):
        return []
    output = outputs[0]
    steps, classes = ctc.steps(data_of(output)).shape
    reason = (f"{display_name(output)} {format_shape(output.shape)} is {steps} steps of a distribution over {classes} "
              "classes, like a text recogniser's CTC output; add --labels with its dictionary (PaddleOCR: ppocr_keys_v1.txt)")
    return [DecoderSuggestion("Try CTC text", reason, {"decoder": "ctc"})]


def _anchors(outputs: Outputs) -> list[DecoderSuggestion]:
    """SSD-style heads without DetectionOutput: per-anchor box regressions `[1,N,K]` (K >= 4) beside
    per-anchor scores `[1,N,1]` or `[1,N,2]` for the same N.  Decoding them needs the anchors the
    model was trained with, which no output holds, so the suggestion is a decoder file."""
    regressions = [o for o in outputs if len(o.shape) == 3 and o.shape[0] == 1 and o.shape[2] >= 4]
    scores = [o for o in outputs if len(o.shape) == 3 and o.shape[0] == 1 and o.shape[2] in (1, 2)]
    pairs = [(box, score) for box in regressions for score in scores if box.shape[1] == score.shape[1] > 1]
    if not pairs:
        return []
    box, score = pairs[0]
    reason = (f"{display_name(box)} {format_shape(box.shape)} and {display_name(score)} {format_shape(score.shape)} "
              f"look like box offsets and scores for {box.shape[1]} anchors (SSD, BlazeFace); "
              "decoding them needs the model's anchors, in a decoder file of yours")
    return [DecoderSuggestion("Anchor boxes: write a decoder file", reason, guide=ANCHOR_GUIDE)]
