"""Overlays: which outputs are maps, and maps warped onto the photo so they line up after stretch or letterbox.

The alignment checks run small opset13 models whose output is the photo's own
brightness or dominant colour, downsampled: the heatmap must put the photo's
bright square back where it is, and letterbox padding (grey 114) must never
show up inside the photo.
"""

from __future__ import annotations

import cv2
import numpy as np
import openvino as ov
import pytest
from output_models import brightness_map, colour_ids, colour_scores, photo, run, square_photo, vectors
from shared_data import image_path, model_path

from ovgui.core.annotate import class_color
from ovgui.core.decoders.base import ModelOutput
from ovgui.core.errors import OvguiError
from ovgui.core.geometry import Geometry
from ovgui.core.image import load_image
from ovgui.core.overlay import (
    MapLayout,
    class_overlay,
    heatmap_overlay,
    map_layout,
    spatial_outputs,
    to_photo,
)

INPUT_W, INPUT_H = 160, 96
SQUARE = (250, 60, 310, 120)
# Both letterbox with padding a whole number of 8-px cells (16 and 48 px): a cell half padding,
# half photo is the model's own mix, checked apart in test_padding_cells_never_reach_the_photo.
PHOTOS = {"wide": (400, 300), "tall": (267, 400)}


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


# --- which outputs are maps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, input_size, expected",
    [
        ([1, 1, 24, 40], (160, 96), MapLayout("NCHW", 1, 24, 40, 4)),
        ([1, 5, 12, 20], (160, 96), MapLayout("NCHW", 5, 12, 20, 8)),
        ([1, 24, 40, 3], (160, 96), MapLayout("NHWC", 3, 24, 40, 4)),
        ([1, 96, 160], (160, 96), MapLayout("NHW", 1, 96, 160, 1)),
        ([1, 1, 29, 29], (227, 227), MapLayout("NCHW", 1, 29, 29, 8)),
        ([1, 1, 28, 28], (227, 227), MapLayout("NCHW", 1, 28, 28, 8)),
    ],
)
def test_map_layouts(shape, input_size, expected):
    geometry = Geometry.stretch((640, 480), input_size)
    assert map_layout(shape, geometry) == expected


@pytest.mark.parametrize(
    "shape, input_size",
    [
        ([1, 1000, 1, 1], (227, 227)),  # squeezenet's prob
        ([1, 3], (160, 96)),
        ([1, 1, 200, 7], (672, 384)),  # SSD DetectionOutput
        ([1, 84, 8400], (640, 640)),  # YOLOv8
        ([1, 25200, 85], (640, 640)),  # YOLOv5
        ([1, 6400, 1], (640, 640)),  # YuNet's flattened grid
        ([1, 1, 25, 40], (160, 96)),  # height and width disagree on the stride
        ([1, 1, 2, 2], (640, 640)),  # stride 320
        ([2, 1, 24, 40], (160, 96)),
        ([1, 1, 1, 24, 40], (160, 96)),
    ],
)
def test_shapes_that_are_not_maps(shape, input_size):
    assert map_layout(shape, Geometry.stretch((640, 480), input_size)) is None


def test_vector_outputs_of_a_real_opset_model_are_not_maps():
    outputs, geometry = run(vectors(INPUT_H, INPUT_W), photo(square_photo(400, 300, [SQUARE])))
    assert [output.names for output in outputs] == [["vector"], ["pooled"]]
    assert spatial_outputs(outputs, geometry) == []


@pytest.mark.parametrize("key, image", [("yunet_640", "zidane.jpg"), ("face", "zidane.jpg"), ("squeezenet", "dog.jpg")])
def test_real_models_without_map_outputs(key, image):
    model = ov.Core().read_model(model_path(key))
    outputs, geometry = run(model, load_image(image_path(image)))
    assert len(outputs) >= 1
    assert spatial_outputs(outputs, geometry) == []


# --- heatmaps line up with the photo ---------------------------------------------------------------


@pytest.mark.parametrize("resize", ["stretch", "letterbox"])
@pytest.mark.parametrize("photo_name", list(PHOTOS))
@pytest.mark.parametrize("layout, stride", [("NCHW", 4), ("NHWC", 4), ("NHW", 1), ("NCHW", 8)])
def test_heatmap_puts_the_bright_square_where_it_is_in_the_photo(resize, photo_name, layout, stride):
    width, height = PHOTOS[photo_name]
    square = (width // 4, height // 5, width // 4 + 110, height // 5 + 110)
    image = photo(square_photo(width, height, [square]))
    outputs, geometry = run(brightness_map(INPUT_H, INPUT_W, stride, layout), image, resize)
    (spatial,) = spatial_outputs(outputs, geometry)
    assert spatial.layout.stride == stride and spatial.layout.layout == layout
    heat = heatmap_overlay(image.bgr, spatial, geometry)
    assert heat.values.shape == (height, width) and heat.value_range == (0.0, 1.0)
    cell_px = stride / min(geometry.scale_x, geometry.scale_y)
    assert bounding_box(heat.values > 0.5) == pytest.approx(square, abs=cell_px)
    x1, y1, x2, y2 = square
    assert heat.values[(y1 + y2) // 2, (x1 + x2) // 2] > 0.9
    # letterbox padding is grey 114 (0.45 here): none of it may reach the photo's borders
    borders = np.concatenate(
        [heat.values[:2].ravel(), heat.values[-2:].ravel(), heat.values[:, :2].ravel(), heat.values[:, -2:].ravel()]
    )
    assert borders.max() < 0.05


def test_letterbox_geometry_really_pads_in_the_alignment_test():
    _, geometry = run(brightness_map(INPUT_H, INPUT_W, 4), photo(square_photo(240, 400, [SQUARE])), "letterbox")
    assert geometry.pad_left > 20 and geometry.scale_x == geometry.scale_y


def test_padding_cells_never_reach_the_photo():
    """Unaligned padding (6 px at stride 4): edge pixels repeat the edge content cell, never a padding cell."""
    geometry = Geometry(40, 40, 52, 40, 1.0, 1.0, 6.0, 0.0)
    plane = np.zeros((10, 13), np.float32)
    plane[:, 0] = plane[:, -1] = 9.0  # cells 0 and 12 hold only padding
    plane[:, 1] = plane[:, -2] = 3.0  # cells 1 and 11 are half padding, half photo
    back = to_photo(plane, geometry, 4)
    assert back.max() <= 3.0 and back[:, 0].min() > 2.0 and back[:, 20].max() == 0.0


def test_to_photo_is_the_inverse_of_the_preprocessing_resize():
    """A map at stride 1 warped back equals the photo resized by OpenCV the other way (interior pixels)."""
    rng = np.random.default_rng(0)
    plane = cv2.GaussianBlur(rng.random((96, 160), dtype=np.float32), (0, 0), 3)
    geometry = Geometry.stretch((320, 192), (160, 96))
    back = to_photo(plane, geometry, 1)
    expected = cv2.resize(plane, (320, 192), interpolation=cv2.INTER_LINEAR)
    assert np.abs(back - expected)[4:-4, 4:-4].max() < 1e-3


def heat_output(values: np.ndarray) -> ModelOutput:
    return ModelOutput(["heat"], list(values.shape), values)


def test_heatmap_colours_opacity_and_range():
    plane = np.zeros((1, 1, 8, 8), np.float32)
    plane[0, 0, 2:4, 2:4] = 1.0
    geometry = Geometry.stretch((32, 32), (32, 32))
    (spatial,) = spatial_outputs([heat_output(plane)], geometry)
    grey = np.full((32, 32, 3), 100, np.uint8)
    assert np.array_equal(heatmap_overlay(grey, spatial, geometry, opacity=0.0).image, grey)
    full = heatmap_overlay(grey, spatial, geometry, colormap="jet", opacity=1.0)
    jet = cv2.applyColorMap(np.array([[0, 255]], np.uint8), cv2.COLORMAP_JET)[0]
    assert full.image[12, 12].tolist() == jet[1].tolist() and full.image[28, 28].tolist() == jet[0].tolist()
    half = heatmap_overlay(grey, spatial, geometry, colormap="jet", opacity=0.5)
    assert half.image[28, 28].tolist() == np.rint((grey[0, 0] + jet[0].astype(float)) / 2).tolist()
    ranged = heatmap_overlay(grey, spatial, geometry, value_range=(0.0, 2.0), opacity=1.0, colormap="jet")
    assert ranged.value_range == (0.0, 2.0) and ranged.image[12, 12].tolist() != jet[1].tolist()


def test_heatmap_of_logits_spans_their_range_and_nan_cells_stay_transparent():
    plane = np.linspace(-5, 5, 64, dtype=np.float32).reshape(1, 1, 8, 8)
    plane[0, 0, 0, 0] = np.nan
    geometry = Geometry.stretch((32, 32), (32, 32))
    (spatial,) = spatial_outputs([heat_output(plane)], geometry)
    grey = np.full((32, 32, 3), 100, np.uint8)
    heat = heatmap_overlay(grey, spatial, geometry, opacity=1.0)
    assert heat.value_range[0] < -4 and heat.value_range[1] == pytest.approx(5.0)
    assert heat.image[0, 0].tolist() == [100, 100, 100] and np.isnan(heat.values[0, 0])
    assert heat.image[31, 31].tolist() != [100, 100, 100]


def test_bad_channel_colour_map_and_opacity_are_one_line_errors():
    geometry = Geometry.stretch((32, 32), (32, 32))
    (spatial,) = spatial_outputs([heat_output(np.zeros((1, 2, 8, 8), np.float32))], geometry)
    grey = np.zeros((32, 32, 3), np.uint8)
    with pytest.raises(OvguiError, match="heat has 2 channel"):
        heatmap_overlay(grey, spatial, geometry, channel=2)
    with pytest.raises(OvguiError, match="unknown colour map 'rainbow'"):
        heatmap_overlay(grey, spatial, geometry, colormap="rainbow")
    with pytest.raises(OvguiError, match="opacity"):
        heatmap_overlay(grey, spatial, geometry, opacity=1.5)


# --- class maps ------------------------------------------------------------------------------------


def colour_photo(width: int, height: int) -> tuple[np.ndarray, dict[int, float]]:
    """Left half red, right half blue, a green square: class = the dominant BGR channel."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = (0, 0, 255)
    pixels[:, width // 2 :] = (255, 0, 0)
    pixels[height // 4 : height // 4 + 80, width // 8 : width // 8 + 80] = (0, 255, 0)
    green = 80 * 80 / (width * height)
    return pixels, {2: 0.5 - green, 0: 0.5, 1: green}


@pytest.mark.parametrize("resize", ["stretch", "letterbox"])
@pytest.mark.parametrize(
    "model", [colour_scores(INPUT_H, INPUT_W, 4), colour_scores(INPUT_H, INPUT_W, 4, "NHWC"), colour_ids(INPUT_H, INPUT_W, 4)]
)
@pytest.mark.parametrize("photo_name", list(PHOTOS))
def test_class_map_legend_shares_match_the_photo(resize, model, photo_name):
    pixels, shares = colour_photo(*PHOTOS[photo_name])
    image = photo(pixels)
    outputs, geometry = run(model, image, resize)
    (spatial,) = spatial_outputs(outputs, geometry)
    result = class_overlay(image.bgr, spatial, geometry, labels=["blue", "green", "red"], opacity=1.0)
    legend = {entry.class_id: entry for entry in result.legend}
    assert set(legend) == {0, 1, 2}
    for class_id, share in shares.items():
        assert legend[class_id].share == pytest.approx(share, abs=0.03)
    assert [legend[i].label for i in (0, 1, 2)] == ["blue", "green", "red"]
    assert sum(entry.share for entry in result.legend) == pytest.approx(1.0)
    height, width = pixels.shape[:2]
    assert result.class_ids[height // 2, 3] == 2 and result.class_ids[height // 2, width - 4] == 0
    assert result.image[height // 2, width - 4].tolist() == list(class_color(0)[::-1])


def test_class_overlay_at_zero_opacity_is_the_photo():
    pixels, _ = colour_photo(400, 300)
    outputs, geometry = run(colour_scores(INPUT_H, INPUT_W, 8), photo(pixels), "letterbox")
    (spatial,) = spatial_outputs(outputs, geometry)
    assert np.array_equal(class_overlay(pixels, spatial, geometry, opacity=0.0).image, pixels)
