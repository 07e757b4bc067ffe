"""`ovgui` where no window can open: one `error:` line that names the display or the library
and what to do, exit 2, no traceback and none of Qt's paragraph (which stays in the log)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ovgui.gui.qt_platform import debian_package, missing_display, platform_problem

PROJECT = Path(__file__).resolve().parents[2]
QT_FATAL = "This application failed to start because no Qt platform plugin could be initialized. Reinstalling the application"


def window_without_display(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """`python -m ovgui` with no DISPLAY, no WAYLAND_DISPLAY and no QT_QPA_PLATFORM, but `variables`."""
    env = {name: value for name, value in os.environ.items() if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(PYTHONPATH=str(PROJECT), XDG_STATE_HOME=str(tmp_path / "state"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               **variables)
    return subprocess.run([sys.executable, "-m", "ovgui"], capture_output=True, text=True, timeout=120, env=env, cwd=PROJECT)


def the_one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ")
    return line


def logged(tmp_path: Path) -> str:
    return (tmp_path / "state" / "ovgui" / "ovgui.log").read_text(encoding="utf-8")


def test_no_display_at_all_is_refused_before_qt_starts(tmp_path):
    line = the_one_line(window_without_display(tmp_path))
    assert line.startswith("error: no display: neither DISPLAY nor WAYLAND_DISPLAY is set")
    assert "QT_QPA_PLATFORM=offscreen" in line


def test_xcb_without_a_display_is_read_from_qts_fatal_message(tmp_path):
    line = the_one_line(window_without_display(tmp_path, QT_QPA_PLATFORM="xcb"))
    assert line.startswith("error: no display: Qt's xcb platform cannot connect to a display: DISPLAY is not set")
    assert QT_FATAL in logged(tmp_path)


def test_a_display_nobody_serves_is_named(tmp_path):
    line = the_one_line(window_without_display(tmp_path, QT_QPA_PLATFORM="xcb", DISPLAY=":4242"))
    assert line.startswith("error: no display: Qt's xcb platform cannot connect to display ':4242' (DISPLAY)")


def test_a_library_the_xcb_plugin_cannot_load_is_named_with_its_package(tmp_path):
    """A broken libxcb-cursor.so.0 ahead on the library path stands for a missing one: the plugin cannot load it."""
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libxcb-cursor.so.0").write_bytes(b"")
    line = the_one_line(window_without_display(tmp_path, QT_QPA_PLATFORM="xcb", DISPLAY=":4242", LD_LIBRARY_PATH=str(broken)))
    assert line.startswith("error: Qt's xcb platform plugin cannot load libxcb-cursor.so.0 (file too short): "
                           "install libxcb-cursor0")
    assert QT_FATAL in logged(tmp_path)


@pytest.mark.parametrize("environ, platform, refused", [
    ({}, "linux", True),
    ({"DISPLAY": ":0"}, "linux", False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
    ({}, "darwin", False),
    ({}, "win32", False),
])
def test_only_linux_without_any_display_is_refused_beforehand(environ, platform, refused):
    assert (missing_display(environ, platform) is not None) == refused


def test_an_unknown_failure_keeps_qts_first_sentence():
    line = platform_problem([], QT_FATAL + " may fix this problem.", {"QT_QPA_PLATFORM": "nosuchplatform"})
    assert line.startswith("Qt cannot start its 'nosuchplatform' platform plugin: This application failed to start because")


@pytest.mark.parametrize("library, package", [
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libEGL.so.1", "libegl1"),
    ("libxcb-icccm.so.4.0.0", "libxcb-icccm4"),
])
def test_a_library_is_named_by_its_debian_package(library, package):
    assert debian_package(library) == package
