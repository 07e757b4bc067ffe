"""Where the main window goes on the screen it opens on, from 1280x720 laptops to large monitors.

Pure functions over QRect so the rules are testable without a screen of that size.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize

LARGEST_FIRST = QSize(2400, 1500)
"""On a very large monitor a full-screen-sized first window is more than anyone wants."""
MAXIMISE_UP_TO = QSize(2560, 1440)
"""A screen up to this size in either direction gets a maximised window: the analysis views use
every pixel of a laptop or a 1920x1080 monitor; only a larger one gets a window of a share of it."""
SHARE_OF_LARGE_SCREEN = 0.9


def first_geometry(available: QRect) -> tuple[QRect, bool]:
    """The first window geometry on a screen with this available area, and whether to maximise."""
    if available.width() <= MAXIMISE_UP_TO.width() or available.height() <= MAXIMISE_UP_TO.height():
        return QRect(available), True
    size = QSize(
        min(LARGEST_FIRST.width(), int(available.width() * SHARE_OF_LARGE_SCREEN)),
        min(LARGEST_FIRST.height(), int(available.height() * SHARE_OF_LARGE_SCREEN)),
    )
    rect = QRect(available.topLeft(), size)
    rect.moveCenter(available.center())
    return rect, False


def clamp_to(rect: QRect, available: QRect) -> QRect:
    """A saved geometry made to fit the current screen: no bigger than it, and fully on it."""
    size = rect.size().boundedTo(available.size())
    left = min(max(rect.left(), available.left()), available.right() + 1 - size.width())
    top = min(max(rect.top(), available.top()), available.bottom() + 1 - size.height())
    return QRect(left, top, size.width(), size.height())
