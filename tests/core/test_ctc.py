"""The greedy CTC decoder on hand-made recogniser outputs, and YOLO no longer claiming them."""

from __future__ import annotations

import numpy as np
import pytest
from output_models import photo, run, sequence_scores

from ovgui.core.decoders.base import DecodeOptions, ModelOutput
from ovgui.core.decoders.ctc import greedy
from ovgui.core.decoders.families import decode, guess_family
from ovgui.core.decoders.labels import load_labels
from ovgui.core.geometry import Geometry

GEOMETRY = Geometry.stretch((320, 48), (320, 48))
# steps: h h <blank> e l <blank> l l o ; dictionary lines are classes 1.., class 0 the blank
STEPS = [1, 1, 0, 2, 3, 0, 3, 3, 4]


def softmax_steps(best: list[int], classes: int, peak: float = 0.9) -> np.ndarray:
    rows = np.full((1, len(best), classes), (1 - peak) / (classes - 1), np.float32)
    rows[0, np.arange(len(best)), best] = peak
    return rows


def test_a_softmax_sequence_reads_as_the_dictionary_text(tmp_path):
    dictionary = tmp_path / "keys.txt"
    dictionary.write_text("h\ne\nl\no\n", encoding="utf-8")
    outputs, geometry = run(sequence_scores(softmax_steps(STEPS, 6)), photo(np.zeros((48, 320, 3), np.uint8)))
    options = DecodeOptions("ctc", labels=load_labels(dictionary))
    result = decode(outputs, geometry, options)
    assert result.decoder == "ctc" and result.note == ""
    assert result.text is not None and result.text.text == "hello"
    assert result.text.confidence == pytest.approx(0.9, abs=1e-5)


def test_the_class_after_the_dictionary_is_a_space_and_logits_are_read_through_a_softmax():
    logits = np.log(softmax_steps([1, 0, 3, 0, 2], 4, peak=0.6))[0] * 3
    recognised = greedy(logits, ["a", "b"])
    assert recognised.text == "a b"
    assert 0.6 < recognised.confidence < 1.0


def test_log_probabilities_keep_their_probabilities():
    recognised = greedy(np.log(softmax_steps([2, 2, 1], 3, peak=0.8))[0], ["x", "y"])
    assert (recognised.text, recognised.confidence) == ("yx", pytest.approx(0.8, abs=1e-5))


def test_without_a_dictionary_characters_are_class_ids_and_the_note_says_why():
    outputs = [ModelOutput(["softmax"], [1, 4, 5], softmax_steps([1, 4, 4, 2], 5))]
    result = decode(outputs, GEOMETRY, DecodeOptions("ctc"))
    assert result.text is not None and result.text.text == "[1][4][2]"
    assert "no dictionary (--labels FILE)" in result.note


def test_a_time_major_sequence_and_an_all_blank_one():
    outputs = [ModelOutput(["probs"], [3, 1, 4], softmax_steps([3, 0, 3], 4).transpose(1, 0, 2))]
    assert decode(outputs, GEOMETRY, DecodeOptions("ctc", labels=["a", "b", "c"])).text.text == "cc"
    assert greedy(softmax_steps([0, 0], 3)[0], None).text == ""
    assert greedy(softmax_steps([0, 0], 3)[0], None).confidence == 0.0


def test_an_ocr_recognisers_distributions_are_not_yolo():
    """PP-OCR's recogniser: declared [?,?,6625] passes YOLOv5's shape test, its [1,40,6625] data YOLOv8's."""
    rows = np.random.default_rng(0).random((1, 40, 6625)).astype(np.float32)
    rows /= rows.sum(axis=-1, keepdims=True)
    outputs = [ModelOutput(["softmax_2.tmp_0"], [1, 40, 6625], rows)]
    assert guess_family([ModelOutput(["softmax_2.tmp_0"], [-1, -1, 6625])]) == "yolov5"
    assert guess_family(outputs) == "none"
    from_declared = decode(outputs, GEOMETRY, DecodeOptions(), family="yolov5")
    assert from_declared.decoder == "none" and "no decoder recognises" in from_declared.note


def test_yolo_candidates_stay_yolo():
    rows = np.zeros((1, 25200, 85), np.float32)
    rows[0, :, :4] = [320, 320, 50, 50]
    assert guess_family([ModelOutput(["output0"], [1, 25200, 85], rows)]) == "yolov5"
    assert guess_family([ModelOutput(["output0"], [1, 84, 8400], np.zeros((1, 84, 8400), np.float32))]) == "yolov8"
