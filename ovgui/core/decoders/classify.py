"""Classification: one score per class, reported as the top five.

Some classifiers end in a softmax (squeezenet1.1's ``prob``) and some return
raw logits; showing logits as if they were probabilities would mislead, so
scores that cannot be probabilities are passed through a softmax first.
"""

from __future__ import annotations

import numpy as np

from ovgui.core.decoders.base import DecodeOptions, DecodeResult
from ovgui.core.decoders.common import Family, Outputs, as_float32, data_of, label_for, shape_is
from ovgui.core.geometry import Geometry
from ovgui.core.report import ClassScore

TOP_K = 5
PROBABILITY_SUM_TOLERANCE = 0.01
REGRESSION_WORDS = ("gaze", "angle", "landmark", "pose", "vector", "embedding", "feature")


def fits(outputs: Outputs) -> bool:
    if len(outputs) != 1:
        return False
    shape = outputs[0].shape
    return (shape_is(shape, (1, None)) or shape_is(shape, (1, None, 1, 1))) and shape[1] >= 2


def recognises(outputs: Outputs) -> bool:
    """Small regressors (gaze-estimation's ``gaze_vector`` [1,3]) share the classifier shape; names tell them apart."""
    return fits(outputs) and not any(word in name.lower() for name in outputs[0].names for word in REGRESSION_WORDS)


def _are_probabilities(values: np.ndarray) -> bool:
    return bool(values.min() >= 0 and abs(values.sum() - 1) <= PROBABILITY_SUM_TOLERANCE)


def _softmax(values: np.ndarray) -> np.ndarray:
    exp = np.exp(values - values.max())
    return exp / exp.sum()


def decode_classify(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    """A single NaN or infinity makes every softmax score NaN, so no ranking would mean anything:
    such an output gets no top-5, and the note says why."""
    values = as_float32(data_of(outputs[0])).reshape(-1)
    not_finite = int(values.size - np.count_nonzero(np.isfinite(values)))
    if not_finite:
        note = f"the scores are not finite ({not_finite} of {values.size} are NaN or infinity), so there is no top-5"
        return DecodeResult("classify", note=note)
    probabilities = values if _are_probabilities(values) else _softmax(values)
    top = np.argsort(-probabilities, kind="stable")[:TOP_K]
    classes = [ClassScore(int(i), label_for(int(i), options.labels), float(probabilities[i])) for i in top]
    return DecodeResult("classify", classes=classes)


FAMILY = Family("classify", "one output [1,C] or [1,C,1,1] with C >= 2", fits, decode_classify, recognises)
