"""Each GUI test gets its own QSettings, cache and demo folder, so no test sees another's state
(but the roofs the machine measured)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from ovgui.core.roofline import CACHE_FILE as ROOF_CACHE_FILE
from ovgui.gui.app import make_application
from ovgui.gui.main_window import MainWindow


@pytest.fixture(scope="session")
def shared_roofs(tmp_path_factory):
    """Where the roofs measured by one test wait for the next: each window test has its own cache
    folder, and measuring the roofs (a child process of a few seconds) once per test would
    double the suite's time without testing anything new."""
    return tmp_path_factory.mktemp("roofs") / ROOF_CACHE_FILE


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch, shared_roofs):
    cache = tmp_path / "cache" / "ovgui"
    cache.mkdir(parents=True)
    if shared_roofs.exists():
        shutil.copyfile(shared_roofs, cache / ROOF_CACHE_FILE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield
    if (cache / ROOF_CACHE_FILE).exists():
        shutil.copyfile(cache / ROOF_CACHE_FILE, shared_roofs)


@pytest.fixture
def show_sized(qtbot):
    """Show a widget at 900x500 inside a layout-less host window: a top-level's layout would push
    its size hints to the offscreen platform, which answers each time with a Qt warning."""

    def show(widget: QWidget) -> QWidget:
        host = QWidget()
        qtbot.addWidget(host)
        widget.setParent(host)
        host.resize(900, 500)
        widget.resize(900, 500)
        host.show()
        qtbot.waitExposed(host)
        return host

    return show


@pytest.fixture()
def window(qtbot):
    """The real main window, shown; its worker thread and background jobs end with the test."""
    make_application()
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    yield win
    win.session.shutdown()
    win.jobs.wait()


@pytest.fixture
def squeezenet_window(window, qtbot):
    """The window with SqueezeNet and dog.jpg open, 20 iterations in f32: a short run's setup."""
    from shared_data import image_path, model_path

    window.open_model(str(model_path("squeezenet")))
    window.open_image(str(image_path("dog.jpg")))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.set_config(replace(window.controls.config(), iterations=20, precision="f32"))
    return window
