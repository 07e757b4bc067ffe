"""Any model's output in the window: the outputs panel, overlays on the photo, and a user's decoder file.

The models are built with openvino.opset13 (tests/output_models.py) and compute something
visible from the photo, so an overlay can be checked against where the photo's content is.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import openvino as ov
import pytest
from output_models import brightness_map, colour_scores, square_photo, vectors

from ovgui.gui.overlay_controls import CLASSES, DECODER_MASK, HEATMAP

RUN_TIMEOUT_MS = 60_000
SIDE = 64
STRIDE = 4


def saved(model: ov.Model, tmp_path: Path) -> str:
    path = tmp_path / f"{model.get_friendly_name()}.xml"
    ov.save_model(model, str(path))
    return str(path)


def bright_square_photo(tmp_path: Path) -> str:
    """A black 128x96 photo with one white square in its top-left quarter."""
    path = tmp_path / "square.png"
    cv2.imwrite(str(path), square_photo(128, 96, [(8, 8, 40, 40)]))
    return str(path)


def colour_photo(tmp_path: Path) -> str:
    """Left third blue, middle third green, right third red (BGR channel order = class id)."""
    pixels = np.zeros((96, 120, 3), np.uint8)
    for channel in range(3):
        pixels[:, channel * 40:(channel + 1) * 40, channel] = 255
    path = tmp_path / "colours.png"
    cv2.imwrite(str(path), pixels)
    return str(path)


def run(window, qtbot, model: str, image: str, decoder_file: str = "", decoder: str = "auto"):
    window.open_model(model)
    window.open_image(image)
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)
    settings = window.controls.settings
    settings.iterations.setValue(2)
    settings.field("decoder").setValue(decoder)
    settings.field("decoder_file").setValue(decoder_file or None)
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    return blocker.args[0]


def overlay_pixels(window) -> np.ndarray:
    image = window.image_panel.view.overlay_image()
    assert image is not None
    image = image.convertToFormat(image.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def test_a_map_output_gets_its_row_histogram_and_a_heatmap_over_the_photo(window, qtbot, tmp_path):
    model = saved(brightness_map(SIDE, SIDE, STRIDE), tmp_path)
    report = run(window, qtbot, model, bright_square_photo(tmp_path), decoder="none")
    panel = window.outputs_panel
    assert panel.model.rowCount() == 1
    stats = report.outputs[0]
    shown = [panel.model.index(0, column).data() for column in range(panel.model.columnCount())]
    assert shown[:3] == ["heat", "[1,1,16,16]", "f32"]
    assert shown[3:7] == [f"{value:.4g}" for value in (stats.min, stats.max, stats.mean, stats.std)]
    assert stats.min == 0.0 and stats.max == pytest.approx(1.0)
    assert shown[7:] == ["0", "0"]
    assert panel.shown_output() is stats
    edges, counts = panel.histogram_data()
    assert counts == stats.histogram_counts and len(edges) == len(counts) + 1
    assert sum(counts) == 16 * 16 and not panel.values.isVisible()

    overlays = window.overlays
    qtbot.waitUntil(window.image_panel.view.has_overlay, timeout=10_000)
    assert overlays.isVisible() and overlays.source().name == "heat"
    assert overlays.mode_box.currentData() == HEATMAP and overlays.legend == []
    assert overlays.legend_label.text() == "turbo spans 0 … 1"
    pixels = overlay_pixels(window)
    assert pixels.shape == (96, 128, 3)
    square, background = pixels[24, 24], pixels[80, 100]
    assert not np.array_equal(square, background), "the bright square and the dark background get different colours"
    with qtbot.waitSignal(overlays.drawn, timeout=10_000):
        overlays.colormap_box.setCurrentText("hot")
        overlays.colormap_box.activated.emit(overlays.colormap_box.currentIndex())
    assert not np.array_equal(overlay_pixels(window)[24, 24], square), "another colour map, other colours"
    overlays.opacity_slider.setValue(20)
    assert window.image_panel.view.overlay_opacity() == pytest.approx(0.2)


def test_the_probability_map_decoders_mask_is_drawn_first_beside_its_boxes(window, qtbot, tmp_path):
    report = run(window, qtbot, saved(brightness_map(SIDE, SIDE, STRIDE), tmp_path), bright_square_photo(tmp_path),
                 decoder="probability_map")
    assert report.decoder.name == "probability_map" and len(report.detections) == 1
    overlays = window.overlays
    qtbot.waitUntil(window.image_panel.view.has_overlay, timeout=10_000)
    assert [overlays.source_box.itemText(i) for i in range(overlays.source_box.count())] == ["no overlay", DECODER_MASK, "heat"]
    assert overlays.source().name == DECODER_MASK and overlays.mode_box.currentData() == HEATMAP
    assert len(window.image_panel.view.box_items()) == 1, "the boxes stay over the overlay"
    overlays.pick("none")
    assert not window.image_panel.view.has_overlay()


def test_a_segmentation_output_gets_a_class_map_and_its_legend(window, qtbot, tmp_path):
    model = saved(colour_scores(SIDE, SIDE, STRIDE), tmp_path)
    report = run(window, qtbot, model, colour_photo(tmp_path), decoder="segmentation")
    assert report.decoder.name == "segmentation" and len(report.segments) == 3
    overlays = window.overlays
    qtbot.waitUntil(lambda: bool(overlays.legend), timeout=10_000)
    assert overlays.source().name == DECODER_MASK and overlays.mode_box.currentData() == CLASSES
    assert sorted(share.class_id for share in overlays.legend) == [0, 1, 2]
    assert all(abs(share.share - 1 / 3) < 0.05 for share in overlays.legend)
    assert overlays.legend_label.isVisible() and "class 0" in overlays.legend_label.text()
    with qtbot.waitSignal(overlays.drawn, timeout=10_000):
        overlays.pick("scores", CLASSES)
    assert sorted(share.class_id for share in overlays.legend) == [0, 1, 2], "the raw output's argmax, too"
    with qtbot.waitSignal(overlays.drawn, timeout=10_000):
        overlays.pick("scores", HEATMAP, channel=2)
    assert overlays.legend == [] and overlays.legend_label.text().startswith("turbo spans 0 … ")
    red = overlay_pixels(window)
    assert not np.array_equal(red[48, 100], red[48, 20]), "channel 2 (red) is hot on the right third only"
    assert window.outputs_panel.model.rowCount() == 1


def test_a_vector_output_shows_its_numbers_and_no_overlay(window, qtbot, tmp_path):
    report = run(window, qtbot, saved(vectors(SIDE, SIDE), tmp_path), colour_photo(tmp_path), decoder="none")
    panel = window.outputs_panel
    assert [panel.model.index(row, 0).data() for row in range(panel.model.rowCount())] == ["vector", "pooled"]
    vector = report.outputs[0]
    assert vector.values is not None and len(vector.values) == 3
    assert window.overlays.isHidden() and not window.image_panel.view.has_overlay()
    window.show_view("outputs")
    assert panel.values.isVisible() and panel.values.text().startswith("vector = [")
    assert f"{vector.values[0]:.6g}" in panel.values.text()


def test_the_outputs_panel_shows_an_opened_reports_outputs(window, qtbot, tmp_path):
    report = run(window, qtbot, saved(vectors(SIDE, SIDE), tmp_path), colour_photo(tmp_path), decoder="none")
    saved_report = tmp_path / "report.json"
    report.save_json(saved_report)
    window._clear_results()
    assert window.outputs_panel.model.rowCount() == 0
    window.open_report(str(saved_report))
    qtbot.waitUntil(lambda: window.outputs_panel.model.rowCount() == 2, timeout=10_000)
    assert window.outputs_panel.values.text().startswith("vector = [")
    assert not window.overlays.isVisible(), "a report holds no raw outputs to draw"


GOOD_DECODER = '''
def decode(outputs, info):
    heat = outputs["heat"]
    ys, xs = (heat[0, 0] > 0.5).nonzero()
    sx, sy = info["scale_x"], info["scale_y"]
    x1, y1 = xs.min() * 4 / sx, ys.min() * 4 / sy
    x2, y2 = (xs.max() + 1) * 4 / sx, (ys.max() + 1) * 4 / sy
    return {"boxes": [[x1, y1, x2, y2, 0.9, 0]]}
'''
RAISING_DECODER = "def decode(outputs, info):\n    raise ValueError('no idea what this is')\n"
GARBAGE_DECODER = "def decode(outputs, info):\n    return 42\n"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_good_decoder_file_draws_its_boxes(window, qtbot, tmp_path):
    decoder = write(tmp_path, "good.py", GOOD_DECODER)
    report = run(window, qtbot, saved(brightness_map(SIDE, SIDE, STRIDE), tmp_path), bright_square_photo(tmp_path), decoder)
    assert report.decoder.name == "user" and report.decoder.note == "decoded by good.py"
    boxes = window.image_panel.view.box_items()
    assert len(boxes) == 1
    x1, y1, x2, y2 = boxes[0].detection.box
    assert (x1, y1, x2, y2) == pytest.approx((8, 8, 40, 40), abs=4)
    assert window.decoder_note.text() == "Decoder (user): decoded by good.py"


@pytest.mark.parametrize("text, words", [(RAISING_DECODER, "raised ValueError"), (GARBAGE_DECODER, "return a dict")],
                         ids=["raising", "garbage"])
def test_a_broken_decoder_file_is_one_line_under_the_photo_until_the_next_run(window, qtbot, tmp_path, text, words):
    decoder = write(tmp_path, "broken.py", text)
    model, image = saved(brightness_map(SIDE, SIDE, STRIDE), tmp_path), bright_square_photo(tmp_path)
    report = run(window, qtbot, model, image, decoder)
    assert words in report.decoder.note and "broken.py" in report.decoder.note
    note = window.decoder_note
    assert note.isVisible() and words in note.text() and "\n" not in note.text()
    assert "Done" in window.statusBar().currentMessage(), "the run itself ended normally"
    assert window.image_panel.view.box_items() == []
    following = run(window, qtbot, model, image, decoder="none")
    assert "broken.py" not in note.text(), "the note lasts until the next run, and no longer"
    assert note.isVisible() == bool(following.decoder.note)


def test_the_decoder_file_field_has_a_browse_button_for_python_files(window, qtbot, tmp_path, monkeypatch):
    decoder = write(tmp_path, "mine.py", GOOD_DECODER)
    field = window.controls.settings.field("decoder_file")
    picked = []
    monkeypatch.setattr("ovgui.gui.controls.QFileDialog.getOpenFileName",
                        lambda _parent, _caption, _start, name_filter: picked.append(name_filter) or (decoder, ""))
    with qtbot.waitSignal(field.edited, timeout=1000):
        field.browse_button.click()
    assert "*.py" in picked[0] and field.value() == decoder
    assert window.controls.config().decoder_file == decoder

