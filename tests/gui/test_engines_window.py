"""ONNX Runtime beside OpenVINO in the window: the engine picker, a real ONNX Runtime run, a
two-engine comparison's cells, and the comparison preset."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from shared_data import image_path, model_path

from ovgui.core.agreement import agreement
from ovgui.core.compare import Variant
from ovgui.core.engines.capabilities import DECLARED, ENGINE_SETTINGS, INSTALL_ONNXRUNTIME
from ovgui.core.runner import RunRequest
from ovgui.gui.compare_dialog import ONNXRUNTIME_PRESET, CompareDialog
from ovgui.gui.comparison import REFERENCE_TEXT, ComparisonModel, drift_text
from ovgui.gui.controls import RunSettings
from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 180_000
ENGINE = ComparisonModel.column_index("engine")
AGREEMENT = ComparisonModel.column_index("agreement")
DRIFT = ComparisonModel.column_index("drift")
PEAK = ComparisonModel.column_index("memory.peak_mib")
COMPILE_RSS = ComparisonModel.column_index("rss.compile")
OPENVINO_ONLY = ("hint", "precision", "nstreams", "nireq", "cache_dir", "shared_memory", "roofline")
ONNXRUNTIME_ONLY = ("inter_op_threads", "graph_optimization", "execution_mode")


def open_files(window: MainWindow, qtbot, model: str, image: str = "bus.jpg", iterations: int = 3) -> None:
    window.open_model(str(model_path(model)))
    window.open_image(str(image_path(image)))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(iterations)


def pick_engine(window: MainWindow, engine: str) -> None:
    """As the user does: the combo's entry becomes current (a disabled entry cannot be clicked)."""
    combo = window.controls.settings.engine
    assert combo.model().item(combo.findData(engine)).isEnabled(), f"{engine} is not offered"
    combo.setCurrentIndex(combo.findData(engine))


def without_onnxruntime(monkeypatch) -> None:
    """As if it were not installed: importing it fails, even where this process had imported it."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    monkeypatch.delitem(sys.modules, "ovgui.core.engines.onnxruntime", raising=False)


def onnxruntime_entry(window: MainWindow):
    combo = window.controls.settings.engine
    return combo.model().item(combo.findData("onnxruntime"))


def shown(window: MainWindow, names: tuple[str, ...]) -> list[bool]:
    return [window.controls.settings.fields[name].isVisible() for name in names]


def test_onnx_model_offers_onnx_runtime_and_the_panel_shows_what_it_reads(window, qtbot):
    open_files(window, qtbot, "yolov8")
    settings = window.controls.settings
    assert onnxruntime_entry(window).isEnabled()
    assert settings.engine_note.isVisible() and settings.engine_note.text() == "PyTorch needs a .pt or .pt2 model, not .onnx"
    assert all(shown(window, OPENVINO_ONLY)) and not any(shown(window, ONNXRUNTIME_ONLY))
    settings.fields["mode"].setValue("throughput")
    pick_engine(window, "onnxruntime")
    assert not any(shown(window, OPENVINO_ONLY)) and all(shown(window, ONNXRUNTIME_ONLY))
    assert not settings.device.isVisible() and settings.engine_device.isVisible()
    assert settings.engine_device.text() == "CPU (CPUExecutionProvider)"
    assert not settings.fields["mode"].isEnabled() and settings.fields["mode"].value() == "latency"
    config = window.controls.config()
    assert (config.engine, config.device, config.mode) == ("onnxruntime", "CPU", "latency")
    pick_engine(window, "openvino")
    assert all(shown(window, OPENVINO_ONLY)) and not any(shown(window, ONNXRUNTIME_ONLY))
    assert settings.device.isVisible() and not settings.engine_device.isVisible() and settings.fields["mode"].isEnabled()


def test_ir_model_is_not_offered_onnx_runtime_and_one_line_says_why(window, qtbot):
    open_files(window, qtbot, "face")
    note = window.controls.settings.engine_note
    assert not onnxruntime_entry(window).isEnabled()
    assert note.isVisible() and "\n" not in note.text()
    assert note.text() == "ONNX Runtime needs an .onnx model, not .xml; PyTorch needs a .pt or .pt2 model, not .xml"
    window.open_model(str(model_path("yolov5")))
    assert onnxruntime_entry(window).isEnabled() and "ONNX Runtime" not in note.text()


def test_missing_onnxruntime_disables_the_choice_says_how_to_install_and_a_run_asking_for_it_is_refused(
        window, qtbot, monkeypatch):
    without_onnxruntime(monkeypatch)
    open_files(window, qtbot, "yolov8")
    note = window.controls.settings.engine_note
    assert not onnxruntime_entry(window).isEnabled()
    assert note.isVisible() and note.text() == (f"ONNX Runtime is not installed: {INSTALL_ONNXRUNTIME}; "
                                                "PyTorch needs a .pt or .pt2 model, not .onnx")
    window.controls.set_config(replace(window.controls.config(), engine="onnxruntime"))
    with qtbot.waitSignal(window.session.errored, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    assert blocker.args[0] == f"ONNX Runtime is not installed; install it with {INSTALL_ONNXRUNTIME}"


def test_onnx_runtime_run_through_the_window(window, qtbot):
    open_files(window, qtbot, "yolov8")
    pick_engine(window, "onnxruntime")
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    report = blocker.args[0]
    assert report.engine.name == "onnxruntime" and report.engine.providers == ["CPUExecutionProvider"]
    assert report.config.engine == "onnxruntime" and len(report.latency_ms.samples) == 3
    assert report.detections and window.image_panel.view.visible_box_count() == len(report.detections)
    assert "vs profiled-session mean" in window.statusBar().currentMessage()
    assert "per layer: mean of 3 runs' node times from ONNX Runtime's profiler, in a separate profiled session" in (
        window.latency_chart.footnote_text())


def test_two_engine_comparison_shows_engine_agreement_and_drift(window, qtbot):
    open_files(window, qtbot, "yolov8")
    base = RunRequest(window.controls.model_path(), window.controls.image_path(), window.controls.config())
    with qtbot.waitSignal(window.session.returned, timeout=RUN_TIMEOUT_MS) as blocker:
        window.session.start_comparison(base, [Variant("OpenVINO", {}), ONNXRUNTIME_PRESET])
    openvino, onnxruntime = (outcome.report for _name, outcome in blocker.args[0])
    model = window.comparison.model

    def cell(row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole):
        return model.index(row, column).data(role)

    assert cell(0, ENGINE).startswith("OpenVINO 20") and cell(1, ENGINE).startswith("ONNX Runtime 1.")
    assert cell(0, AGREEMENT) == REFERENCE_TEXT and cell(0, DRIFT) == REFERENCE_TEXT
    against = agreement(openvino, onnxruntime)
    assert against.kind == "detections" and against.matched > 0
    assert cell(1, AGREEMENT) == against.summary()
    assert onnxruntime.drift and all(d.compared and d.cosine_similarity > 0.99 for d in onnxruntime.drift)
    assert cell(1, DRIFT) == drift_text(onnxruntime.drift) and "cosine" in cell(1, DRIFT)
    assert cell(1, PEAK) == f"{onnxruntime.memory.peak_mib:.0f}"
    compile_phase = next(p for p in onnxruntime.memory.phases if p.name == "compile")
    assert cell(1, COMPILE_RSS, ComparisonModel.SORT_ROLE) == compile_phase.rss_delta_mib
    assert against.summary() in cell(1, ENGINE, Qt.ItemDataRole.ToolTipRole)


def test_missing_onnxruntime_fails_its_comparison_entry_and_the_others_run(window, qtbot, monkeypatch):
    without_onnxruntime(monkeypatch)
    open_files(window, qtbot, "yolov8", iterations=2)
    base = RunRequest(window.controls.model_path(), window.controls.image_path(), window.controls.config())
    with qtbot.waitSignal(window.session.returned, timeout=RUN_TIMEOUT_MS) as blocker:
        window.session.start_comparison(base, [ONNXRUNTIME_PRESET, Variant("OpenVINO", {})])
    (_, onnxruntime), (_, openvino) = blocker.args[0]
    assert onnxruntime == f"ONNX Runtime is not installed; install it with {INSTALL_ONNXRUNTIME}"
    assert len(openvino.report.latency_ms.samples) == 2
    assert window.comparison.model.rowCount() == 2


@pytest.mark.parametrize("model, offered", [("yolov8", True), ("face", False)])
def test_onnx_runtime_preset_only_for_onnx_models(qtbot, model, offered):
    dialog = CompareDialog([], model_path=str(model_path(model)))
    qtbot.addWidget(dialog)
    names = [dialog.list.item(row).text() for row in range(dialog.list.count())]
    assert ("ONNX Runtime" in names) == offered
    if offered:
        item = dialog.list.item(names.index("ONNX Runtime"))
        assert item.flags() & Qt.ItemFlag.ItemIsEnabled and item.data(Qt.ItemDataRole.UserRole).changes["engine"] == "onnxruntime"


def test_onnx_runtime_preset_says_how_to_install_it_when_missing(qtbot, monkeypatch):
    without_onnxruntime(monkeypatch)
    dialog = CompareDialog([], model_path=str(model_path("yolov8")))
    qtbot.addWidget(dialog)
    item = next(dialog.list.item(row) for row in range(dialog.list.count()) if dialog.list.item(row).text() == "ONNX Runtime")
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled and item.checkState() == Qt.CheckState.Unchecked
    assert dialog.message.text() == item.toolTip() == f"ONNX Runtime is not installed: {INSTALL_ONNXRUNTIME}"
    assert "ONNX Runtime" not in [variant.name for variant in dialog.variants()]


def test_the_panel_hides_exactly_what_each_engines_declaration_ignores(qtbot):
    settings = RunSettings()
    qtbot.addWidget(settings)
    settings.show()
    for declared in DECLARED:
        settings.engine.setCurrentIndex(settings.engine.findData(declared.name))
        hidden = {name for name in ENGINE_SETTINGS if not settings.fields[name].isVisible()}
        assert hidden == set(declared.ignored()), declared.name
        assert settings.fields["mode"].isEnabled() == (declared.modes is None)
