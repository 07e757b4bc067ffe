"""A result view shown alone at the size the window gives its workspace on each screen, for the
tests that measure what fits (rows, bars, names) without building the whole window."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

WORKSPACES = {"1366x768": (1300, 560), "1920x1080": (1850, 850)}
"""The result area each screen leaves a view, as the window lays it out."""


def shown_at(qtbot, widget: QWidget, size: tuple[int, int]) -> QWidget:
    """The widget alone in a layout-less host, at the size of its workspace."""
    host = QWidget()
    qtbot.addWidget(host)
    widget.setParent(host)
    host.resize(*size)
    widget.resize(*size)
    host.show()
    qtbot.waitExposed(host)
    return host
