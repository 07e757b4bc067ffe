"""The segmentation and probability-map decoders, on opset13 models whose outputs come from the photo itself.

Boxes and masks must land on the photo's own squares and halves after stretch
and letterbox, so the tests draw the photo, run the model the runner's way and
compare with the drawing.
"""

from __future__ import annotations

import numpy as np
import pytest
from output_models import brightness_map, colour_ids, colour_scores, photo, run, square_photo, vectors

from ovgui.core.decoders.base import DecodeOptions, ModelOutput
from ovgui.core.decoders.families import decode, default_threshold, guess_family
from ovgui.core.geometry import Geometry

INPUT_W, INPUT_H = 160, 96
SQUARES = [(40, 50, 120, 130), (250, 150, 350, 260), (300, 20, 306, 26)]  # the last one is tiny


@pytest.mark.parametrize("resize", ["stretch", "letterbox"])
@pytest.mark.parametrize("stride", [1, 4])
def test_probability_map_boxes_land_on_the_photo_squares(resize, stride):
    image = photo(square_photo(400, 300, SQUARES))
    outputs, geometry = run(brightness_map(INPUT_H, INPUT_W, stride), image, resize)
    result = decode(outputs, geometry, DecodeOptions("probability_map", min_area_px=400, labels=["text"]))
    assert result.decoder == "probability_map" and result.note == ""
    tolerance = stride / min(geometry.scale_x, geometry.scale_y) + 2
    boxes = sorted(detection.box for detection in result.detections)
    assert boxes == [pytest.approx(list(SQUARES[0]), abs=tolerance), pytest.approx(list(SQUARES[1]), abs=tolerance)]
    assert all(d.label == "text" and d.class_id == 0 and 0.5 < d.score <= 1.0 for d in result.detections)
    assert result.mask.shape == (300, 400) and result.mask[90, 80] > 0.9 and result.mask[5, 5] < 0.05


def test_probability_map_minimum_area_and_threshold():
    image = photo(square_photo(400, 300, SQUARES))
    outputs, geometry = run(brightness_map(INPUT_H, INPUT_W, 1), image)
    everything = decode(outputs, geometry, DecodeOptions("probability_map", min_area_px=0))
    assert len(everything.detections) == 3
    assert default_threshold("probability_map") == 0.5
    nothing = decode(outputs, geometry, DecodeOptions("probability_map", threshold=1.0))
    assert nothing.detections == [] and nothing.note == ""


def test_probability_map_of_logits_goes_through_a_sigmoid_and_says_so():
    image = photo(square_photo(400, 300, SQUARES[:2]))
    outputs, geometry = run(brightness_map(INPUT_H, INPUT_W, 4, logits=True), image, "letterbox")
    result = decode(outputs, geometry, DecodeOptions("probability_map"))
    assert "logits" in result.note and len(result.detections) == 2
    assert result.mask.max() == pytest.approx(1 / (1 + np.exp(-5)), abs=1e-3)


@pytest.mark.parametrize("layout", ["NHWC", "NHW"])
def test_probability_map_in_other_layouts(layout):
    image = photo(square_photo(400, 300, SQUARES[:2]))
    outputs, geometry = run(brightness_map(INPUT_H, INPUT_W, 4 if layout == "NHWC" else 1, layout), image)
    assert len(decode(outputs, geometry, DecodeOptions("probability_map")).detections) == 2


def test_probability_map_channel_and_output_choice():
    data = np.zeros((1, 2, 24, 40), np.float32)
    data[0, 1, 4:10, 8:20] = 0.9
    other = ModelOutput(["aux"], [1, 1, 24, 40], np.zeros((1, 1, 24, 40), np.float32))
    outputs = [other, ModelOutput(["maps"], list(data.shape), data)]
    geometry = Geometry.stretch((160, 96), (160, 96))
    assert decode(outputs, geometry, DecodeOptions("probability_map", output="maps")).detections == []
    (found,) = decode(outputs, geometry, DecodeOptions("probability_map", output="maps", channel=1)).detections
    assert found.box == [32, 16, 80, 40] and found.class_id == 1 and found.score == pytest.approx(0.9)
    bad_channel = decode(outputs, geometry, DecodeOptions("probability_map", output="maps", channel=5))
    assert bad_channel.detections == [] and "maps has 2 channel(s)" in bad_channel.note
    missing = decode(outputs, geometry, DecodeOptions("probability_map", output="nope"))
    assert "no output named 'nope' lines up with the 160x96 input" in missing.note


@pytest.mark.parametrize("resize", ["stretch", "letterbox"])
@pytest.mark.parametrize(
    "model", [colour_scores(INPUT_H, INPUT_W, 4), colour_scores(INPUT_H, INPUT_W, 8, "NHWC"), colour_ids(INPUT_H, INPUT_W, 4)]
)
def test_segmentation_mask_and_shares(resize, model):
    pixels = np.zeros((300, 400, 3), np.uint8)
    pixels[:, :100] = (0, 0, 255)  # red quarter -> class 2
    pixels[:, 100:] = (255, 0, 0)  # blue rest -> class 0
    outputs, geometry = run(model, photo(pixels), resize)
    result = decode(outputs, geometry, DecodeOptions("segmentation", labels=["blue", "green", "red"]))
    assert result.decoder == "segmentation" and result.note == "" and result.detections == []
    assert result.mask.shape == (300, 400) and result.mask.dtype == np.int32
    assert result.mask[150, 20] == 2 and result.mask[150, 380] == 0
    assert [(s.class_id, s.label) for s in result.segments] == [(0, "blue"), (2, "red")]
    assert [s.share for s in result.segments] == pytest.approx([0.75, 0.25], abs=0.03)


def test_segmentation_refuses_a_one_channel_probability_map():
    outputs, geometry = run(brightness_map(INPUT_H, INPUT_W, 4), photo(square_photo(400, 300, SQUARES)))
    result = decode(outputs, geometry, DecodeOptions("segmentation"))
    assert result.mask is None and "not class ids" in result.note and "probability_map" in result.note


def test_map_decoders_on_outputs_that_are_not_maps_give_a_note():
    outputs, geometry = run(vectors(INPUT_H, INPUT_W), photo(square_photo(400, 300, SQUARES)))
    for name in ("segmentation", "probability_map"):
        result = decode(outputs, geometry, DecodeOptions(name))
        assert result.detections == [] and result.mask is None
        assert "no output lines up with the 160x96 input" in result.note
    square = Geometry.stretch((640, 640), (640, 640))
    yolo = [ModelOutput(["output0"], [1, 84, 8400], np.zeros((1, 84, 8400), np.float32))]
    assert "no output lines up with the 640x640 input" in decode(yolo, square, DecodeOptions("segmentation")).note
    scores = [ModelOutput(["prob"], [1, 1000], np.zeros((1, 1000), np.float32))]
    assert "segmentation decoder expects a [1,C,H,W]" in decode(scores, square, DecodeOptions("segmentation")).note


def test_auto_never_picks_the_map_decoders():
    for shape in ([1, 1, 96, 160], [1, 21, 96, 160], [1, 96, 160]):
        assert guess_family([ModelOutput(["out"], shape)]) not in ("segmentation", "probability_map")
