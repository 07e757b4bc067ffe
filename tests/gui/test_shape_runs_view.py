"""The Shapes table: one row per shape of a `--data-shape` run, and the layers of the one selected."""

from __future__ import annotations

from ovgui.core.options import RunConfig
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import DeviceInfo, LatencyStats, LayerStats, ModelInfo, Report, ShapeRun
from ovgui.gui.shape_runs_view import ShapeRunsModel, ShapeRunsView


def layer(name: str, ms: float) -> LayerStats:
    return LayerStats(0, name, "Convolution", "brgconv_avx512_bf16", "EXECUTED", ms, None, ms, 0.5)


def shape(width: int, median: float, layers: list[LayerStats]) -> ShapeRun:
    return ShapeRun({"x": [1, 3, 48, width]}, LatencyStats(median=median, p90=median * 1.5, mean=median, count=20),
                    1000 / median, layers)


def outcome(*runs: ShapeRun) -> RunOutcome:
    return RunOutcome(Report(ModelInfo("model.xml", "ir", 1), DeviceInfo("CPU", "Test CPU"), RunConfig(), shape_runs=list(runs)))


def cell(view: ShapeRunsView, row: int, field: str) -> str:
    model = view._table.model()
    return model.index(row, ShapeRunsModel.column_index(field)).data()


def test_a_row_per_shape_in_the_order_run_and_each_shape_its_layers(qtbot):
    view = ShapeRunsView()
    qtbot.addWidget(view)
    view.show_outcome(outcome(shape(640, 8.0, [layer("conv_wide", 3.25), layer("relu", 0.5)]),
                              shape(64, 1.0, [layer("conv_narrow", 0.125)])))
    assert view._stack.currentIndex() == 1
    assert [cell(view, row, "shape") for row in range(2)] == ["x [1,3,48,640]", "x [1,3,48,64]"]
    assert (cell(view, 0, "median"), cell(view, 0, "p90"), cell(view, 0, "iterations")) == ("8.00", "12.0", "20")
    assert cell(view, 0, "slowest") == "conv_wide (3.250 ms)"
    assert view._layers.layers()[0].name == "conv_wide"
    view._table.selectRow(1)
    assert [stats.name for stats in view._layers.layers()] == ["conv_narrow"]
    assert view._layers_title.text() == "Layers at x [1,3,48,64], by mean real time"


def test_a_run_without_shapes_and_clear_show_the_hint(qtbot):
    view = ShapeRunsView()
    qtbot.addWidget(view)
    view.show_outcome(outcome(shape(64, 1.0, [layer("conv", 0.1)])))
    view.clear()
    assert view._stack.currentIndex() == 0 and view._layers.layers() == []
    view.show_outcome(outcome())
    assert view._stack.currentIndex() == 0 and view._model.rowCount() == 0
