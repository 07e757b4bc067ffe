"""SIGINT and SIGTERM close a terminal-started window as File › Quit does (the run stopped, the
settings saved) with the shell's exit codes; the CLI stops its run and still prints the summary."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from shared_data import image_path, model_path

WINDOW_UNTIL_STEADY = """
import sys
from ovgui.cli import gui_parser, run_config
from ovgui.gui import app as gui_app
args = gui_parser().parse_args(sys.argv[1:])
preload = gui_app.preload
def announce_steady_state(window, given, config):
    window.session.phase_started.connect(lambda name: name == "steady_state" and print("steady", flush=True))
    preload(window, given, config)
gui_app.preload = announce_steady_state
sys.exit(gui_app.run_app(args, run_config(args)))
"""


def started(code: str, args: list[str], tmp_path) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    return process


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_closes_the_window_like_quit(tmp_path, number):
    args = [str(model_path("squeezenet")), str(image_path("dog.jpg")), "--run", "-n", "10000000"]
    process = started(WINDOW_UNTIL_STEADY, args, tmp_path)
    assert process.stdout.readline().strip() == "steady"
    process.send_signal(number)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + number, err
    assert f"ovgui: {signal.Signals(number).name}, closing" in err
    assert "Traceback" not in err and "Destroyed while thread is still running" not in err
    saved = list(tmp_path.rglob("ovgui.ini"))
    assert saved and "geometry" in saved[0].read_text(encoding="utf-8", errors="replace"), "settings saved as on Quit"


CLI_UNTIL_STEADY = """
import sys
from ovgui import console
from ovgui.cli import profile_main
class Announcing(console.ProgressPrinter):
    def __call__(self, event):
        super().__call__(event)
        if getattr(event, "name", "") == "steady_state" and type(event).__name__ == "PhaseStarted":
            print("steady", flush=True)
console.ProgressPrinter = Announcing
import ovgui.headless
ovgui.headless.ProgressPrinter = Announcing
sys.exit(profile_main(sys.argv[1:]))
"""


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_cli_which_still_prints_its_summary(tmp_path, number):
    args = [str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "10000000"]
    process = started(CLI_UNTIL_STEADY, args, tmp_path)
    assert process.stdout.readline().strip() == "steady"
    process.send_signal(number)
    out, err = process.communicate(timeout=60)
    assert "stopped before the end" in out and "Top-5 classes" in out, err
    assert "Traceback" not in err


CLOSE_DURING_COMPILE = """
import sys, time
from PySide6.QtCore import QTimer
from ovgui.gui.app import make_application
from ovgui.gui.main_window import MainWindow
app = make_application()
window = MainWindow()
window.show()
window.open_model(sys.argv[1])
window.open_image(sys.argv[2])
shutdown = window.session.shutdown
def report_then_wait():
    print(f"visible while waiting: {window.isVisible()}", flush=True)
    started = time.perf_counter()
    shutdown()
    print(f"waited for the worker: {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
window.session.shutdown = report_then_wait
window.session.phase_started.connect(lambda name: name == "compile" and QTimer.singleShot(0, window.close))
QTimer.singleShot(0, window.start_run)
sys.exit(app.exec())
"""


def test_closing_during_compile_hides_the_window_before_waiting_for_the_worker(tmp_path):
    process = started(CLOSE_DURING_COMPILE, [str(model_path("yolov8")), str(image_path("bus.jpg"))], tmp_path)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "visible while waiting: False" in out
    assert "waited for the worker" in out and "Destroyed while thread is still running" not in err
