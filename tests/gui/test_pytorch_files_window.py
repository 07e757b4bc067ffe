"""PyTorch files in the window: a dropped .pt2 becomes the model with the shape it records; File ›
Save model as IR converts and writes it off the GUI thread and the IR becomes the model; a
target that cannot be written, or a pickled module, is one banner line."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog
from torch_models import pickled_module

LOAD_TIMEOUT_MS = 30_000



def save_to(window, qtbot, monkeypatch, chosen) -> None:
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: asked.append(args) or (str(chosen), "OpenVINO IR (*.xml)"))
    window.commands.save_ir.trigger()
    return asked


def test_save_as_ir_writes_the_converted_model_and_opens_it(window, qtbot, monkeypatch, tmp_path, head):
    window.open_model(str(head[1]))
    asked = save_to(window, qtbot, monkeypatch, tmp_path / "head")
    assert asked[0][2] == str(head[1].with_name("detection_head_fp16.xml"))
    saved = tmp_path / "head.xml"
    qtbot.waitUntil(lambda: window.controls.model_picker.path() == str(saved), timeout=LOAD_TIMEOUT_MS)
    assert saved.with_suffix(".bin").stat().st_size > 0
    qtbot.waitUntil(lambda: window.model_info is not None and window.model_info.path == str(saved), timeout=LOAD_TIMEOUT_MS)
    assert window.model_info.format == "OpenVINO IR" and window.model_info.inputs[0].shape == "[1,3,128,128]"
    message = window.statusBar().currentMessage()
    assert "FP16 weights): read and converted in" in message and message.endswith("it is now the model")


def test_fp32_weights_when_the_user_unticks_fp16(window, qtbot, monkeypatch, tmp_path, head):
    window.open_model(str(head[0]))
    window.commands.fp16_weights.setChecked(False)
    asked = save_to(window, qtbot, monkeypatch, tmp_path / "head32.xml")
    assert asked[0][2].endswith("detection_head.xml")
    qtbot.waitUntil(lambda: window.controls.model_picker.path() == str(tmp_path / "head32.xml"), timeout=LOAD_TIMEOUT_MS)
    assert "FP32 weights" in window.statusBar().currentMessage()


def test_a_target_in_a_missing_folder_is_one_banner_line(window, qtbot, monkeypatch, tmp_path, head):
    window.open_model(str(head[1]))
    save_to(window, qtbot, monkeypatch, tmp_path / "gone" / "head.xml")
    qtbot.waitUntil(window.banner.isVisible, timeout=LOAD_TIMEOUT_MS)
    assert window.banner.label.text() == f"cannot save the IR: folder {tmp_path / 'gone'} does not exist"
    assert window.controls.model_picker.path() == str(head[1])


def drop(window, path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.image_panel.view.dropEvent(event)


def test_a_dropped_exported_program_is_the_model_with_its_recorded_shape(window, qtbot, head):
    drop(window, head[1])
    assert window.controls.model_picker.path() == str(head[1])
    qtbot.waitUntil(lambda: window.model_info is not None and window.model_info.path == str(head[1]), timeout=LOAD_TIMEOUT_MS)
    assert window.model_info.format == "PyTorch (ExportedProgram)" and window.model_info.inputs[0].shape == "[1,3,128,128]"


def test_a_dropped_pickled_module_is_one_banner_line(window, qtbot, tmp_path):
    path = pickled_module(tmp_path)
    drop(window, path)
    qtbot.waitUntil(window.banner.isVisible, timeout=LOAD_TIMEOUT_MS)
    message = window.banner.label.text()
    assert message.startswith("pickled.pt is a pickled nn.Module (torch.save(model)): loading it would run arbitrary")
    assert "\n" not in message
