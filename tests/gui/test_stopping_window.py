"""Stopping always works in the window: Stop ends a run blocked in a user's decoder within the grace
period; a worker stuck in a call nothing can interrupt is walked away from with a banner line and
the next run works; a FIFO as the image or as a report's image is a banner line, never a hang."""

from __future__ import annotations

import os
import signal
import subprocess
import threading

import pytest
from blocking_models import slow_inference_model
from shared_data import image_path, model_path
from test_signals import WINDOW_UNTIL_STEADY
from test_signals import started as started_window

from ovgui.core.report import RunConfig
from ovgui.core.runner import ProfileRun, RunRequest, run_profile
from ovgui.gui import session as session_module

RUN_TIMEOUT_MS = 60_000

STUCK_DECODER = """
import os, time
def decode(outputs, info):
    open({started!r}, "w").close()
    while not os.path.exists({release!r}):
        time.sleep(0.02)
    return {{"classes": [[0, 1.0]]}}
"""


def load(window, qtbot, iterations: int = 3) -> None:
    window.open_model(str(model_path("squeezenet")))
    window.open_image(str(image_path("dog.jpg")))
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(iterations)


def test_stop_ends_a_run_blocked_in_a_user_decoder_within_the_grace_period(window, qtbot, tmp_path):
    started, release = tmp_path / "started", tmp_path / "release"
    decoder = tmp_path / "stuck.py"
    decoder.write_text(STUCK_DECODER.format(started=str(started), release=str(release)), encoding="utf-8")
    load(window, qtbot)
    window.controls.settings.field("decoder_file").setValue(str(decoder))
    window.controls.settings.field("decoder_timeout_s").setValue(600)
    abandoned = []
    window.session.abandoned.connect(abandoned.append)
    try:
        window.commands.run.trigger()
        qtbot.waitUntil(started.exists, timeout=RUN_TIMEOUT_MS)
        with qtbot.waitSignal(window.report_ready, timeout=session_module.GRACE_MS) as blocker:
            window.commands.stop.trigger()
            assert window.commands.stop.text() == "Stopping…" and not window.commands.stop.isEnabled()
    finally:
        release.touch()
    report = blocker.args[0]
    assert report.decoder.note == "stuck.py: decode() was still running when the run was stopped; decoding stopped"
    assert window.decoder_note.isVisible() and "still running when the run was stopped" in window.decoder_note.text()
    assert len(report.latency_ms.samples) == 3, "the timings are kept"
    assert not abandoned and window.commands.stop.text() == "&Stop"


def test_a_worker_stuck_beyond_the_grace_period_is_left_with_a_banner_and_the_next_run_works(window, qtbot, monkeypatch):
    """The stuck call stands in for a C++ call that never looks at the cancel flag (the real ones,
    compile and decoding, are walked away from by the engine itself, tested in tests/core)."""
    load(window, qtbot)
    entered, release = threading.Event(), threading.Event()
    real_run = ProfileRun.run

    def stuck_once(run: ProfileRun):
        if not entered.is_set():
            entered.set()
            release.wait()
        return real_run(run)

    monkeypatch.setattr(ProfileRun, "run", stuck_once)
    try:
        window.commands.run.trigger()
        qtbot.waitUntil(entered.is_set, timeout=RUN_TIMEOUT_MS)
        with qtbot.waitSignal(window.session.abandoned, timeout=session_module.GRACE_MS + 2000) as blocker:
            window.commands.stop.trigger()
        line = blocker.args[0]
        assert line.startswith("the run did not stop within 3 s") and "\n" not in line
        assert window.banner.isVisible() and window.banner.label.text() == line
        assert not window.session.busy and window.commands.stop.text() == "&Stop"
        with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as second:
            window.commands.run.trigger()
        assert second.args[0].completed and len(second.args[0].latency_ms.samples) == 3
        assert window.session.left_running()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.session.left_running(), timeout=RUN_TIMEOUT_MS)
    assert window.report is second.args[0], "the run walked away from never reports late"


def test_a_fifo_as_the_image_is_a_banner_line_not_a_hang(window, qtbot, tmp_path):
    fifo = tmp_path / "camera.jpg"
    os.mkfifo(fifo)
    window.open_image(str(fifo))
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    assert window.banner.label.text() == (
        f"{fifo} is a FIFO (named pipe), not a file; opening it could wait forever, so give an image or video file"
    )


def test_a_report_whose_image_is_a_fifo_opens_with_a_banner_line(window, qtbot, tmp_path):
    report = run_profile(RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")), RunConfig(iterations=2))).report
    fifo = tmp_path / "dog.jpg"
    os.mkfifo(fifo)
    report.image.path = str(fifo)
    saved = tmp_path / "report.json"
    report.save_json(saved)
    window.open_report(str(saved))
    qtbot.waitUntil(window.banner.isVisible, timeout=30_000)
    assert "is a FIFO (named pipe)" in window.banner.label.text()
    assert window.report is not None and window.report.model.path == report.model.path
    window.close()
    assert not window.isVisible()


def test_the_decoder_file_browse_dialog_says_the_file_is_code_run_with_your_rights(window, monkeypatch):
    captions = []
    monkeypatch.setattr("ovgui.gui.controls.QFileDialog.getOpenFileName",
                        lambda _parent, caption, _start, _filter: captions.append(caption) or ("", ""))
    field = window.controls.settings.field("decoder_file")
    field.browse_button.click()
    assert "Python code that runs with your rights" in captions[0]
    assert "runs with your rights" in field.browse_button.toolTip()


def test_a_second_signal_leaves_a_closing_window_at_once(tmp_path):
    """The first SIGTERM closes the window, which waits for the run to end (here an inference of
    seconds in f32 on any CPU, walked away from after a second); the second leaves at once with the
    shell's code."""
    args = [str(slow_inference_model(tmp_path / "slow.xml")), str(image_path("dog.jpg")), "--run", "-n", "100",
            "--precision", "f32", "--no-roofline"]
    process = started_window(WINDOW_UNTIL_STEADY, args, tmp_path)
    assert process.stdout.readline().strip() == "steady"
    process.send_signal(signal.SIGTERM)
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=0.3)  # two signals at once would be one: Python runs a pending handler once
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=1)
    assert process.returncode == 143, err
    assert "ovgui: SIGTERM again, leaving at once" in err and "Traceback" not in err
