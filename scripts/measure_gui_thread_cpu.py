"""How much CPU the window's GUI thread takes while a run's steady state is timed.

Drives the real `MainWindow` (offscreen is fine) and, for `--rounds` runs of
`--iterations`, counts the GUI thread's CPU seconds (`time.thread_time()`, which
only advances while the thread runs) from the start of the steady state to the run's
end, before the report is drawn.  CPU time, unlike wall time, means something on a
busy machine: on 2 cores it is what the window takes from a 2-thread inference.
With `--profile FILE` the GUI thread runs under cProfile during the steady states
and the statistics are written to FILE (read them with `python -m pstats FILE`).

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python scripts/measure_gui_thread_cpu.py [MODEL IMAGE] [--iterations 200]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from ovgui.gui.app import make_application
from ovgui.gui.main_window import MainWindow

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_MODEL = SHARED / "models/classification/squeezenet1.1/FP16/squeezenet1.1.xml"
DEFAULT_IMAGE = SHARED / "images/dog.jpg"
TIMEOUT_S = 600.0
POLL_MS = 50


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Run the event loop (sleeping between events, so the wait itself costs no CPU) until `condition`."""
    loop = QEventLoop()
    poll = QTimer(interval=POLL_MS)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    deadline = time.perf_counter() + TIMEOUT_S
    poll.start()
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit(f"error: timed out waiting for {what}")
        loop.exec()
    poll.stop()


def measure_round(window: MainWindow, profiler: cProfile.Profile | None) -> tuple[float, float, int]:
    """(GUI-thread CPU seconds, wall seconds, iterations) of one run's steady state."""
    marks: dict[str, float] = {}
    results = []

    def on_phase(name: str) -> None:
        if name == "steady_state":
            marks["cpu"], marks["wall"] = time.thread_time(), time.perf_counter()
            if profiler is not None:
                profiler.enable()

    def on_finished(result) -> None:
        if profiler is not None:
            profiler.disable()
        marks["cpu"], marks["wall"] = time.thread_time() - marks["cpu"], time.perf_counter() - marks["wall"]
        results.append(result)

    # Ahead of the window's own slot, so drawing the report is not counted.
    window.session.phase_started.connect(on_phase)
    window.session.finished.disconnect(window._run_finished)
    window.session.finished.connect(on_finished)
    window.session.finished.connect(window._run_finished)
    try:
        window.run_action.trigger()
        wait_until(lambda: bool(results), "the run's end")
    finally:
        window.session.phase_started.disconnect(on_phase)
        window.session.finished.disconnect(on_finished)
    report = results[0].report
    done = len(report.latency_ms.samples) if report is not None else 0
    return marks["cpu"], marks["wall"], done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=str(DEFAULT_MODEL))
    parser.add_argument("image", nargs="?", default=str(DEFAULT_IMAGE))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--profile", type=Path, help="write the GUI thread's cProfile statistics here")
    args = parser.parse_args()
    for path in (args.model, args.image):
        if not Path(path).is_file():
            print(f"error: not found: {path}", file=sys.stderr)
            return 2

    make_application()
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    window.open_model(args.model)
    window.open_image(args.image)
    wait_until(lambda: window.image is not None and window.model_info is not None, "the model and the image")
    window.controls.settings.iterations.setValue(args.iterations)
    profiler = cProfile.Profile() if args.profile else None
    print(f"{Path(args.model).name} on {Path(args.image).name}, {args.iterations} iterations, "
          f"platform {os.environ.get('QT_QPA_PLATFORM') or 'DISPLAY=' + os.environ.get('DISPLAY', '')}")
    per_200, core_shares = [], []
    for round_number in range(1, args.rounds + 1):
        cpu_s, wall_s, done = measure_round(window, profiler)
        per_200.append(cpu_s * 200 / max(done, 1))
        core_shares.append(cpu_s / wall_s)
        print(f"round {round_number}: GUI thread {cpu_s:.3f} CPU s over {done} iterations "
              f"({per_200[-1]:.3f} s per 200) in a {wall_s:.2f} s steady state: {core_shares[-1]:.1%} of a core")
    print(f"median GUI-thread CPU per 200 iterations: {statistics.median(per_200):.3f} s; "
          f"median share of a core while timing: {statistics.median(core_shares):.1%} "
          "(the charts redraw on timers, so on a busy machine a longer steady state costs more per iteration)")
    if profiler is not None:
        profiler.dump_stats(str(args.profile))
        print(f"cProfile statistics of the GUI thread: {args.profile}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
