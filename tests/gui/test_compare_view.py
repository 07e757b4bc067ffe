"""The comparison views on real runs of the face detector: six configurations side by side,
two runs layer by layer, and one layer up close.  Renders land in the test's tmp_path.

The layer detail's histogram is tested with hand-made per-iteration samples: the runs here
give OpenVINO's CPU counters, which are running means, so they carry none."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openvino
import pyqtgraph as pg
import pytest
from device_caps import cpu_capabilities, precision_used
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QLineEdit, QWidget
from shared_data import image_path, model_path

from ovgui.core.compare import Configured, Variant, compare_layers, run_variants
from ovgui.core.formatting import MISSING
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import LayerStats, Report, RunConfig
from ovgui.core.runner import RunRequest, adjusted_settings, run_profile
from ovgui.gui.comparison import COMPARISON_HINT, ComparisonModel, ComparisonView
from ovgui.gui.engine_choice import fixed_values
from ovgui.gui.layer_detail import DETAIL_HINT, NOT_EXECUTED_NOTE, LayerDetailPanel
from ovgui.gui.layer_diff import DIFF_HINT, FASTER_COLOR, SLOWER_COLOR, LayerDiffModel, LayerDiffView
from ovgui.gui.run_history import RunHistory, from_configuration
from tests.gui.chart_geometry import unreadable, value_lines
from tests.gui.workspace_host import WORKSPACES, shown_at

RENDER_SIZE = (1100, 600)
ITERATIONS = 30
SORT_ROLE = ComparisonModel.SORT_ROLE
MEDIAN = ComparisonModel.column_index("latency_ms.median")
THROUGHPUT = ComparisonModel.column_index("throughput_fps")
CONFIGURATION = ComparisonModel.column_index("name")
ERROR = ComparisonModel.column_index("error")
CACHE = ComparisonModel.column_index("compiled.loaded_from_cache")
DELTA = LayerDiffModel.column_index("delta_ms")
MATCH = LayerDiffModel.column_index("match")
RATIO = LayerDiffModel.column_index("ratio")
A_TIME = LayerDiffModel.column_index("time_a_ms")
B_TIME = LayerDiffModel.column_index("time_b_ms")


@pytest.fixture(scope="module")
def face_fp32_ir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ir") / "face_fp32.xml"
    openvino.save_model(openvino.Core().read_model(model_path("face")), path, compress_to_fp16=False)
    return path


@pytest.fixture(scope="module")
def comparison(tmp_path_factory, face_fp32_ir) -> list[Configured]:
    """Six configurations through the real engine, the way Run › Compare runs them; the last one fails."""
    base = RunRequest(str(model_path("face")), str(image_path("zidane.jpg")), RunConfig(iterations=ITERATIONS))
    cache = tmp_path_factory.mktemp("model-cache")
    run_profile(RunRequest(base.model_path, base.image_path, RunConfig(iterations=1, cache_dir=str(cache))))
    variants = [
        Variant("FP16 IR + f32 precision", {"precision": "f32"}),
        Variant("FP16 IR + bf16 precision", {"precision": "bf16"}),
        Variant("FP16 IR + THROUGHPUT mode (async)", {"mode": "throughput"}),
        Variant("FP32 IR + f32 precision", {"precision": "f32"}, str(face_fp32_ir)),
        Variant("FP16 IR from the model cache", {"cache_dir": str(cache)}),
        Variant("Device FPGA (not installed)", {"device": "FPGA"}),
    ]
    results = list(run_variants(base, variants))
    assert [isinstance(outcome, RunOutcome) for _name, outcome in results] == [True] * 5 + [False]
    return results


@pytest.fixture(scope="module")
def results(comparison) -> list[Configured]:
    return comparison


@pytest.fixture(scope="module")
def f32(results) -> Report:
    return results[0][1].report


@pytest.fixture(scope="module")
def bf16(results) -> Report:
    return results[1][1].report


@pytest.fixture(scope="module")
def fp32_ir(results) -> Report:
    return results[3][1].report


@pytest.fixture(scope="module")
def fused_layer(results) -> tuple[LayerStats, RunOutcome]:
    """The slowest executed layer of the f32 run that has original layers fused into it, with a
    result that carries per-iteration samples, as a run whose counters are per-inference would."""
    report = results[0][1].report
    fused = [layer for layer in report.layers if layer.executed and len(layer.original_layers) > 1]
    layer = max(fused, key=lambda layer: layer.real_time_ms)
    samples = np.random.default_rng(7).normal(1.0, 0.05, (ITERATIONS, len(report.layers)))
    samples *= [[layer.real_time_ms for layer in report.layers]]
    with_distributions = dataclasses.replace(report, profile=dataclasses.replace(report.profile, distributions=True))
    return layer, RunOutcome(with_distributions, layer_samples=samples)


@pytest.fixture
def comparison_view(show_sized) -> Iterator[ComparisonView]:
    view = ComparisonView(RunHistory())
    host = show_sized(view)
    yield view
    host.close()


@pytest.fixture
def diff_view(show_sized) -> Iterator[LayerDiffView]:
    view = LayerDiffView()
    host = show_sized(view)
    yield view
    host.close()


@pytest.fixture
def detail_panel(show_sized) -> Iterator[LayerDetailPanel]:
    panel = LayerDetailPanel()
    host = show_sized(panel)
    yield panel
    host.close()


def _column(model, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> list:
    return [model.index(row, column).data(role) for row in range(model.rowCount())]


def _is_bold(model, row: int, column: int) -> bool:
    font = model.index(row, column).data(Qt.ItemDataRole.FontRole)
    return font is not None and font.bold()


# ---- configurations side by side


def test_comparison_model_passes_the_model_tester(qtmodeltester, results):
    model = ComparisonModel()
    model.set_results(results)
    qtmodeltester.check(model, force_py=True)


def test_one_row_per_configuration_with_the_numbers_openvino_reported(comparison_view, results):
    comparison_view.set_results(results)
    model = comparison_view.model
    assert model.rowCount() == len(results)
    assert _column(model, CONFIGURATION) == [name for name, _outcome in results]
    assert _column(model, MEDIAN, SORT_ROLE)[:5] == [outcome.report.latency_ms.median for _name, outcome in results[:5]]
    assert _column(model, CACHE)[:5] == ["no", "no", "no", "no", "yes"]


def test_a_failed_configuration_shows_its_error_greyed_without_numbers(comparison_view, results):
    comparison_view.set_results(results)
    model, failed = comparison_view.model, len(results) - 1
    assert "FPGA" in model.index(failed, ERROR).data()
    assert model.index(failed, MEDIAN).data() == MISSING
    assert model.index(failed, THROUGHPUT).data(SORT_ROLE) is None
    assert model.index(failed, CONFIGURATION).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, CONFIGURATION).data(Qt.ItemDataRole.ForegroundRole) is None
    assert comparison_view.bar_count() == 7 * 5, "seven series, one bar per finished configuration each"


def test_best_median_and_best_throughput_are_bold(results):
    model = ComparisonModel()
    model.set_results(results)
    medians = [outcome.report.latency_ms.median for _name, outcome in results[:5]]
    fps = [outcome.report.throughput_fps for _name, outcome in results[:5]]
    fastest, busiest = medians.index(min(medians)), fps.index(max(fps))
    assert [_is_bold(model, row, MEDIAN) for row in range(5)] == [row == fastest for row in range(5)]
    assert [_is_bold(model, row, THROUGHPUT) for row in range(5)] == [row == busiest for row in range(5)]
    assert not _is_bold(model, fastest, CONFIGURATION)


def test_add_result_grows_the_table_and_the_bars_one_configuration_at_a_time(comparison_view, results, qtbot):
    hint = comparison_view.findChild(QWidget, "emptyHint")
    assert hint.isVisible() and hint.text() == COMPARISON_HINT
    counts = []
    for result in results:
        comparison_view.add_result(result)
        counts.append((comparison_view.model.rowCount(), comparison_view.bar_count()))
    assert counts == [(1, 7), (2, 14), (3, 21), (4, 28), (5, 35), (6, 35)]
    assert not hint.isVisible()
    medians = [outcome.report.latency_ms.median for _name, outcome in results[:5]]
    assert _is_bold(comparison_view.model, medians.index(min(medians)), MEDIAN)
    comparison_view.clear()
    assert comparison_view.model.rowCount() == 0 and comparison_view.bar_count() == 0
    qtbot.waitUntil(hint.isVisible)


def test_the_bold_best_stays_on_its_configuration_when_sorted(comparison_view, results):
    comparison_view.set_results(results)
    comparison_view.table.sortByColumn(CONFIGURATION, Qt.SortOrder.DescendingOrder)
    shown = comparison_view.table.model()
    fastest, _outcome = min(results[:5], key=lambda result: result[1].report.latency_ms.median)
    bold = [shown.index(row, CONFIGURATION).data() for row in range(shown.rowCount()) if _is_bold(shown, row, MEDIAN)]
    assert bold == [fastest]


@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_a_failed_configuration_sorts_last_either_way(comparison_view, results, order):
    comparison_view.set_results(results)
    comparison_view.table.sortByColumn(THROUGHPUT, order)
    shown = _column(comparison_view.table.model(), THROUGHPUT, SORT_ROLE)
    assert shown[-1] is None
    assert shown[:-1] == sorted(shown[:-1], reverse=order == Qt.SortOrder.DescendingOrder)


# ---- one model through both engines, at the size of the window's Compare workspace

ENGINE = ComparisonModel.column_index("engine")
RUN = ComparisonModel.column_index("run")


@pytest.fixture(scope="module")
def engines() -> list[Configured]:
    """YOLOv8n (int8 ONNX) three ways: OpenVINO in latency and in throughput mode, and ONNX Runtime."""
    base = RunRequest(str(model_path("yolov8")), str(image_path("bus.jpg")), RunConfig(iterations=3))
    variants = [Variant("OpenVINO, latency", {}), Variant("OpenVINO, throughput (async)", {"mode": "throughput"}),
                Variant("ONNX Runtime", {"engine": "onnxruntime", **fixed_values("onnxruntime")})]
    results = list(run_variants(base, variants))
    assert all(isinstance(outcome, RunOutcome) for _name, outcome in results), results
    return results



def test_each_row_names_its_engine_device_and_run_number(engines):
    history = RunHistory()
    view = ComparisonView(history)
    for name, outcome in engines:
        view.add_result((name, outcome))
    assert _column(view.model, RUN) == [MISSING] * 3, "not in the history yet"
    for name, outcome in engines:
        history.add(outcome.report, from_configuration(name))
    engine_cells = _column(view.model, ENGINE)
    assert [cell.split(" ")[0] for cell in engine_cells] == ["OpenVINO", "OpenVINO", "ONNX"]
    assert engine_cells[2].startswith("ONNX Runtime ") and all(cell.endswith(" · CPU") for cell in engine_cells)
    assert _column(view.model, RUN) == ["#1", "#2", "#3"]
    assert history.entry(2).label().startswith("#3  yolov8n_int8.onnx · ONNX Runtime · CPU · ")
    assert "comparison: ONNX Runtime" in history.entry(2).label()


def test_showing_an_outcome_selects_its_configuration(qtbot, engines):
    view = ComparisonView(RunHistory())
    host = shown_at(qtbot, view, WORKSPACES["1366x768"])
    view.set_results(engines)
    view.table.sortByColumn(CONFIGURATION, Qt.SortOrder.DescendingOrder)
    view.show_outcome(engines[2][1])
    (selected,) = view.table.selectionModel().selectedRows()
    assert selected.data() == "ONNX Runtime"
    view.show_outcome(RunOutcome(dataclasses.replace(engines[2][1].report)))
    assert view.table.selectionModel().selectedRows() == [], "an equal report of another run is not this row"
    host.close()


def assert_charts_readable(view: ComparisonView, results: list[Configured]) -> None:
    """Every configuration's name whole, and every value printed inside its chart without
    touching another."""
    assert unreadable(view, [name for name, _outcome in results]) == []


def assert_every_row_shown(qtbot, table: QAbstractItemView, rows: int) -> None:
    qtbot.waitUntil(lambda: table.rowAt(table.viewport().height() - table.rowHeight(0)) == rows - 1)


@pytest.mark.parametrize("screen", WORKSPACES)
def test_three_configurations_fit_the_workspace(qtbot, engines, screen):
    view = ComparisonView(RunHistory())
    host = shown_at(qtbot, view, WORKSPACES[screen])
    for result in engines:
        view.add_result(result)
    assert_every_row_shown(qtbot, view.table, len(engines))
    assert len(view.findChildren(pg.PlotWidget)) == 4 and view.bar_count() == 7 * 3
    assert sum(len(value_lines(plot)) for plot in view.findChildren(pg.PlotWidget)) == view.bar_count()
    assert_charts_readable(view, engines)
    host.close()


def test_many_configurations_scroll_their_charts_rather_than_squeeze_them(qtbot, results):
    """Ten configurations (the six measured, four of them again under other names, as a JSON
    list of variants gives) at 1366x768: two bars each would leave a value less than a line."""
    many = results + [(f"Repeat {number}", outcome) for number, (_name, outcome) in enumerate(results[:4], 1)]
    view = ComparisonView(RunHistory())
    host = shown_at(qtbot, view, WORKSPACES["1366x768"])
    view.set_results(many)
    assert_every_row_shown(qtbot, view.table, len(many))
    assert_charts_readable(view, many)
    host.close()


# ---- two runs, layer by layer


def test_layer_diff_model_passes_the_model_tester(qtmodeltester, f32, bf16):
    model = LayerDiffModel()
    model.set_deltas(compare_layers(f32, bf16))
    qtmodeltester.check(model, force_py=True)


def test_f32_against_bf16_is_sorted_by_the_size_of_the_change(diff_view, f32, bf16):
    diff_view.set_reports(f32, bf16)
    deltas = diff_view.deltas()
    assert deltas, "bf16 and f32 runs share layers"
    sizes = [abs(d.delta_ms) for d in deltas]
    assert sizes == sorted(sizes, reverse=True)
    shown = _column(diff_view.proxy, DELTA, SORT_ROLE)
    assert [abs(value) for value in shown] == sizes, "the table starts in the same order"
    assert diff_view.bar_count() == min(15, sum(1 for d in deltas if d.delta_ms != 0))


def test_layers_with_equal_names_are_matched_by_name(diff_view, f32, bf16):
    diff_view.set_reports(f32, bf16)
    model = diff_view.model
    executed_b = {layer.name for layer in bf16.layers if layer.executed}
    for row, delta in enumerate(model.deltas()):
        if delta.name_a in executed_b:
            assert (delta.name_b, delta.matched_by) == (delta.name_a, "name")
            assert model.index(row, MATCH).data() == "name"
        if delta.presence != "both":
            missing_side = A_TIME if delta.presence == "only in B" else B_TIME
            assert model.index(row, MATCH).data() == delta.presence
            assert model.index(row, 0).data(Qt.ItemDataRole.FontRole).italic()
            assert model.index(row, missing_side).data() == model.index(row, RATIO).data() == MISSING


def test_header_totals_are_the_sums_of_the_layer_times(diff_view, f32, bf16):
    diff_view.set_reports(f32, bf16)
    deltas = diff_view.deltas()
    header = diff_view.header_text()
    total_a = sum(d.time_a_ms for d in deltas)
    total_b = sum(d.time_b_ms for d in deltas)
    assert f"{total_a:.3f} → {total_b:.3f} ms" in header
    total_delta = sum(d.delta_ms for d in deltas)
    assert f"{total_delta:+.3f} ms" in header
    assert total_delta == pytest.approx(total_b - total_a)
    assert f32.compiled.inference_precision == "f32"
    assert bf16.compiled.inference_precision == precision_used("bf16"), "each side is the precision the CPU used"
    if "BF16" not in cpu_capabilities():
        assert bf16.compiled.inference_precision == "f32", "a CPU without bf16 compiles a bf16 request as f32"
    assert f"{f32.compiled.inference_precision}, median" in header
    assert f"{bf16.compiled.inference_precision}, median" in header
    fell_back = bf16.compiled.inference_precision != "bf16"
    assert fell_back == any(note == "asked for precision bf16, OpenVINO used f32" for note in bf16.notes)


def test_a_cpu_without_bf16_is_shown_the_f32_it_ran(diff_view, f32, bf16):
    """What an AVX2-only CPU gives for a bf16 request, simulated on any CPU: the compiled model
    reads back f32, so the header names f32 for both sides and the run notes the fallback."""
    fallback = dataclasses.replace(bf16, compiled=dataclasses.replace(bf16.compiled, inference_precision="f32"))
    diff_view.set_reports(f32, fallback)
    header = diff_view.header_text()
    assert "bf16" not in header and header.count("f32, median") == 2
    assert adjusted_settings(fallback.config, fallback.compiled, "OpenVINO") == ["asked for precision bf16, OpenVINO used f32"]


def test_delta_colours_say_slower_or_faster(diff_view, f32, bf16):
    diff_view.set_reports(f32, bf16)
    model = diff_view.model
    for row, delta in enumerate(model.deltas()):
        color = model.index(row, DELTA).data(Qt.ItemDataRole.ForegroundRole)
        expected = SLOWER_COLOR if delta.delta_ms > 0 else FASTER_COLOR if delta.delta_ms < 0 else None
        assert color == expected
        assert model.index(row, DELTA).data().startswith("+" if delta.delta_ms >= 0 else "-")


def test_fp16_ir_against_fp32_ir_matches_the_same_graph(diff_view, f32, fp32_ir):
    diff_view.set_reports(f32, fp32_ir)
    deltas = diff_view.deltas()
    matched = [d for d in deltas if d.presence == "both"]
    assert len(matched) >= 0.8 * len(deltas), "both IRs run in f32: mostly the same layers"
    assert "face_fp32.xml" in diff_view.header_text()


def test_filter_keeps_layers_by_name_or_type(diff_view, f32, bf16):
    diff_view.set_reports(f32, bf16)
    diff_view.findChild(QLineEdit, "diffFilter").setText("convolution")
    types = _column(diff_view.proxy, LayerDiffModel.column_index("type"))
    assert types and all("convolution" in kind.lower() for kind in types)
    diff_view.clear()
    assert diff_view.deltas() == [] and diff_view.header_text() == DIFF_HINT and diff_view.bar_count() == 0


# ---- one layer up close


def test_detail_shows_the_original_layers_fused_into_a_real_layer(detail_panel, fused_layer):
    layer, result = fused_layer
    detail_panel.show_layer(layer, result)
    assert detail_panel.showing_layer()
    assert detail_panel.name_text() == layer.name
    assert detail_panel.original_layers() == layer.original_layers
    assert detail_panel.histogram_bar_count() > 0
    detail_panel.copy_original_layers()
    assert QGuiApplication.clipboard().text() == "\n".join(layer.original_layers)


def test_detail_without_real_samples_says_why_in_one_line(detail_panel, fused_layer, f32):
    layer, with_samples = fused_layer
    detail_panel.show_layer(layer, RunOutcome(f32))
    assert detail_panel.histogram_bar_count() == 0
    note = detail_panel.samples_note()
    assert "running means since compile" in note and "\n" not in note
    not_run = next(layer for layer in f32.layers if not layer.executed)
    detail_panel.show_layer(not_run, with_samples)
    assert detail_panel.histogram_bar_count() == 0
    assert detail_panel.samples_note() == NOT_EXECUTED_NOTE


def test_samples_without_distributions_never_reach_the_histogram(detail_panel, fused_layer):
    """A run whose report says its per-layer figures are not per-inference values carries no samples."""
    layer, with_samples = fused_layer

    class Profiler:
        iterations = ITERATIONS

        def samples(self):
            return with_samples.layer_samples.copy()

    def measured(report: Report) -> RunOutcome:
        return RunOutcome.measured(report, [], None, None, Profiler(), None)

    aggregate = dataclasses.replace(with_samples.report, profile=dataclasses.replace(with_samples.report.profile,
                                                                                    distributions=False))
    assert measured(aggregate).layer_samples is None
    real = measured(with_samples.report)
    assert np.array_equal(real.samples_of(layer.index), with_samples.samples_of(layer.index))
    detail_panel.show_layer(layer, real)
    assert detail_panel.histogram_bar_count() > 0 and detail_panel.samples_note() == ""


def test_identical_samples_make_one_bar_one_timer_tick_wide(detail_panel, fused_layer):
    """A fast layer at the counters' 1 µs resolution: numpy alone would draw its bar 1 ms wide."""
    layer = dataclasses.replace(fused_layer[0], real_time_ms=0.012, real_time_median_ms=0.012)
    report = fused_layer[1].report
    detail_panel.show_layer(layer, RunOutcome(report, layer_samples=np.full((ITERATIONS, len(report.layers)), 0.012, np.float32)))
    assert detail_panel.histogram_bar_count() == 1
    low, high = detail_panel.findChild(QWidget, "layerHistogram").getViewBox().viewRange()[0]
    assert low < 0.012 < high and high - low < 0.01


def test_clearing_the_detail_shows_the_placeholder(detail_panel, fused_layer, qtbot):
    detail_panel.show_layer(*fused_layer)
    detail_panel.clear()
    assert not detail_panel.showing_layer()
    assert detail_panel.histogram_bar_count() == 0
    hint = next(label for label in detail_panel.findChildren(QWidget, "emptyHint") if label.text() == DETAIL_HINT)
    qtbot.waitUntil(hint.isVisible)


# ---- renders to look at


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, color in {
        roles.Window: "#2b2b2e", roles.WindowText: "#e4e4e4", roles.Base: "#1e1e20", roles.AlternateBase: "#27272a",
        roles.Text: "#e4e4e4", roles.Button: "#36363a", roles.ButtonText: "#e4e4e4", roles.Highlight: "#3d6fb4",
        roles.HighlightedText: "#ffffff", roles.PlaceholderText: "#8a8a8a", roles.Light: "#4a4a4e",
        roles.Midlight: "#3e3e42", roles.Mid: "#2f2f33", roles.Dark: "#1a1a1c", roles.Shadow: "#000000",
        roles.ToolTipBase: "#36363a", roles.ToolTipText: "#e4e4e4",
    }.items():
        palette.setColor(role, QColor(color))
    return palette


def _render(host: QWidget, widget: QWidget, name: str, theme: str, folder: Path) -> Path:
    if theme == "dark":
        host.setPalette(dark_palette())
    host.resize(*RENDER_SIZE)
    widget.resize(*RENDER_SIZE)
    QApplication.processEvents()
    path = folder / f"{name}_{theme}.png"
    assert widget.grab().save(str(path))
    return path


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_render_comparison(show_sized, tmp_path, results, theme):
    view = ComparisonView(RunHistory())
    host = show_sized(view)
    view.set_results(results)
    assert _render(host, view, "comparison", theme, tmp_path).stat().st_size > 10_000
    host.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_render_layer_diff(show_sized, tmp_path, f32, bf16, theme):
    view = LayerDiffView()
    host = show_sized(view)
    view.set_reports(f32, bf16)
    assert _render(host, view, "layer_diff", theme, tmp_path).stat().st_size > 10_000
    host.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_render_layer_detail(show_sized, tmp_path, fused_layer, theme):
    panel = LayerDetailPanel()
    host = show_sized(panel)
    panel.show_layer(*fused_layer)
    assert _render(host, panel, "layer_detail", theme, tmp_path).stat().st_size > 10_000
    host.close()


def test_detail_of_a_preprocessing_layer_says_where_it_comes_from(detail_panel, f32):
    added = LayerStats(0, "Interpolate_5030", "Interpolate", "jit_avx2", "EXECUTED", 1.5, None, 1.5, 0.0,
                       first_inference_ms=4.0, role="preprocess")
    detail_panel.show_layer(added, RunOutcome(f32))
    texts = [label.text() for label in detail_panel.findChildren(QLabel)]
    assert any("in-graph preprocessing" in text for text in texts)
    assert any(text.startswith(f"{MISSING} (preprocessing") for text in texts), "no share of the model's sum"
    assert "4.000 ms" in texts and MISSING in texts, "first inference shown; no median"
