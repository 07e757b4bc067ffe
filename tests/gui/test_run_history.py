"""The session's run history the window, Compare and A/B share: numbers that are never reused,
where each run came from, and the oldest runs let go of."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt

from ovgui.core.formatting import MISSING
from ovgui.core.report import DeviceInfo, EngineInfo, LatencyStats, ModelInfo, Report, RunConfig
from ovgui.gui.run_history import MEASURED, RunHistory, from_configuration, from_file
from ovgui.gui.run_names import engine_label


def report(model: str = "yolov8n_int8.onnx", engine: str = "openvino", median_ms: float = 12.5) -> Report:
    made = Report(ModelInfo(f"/models/{model}", "onnx", 1), DeviceInfo("CPU", "cpu"), RunConfig(engine=engine))
    made.latency_ms = LatencyStats.from_samples([median_ms] * 3)
    return made


def test_the_history_passes_the_model_tester(qtmodeltester):
    history = RunHistory(capacity=3)
    for number in range(5):
        history.add(report(median_ms=1.0 + number))
    qtmodeltester.check(history, force_py=True)


def test_each_entry_says_what_ran_where_and_where_it_came_from():
    history = RunHistory()
    history.add(report(engine="onnxruntime"), from_configuration("ONNX Runtime"))
    history.add(report(), from_file("/tmp/saved/run.json"))
    unmeasured = report()
    unmeasured.latency_ms = LatencyStats()
    history.add(unmeasured)
    labels = [history.index(row).data() for row in range(history.rowCount())]
    assert labels[0].startswith("#1  yolov8n_int8.onnx · ONNX Runtime · CPU · default precision · 12.5 ms · "
                                "comparison: ONNX Runtime · ")
    assert labels[1].startswith("#2  yolov8n_int8.onnx · OpenVINO · CPU · ") and "opened from run.json" in labels[1]
    assert f"· {MISSING} · measured · " in labels[2], "no latency reads '—', never 0"
    assert history.index(2, 0).data(RunHistory.ENTRY_ROLE).source == MEASURED
    assert "/models/yolov8n_int8.onnx" in history.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)


def test_an_engine_this_release_does_not_know_keeps_the_name_its_report_recorded():
    made = report(engine="tensorrt")
    made.engine = EngineInfo("TensorRT", "10.1")
    assert engine_label(made) == "TensorRT"
    assert engine_label(report(engine="onnxruntime")) == "ONNX Runtime"


def test_the_oldest_runs_are_let_go_of_and_numbers_are_never_reused():
    history = RunHistory(capacity=3)
    added = []
    history.added.connect(added.append)
    runs = [report(median_ms=1.0 + number) for number in range(5)]
    for run in runs:
        history.add(run)
    assert [entry.number for entry in history.entries()] == [3, 4, 5]
    assert [entry.number for entry in added] == [1, 2, 3, 4, 5]
    assert history.dropped() == 2 and history.kept_note().endswith("; 2 older runs were dropped.")
    assert history.row_of(runs[4]) == 2 and history.row_of(runs[0]) is None
    assert history.row_of(dataclasses.replace(runs[4])) is None, "an equal report is another run"


def test_the_history_keeps_a_pair_whatever_it_is_told():
    history = RunHistory(capacity=1)
    history.add(report())
    history.add(report())
    assert history.capacity == 2 and history.rowCount() == 2
