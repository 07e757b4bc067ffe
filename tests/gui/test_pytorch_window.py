"""PyTorch in the window: the engine picker offers it for PyTorch files only, a .pt2 model runs on
it with one row per operator in the layer table, and without torch the install line shows."""

from __future__ import annotations

import sys
from dataclasses import replace

from PySide6.QtWidgets import QTableView
from shared_data import image_path, model_path

from ovgui.core.engines.capabilities import INSTALL_TORCH
from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 180_000
NOT_INSTALLED = f"PyTorch is not installed; install it with {INSTALL_TORCH}"



def entry(window: MainWindow, engine: str):
    combo = window.controls.settings.engine
    return combo.model().item(combo.findData(engine))


def open_files(window: MainWindow, qtbot, model: str, iterations: int = 4) -> None:
    window.open_model(model)
    window.open_image(str(image_path("bus.jpg")))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(iterations)


def without_torch(monkeypatch) -> None:
    """As if it were not installed: importing it fails, even where this process had imported it."""
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.delitem(sys.modules, "ovgui.core.engines.pytorch", raising=False)


def test_the_picker_offers_pytorch_for_pytorch_files_only(window, qtbot, head):
    open_files(window, qtbot, str(head[1]))
    settings = window.controls.settings
    assert entry(window, "pytorch").isEnabled() and not entry(window, "onnxruntime").isEnabled()
    assert settings.engine_note.text() == "ONNX Runtime needs an .onnx model, not .pt2"
    combo = settings.engine
    combo.setCurrentIndex(combo.findData("pytorch"))
    assert settings.engine_device.isVisible() and settings.engine_device.text() == "CPU (PyTorch's CPU kernels)"
    assert settings.fields["inter_op_threads"].isVisible() and not settings.fields["graph_optimization"].isVisible()
    assert not settings.fields["mode"].isEnabled()
    config = window.controls.config()
    assert (config.engine, config.device, config.mode, config.preprocess) == ("pytorch", "CPU", "latency", "host")
    window.open_model(str(model_path("yolov8")))
    assert not entry(window, "pytorch").isEnabled() and entry(window, "pytorch").toolTip().startswith("PyTorch needs a .pt")


def test_a_pt2_model_runs_on_pytorch_with_one_row_per_operator(window, qtbot, head):
    open_files(window, qtbot, str(head[1]))
    combo = window.controls.settings.engine
    combo.setCurrentIndex(combo.findData("pytorch"))
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    report = blocker.args[0]
    assert report.engine.name == "pytorch" and report.config.engine == "pytorch" and len(report.latency_ms.samples) == 4
    model = window.layers.model
    rows = {model.layer_at(row).name: model.layer_at(row) for row in range(model.rowCount())}
    assert [rows[layer.name] for layer in report.layers] == report.layers
    assert rows["conv2d_1"].type == "aten::conv2d" and rows["conv2d_1"].real_time_median_ms is not None
    assert window.layers.findChild(QTableView, "layerTable").model().rowCount() == len(report.layers)
    assert window.image_panel.view.visible_box_count() == len(report.detections) > 0
    assert "vs profiled-session mean" in window.statusBar().currentMessage()
    assert "per layer: mean of 4 runs' operator times from torch.profiler" in window.latency_chart.footnote_text()


def test_without_torch_the_window_says_how_to_install_it(window, qtbot, monkeypatch, head):
    without_torch(monkeypatch)
    window.open_model(str(head[1]))
    qtbot.waitUntil(window.banner.isVisible, timeout=30_000)
    assert window.banner.label.text() == NOT_INSTALLED
    note = window.controls.settings.engine_note
    assert not entry(window, "pytorch").isEnabled()
    assert note.text() == f"ONNX Runtime needs an .onnx model, not .pt2; PyTorch is not installed: {INSTALL_TORCH}"
    window.open_image(str(image_path("bus.jpg")))
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)
    window.controls.set_config(replace(window.controls.config(), engine="pytorch", iterations=1))
    with qtbot.waitSignal(window.session.errored, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    assert blocker.args[0] == NOT_INSTALLED
