"""How long Stop takes in the real window: from pressing Stop to the report being on screen.

Starts a long run several times, presses Stop once the steady state is going,
and prints, per round, when the engine's loop ended, when the worker handed the
report over, and when the window had shown it.  The bar is a quarter of a
second; the first part is bounded by one in-flight inference.

    QT_QPA_PLATFORM=offscreen python scripts/measure_stop_latency.py [MODEL IMAGE] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer

from ovgui.gui.app import make_application
from ovgui.gui.main_window import MainWindow

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_MODEL = SHARED / "models/yolo/yolov8n_int8.onnx"
DEFAULT_IMAGE = SHARED / "images/bus.jpg"
STOP_AFTER_ITERATIONS = 5
BAR_MS = 250.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=str(DEFAULT_MODEL))
    parser.add_argument("image", nargs="?", default=str(DEFAULT_IMAGE))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    app = make_application()
    window = MainWindow()
    window.show()
    window.open_model(args.model)
    window.open_image(args.image)
    window.controls.settings.iterations.setValue(10_000_000)
    totals_ms: list[float] = []
    pressed: list[float] = []

    def on_progress(event) -> None:
        if not pressed and event.iterations_done >= STOP_AFTER_ITERATIONS:
            pressed.append(time.perf_counter())
            window.stop_action.trigger()

    def on_shown(_report) -> None:
        totals_ms.append((time.perf_counter() - pressed.pop()) * 1000)
        print(f"round {len(totals_ms)}: Stop -> report shown {totals_ms[-1]:6.0f} ms")
        if len(totals_ms) < args.rounds:
            QTimer.singleShot(200, window.start_run)
        else:
            app.quit()

    window.session.progress.connect(on_progress)
    window.report_ready.connect(on_shown)
    QTimer.singleShot(500, window.start_run)
    app.exec()
    window.close()
    median = statistics.median(totals_ms)
    print(f"median {median:.0f} ms over {len(totals_ms)} rounds: {'PASS' if median <= BAR_MS else 'FAIL'} (bar {BAR_MS:.0f} ms)")
    return 0 if median <= BAR_MS else 1


if __name__ == "__main__":
    sys.exit(main())
