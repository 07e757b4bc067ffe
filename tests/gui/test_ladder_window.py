"""Run › From PyTorch to OpenVINO in the real window: the ladder runs on the current model and
image, and the Compare workspace fills with its steps as they finish, each with its speed-ups."""

from __future__ import annotations

import psutil
import pytest
from PySide6.QtCore import Qt
from shared_data import image_path
from torch_models import small_cnn

from ovgui.cli import gui_parser
from ovgui.core.ladder import LADDER
from ovgui.core.outcome import RunOutcome
from ovgui.gui.app import preload
from ovgui.gui.comparison import ComparisonModel
from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 180_000
OVER_FIRST = ComparisonModel.column_index("over_first")
OVER_PREVIOUS = ComparisonModel.column_index("over_previous")
CONVERT = ComparisonModel.column_index("timings_ms.convert")
STEPS = ["PyTorch", "ONNX Runtime", "OpenVINO (.pt2)", "OpenVINO (IR)",
         "+ shared memory", f"+ threads = {psutil.cpu_count(logical=False)} cores", "+ LATENCY hint",
         "+ model cache (first compile, writes it)", "+ model cache (loaded from it)"]


@pytest.fixture
def pt2(tmp_path):
    return small_cnn(tmp_path)[1]


def ladder_action(window: MainWindow):
    run_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Run")
    return next(action for action in run_menu.actions() if action.text().replace("&", "") == "From PyTorch to OpenVINO")


def cell(model: ComparisonModel, row: int, column: int) -> str:
    return model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def test_the_run_menu_runs_the_ladder_into_the_compare_workspace(window, qtbot, pt2):
    window.open_model(str(pt2))
    window.open_image(str(image_path("chelsea.png")))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(5)
    seen: list[tuple[str, int, str]] = []
    window.session.variant_finished.connect(  # after the window's own slot: its row is in
        lambda result: seen.append((result[0], window.comparison.model.rowCount(), window.workspaces.current_name())))
    with qtbot.waitSignal(window.session.returned, timeout=RUN_TIMEOUT_MS) as blocker:
        ladder_action(window).trigger()
    results = blocker.args[0]
    names = [name for name, _outcome in results]
    assert names == STEPS
    assert seen == [(name, number, "compare") for number, name in enumerate(STEPS, start=1)], \
        "each step's row shows in the Compare workspace as it finishes"
    assert all(isinstance(outcome, RunOutcome) for _name, outcome in results)
    model = window.comparison.model
    assert model.rowCount() == len(results) and window.history.rowCount() == len(results)
    assert cell(model, 0, OVER_FIRST) == "×1.00" and cell(model, 0, OVER_PREVIOUS) == "—"
    assert all(cell(model, row, OVER_PREVIOUS).startswith("×") for row in range(1, model.rowCount()))
    converted = names.index("OpenVINO (.pt2)")
    assert cell(model, converted, CONVERT) != "—" and cell(model, converted + 1, CONVERT) == "—"
    tooltip = model.data(model.index(names.index("+ LATENCY hint"), 0), Qt.ItemDataRole.ToolTipRole)
    assert "note: PERFORMANCE_HINT LATENCY" in tooltip


def test_the_window_takes_compare_ladder_from_the_command_line(qtbot, pt2, monkeypatch):
    """`ovgui MODEL IMAGE --compare ladder` starts the ladder as the menu does (not a file named ladder)."""
    args = gui_parser().parse_args([str(pt2), str(image_path("chelsea.png")), "--compare", LADDER, "-n", "3"])
    window = MainWindow()
    qtbot.addWidget(window)
    started: list[bool] = []
    monkeypatch.setattr(window, "start_ladder", lambda: started.append(True))
    preload(window, args, window.controls.config())
    qtbot.waitUntil(lambda: bool(started), timeout=5000)
    window.session.shutdown()
    window.jobs.wait()
