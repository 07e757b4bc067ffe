"""The window on the screen it opens on: sized from the screen, brought back onto it, docks never too narrow."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSettings, Qt

from ovgui.gui.app import make_application
from ovgui.gui.main_window import SETUP_MIN_WIDTH_PX, MainWindow
from ovgui.gui.window_geometry import clamp_to, first_geometry


def new_window(qtbot) -> MainWindow:
    make_application()
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def close(win: MainWindow) -> None:
    win.close()
    win.jobs.wait()


def test_a_laptop_screen_gets_a_maximised_window_a_large_one_a_share_of_it():
    assert first_geometry(QRect(0, 0, 1366, 768)) == (QRect(0, 0, 1366, 768), True)
    assert first_geometry(QRect(0, 0, 1280, 690)) == (QRect(0, 0, 1280, 690), True)
    assert first_geometry(QRect(0, 0, 1920, 1050)) == (QRect(0, 0, 1920, 1050), True)
    rect, maximise = first_geometry(QRect(0, 0, 3840, 2160))
    assert not maximise and rect.size().toTuple() == (2400, 1500)
    assert QRect(0, 0, 3840, 2160).contains(rect) and rect.center() == QRect(0, 0, 3840, 2160).center()


def test_a_saved_geometry_is_brought_onto_the_current_screen():
    laptop = QRect(0, 0, 1366, 768)
    assert clamp_to(QRect(200, 100, 1600, 1000), laptop) == laptop
    assert clamp_to(QRect(2500, -40, 800, 600), laptop) == QRect(566, 0, 800, 600)
    assert clamp_to(QRect(100, 50, 800, 600), laptop) == QRect(100, 50, 800, 600)


def test_the_window_fits_a_1280x720_screen(qtbot):
    win = new_window(qtbot)
    needed = win.minimumSizeHint()
    assert needed.width() <= 1280 and needed.height() <= 690, f"minimum {needed.toTuple()}"
    close(win)


def test_a_window_saved_off_screen_opens_on_it(qtbot):
    win = new_window(qtbot)
    win.setGeometry(5000, 4000, 1400, 900)
    close(win)
    again = new_window(qtbot)
    available = again.screen().availableGeometry()
    assert available.contains(again.geometry().topLeft())
    close(again)


def test_a_setup_dock_saved_too_narrow_comes_back_usable(qtbot):
    win = new_window(qtbot)
    win.resizeDocks([win.setup_dock], [130], Qt.Orientation.Horizontal)
    close(win)
    size = win.screen().availableGeometry().size()
    assert QSettings().value(f"layout/{size.width()}x{size.height()}/state") is not None
    again = new_window(qtbot)
    assert again.setup_dock.width() >= SETUP_MIN_WIDTH_PX
    close(again)


def test_the_window_opens_on_the_overview_whatever_view_it_was_closed_on(qtbot):
    win = new_window(qtbot)
    win.show_view("compare")
    close(win)
    again = new_window(qtbot)
    assert again.workspaces.current_name() == "overview"
    close(again)
