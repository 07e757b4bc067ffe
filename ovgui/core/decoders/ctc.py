"""Greedy CTC: a text recogniser's ``[1,T,C]`` (or ``[T,1,C]``) per-step character scores into a string.

Each step's best class is taken, repeats are collapsed and the blank is dropped.  The blank is
class 0, PaddleOCR's convention (its ``CTCLabelDecode`` puts ``blank`` before the dictionary and
a space after it), so class ``k`` is the dictionary's line ``k`` (1-based) and the class after the
last line is a space.  The confidence is the mean of the kept steps' probabilities, as PaddleOCR
scores a line.  "Auto" never picks this decoder: the suggestions offer it when the rows of an
output are distributions, since a feature sequence has the same shape.
"""

from __future__ import annotations

import numpy as np

from ovgui.core.decoders.base import DecodeOptions, DecodeResult
from ovgui.core.decoders.common import Family, Outputs, as_float32, data_of, shape_is
from ovgui.core.geometry import Geometry
from ovgui.core.report import RecognisedText

BLANK = 0
SUM_TOLERANCE = 0.01


def fits(outputs: Outputs) -> bool:
    return len(outputs) == 1 and _is_sequence_shape(outputs[0].shape)


def _is_sequence_shape(shape: list[int]) -> bool:
    return (shape_is(shape, (1, None, None)) or shape_is(shape, (None, 1, None))) and shape[2] >= 2


def steps(data: np.ndarray) -> np.ndarray:
    """``[T,C]`` rows from either layout."""
    values = as_float32(data)
    return values[0] if values.shape[0] == 1 else values[:, 0]


def is_distribution(rows: np.ndarray) -> bool:
    """Rows that are probabilities (non-negative, summing to 1) or log-probabilities (their exp does)."""
    if rows.size == 0 or not np.all(np.isfinite(rows)):
        return False
    probabilities = np.exp(rows) if rows.max() <= 0 else rows
    return bool(probabilities.min() >= 0 and np.all(np.abs(probabilities.sum(axis=1) - 1) <= SUM_TOLERANCE))


def looks_like_sequence(outputs: Outputs) -> bool:
    """One ``[1,T,C]`` output holding a distribution over C at every step: a recogniser, whatever its C."""
    return fits(outputs) and outputs[0].data is not None and is_distribution(steps(outputs[0].data))


def _probabilities(rows: np.ndarray) -> np.ndarray:
    if is_distribution(rows):
        return np.exp(rows) if rows.max() <= 0 else rows
    exp = np.exp(rows - rows.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def character(class_id: int, dictionary: list[str] | None) -> str:
    """Class ``k`` is the dictionary's ``k``-th line; one past the end is PaddleOCR's space; without a
    dictionary the class id itself stands in, bracketed so ids never run together."""
    if dictionary is None:
        return f"[{class_id}]"
    if class_id - 1 < len(dictionary):
        return dictionary[class_id - 1]
    return " " if class_id - 1 == len(dictionary) else f"[{class_id}]"


def greedy(rows: np.ndarray, dictionary: list[str] | None) -> RecognisedText:
    probabilities = _probabilities(rows)
    best = probabilities.argmax(axis=1)
    scores = probabilities.max(axis=1)
    new = np.concatenate([[True], best[1:] != best[:-1]])
    kept = new & (best != BLANK)
    text = "".join(character(int(class_id), dictionary) for class_id in best[kept])
    confidence = float(scores[kept].mean()) if kept.any() else 0.0
    return RecognisedText(text, confidence)


def decode_ctc(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    recognised = greedy(steps(data_of(outputs[0])), options.labels)
    note = "" if options.labels else "no dictionary (--labels FILE): characters are shown as class ids"
    return DecodeResult("ctc", note=note, text=recognised)


FAMILY = Family("ctc", "one output [1,T,C] or [T,1,C]: a class score per step (blank = 0)", fits, decode_ctc,
                recognises=lambda outputs: False)
