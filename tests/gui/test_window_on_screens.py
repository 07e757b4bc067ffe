"""The window on a real X server at 1366x768 and 1920x1080, after real runs: what a user can see
of each analysis view (rows, columns, heights), measured by `scripts/window_tour.py` in a child
process under its own Xvfb (the offscreen platform lays out docks and maximised windows
differently, so this is not taken on trust from it)."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.shared_data import SHARED

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "scripts" / "window_tour.py"
XVFB_START_S = 20
TOUR_TIMEOUT_S = 900
TOUR_PARTS = ("photo", "comparison", "engines")
"""The parts whose views these tests measure; the sweep, INT8 and ladder views have window tests of their own."""


def read_display_number(pipe: int) -> str:
    """The number up to its newline: Xvfb writes the digits and the newline separately, and dies
    ("Cannot write display number") if the pipe is closed between the two writes."""
    deadline = time.monotonic() + XVFB_START_S
    text = b""
    while not text.endswith(b"\n"):
        ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(pipe, 32) if ready else b""
        if not chunk:
            return ""
        text += chunk
    return text.decode().strip()


def start_xvfb(size: str) -> tuple[subprocess.Popen, str]:
    """An X server with one screen of `size`, on a display number it picks itself."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        if os.environ.get("CI"):
            pytest.fail("Xvfb is missing: .ci/run installs it (apt-get install xvfb)")
        pytest.skip("Xvfb is not installed here (apt-get install xvfb); CI installs it and runs this test")
    read_end, write_end = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write_end), "-screen", "0", f"{size}x24", "-nolisten", "tcp", "-noreset"],
                              pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_end)
    number = read_display_number(read_end)
    os.close(read_end)
    if not number:
        server.kill()
        _out, err = server.communicate()
        pytest.fail(f"Xvfb did not start: {err.decode(errors='replace')[-500:]}")
    return server, f":{number}"


@pytest.fixture(scope="module")
def roof_cache(tmp_path_factory):
    """One cache for both screens: the roofs are the machine's, measured once."""
    return tmp_path_factory.mktemp("tour-cache")


def tour(size: str, cache: Path, out: Path) -> dict:
    server, display = start_xvfb(size)
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "XDG_CACHE_HOME": str(cache),
           "OVGUI_SHARED": str(SHARED), "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, str(TOUR), "--json", str(out), "--only", *TOUR_PARTS], env=env,
                              capture_output=True, text=True, timeout=TOUR_TIMEOUT_S)
    finally:
        server.terminate()
        server.communicate()
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module", params=["1366x768", "1920x1080"])
def facts(request, roof_cache, tmp_path_factory):
    return request.param, tour(request.param, roof_cache, tmp_path_factory.mktemp("tour") / "facts.json")


def test_the_window_is_maximised_on_the_screen(facts):
    size, seen = facts
    assert seen["maximised"]
    assert seen["window"] == [int(side) for side in size.split("x")], seen["window"]


def test_the_layer_table_shows_twelve_rows_and_its_timing_columns_without_scrolling(facts):
    _size, seen = facts
    for state in ("layers", "layers_with_detail"):
        table = seen[state]
        assert table["visible_rows"] >= 12, (state, table)
        assert table["horizontal_scroll"] == 0, (state, table)
        assert any(column.startswith("Real mean") for column in table["columns"]), (state, table)
        assert any(column.startswith("Share") for column in table["columns"]), (state, table)


def test_selecting_a_layer_keeps_the_horizontal_scroll(facts):
    _size, seen = facts
    assert seen["layers_selected"]["horizontal_scroll"] == seen["layers_selected"]["scrolled_to"]


def test_compare_shows_every_configuration_and_bar_labels_whole(facts):
    _size, seen = facts
    assert seen["compare"]["rows"] == 3
    assert seen["compare"]["visible_rows"] == 3
    assert seen["compare"]["chart_problems"] == []


def test_ab_of_two_engines_shows_eight_rows(facts):
    _size, seen = facts
    assert seen["ab"]["visible_rows"] >= 8, seen["ab"]


def test_graph_and_roofline_get_the_height(facts):
    _size, seen = facts
    assert seen["graph_height"] >= 450
    assert seen["roofline_height"] >= 450
