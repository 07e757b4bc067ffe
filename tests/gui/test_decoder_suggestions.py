"""When nothing decodes, the photo column offers decoders that might, and a button carries the changes to try."""

from __future__ import annotations

import cv2
import numpy as np
import openvino as ov
from output_models import brightness_map, sequence_scores, square_photo
from PySide6.QtWidgets import QLabel

from ovgui.core.report import DecoderSuggestion
from ovgui.gui.decoder_suggestions import DecoderSuggestions

RUN_TIMEOUT_MS = 60_000


def run(window, qtbot, tmp_path, model: ov.Model, decoder: str = "auto", labels: str | None = None):
    path = tmp_path / f"{model.get_friendly_name()}.xml"
    ov.save_model(model, str(path))
    photo = tmp_path / "square.png"
    cv2.imwrite(str(photo), square_photo(128, 96, [(8, 8, 40, 40)]))
    window.open_model(str(path))
    window.open_image(str(photo))
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)
    settings = window.controls.settings
    settings.iterations.setValue(2)
    settings.field("decoder").setValue(decoder)
    settings.field("labels_path").setValue(labels)
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS):
        window.commands.run.trigger()


def test_a_map_nothing_decoded_offers_the_probability_map_in_one_click(window, qtbot, tmp_path):
    run(window, qtbot, tmp_path, brightness_map(64, 64, 4))
    offered = window.photo.suggestions
    assert offered.isVisible()
    (button,) = offered.buttons
    assert button.text() == "Try probability map" and button.isVisible()
    with qtbot.waitSignal(offered.try_changes) as blocker, qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as rerun:
        button.click()
    assert blocker.args == [{"decoder": "probability_map", "threshold": 0.3}]
    report = rerun.args[0]
    assert (report.config.decoder, report.config.threshold) == ("probability_map", 0.3)
    assert report.decoder.name == "probability_map" and report.detections
    assert window.controls.settings.field("decoder").value() == "probability_map"


def test_a_decoded_run_offers_nothing_and_shows_the_text_read(window, qtbot, tmp_path):
    steps = np.full((1, 4, 4), 0.02, np.float32)
    steps[0, np.arange(4), [1, 0, 2, 3]] = 0.94
    keys = tmp_path / "keys.txt"
    keys.write_text("o\nk\n!\n", encoding="utf-8")
    run(window, qtbot, tmp_path, sequence_scores(steps), decoder="ctc", labels=str(keys))
    assert not window.photo.suggestions.isVisible() and window.photo.suggestions.buttons == []
    assert window.photo.decoder_note.text() == "Decoder (ctc): Read: “ok!” (mean confidence 0.94)"


def test_a_suggestion_that_needs_a_decoder_file_has_no_button_but_its_template(qtbot):
    offered = DecoderSuggestions()
    qtbot.addWidget(offered)
    offered.show_suggestions([DecoderSuggestion("Anchor boxes", "two outputs per anchor", guide="docs/decoders.md, 'X'"),
                              DecoderSuggestion("Try CTC text", "rows are distributions", {"decoder": "ctc"})])
    assert [button.text() for button in offered.buttons] == ["Try CTC text"]
    lines = [label.text() for label in offered.findChildren(QLabel)]
    assert "• two outputs per anchor. Template: docs/decoders.md, 'X'." in lines
    offered.show_suggestions([])
    assert offered.isHidden() and offered.buttons == []
