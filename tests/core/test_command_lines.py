"""What both commands accept alike: `--list-devices` prints the same list from either and opens
no window, and `ovgui --view` takes every result view the window has."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ovgui.cli import gui_parser, profile_parser

PROJECT = Path(__file__).resolve().parents[2]
VIEWS = ["overview", "layers", "compare", "ab", "outputs", "frames", "shapes", "graph", "roofline"]


def command(main: str, *argv: str) -> subprocess.CompletedProcess:
    """`main` as its console script runs it, with no display: a window it tried to open would fail."""
    env = {name: value for name, value in os.environ.items() if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(PROJECT)
    code = f"import sys; from ovgui.cli import {main}; sys.exit({main}())"
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120, env=env, cwd=PROJECT)


def test_list_devices_is_the_same_from_both_commands_and_opens_no_window():
    window, headless = command("gui_main", "--list-devices"), command("profile_main", "--list-devices")
    assert (window.returncode, headless.returncode) == (0, 0), window.stderr + headless.stderr
    assert window.stdout == headless.stdout
    assert window.stdout.split()[0] == "CPU"
    assert "error" not in window.stderr


def test_both_helps_offer_list_devices():
    for parser in (gui_parser(), profile_parser()):
        assert "--list-devices" in parser.format_help()


@pytest.mark.parametrize("view", VIEWS)
def test_view_takes_every_result_view(view):
    assert gui_parser().parse_args(["--view", view]).view == view


def test_help_names_every_view():
    help_text = " ".join(gui_parser().format_help().split())
    assert f"one of: {', '.join(VIEWS)}" in help_text
