"""Run › Sweep… in the real window: a two-point sweep on SqueezeNet through the menu and the dialog
fills the Sweep workspace — spots and error bars where the points are, the Pareto front through
exactly the front points, the budget line at the budget, the best point marked and said in words —
its table sorts, "use this configuration" sets the Settings panel, and a stopped sweep stays shown."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from shared_data import image_path, model_path

from ovgui.core.sweep_options import BASELINE
from ovgui.gui.main_window import MainWindow
from ovgui.gui.sweep_view import SweepModel

RUN_TIMEOUT_MS = 120_000
BUDGET_MS = 1000.0
"""Far above any point's latency: the best point is then the highest throughput, known from the table."""


def sweep_action(window: MainWindow):
    run_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Run")
    return next(action for action in run_menu.actions() if action.text().replace("&", "") == "Sweep…")


def open_dialog(window: MainWindow, axes: str):
    sweep_action(window).trigger()
    dialog = window.sweep_dialog
    dialog.axes.setPlainText(axes)
    return dialog


def xy(item) -> list[tuple[float, float]]:
    x, y = item.getData()
    return sorted(zip(np.asarray(x).tolist(), np.asarray(y).tolist()))


def test_a_sweep_through_the_menu_fills_the_sweep_workspace(squeezenet_window, qtbot, tmp_path):
    window = squeezenet_window
    dialog = open_dialog(window, "nstreams=1,2")
    dialog.repeats.setValue(3)  # three: the median then sits off the middle of the spread, so the bars' sides are told apart
    dialog.budget.setValue(BUDGET_MS)
    dialog.percentile.setCurrentIndex(dialog.percentile.findData(90.0))
    assert dialog.ok.isEnabled() and "(2 points + the device's default) × 3 repeats = 9 runs" in dialog.estimate.text()
    seen: list[int] = []
    window.session.variant_finished.connect(lambda _result: seen.append(window.sweep_view.model.rowCount()))
    with qtbot.waitSignal(window.session.returned, timeout=RUN_TIMEOUT_MS) as blocker:
        dialog.ok.click()
    assert len(blocker.args[0]) == 9 and seen == [3] * 9, "every point has its row from the first run on"
    assert window.workspaces.current_name() == "sweep"
    assert window.controls.config().latency_percentile == 90.0, "the dialog's percentile is the panel's"
    view = window.sweep_view
    sweep = view.sweep
    assert [point.name for point in sweep.points] == [BASELINE, "nstreams=1", "nstreams=2"]
    assert sweep.percentile == 90.0 and sweep.budget_ms == BUDGET_MS
    assert all(point.runs == 3 and not point.error for point in sweep.points)

    chart = view.chart
    assert xy(chart.points) == sorted((p.latency_ms, p.throughput_fps) for p in sweep.points[1:])
    assert xy(chart.baseline) == [(sweep.points[0].latency_ms, sweep.points[0].throughput_fps)]
    bars = chart.error_bars.opts
    for x, y, left, right, bottom, top in zip(bars["x"], bars["y"], bars["left"], bars["right"], bars["bottom"], bars["top"]):
        point = next(p for p in sweep.points if p.latency_ms == x)
        assert (x - left, x + right) == pytest.approx(point.latency_spread_ms)
        assert (y - bottom, y + top) == pytest.approx(point.throughput_spread_fps)
    assert len(bars["x"]) == 3
    front = sorted((p for p in sweep.points if p.pareto), key=lambda p: p.latency_ms)
    assert front and xy(chart.front) == [(p.latency_ms, p.throughput_fps) for p in front]
    assert chart.budget.isVisible() and chart.budget.value() == BUDGET_MS
    assert chart.budget.label.format == f"budget p90 {BUDGET_MS:g} ms"

    fastest = max(sweep.points[1:], key=lambda p: p.throughput_fps)
    assert sweep.best is not None and sweep.best.name == fastest.name
    assert xy(chart.best) == [(fastest.latency_ms, fastest.throughput_fps)]
    assert view.reason.text() == f"Best: {sweep.best.reason}" and "the device's default gives" in view.reason.text()
    assert window.report.sweep is sweep, "the report shown holds every point (an export carries the sweep)"

    model = view.model
    fps = SweepModel.column_index("throughput")
    view.table.sortByColumn(fps, Qt.SortOrder.DescendingOrder)
    shown = [model.data(model.index(row, fps), SweepModel.SORT_ROLE)[0] for row in range(model.rowCount())]
    assert shown == sorted((p.throughput_fps for p in sweep.points), reverse=True)

    view.use_button.click()
    config = window.controls.config()
    assert (config.nstreams, config.mode) == (fastest.settings["nstreams"], "throughput"), "nothing selected: the best point"
    other = next(p for p in sweep.points[1:] if p is not fastest)
    view.table.selectRow(model.row_of(other.name))
    view.use_button.click()
    assert window.controls.config().nstreams == other.settings["nstreams"]
    assert other.name in window.statusBar().currentMessage()

    saved = tmp_path / "sweep.json"
    window.report.save_json(saved)
    view.clear()
    window.open_report(str(saved))
    qtbot.waitUntil(lambda: view.sweep is not None, timeout=30_000)
    figures = [(p.name, p.throughput_fps, p.latency_ms, p.pareto) for p in sweep.points]
    assert [(p.name, p.throughput_fps, p.latency_ms, p.pareto) for p in view.sweep.points] == figures, \
        "a saved report brings its sweep back"
    assert view.reason.text() == f"Best: {sweep.best.reason}" and len(chart.points.getData()[0]) == 2


def test_a_wrong_axis_is_one_line_and_ok_is_disabled(squeezenet_window):
    dialog = open_dialog(squeezenet_window, "nstreams=1,2\nspeed=3")
    assert not dialog.ok.isEnabled()
    assert "'speed' is not a run option a sweep can vary" in dialog.problem.text()
    assert "\n" not in dialog.problem.text()
    dialog.axes.setPlainText("nstreams=1..2")
    assert dialog.ok.isEnabled() and dialog.problem.text() == ""
    dialog.reject()


def test_a_stopped_sweep_stays_shown_as_far_as_it_got(squeezenet_window, qtbot):
    window = squeezenet_window
    dialog = open_dialog(window, "nstreams=1,2")
    dialog.repeats.setValue(3)
    stopped: list[bool] = []

    def stop_after_first(_result) -> None:
        if not stopped:
            stopped.append(True)
            window.stop_run()

    window.session.variant_finished.connect(stop_after_first)
    with qtbot.waitSignal(window.session.finished, timeout=RUN_TIMEOUT_MS):
        dialog.ok.click()
    view = window.sweep_view
    sweep = view.sweep
    done = [point for point in sweep.points if point.throughput_spread_fps]
    assert 1 <= len(view.runs) < 9 and done, "the sweep stopped early, with what it measured"
    assert [point.name for point in sweep.points] == [BASELINE, "nstreams=1", "nstreams=2"]
    assert any(point.error == "not run" for point in sweep.points)
    assert len(view.chart.points.getData()[0]) + len(view.chart.baseline.getData()[0]) == len(done)
    assert "(stopped)" in view.summary.text() and "stopped after" in window.statusBar().currentMessage()
    assert window.workspaces.current_name() == "sweep"


def test_a_shape_sweep_shows_memory_latency_and_compile_per_shape_for_each_compile_mode(window, qtbot):
    """Shapes × compile modes on the dynamic YuNet: the shape charts replace the scatter, one solid
    peak-RSS line and one dashed after-release line per mode through exactly the points' figures,
    shapes in the order swept; the table names the axes once in its header."""
    window.open_model(str(model_path("yunet_dynamic")))
    window.open_image(str(image_path("zidane.jpg")))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.set_config(replace(window.controls.config(), iterations=5))
    dialog = open_dialog(window, "shape=1x3x320x320,1x3x640x640\nshape_mode=static,dynamic")
    dialog.repeats.setValue(1)
    assert "4 points × 1 repeat" in dialog.estimate.text() and "default" not in dialog.estimate.text()
    with qtbot.waitSignal(window.session.returned, timeout=RUN_TIMEOUT_MS):
        dialog.ok.click()
    view = window.sweep_view
    sweep = view.sweep
    assert view.charts.currentWidget() is view.shape_chart and not view.chart.isVisible()
    chart = view.shape_chart
    assert chart.shapes == ["1x3x320x320", "1x3x640x640"] and chart.modes == ["static", "dynamic"]

    def figures(mode: str, read) -> list[float]:
        return [read(next(p for p in sweep.points if p.settings["shape_mode"] == mode and p.settings["input_shape"][2] == side))
                for side in (320, 640)]

    lines = chart.series(chart.memory)
    assert lines == [("static: peak", figures("static", lambda p: p.peak_rss_mib)),
                     ("", figures("static", lambda p: p.rss_after_release_mib)),
                     ("dynamic: peak", figures("dynamic", lambda p: p.peak_rss_mib)),
                     ("", figures("dynamic", lambda p: p.rss_after_release_mib))]
    assert [values for _name, values in chart.series(chart.latency)] == [figures(mode, lambda p: p.latency_ms)
                                                                           for mode in ("static", "dynamic")]
    assert [values for _name, values in chart.series(chart.compile)] == [figures(mode, lambda p: p.compile_ms)
                                                                           for mode in ("static", "dynamic")]
    assert chart.memory.getAxis("bottom").labelText == "input shape (1x3x…)"
    model = view.model
    assert model.headerData(SweepModel.POINT, Qt.Orientation.Horizontal) == "Point\n(input_shape · shape_mode)"
    shown = {model.data(model.index(row, SweepModel.POINT)) for row in range(model.rowCount())}
    assert shown == {"1x3x320x320 · static", "1x3x320x320 · dynamic", "1x3x640x640 · static", "1x3x640x640 · dynamic"}
    compiled = SweepModel.column_index("compiled_shape")
    assert {model.data(model.index(row, compiled)) for row in range(model.rowCount())} == {
        "[1,3,320,320]", "[1,3,640,640]", "[1,3,?,?]"}
    assert "compares what each shape costs" in view.reason.text()


def test_the_estimate_rests_on_the_last_run_of_this_model(squeezenet_window, qtbot):
    """Before any run the dialog says the first round will measure the pace; after a run of this
    model it estimates the sweep from that run's mean inference and its load and compile times."""
    window = squeezenet_window
    dialog = open_dialog(window, "nstreams=1,2")
    assert "run the model once first for an estimate" in dialog.estimate.text()
    dialog.reject()
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.start_run()
    report = blocker.args[0]
    dialog = open_dialog(window, "nstreams=1,2")
    dialog.repeats.setValue(2)
    timings = report.timings_ms
    setup_s = (timings.read_model + timings.convert + timings.compile + timings.first_inference) / 1000
    seconds = 6 * (20 * report.latency_ms.mean / 1000 + setup_s)
    assert f"About {seconds:.0f} s, estimated from the last run of this model ({report.latency_ms.mean:.2f} ms" \
        in dialog.estimate.text()
    dialog.reject()
