"""The result views the window opens on, named once for the window's tabs and for `ovgui --view`.

A leaf (the standard library only): the command line imports it to build ``--help``, which must
answer without loading Qt or OpenVINO.
"""

from __future__ import annotations

VIEW_TITLES: dict[str, str] = {
    "overview": "Overview",
    "layers": "Layers",
    "compare": "Compare",
    "ab": "A/B",
    "outputs": "Outputs",
    "frames": "Frames",
    "shapes": "Shapes",
    "graph": "Graph",
    "roofline": "Roofline",
    "accuracy": "Accuracy",
    "sweep": "Sweep",
}
"""Each view's name (`--view NAME`, `MainWindow.show_view(name)`) and its tab's title, in tab order."""

RESULT_VIEWS: tuple[str, ...] = tuple(VIEW_TITLES)
