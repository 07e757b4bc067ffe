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
    rect, maximise = first_geometry(QRect(0, 0, 1920, 1080))
    assert not maximise and rect.size().toTuple() == (1728, 972)
    assert QRect(0, 0, 1920, 1080).contains(rect) and rect.center() == QRect(0, 0, 1920, 1080).center()


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
    assert QSettings().value("window/state") is not None
    again = new_window(qtbot)
    assert again.setup_dock.width() >= SETUP_MIN_WIDTH_PX
    close(again)


def test_the_bottom_panel_opens_on_the_layers_not_an_empty_compare_tab(qtbot):
    win = new_window(qtbot)
    win.compare_dock.raise_()
    qtbot.waitUntil(lambda: not win.compare_dock.visibleRegion().isEmpty())
    close(win)
    again = new_window(qtbot)
    qtbot.waitUntil(lambda: not again.layers_dock.visibleRegion().isEmpty())
    assert again.compare_dock.visibleRegion().isEmpty()
    close(again)
