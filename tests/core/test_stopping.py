"""Stopping always works, in a real `ovgui-profile` process: a signal ends a run blocked in a user's
decoder or in a compile that takes minutes, a second signal ends the process at once when the first
cannot, and inputs that would block (a FIFO) or a shell's pipe end in one line or a result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from blocking_models import chained_model, slow_inference_model
from shared_data import image_path, model_path

from ovgui.core.engines.openvino import OpenVinoEngine
from ovgui.core.engines.timed_loop import LoopResult
from ovgui.core.events import PhaseStarted
from ovgui.core.report import RunConfig
from ovgui.core.runner import STEADY_GRACE_S, ProfileRun, RunRequest

ROOT = Path(__file__).resolve().parents[2]

ANNOUNCING_CLI = """
import sys
from ovgui import console
from ovgui.cli import profile_main
class Announcing(console.ProgressPrinter):
    def __call__(self, event):
        super().__call__(event)
        if type(event).__name__ == "PhaseStarted":
            print(f"phase {event.name}", flush=True)
import ovgui.headless
ovgui.headless.ProgressPrinter = Announcing
import openvino
infer = openvino.InferRequest.infer
def announced_infer(self, *args, **kwargs):
    print("inferring", flush=True)  # a signal from here on finds the inference under way
    return infer(self, *args, **kwargs)
openvino.InferRequest.infer = announced_infer
sys.exit(profile_main())  # as the command: it may leave with os._exit
"""

BUSY_DECODER = """
import sys
def decode(outputs, info):
    print("decoding", flush=True)
    while True:
        pass
"""


def cli(args: list[str], tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    return subprocess.Popen([sys.executable, "-c", ANNOUNCING_CLI, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def wait_for_line(process: subprocess.Popen, wanted: str) -> list[str]:
    seen = []
    for line in process.stdout:
        seen.append(line.strip())
        if line.strip() == wanted:
            return seen
    pytest.fail(f"never printed {wanted!r}: {seen} {process.stderr.read()}")


def exits_within(process: subprocess.Popen, seconds: float) -> tuple[int, str]:
    started = time.monotonic()
    try:
        _out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"still running {seconds} s after the signal")
    assert time.monotonic() - started <= seconds
    return process.returncode, err


def busy_decoder(tmp_path: Path) -> Path:
    path = tmp_path / "loop.py"
    path.write_text(BUSY_DECODER, encoding="utf-8")
    return path


def test_a_sigterm_ends_a_run_blocked_in_a_user_decoder_and_writes_the_report(tmp_path):
    report = tmp_path / "report.json"
    process = cli([model_path("squeezenet"), image_path("dog.jpg"), "-n", "5", "--decoder-file", busy_decoder(tmp_path),
                   "--decoder-timeout", "600", "--json", report], tmp_path)
    wait_for_line(process, "decoding")
    process.send_signal(signal.SIGTERM)
    code, err = exits_within(process, 1.0)
    assert code == 143, err
    assert "Traceback" not in err
    written = json.loads(report.read_text(encoding="utf-8"))
    assert written["decoder"]["note"] == "loop.py: decode() was still running when the run was stopped; decoding stopped"
    assert len(written["latency_ms"]["samples"]) == 5, "the timings are kept"


def test_a_second_sigterm_ends_a_run_blocked_in_a_user_decoder_within_a_second(tmp_path):
    process = cli([model_path("squeezenet"), image_path("dog.jpg"), "-n", "5", "--decoder-file", busy_decoder(tmp_path),
                   "--decoder-timeout", "600"], tmp_path)
    wait_for_line(process, "decoding")
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=0.2)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
    code, err = exits_within(process, 1.0)
    assert code == 143, err
    assert "Traceback" not in err


def test_a_second_signal_ends_the_process_at_once_when_the_first_cannot(tmp_path):
    """In the steady loop an inference that runs for seconds checks no flag: the first SIGINT
    waits for it, the second leaves at once with the shell's code. f32 keeps the inference slow
    where bf16 has AMX; the signal goes once the inference is under way, not before it starts."""
    model = slow_inference_model(tmp_path / "slow.xml")
    process = cli([model, image_path("dog.jpg"), "-n", "100", "--precision", "f32", "--no-layers", "--no-roofline"],
                  tmp_path)
    try:
        wait_for_line(process, "phase steady_state")
        wait_for_line(process, "inferring")
        process.send_signal(signal.SIGINT)
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=0.3)
        process.send_signal(signal.SIGINT)
        code, err = exits_within(process, 1.0)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert code == 130, err
    assert "error: SIGINT again: stopped at once; no report was written" in err
    assert "Traceback" not in err


def test_a_stop_inside_an_inference_that_runs_on_walks_away_after_the_grace_period(monkeypatch):
    """The engine's loop stands in for one inference that takes minutes (ONNX Runtime with a
    thousand threads on two cores: 140 s here) and never looks at the flag."""
    release = threading.Event()

    def stuck_loop(engine, budget, cancel, live, progress):
        live.add_iteration(5.0)
        release.wait()
        return LoopResult(1.0, 0.0, 1, [])

    monkeypatch.setattr(OpenVinoEngine, "steady", stuck_loop)
    request = RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")), RunConfig(iterations=5, roofline=False))
    cancelled_at = []

    def stop() -> None:
        cancelled_at.append(time.monotonic())
        run.cancel()

    run = ProfileRun(request, on_event=lambda event: isinstance(event, PhaseStarted) and event.name == "steady_state"
                     and threading.Timer(0.1, stop).start())
    try:
        report = run.run().report
        assert time.monotonic() - cancelled_at[0] < STEADY_GRACE_S + 1.0
        assert run.walked_away and not report.completed
        assert report.latency_ms.samples == [5.0] and report.layers == []
        assert "stopped inside an inference still running 1 s later: the figures cover the iterations done, " \
               "without per-layer figures" in report.notes
    finally:
        release.set()
        run.release()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_compile_that_takes_minutes_stops_on_the_first_signal(tmp_path, number):
    model = chained_model(tmp_path / "chain.xml")
    process = cli([model, image_path("dog.jpg"), "-n", "5"], tmp_path)
    wait_for_line(process, "phase compile")
    process.send_signal(number)
    code, err = exits_within(process, 1.0)
    assert code == 128 + number, err
    assert f"error: {signal.Signals(number).name}: run stopped before the first inference" in err
    assert "Traceback" not in err


def run_cli(args: list, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", ANNOUNCING_CLI, *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_a_decoder_timeout_gives_its_line_and_keeps_the_timings(tmp_path):
    done = run_cli([model_path("squeezenet"), image_path("dog.jpg"), "-n", "3", "--decoder-file", busy_decoder(tmp_path),
                    "--decoder-timeout", "0.5"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert ("Detections  none (user): loop.py: decode() did not return within 0.5 s (--decoder-timeout); "
            "decoding stopped, the timings are kept") in done.stdout
    assert "Latency over 3 iterations" in done.stdout


@pytest.mark.parametrize("name", ["pipe.jpg", "pipe.mp4"])
def test_a_fifo_as_the_image_is_one_line_not_a_hang(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    done = run_cli([model_path("squeezenet"), fifo, "-n", "3"], tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr == (
        f"error: {fifo} is a FIFO (named pipe), not a file; opening it could wait forever, so give an image or video file\n"
    )


def test_a_character_device_as_the_image_is_one_line(tmp_path):
    done = run_cli([model_path("squeezenet"), "/dev/zero", "-n", "3"], tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("error: /dev/zero is a character device, not a file") and done.stderr.count("\n") == 1


def test_an_image_by_process_substitution_is_read(tmp_path):
    command = f'"{sys.executable}" -c "$0" "{model_path("squeezenet")}" <(cat "{image_path("dog.jpg")}") -n 3'
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run(["bash", "-c", command, ANNOUNCING_CLI], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Image   /dev/fd/" in done.stdout and "(768x576, 3 ch, uint8)" in done.stdout
    assert "Top-5 classes" in done.stdout and "Traceback" not in done.stderr
