"""The graph view and the roofline in the real window: selection linked both ways with the layer
table and the detail panel, colour modes, search, the new columns, the DOT export, `--view graph`."""

from __future__ import annotations

import os
import subprocess
import sys

import openvino as ov
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QTableView
from shared_data import image_path, model_path

from ovgui.cli import profile_main
from ovgui.core.formatting import MISSING
from ovgui.core.trace import trace_events
from ovgui.gui.graph_view import OTHER_PRECISION, PRECISION_COLORS, GraphView, precision_color
from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 120_000


def run_face(window: MainWindow, qtbot, iterations: int = 15):
    """A real OpenVINO run of face-detection-adas, its graph laid out and drawn."""
    window.open_model(str(model_path("face")))
    window.open_image(str(image_path("zidane.jpg")))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(iterations)
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    qtbot.waitUntil(lambda: window.graph_view.node_count() > 0, timeout=30_000)
    return blocker.args[0]


def slowest(report, having=lambda layer: True):
    return max((layer for layer in report.layers if layer.executed and having(layer)), key=lambda layer: layer.real_time_ms)


def current_table_layer(window: MainWindow):
    table = window.layers.findChild(QTableView, "layerTable")
    current = table.currentIndex()
    return window.layers.model.layer_at(window.layers.proxy.mapToSource(current).row()).name if current.isValid() else None


def click_node(view: GraphView, qtbot, name: str) -> None:
    item = view.node_item(name)
    view.view.centerOn(item)
    centre = view.view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def test_selection_is_linked_both_ways(window, qtbot):
    report = run_face(window, qtbot)
    graph = window.graph_view
    window.show_view("graph")
    assert graph.node_count() == len(window.outcome.graph.nodes)

    layer = slowest(report)
    click_node(graph, qtbot, layer.name)
    assert graph.selected_layer_name() == layer.name
    assert current_table_layer(window) == layer.name
    assert window.layer_detail.name_text() == layer.name

    drawn = [candidate for candidate in report.layers if candidate.executed and graph.node_item(candidate.name)]
    other = next(candidate for candidate in drawn if candidate.name != layer.name)
    table = window.layers.findChild(QTableView, "layerTable")
    row = window.layers.proxy.mapFromSource(window.layers.model.index(window.layers.model.row_of(other.name), 0)).row()
    scene = graph.scene.sceneRect()
    far_end = scene.bottomRight() if other.index < len(report.layers) // 2 else scene.topLeft()
    graph.view.centerOn(far_end)
    table.selectRow(row)
    assert graph.selected_layer_name() == other.name
    assert window.layer_detail.name_text() == other.name
    shown = graph.view.mapToScene(graph.view.viewport().rect()).boundingRect()
    assert shown.contains(graph.node_item(other.name).sceneBoundingRect()), "the view scrolled to the row's node"
    assert window.roofline.selected_layer_name() in (other.name, None)


def test_colour_modes_search_and_roofline_click(window, qtbot):
    report = run_face(window, qtbot)
    graph = window.graph_view
    window.show_view("graph")
    drawn = [layer for layer in report.layers if layer.executed and graph.node_item(layer.name)]
    hot, cold = slowest(report), min(drawn, key=lambda layer: layer.real_time_ms)
    assert graph.node_color(hot.name) != graph.node_color(cold.name), "time share colours differ"
    assert "layer sum" in graph.legend.toolTip() and "%" in graph.legend.text()

    graph.set_color_mode("precision")
    assert hot.ran_precision in PRECISION_COLORS, "the precision a real kernel ran at has its own colour"
    assert graph.node_color(hot.name) == PRECISION_COLORS[hot.ran_precision]
    assert hot.ran_precision in graph.legend.text()
    ran = {layer.ran_precision for layer in report.layers if layer.executed and graph.node_item(layer.name)}
    assert ran <= PRECISION_COLORS.keys() and all(name in graph.legend.text() for name in ran)

    graph.set_color_mode("efficiency")
    efficient = slowest(report, lambda each: each.efficiency is not None)
    assert graph.node_color(efficient.name) != graph.node_color(hot.name) or efficient is hot
    assert "roof" in graph.legend.toolTip() and "no FLOPs" in graph.legend.text()

    wanted = next(each for each in report.layers if each.executed and graph.node_item(each.name) and each.name != hot.name)
    with qtbot.waitSignal(graph.layer_selected) as found:
        assert graph.find(wanted.name[-8:].upper())
    assert wanted.name[-8:].casefold() in found.args[0].name.casefold()
    assert window.layer_detail.name_text() == found.args[0].name
    assert not graph.find("no layer is called this")
    assert graph.search_note.text() == "no such layer"

    window.show_view("roofline")
    roofline = window.roofline
    levels = [memory.level for memory in report.rooflines[0].memory_roofs]
    assert levels[-1] == "DRAM"
    assert roofline.dot_count() > 0 and roofline.roof_count() == len(report.rooflines) + len(levels), \
        "a compute roof per precision and a memory roof per level"
    caption = roofline.caption.text()
    assert f"load average {report.rooflines[0].load_average:.2f}" in caption and report.rooflines[0].measured_at[:10] in caption
    plotted = roofline.layer_names()
    above = [each for each in report.layers if each.efficiency is not None and each.efficiency > 1 and each.name in plotted]
    said = ("faster than the roofs allow", "within their timing's uncertainty")
    assert roofline.above_roof_count() == len(above) and (not above or any(text in caption for text in said)), \
        "a layer above 100 % is ringed and the caption says whether it beat its roof or is within its timing"
    dot = slowest(report, lambda each: each.name in roofline.layer_names())
    qtbot.waitUntil(lambda: roofline.plot.isVisible())
    position = roofline.plot.mapFromScene(roofline.dot_scene_position(dot.name))
    with qtbot.waitSignal(roofline.layer_selected, timeout=5000) as clicked:
        qtbot.mouseClick(roofline.plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(position.x(), position.y()))
    assert clicked.args[0].name == dot.name
    assert roofline.selected_layer_name() == dot.name
    assert window.layer_detail.name_text() == dot.name
    assert graph.selected_layer_name() == dot.name
    assert current_table_layer(window) == dot.name


def test_new_columns_dot_export_and_trace(window, qtbot, tmp_path, monkeypatch):
    report = run_face(window, qtbot)
    model = window.layers.model
    counted = slowest(report, lambda each: each.flops is not None)
    uncounted = next(each for each in report.layers if each.flops is None)
    for field, text in (("flops", f"{counted.flops / 1e9:.4f}"), ("gflops_per_s", f"{counted.gflops_per_s:.1f}"),
                        ("arithmetic_intensity", f"{counted.arithmetic_intensity:.2f}")):
        assert model.index(model.row_of(counted.name), model.column_index(field)).data() == text
    assert model.index(model.row_of(uncounted.name), model.column_index("flops")).data() == MISSING
    moved = (counted.bytes_read or 0) + (counted.bytes_written or 0)
    assert model.index(model.row_of(counted.name), model.column_index("bytes_moved")).data() == f"{moved / 1e6:.3f}"

    path = tmp_path / "face.dot"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    assert window.export_action("Export graph").isEnabled()
    window.export_action("Export graph").trigger()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("digraph runtime {")
    assert text.count(" -> ") == len(window.outcome.graph.edges)
    assert f'"{counted.name}' in text or counted.name in text

    spans = {event["name"]: event["args"] for event in trace_events(report)["traceEvents"] if event.get("tid") == 3}
    assert spans[counted.name]["flops"] == counted.flops
    assert spans[counted.name]["gflops_per_s"] == counted.gflops_per_s


def test_profile_writes_the_graph_as_dot(tmp_path):
    dot = tmp_path / "graph.dot"
    code = profile_main([str(model_path("face")), str(image_path("zidane.jpg")), "--iterations", "5", "-q", "--dot", str(dot)])
    assert code == 0
    text = dot.read_text(encoding="utf-8")
    assert text.startswith("digraph runtime {") and " -> " in text and "ms" in text


def test_profile_refuses_a_dot_into_a_missing_folder(tmp_path, capsys):
    code = profile_main([str(model_path("face")), str(image_path("zidane.jpg")), "--dot", str(tmp_path / "nowhere/g.dot")])
    assert code == 2
    assert capsys.readouterr().err.startswith("error: cannot write")


def test_view_option_opens_on_the_graph_in_a_scripted_run(tmp_path):
    shot = tmp_path / "graph.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    args = [sys.executable, "-m", "ovgui", str(model_path("face")), str(image_path("zidane.jpg")), "--run",
            "--iterations", "5", "--view", "graph", "--screenshot", str(shot), "--exit-after-run"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_view_option_rejects_an_unknown_view(tmp_path):
    result = subprocess.run([sys.executable, "-m", "ovgui", "--view", "sideways"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and "sideways" in result.stderr


def test_every_precision_the_runtime_names_has_a_colour():
    """Issue 17: the runtime says f32/f16/bf16/i8..., the table knew FP32/FP16, so every f32 layer was grey."""
    types = (getattr(ov.Type, name) for name in dir(ov.Type))
    names = {kind.get_type_name() for kind in types if isinstance(kind, ov.Type)} - {"dynamic", "string"}
    assert names
    for name in names:
        assert precision_color(name) != OTHER_PRECISION, name
        assert precision_color(name.upper()) == precision_color(name)
    assert precision_color("FP32") == precision_color("f32") == precision_color("float32") != precision_color("bf16")
    assert len({precision_color(name).name() for name in names}) == len(names)
    assert precision_color("no such type") == OTHER_PRECISION


def test_view_remeasure_roofs_redraws_the_roofline(window, qtbot):
    """View › Re-measure roofs measures off the GUI thread and judges the run's layers again."""
    report = run_face(window, qtbot, iterations=5)
    action = window.commands.remeasure_roofs
    assert action.isEnabled() and action in window.menuBar().actions()[2].menu().actions()
    before = report.rooflines
    action.trigger()
    assert not action.isEnabled(), "one measurement at a time"
    qtbot.waitUntil(lambda: report.rooflines is not before and action.isEnabled(), timeout=RUN_TIMEOUT_MS)
    roof = report.rooflines[0]
    assert f"load average {roof.load_average:.2f}" in window.roofline.caption.text()
    counted = [layer for layer in report.layers if layer.gflops_per_s]
    assert counted and all(layer.efficiency is not None for layer in counted)
    model = window.layers.model
    layer = counted[0]
    assert model.index(model.row_of(layer.name), model.column_index("efficiency")).data() == f"{layer.efficiency * 100:.1f}"
