"""The longest GUI-thread stall in the real window: a run's report appearing, File › Open report, the A/B tab.

A 5 ms QTimer heartbeat runs on the GUI thread; whatever blocks that thread shows
as a gap between two ticks.  Per round the script measures the longest gap

- while a run's report appears: from the run's last progress event until a settle
  time after the window has shown the report (its table of ~873 layers for yolov8n),
- while a report is opened from a file: from the call until a settle time after the
  layer table holds every layer,
- on the first show of the A/B tab (once, it is only "first" once), and while a
  report appears with the A/B tab shown (the new run is compared at once),

and, for information, the longest gap during the steady state (the live charts and
the live layer table).  The bar is 100 ms.  Wall-clock figures depend on the machine's
load: each gap also says how long the GUI thread was on the CPU in it (the rest it waited
to be scheduled), and the header and the verdict print the load average.

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python scripts/measure_gui_stalls.py [MODEL IMAGE] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from ovgui.gui.app import make_application
from ovgui.gui.main_window import MainWindow

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_MODEL = SHARED / "models/yolo/yolov8n_int8.onnx"
DEFAULT_IMAGE = SHARED / "images/bus.jpg"
HEARTBEAT_MS = 5
SETTLE_MS = 1000
TIMEOUT_S = 300.0
BAR_MS = 100.0


@dataclass(frozen=True)
class Gap:
    """A stall: its wall-clock length and how much of it the GUI thread spent on the CPU. On a
    loaded machine the two differ: the rest is time the thread waited to be scheduled."""

    wall_ms: float = 0.0
    cpu_ms: float = 0.0

    def __str__(self) -> str:
        return f"{self.wall_ms:.0f} ms (GUI thread on CPU {self.cpu_ms:.0f} ms)"


class Heartbeat:
    """Tick times of a fast GUI-thread timer; `longest_gap(start, end)` is the worst stall in between."""

    def __init__(self) -> None:
        self.ticks: list[tuple[float, float]] = []
        self._timer = QTimer(interval=HEARTBEAT_MS)
        self._timer.timeout.connect(lambda: self.ticks.append((time.perf_counter(), time.thread_time())))
        self._timer.start()

    def longest_gap(self, start: float, end: float) -> Gap:
        """Gaps that end inside [start, end]; the one ending first after `start` began before it,
        which is how a stall that started before `start` is still counted whole."""
        inside = [Gap((b[0] - a[0]) * 1000, (b[1] - a[1]) * 1000)
                  for a, b in zip(self.ticks, self.ticks[1:]) if start <= b[0] <= end]
        return max(inside, key=lambda gap: gap.wall_ms, default=Gap())


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.perf_counter() + TIMEOUT_S
    loop = QEventLoop()
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit(f"error: timed out waiting for {what}")
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def settle(milliseconds: int = SETTLE_MS) -> float:
    """Keep the event loop running (incremental work may still be queued); returns when it ended."""
    end = time.perf_counter() + milliseconds / 1000
    wait_until(lambda: time.perf_counter() >= end, "the settle time")
    return time.perf_counter()


def layer_rows(window: MainWindow) -> int:
    return window.layers.model.rowCount()


def measure_run(window: MainWindow, heartbeat: Heartbeat) -> tuple[Gap, Gap, int]:
    """(longest gap while the report appears, longest gap during the steady state, layer count)."""
    marks: dict[str, float] = {}
    reports = []

    def on_progress(_event) -> None:
        marks.setdefault("steady", time.perf_counter())
        marks["last_progress"] = time.perf_counter()

    window.session.progress.connect(on_progress)
    window.report_ready.connect(reports.append)
    try:
        window.run_action.trigger()
        wait_until(lambda: bool(reports), "the run's report")
        report = reports[0]
        wait_until(lambda: layer_rows(window) == len(report.layers), "the layer table")
        end = settle()
    finally:
        window.session.progress.disconnect(on_progress)
        window.report_ready.disconnect(reports.append)
    appear = heartbeat.longest_gap(marks["last_progress"], end)
    steady = heartbeat.longest_gap(marks["steady"], marks["last_progress"])
    return appear, steady, len(report.layers)


def measure_open(window: MainWindow, heartbeat: Heartbeat, path: Path, layers: int) -> Gap:
    shown_before = window.report
    window.layers.clear()
    start = time.perf_counter()
    QTimer.singleShot(0, lambda: window.open_report(str(path)))
    wait_until(lambda: window.report is not shown_before and layer_rows(window) == layers, "the opened report")
    return heartbeat.longest_gap(start, settle())


def measure_ab_first_show(window: MainWindow, heartbeat: Heartbeat) -> Gap:
    window.layers_dock.raise_()
    settle(300)
    start = time.perf_counter()
    QTimer.singleShot(0, window.ab_dock.raise_)
    wait_until(lambda: window.ab_panel.isVisible(), "the A/B tab")
    return heartbeat.longest_gap(start, settle())


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=str(DEFAULT_MODEL))
    parser.add_argument("image", nargs="?", default=str(DEFAULT_IMAGE))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()

    make_application()
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    window.layers_dock.raise_()
    window.open_model(args.model)
    window.open_image(args.image)
    wait_until(lambda: window.image is not None and window.model_info is not None, "the model and the image")
    window.controls.settings.iterations.setValue(args.iterations)
    heartbeat = Heartbeat()
    print(f"{Path(args.model).name} on {Path(args.image).name}, {args.iterations} iterations, "
          f"heartbeat {HEARTBEAT_MS} ms, settle {SETTLE_MS} ms, load average {load_average()}")
    figures: dict[str, list[Gap]] = {"report appears": [], "open report": [], "steady state": []}
    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "report.json"
        for round_number in range(1, args.rounds + 1):
            appear, steady, layers = measure_run(window, heartbeat)
            window.report.save_json(saved)
            opened = measure_open(window, heartbeat, saved, layers)
            figures["report appears"].append(appear)
            figures["steady state"].append(steady)
            figures["open report"].append(opened)
            print(f"round {round_number}: {layers} layers; report appears {appear}, open report {opened}, "
                  f"steady state {steady}")
        ab_first = measure_ab_first_show(window, heartbeat)
        ab_shown, _steady, _layers = measure_run(window, heartbeat)
    print(f"A/B tab, first show: {ab_first}")
    print(f"report appears while the A/B tab is shown: {ab_shown}")
    for name, gaps in figures.items():
        walls = [gap.wall_ms for gap in gaps]
        print(f"{name}: median {statistics.median(walls):.0f} ms, worst {max(gaps, key=lambda gap: gap.wall_ms)}")
    judged = [max(figures["report appears"], key=lambda gap: gap.wall_ms),
              max(figures["open report"], key=lambda gap: gap.wall_ms), ab_first, ab_shown]
    worst = max(judged, key=lambda gap: gap.wall_ms)
    verdict = "PASS" if worst.wall_ms < BAR_MS else "FAIL"
    print(f"{verdict}: longest stall {worst} (bar {BAR_MS:.0f} ms; steady state not judged); "
          f"load average now {load_average()}")
    window.close()
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
