"""Names from the model, the report and the files shown as the text they are: an output named
``<i>out</i>`` and a layer named ``<b>x</b>`` read with their brackets in the Outputs title, the
tables, the tooltips and the layer detail; an error line in the banner too.  Plus: a shape whose
memory estimate exceeds what is available is refused in the banner before anything is compiled."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QTextEdit
from shared_data import image_path, model_path

from ovgui.gui.plain_text import escaped, literal

RUN_TIMEOUT_MS = 60_000
OUTPUT = "<i>out</i>"
LAYER = "<b>x</b>"


def tagged_model(folder: Path) -> str:
    """A convolution named <b>x</b> whose result is the output <i>out</i>."""
    data = ops.parameter([1, 3, 32, 32], ov.Type.f32, name="data")
    weights = ops.constant(np.full((4, 3, 3, 3), 0.01, np.float32))
    conv = ops.convolution(data, weights, [1, 1], [1, 1], [1, 1], [1, 1])
    conv.set_friendly_name(LAYER)
    conv.output(0).get_tensor().set_names({OUTPUT})
    model = ov.Model([ops.result(conv)], [data], "tagged")
    path = folder / "tagged.xml"
    ov.save_model(model, str(path))
    return str(path)


def rendered(text: str, text_format: Qt.TextFormat) -> str:
    """What Qt draws for `text` in this format (AutoText: rich if Qt takes it for rich text)."""
    rich = text_format == Qt.TextFormat.RichText or (text_format == Qt.TextFormat.AutoText and QtGui_Qt.mightBeRichText(text))
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText().replace("\N{NO-BREAK SPACE}", " ")


def label_shows(label: QLabel) -> str:
    return rendered(label.text(), label.textFormat())


def tooltip_shows(tooltip: str) -> str:
    return rendered(tooltip, Qt.TextFormat.AutoText)


def run_window(window, qtbot, model: str, image: str):
    window.open_model(model)
    window.open_image(image)
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(2)
    window.controls.settings.field("decoder").setValue("none")
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    return blocker.args[0]


def test_literal_and_escaped_keep_tags_as_text():
    assert literal("plain words") == "plain words" and literal("") == ""
    assert tooltip_shows(literal(f"{LAYER}\nsecond line")) == f"{LAYER}\nsecond line"
    assert rendered(f"<b>{escaped(OUTPUT)}</b>", Qt.TextFormat.RichText) == OUTPUT
    assert tooltip_shows(LAYER) == "x", "without literal, Qt would draw the tags as formatting"


def test_tagged_names_read_as_written_in_the_window(window, qtbot, tmp_path):
    report = run_window(window, qtbot, tagged_model(tmp_path), str(image_path("dog.jpg")))
    assert [stats.name for stats in report.outputs] == [OUTPUT]
    assert any(layer.name == LAYER for layer in report.layers), [layer.name for layer in report.layers]

    panel = window.outputs_panel
    assert label_shows(panel.detail_title).startswith(f"{OUTPUT} · [1,4,32,32]")
    name_cell = panel.model.index(0, 0)
    assert name_cell.data() == OUTPUT
    assert tooltip_shows(name_cell.data(Qt.ItemDataRole.ToolTipRole)) == OUTPUT

    layers = window.layers.model
    row = layers.row_of(LAYER)
    cell = layers.index(row, 0)
    assert tooltip_shows(cell.data(Qt.ItemDataRole.ToolTipRole)).splitlines()[0] == LAYER
    window.layers.select_layer(LAYER)
    name = window.layer_detail.findChild(QTextEdit, "layerName")
    qtbot.waitUntil(lambda: name.toPlainText() != "", timeout=5_000)
    assert name.toPlainText() == LAYER

    model_info = window.controls.model_info
    assert label_shows(model_info).startswith("tagged.xml")


def test_the_banner_and_status_show_a_tagged_file_name_as_written(window, qtbot, tmp_path):
    missing = tmp_path / "<b>gone</b>.xml"
    window.controls.model_picker.set_path(str(missing))
    window.open_image(str(image_path("dog.jpg")))
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)
    with qtbot.waitSignal(window.session.errored, timeout=RUN_TIMEOUT_MS) as blocker:
        window.start_run()
    assert "<b>gone</b>.xml" in blocker.args[0]
    assert label_shows(window.banner.label) == blocker.args[0]


def test_a_shape_beyond_the_memory_is_refused_in_the_banner(window, qtbot):
    window.open_model(str(model_path("yunet_dynamic")))
    window.open_image(str(image_path("dog.jpg")))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.set_config(replace(window.controls.config(), input_shape=[1, 3, 16384, 16384], iterations=2))
    with qtbot.waitSignal(window.session.errored, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    message = blocker.args[0]
    assert message.startswith("input shape 1,3,16384,16384 may need up to") and message.endswith("is available")
    assert window.banner.isVisible() and label_shows(window.banner.label) == message
