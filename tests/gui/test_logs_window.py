"""The window's side of the log: Help › Open log folder opens the folder the programs write to (never
a browser here: the URL it would open is checked), an error the window shows is logged, a bug's
traceback too, and Qt's own messages reach the log as well as stderr."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QMessageLogContext, QtMsgType, QUrl
from PySide6.QtWidgets import QMenu

from ovgui.gui import main_window
from ovgui.gui.qt_platform import QtMessages
from ovgui.gui.session import user_message

PROJECT = Path(__file__).resolve().parents[2]


def help_action(window, text: str):
    [help_menu] = [action.menu() for action in window.menuBar().actions() if action.text() == "&Help"]
    assert isinstance(help_menu, QMenu)
    [action] = [action for action in help_menu.actions() if action.text() == text]
    return action


def opened_urls(monkeypatch) -> list[QUrl]:
    opened: list[QUrl] = []
    monkeypatch.setattr(main_window, "QDesktopServices", SimpleNamespace(openUrl=opened.append))
    return opened


def test_open_log_folder_opens_the_folder_the_logs_are_written_to(window, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    opened = opened_urls(monkeypatch)
    help_action(window, "Open &log folder").trigger()
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "state" / "ovgui"))]
    assert (tmp_path / "state" / "ovgui").is_dir()


def test_a_log_folder_that_cannot_be_made_is_said_in_the_status_bar(window, tmp_path, monkeypatch):
    (tmp_path / "state").write_text("a file where the state folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    opened = opened_urls(monkeypatch)
    help_action(window, "Open &log folder").trigger()
    assert opened == []
    assert window.statusBar().currentMessage() == f"Cannot create the log folder {tmp_path / 'state' / 'ovgui'}: Not a directory"


def test_an_error_the_window_shows_is_logged(window, caplog):
    with caplog.at_level(logging.INFO, logger="ovgui"):
        window.start_run()
    shown = window.banner.label.text()
    assert shown.startswith("choose a model and an image first")
    assert [(record.name, record.levelno, record.getMessage()) for record in caplog.records] == [
        ("ovgui.gui.main_window", logging.ERROR, f"shown: {shown}")]


def test_a_bug_reaches_the_log_with_its_traceback_as_well_as_stderr(capsys, caplog):
    try:
        raise RuntimeError("a bug in ovgui")
    except RuntimeError as error:
        message = user_message(error)
    assert message == "unexpected RuntimeError: a bug in ovgui"
    assert "Traceback" in capsys.readouterr().err
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "RuntimeError: a bug in ovgui" in caplog.text
    assert "Traceback (most recent call last)" in caplog.text


def test_qt_messages_reach_the_log_and_stderr(capsys, caplog):
    """What Qt says while the application starts is held back (a fatal message may follow) and printed once it has."""
    messages = QtMessages()
    with caplog.at_level(logging.INFO, logger="ovgui"):
        messages(QtMsgType.QtWarningMsg, QMessageLogContext(), "QFont: a font Qt could not find")
        assert capsys.readouterr().err == ""
        messages.started()
        messages(QtMsgType.QtCriticalMsg, QMessageLogContext(), "a critical Qt message")
    assert capsys.readouterr().err == "QFont: a font Qt could not find\na critical Qt message\n"
    assert [(record.name, record.levelno, record.getMessage()) for record in caplog.records] == [
        ("ovgui.qt", logging.WARNING, "QFont: a font Qt could not find"),
        ("ovgui.qt", logging.ERROR, "a critical Qt message"),
    ]


def test_the_window_command_keeps_its_own_log(tmp_path):
    """`ovgui` refuses a screenshot into a missing folder before any window opens: the line is in ovgui.log."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "XDG_STATE_HOME": str(tmp_path)}
    main = "import sys; from ovgui.cli import gui_main; sys.exit(gui_main())"
    result = subprocess.run([sys.executable, "-c", main, "--screenshot", str(tmp_path / "nowhere" / "shot.png")],
                            capture_output=True, text=True, timeout=120, env=env, cwd=PROJECT)
    assert result.returncode == 2
    [shown] = result.stderr.splitlines()
    assert shown.startswith("error: cannot write")
    assert f"ERROR ovgui.cli [MainThread] {shown}\n" in (tmp_path / "ovgui" / "ovgui.log").read_text(encoding="utf-8")
