"""The user's files through the window (issue 18): crafted reports leave one banner line and the
window as it was, exports keep the suffix of what they write, a failed write names its file."""

from __future__ import annotations

import argparse
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox
from shared_data import image_path, model_path

from ovgui.cli import profile_main
from ovgui.core import files
from ovgui.core.report import Report
from ovgui.gui.app import ScriptedRun

LOAD_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def saved_report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "squeezenet.json"
    assert profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "2", "-q", "--json", str(path)]) == 0
    return path


def crafted(saved_report: Path, folder: Path, **image_fields) -> Path:
    data = json.loads(saved_report.read_text())
    data["image"].update(image_fields)
    path = folder / "crafted.json"
    path.write_text(json.dumps(data))
    return path


def open_and_wait(window, qtbot, path: Path, done) -> None:
    window.open_report(str(path))
    qtbot.waitUntil(done, timeout=LOAD_TIMEOUT_MS)


def test_a_report_with_a_million_character_image_path_changes_nothing_but_the_banner(window, qtbot, tmp_path, saved_report):
    window.controls.model_picker.set_path("/models/before.xml", emit=False)
    path = crafted(saved_report, tmp_path, path="/" + "x" * 1_000_000)
    open_and_wait(window, qtbot, path, window.banner.isVisible)
    message = window.banner.label.text()
    assert message.startswith("crafted.json: report.image.path should be a file path, not text of 1000001 characters")
    assert "\n" not in message
    assert window.controls.model_picker.path() == "/models/before.xml" and window.report is None


def test_a_report_whose_image_path_the_system_refuses_opens_and_says_why(window, qtbot, tmp_path, saved_report):
    path = crafted(saved_report, tmp_path, path="/tmp/" + "y" * 300 + ".jpg")  # one name longer than 255 bytes
    open_and_wait(window, qtbot, path, lambda: window.report is not None)
    assert window.statusBar().currentMessage() == "Opened report crafted.json; its image is unreadable (File name too long)"
    assert not window.banner.isVisible()
    assert window.controls.model_picker.path() == str(model_path("squeezenet"))


def test_a_deeply_nested_report_is_one_banner_line(window, qtbot, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    open_and_wait(window, qtbot, deep, window.banner.isVisible)
    assert window.banner.label.text() == "deep.json: nested deeper than 64 levels"


def test_export_annotated_adds_the_png_suffix_the_dialog_filter_names(window, qtbot, tmp_path, saved_report, monkeypatch):
    open_and_wait(window, qtbot, saved_report, lambda: window.report is not None)
    chosen = tmp_path / "name.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(chosen), "PNG image (*.png)"))
    window.export_action("Export annotated image").trigger()
    assert not chosen.exists()
    assert (tmp_path / "name.json.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert window.statusBar().currentMessage() == f"Saved {tmp_path / 'name.json.png'}"


def test_export_report_on_a_full_disk_keeps_the_old_file_and_names_it(window, qtbot, tmp_path, saved_report, monkeypatch):
    open_and_wait(window, qtbot, saved_report, lambda: window.report is not None)
    target = tmp_path / "kept.json"
    target.write_text('{"previous": "report"}')
    warnings: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "JSON report (*.json)"))
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    monkeypatch.setattr(files.os, "fsync", lambda _fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    window.export_action("Export report").trigger()
    assert warnings == [f"cannot write {target}: No space left on device"]
    assert target.read_text() == '{"previous": "report"}'


def scripted(window, report_path: Path) -> ScriptedRun:
    args = argparse.Namespace(report=report_path, screenshot=None, exit_after_run=False, compare=None)
    return ScriptedRun(window, args)


def test_scripted_save_failures_of_any_kind_are_one_banner_line(window, qtbot, tmp_path, saved_report, monkeypatch):
    report = Report.load(saved_report)
    run = scripted(window, tmp_path / "full.json")
    monkeypatch.setattr(files.os, "fsync", lambda _fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    run._save(report)
    assert window.banner.label.text() == f"cannot write {tmp_path / 'full.json'}: No space left on device"
    monkeypatch.setattr(Report, "to_json", lambda _self: (_ for _ in ()).throw(RuntimeError("a bug")))
    run._save(report)
    assert window.banner.label.text() == "cannot save the run: RuntimeError: a bug"


def nan_classifier(folder: Path) -> Path:
    """A [1,1000] classifier whose every score is NaN."""
    model = folder / "nan.xml"
    image = ops.parameter([1, 3, 32, 32], ov.Type.f32, name="image")
    pooled = ops.reduce_mean(image, ops.constant(np.array([2, 3], np.int64)), keep_dims=False)
    logits = ops.matmul(pooled, ops.constant(np.ones((3, 1000), np.float32)), False, False)
    scores = ops.multiply(logits, ops.constant(np.float32(np.nan)))
    ov.save_model(ov.Model([ops.result(scores)], [image], "nan-classifier"), model)
    return model


def test_a_nan_classifier_in_the_window_says_its_scores_are_not_finite(window, qtbot, tmp_path):
    window.controls.settings.iterations.setValue(3)
    window.open_model(str(nan_classifier(tmp_path)))
    window.open_image(str(image_path("dog.jpg")))
    qtbot.waitUntil(lambda: window.image is not None, timeout=LOAD_TIMEOUT_MS)
    with qtbot.waitSignal(window.report_ready, timeout=60_000):
        window.commands.run.trigger()
    assert window.decoder_note.text() == (
        "Decoder (classify): the scores are not finite (1000 of 1000 are NaN or infinity), so there is no top-5")
    assert window.decoder_note.isVisibleTo(window) and window.image_panel.view.class_lines() == []


def test_a_nan_classifier_in_the_scripted_window_writes_its_report_and_exits(tmp_path):
    """The window as a process: before, a NaN output left a traceback and a window that never closed."""
    model = nan_classifier(tmp_path)
    report_path = tmp_path / "nan.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, "-m", "ovgui", str(model), str(image_path("dog.jpg")), "-n", "3",
                             "--run", "--report", str(report_path), "--exit-after-run"],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    report = Report.load(report_path)
    assert report.classes == [] and report.decoder.note.startswith("the scores are not finite")


def test_deeply_nested_stored_settings_are_dropped_not_a_crash(window):
    settings = QSettings()
    settings.setValue("run/config", "[" * 100_000 + "]" * 100_000)
    before = window.controls.settings.iterations.value()
    window.controls.settings.restore(settings)
    assert window.controls.settings.iterations.value() == before
