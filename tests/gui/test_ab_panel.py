"""The A/B panel with hand-made reports: which pair it picks, what it warns about, what it keeps,
and that a value a report does not have reads "—", never 0; then two real runs of one model
through both engines, at the size the window's A/B workspace gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QTableView
from shared_data import image_path, model_path

from ovgui.core.compare import Variant, run_variants
from ovgui.core.formatting import MISSING
from ovgui.core.imports import load_report
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import DeviceInfo, LatencyStats, LayerStats, ModelInfo, Report, RunConfig
from ovgui.core.runner import RunRequest
from ovgui.gui.ab_panel import ABPanel, default_pair
from ovgui.gui.engine_choice import fixed_values
from ovgui.gui.layer_diff import DIFF_HINT, LayerDiffModel, LayerDiffView
from ovgui.gui.run_history import HistoryEntry, RunHistory
from tests.gui.workspace_host import WORKSPACES, shown_at

A_TIME = LayerDiffModel.column_index("time_a_ms")
B_TIME = LayerDiffModel.column_index("time_b_ms")


def layer(index: int, name: str, real_ms: float, role: str = "model") -> LayerStats:
    return LayerStats(index, name, "Convolution", "jit_avx512_FP32", "EXECUTED", real_ms, None, real_ms, 0.0, role=role)


def report(model: str, names: tuple[str, ...] = ("conv1", "conv2"), times: tuple[float, ...] = (1.0, 2.0),
           median_ms: float = 3.0, extra: list[LayerStats] | None = None) -> Report:
    made = Report(ModelInfo(f"/models/{model}", "onnx", 1), DeviceInfo("CPU", "cpu"), RunConfig())
    made.layers = [layer(i, name, time) for i, (name, time) in enumerate(zip(names, times))] + (extra or [])
    made.latency_ms = LatencyStats.from_samples([median_ms] * 3)
    return made


@pytest.fixture
def imported(tmp_path) -> Report:
    """A real benchmark_app counters import: per-layer means, no latency at all."""
    path = tmp_path / "benchmark_app_average_counters.csv"
    path.write_text("layerName;execStatus;layerType;execType;realTime (ms);cpuTime (ms)\n"
                    "conv1;EXECUTED;Convolution;jit_avx512_FP32;1.5;1.5\n"
                    "conv2;EXECUTED;Convolution;jit_avx512_FP32;2.5;2.5\n"
                    "Total;;;;4.0;4.0\n")
    return load_report(path)


@pytest.fixture
def history() -> RunHistory:
    return RunHistory(capacity=20)


@pytest.fixture
def panel(qtbot, history) -> ABPanel:
    """Shown: a hidden panel leaves the comparing until it is shown."""
    panel = ABPanel(history)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def compared(qtbot, panel: ABPanel) -> LayerDiffView:
    """The panel compares on the next turn of the event loop, after the window has shown the run."""
    qtbot.waitUntil(lambda: panel.diff.header_text().startswith("<b>A</b>"), timeout=5000)
    return panel.diff


def test_the_default_pair_is_one_model_when_a_pair_exists():
    yolo, face = report("yolo.onnx"), report("face.xml")
    assert default_pair([yolo, face]) == (0, 1), "no two runs share a model: the newest two"
    assert default_pair([yolo, face, report("face.xml")]) == (1, 2)
    assert default_pair([face, yolo, report("yolo.onnx"), report("gaze.xml")]) == (1, 2), \
        "the newest run has no partner: the newest pair of one model rather than two models"


def test_different_models_are_warned_about_in_the_panel(qtbot, panel):
    panel.history.add(report("yolo.onnx"))
    panel.history.add(report("face.xml"))
    warning = compared(qtbot, panel).warning_text()
    assert "different models" in warning and "yolo.onnx" in warning and "face.xml" in warning
    assert panel.diff.findChild(QLabel, "diffWarning").isVisibleTo(panel)


def test_the_same_model_twice_gives_no_warning(qtbot, panel):
    panel.history.add(report("yolo.onnx", times=(1.0, 2.0)))
    panel.history.add(report("yolo.onnx", times=(1.5, 2.0)))
    diff = compared(qtbot, panel)
    assert diff.warning_text() == ""
    assert "+16.7%" in diff.header_text() and "2 of 2 rows matched" in diff.header_text()


def test_nothing_matched_is_warned_about_and_has_no_percentage(qtbot, panel):
    panel.history.add(report("yolo.onnx", names=("a1", "a2"), times=(0.1, 0.1)))
    panel.history.add(report("yolo.onnx", names=("b1", "b2"), times=(8.0, 9.3)))
    diff = compared(qtbot, panel)
    assert "No layer of A matched a layer of B" in diff.warning_text()
    assert "%" not in diff.header_text() and "0 of 4 rows matched" in diff.header_text()
    rows = [(diff.model.index(row, A_TIME).data(), diff.model.index(row, B_TIME).data())
            for row in range(diff.model.rowCount())]
    assert all(MISSING in pair for pair in rows), "the side a layer is missing from reads '—', not 0"


def test_a_benchmark_app_import_has_no_median_and_says_its_model_is_unknown(qtbot, panel, imported):
    label = HistoryEntry(1, imported).label()
    assert f"· {MISSING} ·" in label and "0.00" not in label
    panel.history.add(report("yolo.onnx"))
    panel.history.add(imported)
    diff = compared(qtbot, panel)
    assert f"median {MISSING}" in diff.header_text() and "0.00 ms" not in diff.header_text()
    assert "benchmark_app import" in diff.warning_text()


def test_the_panel_picks_from_the_history_and_says_what_it_keeps(panel, history):
    assert panel.kept_note.text() == "Keeps the last 20 runs of this session."
    for number in range(25):
        history.add(report("yolo.onnx", median_ms=1.0 + number))
    assert history.rowCount() == 20 and panel.combo_b.count() == 20
    assert [entry.report.latency_ms.median for entry in history.entries()] == [6.0 + n for n in range(20)]
    assert panel.combo_b.currentText().startswith("#25 ") and panel.combo_a.currentText().startswith("#24 ")
    assert panel.kept_note.text() == "Keeps the last 20 runs of this session; 5 older runs were dropped."


def test_showing_an_outcome_makes_its_run_b_against_an_earlier_run_of_its_model(qtbot, panel, history):
    face = report("face.xml")
    for made in (report("yolo.onnx", times=(1.0, 2.0)), report("yolo.onnx", times=(1.5, 2.0)), face,
                 report("yolo.onnx", times=(1.5, 3.0))):
        history.add(made)
    assert (panel.combo_a.currentIndex(), panel.combo_b.currentIndex()) == (1, 3), "the newest run and its partner"
    panel.show_outcome(RunOutcome(history.entry(1).report))
    assert (panel.combo_a.currentIndex(), panel.combo_b.currentIndex()) == (0, 1)
    qtbot.waitUntil(lambda: "+16.7%" in panel.diff.header_text(), timeout=5000)
    panel.show_outcome(RunOutcome(report("yolo.onnx")))
    assert panel.combo_b.currentIndex() == 1, "a report the history does not hold changes nothing"
    panel.show_outcome(RunOutcome(face))
    assert panel.combo_b.currentIndex() == 1, "a run with no earlier run of its model changes nothing"
    panel.clear()
    assert (panel.combo_a.currentIndex(), panel.combo_b.currentIndex()) == (-1, -1)
    assert panel.diff.header_text() == DIFF_HINT and history.rowCount() == 4


def test_a_hidden_panel_compares_once_shown(qtbot, history):
    panel = ABPanel(history)
    qtbot.addWidget(panel)
    history.add(report("yolo.onnx", times=(1.0, 2.0)))
    history.add(report("yolo.onnx", times=(1.5, 2.0)))
    QApplication.processEvents()
    assert panel.diff.header_text() == DIFF_HINT, "nothing compared while hidden"
    panel.show()
    compared(qtbot, panel)


def test_preprocessing_layers_are_one_row_matched_by_role(qtbot, panel):
    """Auto-named nodes of in-graph preprocessing differ between runs: they pair by role, summed."""
    graph_a = [layer(2, "Transpose_5027", 0.5, "preprocess"), layer(3, "Interpolate_5030", 1.5, "preprocess")]
    graph_b = [layer(2, "Transpose_11882", 0.25, "preprocess"), layer(3, "Convert_11890", 0.5, "preprocess"),
               layer(4, "Interpolate_11891", 1.0, "preprocess")]
    panel.history.add(report("yolo.onnx", extra=graph_a))
    panel.history.add(report("yolo.onnx", extra=graph_b))
    diff = compared(qtbot, panel)
    rows = [delta for delta in diff.deltas() if delta.role == "preprocess"]
    assert len(rows) == 1 and len(diff.deltas()) == 3
    (row,) = rows
    assert (row.name_a, row.name_b, row.presence, row.matched_by) == ("preprocessing", "preprocessing", "both", "role")
    assert (row.time_a_ms, row.time_b_ms) == (2.0, 1.75)
    assert "model layers 3.000 → 3.000 ms" in diff.header_text(), "preprocessing stays out of the model's total"
    assert diff.warning_text() == ""


def test_open_report_reads_off_the_gui_thread_and_a_bad_file_is_one_line(qtbot, panel, history, imported, tmp_path):
    panel.open_report(imported.model.path)
    qtbot.waitUntil(lambda: history.rowCount() == 1, timeout=30_000)
    assert history.entry(0).source.text() == f"opened from {Path(imported.model.path).name}"
    bogus = tmp_path / "notes.json"
    bogus.write_text("[1, 2, 3]")
    with qtbot.waitSignal(panel.open_failed, timeout=30_000) as blocker:
        panel.open_report(str(bogus))
    (message,) = blocker.args
    assert "notes.json" in message and "\n" not in message and history.rowCount() == 1


# ---- one model through both engines, at the size of the window's A/B workspace



@pytest.fixture(scope="module")
def two_engines() -> tuple[Report, Report]:
    """YOLOv8n (int8 ONNX) through OpenVINO, then through ONNX Runtime: A and B of a real A/B."""
    base = RunRequest(str(model_path("yolov8")), str(image_path("bus.jpg")), RunConfig(iterations=3))
    results = list(run_variants(base, [Variant("OpenVINO", {}),
                                       Variant("ONNX Runtime", {"engine": "onnxruntime", **fixed_values("onnxruntime")})]))
    assert all(isinstance(outcome, RunOutcome) for _name, outcome in results), results
    return results[0][1].report, results[1][1].report



def test_each_side_names_its_engine_and_device(qtbot, panel, history, two_engines):
    openvino, onnxruntime = two_engines
    history.add(openvino)
    history.add(onnxruntime)
    header = compared(qtbot, panel).header_text()
    assert "<b>A</b>: yolov8n_int8.onnx · OpenVINO · CPU · " in header
    assert "&nbsp;vs&nbsp;&nbsp;<b>B</b>: yolov8n_int8.onnx · ONNX Runtime · CPU · " in header
    assert "yolov8n_int8.onnx · OpenVINO · CPU" in panel.combo_a.currentText()
    assert "yolov8n_int8.onnx · ONNX Runtime · CPU" in panel.combo_b.currentText()


@pytest.mark.parametrize("screen", WORKSPACES)
def test_the_workspace_shows_at_least_eight_rows_and_both_names(qtbot, history, two_engines, screen):
    panel = ABPanel(history)
    host = shown_at(qtbot, panel, WORKSPACES[screen])
    for made in two_engines:
        history.add(made)
    table = compared(qtbot, panel).findChild(QTableView, "diffTable")
    assert table.model().rowCount() > 8
    last_whole_row = table.rowAt(table.viewport().height() - table.rowHeight(0))
    assert last_whole_row >= 7, f"rows 0..{last_whole_row} wholly visible"
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0)  # every column, no scrolling sideways
    name_a, name_b = (table.columnWidth(LayerDiffModel.column_index(side)) for side in ("name_a", "name_b"))
    assert abs(name_a - name_b) <= 1, "A's and B's layer names share the room the numbers leave"
    host.close()
