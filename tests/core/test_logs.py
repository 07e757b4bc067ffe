"""The log file a bug report asks for: `ovgui-profile` in a real process keeps a run's start and end,
each line it showed the user, and an unexpected exception's traceback, under `XDG_STATE_HOME`; a state
folder it cannot write costs one line on stderr and nothing else."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import image_path, model_path

from ovgui.core.logs import log_folder, tell

PROJECT = Path(__file__).resolve().parents[2]
MAIN = "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())"
RAISE_IN_RUN = """
import ovgui.headless
def broken(*_args):
    raise RuntimeError("a bug in ovgui")
ovgui.headless.profile_to_files = broken
"""
LINE_START = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "


def python(state: Path, code: str, *argv: object) -> subprocess.CompletedProcess:
    """`code` in its own interpreter, its state folder `state`."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "XDG_STATE_HOME": str(state)}
    return subprocess.run([sys.executable, "-c", code, *map(str, argv)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=PROJECT)


def profile(state: Path, *argv: object, prelude: str = "") -> subprocess.CompletedProcess:
    return python(state, prelude + MAIN, *argv)


def log_text(state: Path) -> str:
    return (state / "ovgui" / "ovgui-profile.log").read_text(encoding="utf-8")


def test_a_run_leaves_its_start_and_end_with_time_level_logger_and_thread(tmp_path):
    model = model_path("squeezenet")
    result = profile(tmp_path, model, image_path("dog.jpg"), "-n", "2", "-q")
    assert result.returncode == 0, result.stderr
    text = log_text(tmp_path)
    assert re.search(LINE_START + rf"INFO ovgui\.core\.runner \[[^\]]+\] run: {re.escape(str(model))} on .*dog\.jpg, "
                     r"device CPU, engine openvino, mode latency$", text, re.MULTILINE), text
    assert re.search(r"run completed: latency median [0-9.]+ ms over 2 iterations$", text, re.MULTILINE), text


def test_an_error_shown_to_the_user_is_the_same_line_in_the_log(tmp_path):
    result = profile(tmp_path, tmp_path / "missing.xml", image_path("dog.jpg"))
    assert result.returncode == 2
    [shown] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert re.search(LINE_START + r"ERROR ovgui\.cli \[MainThread\] " + re.escape(shown) + "$", log_text(tmp_path), re.MULTILINE)


def test_an_unexpected_exception_reaches_the_log_with_its_traceback(tmp_path):
    result = profile(tmp_path, model_path("squeezenet"), image_path("dog.jpg"), prelude=RAISE_IN_RUN)
    assert result.returncode == 1
    assert "RuntimeError: a bug in ovgui" in result.stderr
    text = log_text(tmp_path)
    assert "CRITICAL ovgui [MainThread] uncaught exception\nTraceback (most recent call last):" in text, text
    assert "RuntimeError: a bug in ovgui" in text


def test_a_state_folder_that_cannot_be_written_costs_one_line_and_not_the_run(tmp_path):
    not_a_folder = tmp_path / "state"
    not_a_folder.write_text("a file where the state folder would be", encoding="utf-8")
    report = tmp_path / "report.json"
    result = profile(not_a_folder, model_path("squeezenet"), image_path("dog.jpg"), "-n", "2", "-q", "--json", report)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"warning: no log file: cannot write {not_a_folder / 'ovgui'}: Not a directory"]
    assert report.exists()


def test_the_log_is_set_up_once_per_process(tmp_path):
    script = ("import logging; from ovgui.core.logs import setup_logging; "
              "print(setup_logging('first'), setup_logging('second'), len(logging.getLogger('ovgui').handlers))")
    result = python(tmp_path, script)
    first = tmp_path / "ovgui" / "first.log"
    assert result.stdout.split() == [str(first), str(first), "2"]  # the file's and the package's NullHandler
    assert not (tmp_path / "ovgui" / "second.log").exists()


def test_a_log_file_that_fails_later_stops_with_one_line(tmp_path):
    script = ("import logging; from ovgui.core.logs import setup_logging; setup_logging('x'); "
              "[handler] = [h for h in logging.getLogger('ovgui').handlers if isinstance(h, logging.FileHandler)]; "
              "handler.stream.close(); logging.getLogger('ovgui').warning('one'); logging.getLogger('ovgui').warning('two')")
    result = python(tmp_path, script)
    assert result.returncode == 0
    log_file = tmp_path / "ovgui" / "x.log"
    assert result.stderr.splitlines() == [f"warning: the log file {log_file} stopped: I/O operation on closed file."]


@pytest.mark.parametrize(("line", "level"), [
    ("error: cannot read x.xml", logging.ERROR),
    ("warning: b.json: made by a newer ovgui", logging.WARNING),
    ("note: SIGINT: stopping", logging.INFO),
    ("ovgui: SIGTERM, closing", logging.INFO),
])
def test_a_line_told_the_user_goes_to_stderr_unchanged_and_to_the_log_at_its_prefix_level(line, level, capsys, caplog):
    with caplog.at_level(logging.INFO, logger="ovgui"):
        tell(logging.getLogger("ovgui.test"), line)
    assert capsys.readouterr().err == line + "\n"
    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [(level, line)]


@pytest.mark.parametrize(("platform", "environment", "folder"), [
    ("linux", {}, "home/.local/state/ovgui"),
    ("darwin", {}, "home/Library/Logs/ovgui"),
    ("win32", {"LOCALAPPDATA": "local"}, "local/ovgui/Logs"),
    ("darwin", {"XDG_STATE_HOME": "state"}, "state/ovgui"),
])
def test_the_log_folder_is_where_the_platform_keeps_logs(platform, environment, folder, tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "platform", platform)
    for name, value in environment.items():
        monkeypatch.setenv(name, str(tmp_path / value))
    assert log_folder() == tmp_path / folder
