"""Starting the window, and the scripted mode (`--run --screenshot --report --exit-after-run`).

Scripted runs drive the same `MainWindow` a user sees: the options only
preload the pickers, press Run, and act on the window's own signals.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QSettings,
    Qt,
    QTimer,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QImageWriter
from PySide6.QtWidgets import QApplication, QWidget

from ovgui.core.compare import Configured, load_variants
from ovgui.core.errors import OvguiError, error_text
from ovgui.core.files import path_exists, write_bytes_atomic
from ovgui.core.ladder import is_ladder
from ovgui.core.logs import tell
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import Report, RunConfig
from ovgui.gui.main_window import MainWindow
from ovgui.gui.qt_platform import QtMessages, missing_display
from ovgui.gui.signals import SignalBridge

log = logging.getLogger(__name__)
EXIT_FAILED = 2
SETTLE_MS = 150


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("ovgui")
    app.setApplicationName("ovgui")
    app.setApplicationDisplayName("ovgui")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    return app


class ScriptedRun(QObject):
    """Saves what was asked for once the run ends, then quits with 0 — or, on any failure (a run that
    could not start or failed, a configuration that failed, a file it could not write), with 2 and
    one ``error:`` line on stderr for each."""

    def __init__(self, window: MainWindow, args: argparse.Namespace):
        super().__init__(window)
        self._window = window
        self._args = args
        window.report_ready.connect(self._finished)
        if args.compare:
            window.session.returned.connect(self._compared)
        window.session.errored.connect(self._failed)
        window.session.abandoned.connect(self._failed)
        window.run_refused.connect(self._failed)
        window.session.aborted.connect(lambda: self._failed("run stopped"))

    @Slot(object)
    def _finished(self, report: Report) -> None:
        if not self._args.compare:
            self._after_views_settle(lambda: self._save(report))

    @Slot(object)
    def _compared(self, results: list[Configured]) -> None:
        reports = [outcome.report for _name, outcome in results if isinstance(outcome, RunOutcome)]
        problems = [f"configuration '{name}': {error}" for name, error in results if isinstance(error, str)]
        if not reports:
            self._fail(problems)
            return
        self._after_views_settle(lambda: self._save(reports[-1], problems))

    def _after_views_settle(self, save) -> None:
        """The graph is laid out on a background job after the report is shown: a screenshot waits for it."""
        graph = self._window.graph_view
        if graph.is_laying_out():
            graph.drawn.connect(lambda: QTimer.singleShot(SETTLE_MS, save), Qt.ConnectionType.SingleShotConnection)
        else:
            QTimer.singleShot(SETTLE_MS, save)

    def _save(self, report: Report, problems: list[str] | None = None) -> None:
        """Write what was asked for; `problems` are failures already known, reported once the files are out."""
        problems = list(problems or [])
        try:
            if self._args.report:
                report.save_json(self._args.report)
            if self._args.screenshot:
                save_screenshot(self._window, self._args.screenshot)
        except OvguiError as error:
            problems.append(str(error))
            self._window.banner.show_message(problems[-1])
        except Exception as error:  # a bug in ovgui: still one line and exit 2, never a hung window
            log.exception("cannot save the run")
            problems.append(f"cannot save the run: {type(error).__name__}: {error}")
            self._window.banner.show_message(problems[-1])
        if problems:
            self._fail(problems)
        elif self._args.exit_after_run:
            self._window.close()
            QApplication.exit(0)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._fail([message])

    def _fail(self, problems: list[str]) -> None:
        """The window closes first (its background jobs end with it), then one ``error:`` line per
        failure (a comparison's failed configurations each have theirs, as in the CLI), its detail
        lines indented under it."""
        if self._args.exit_after_run:
            self._window.close()
            for problem in problems:
                tell(log, error_text(problem))
            QApplication.exit(EXIT_FAILED)


def screenshot_format(path: Path) -> str:
    """The image format a screenshot's suffix names, refused in one line when Qt cannot write it."""
    image_format = path.suffix.lstrip(".").lower() or "png"
    if image_format.encode() not in [bytes(name.data()) for name in QImageWriter.supportedImageFormats()]:
        raise OvguiError(f"cannot write {path}: Qt writes no image format for {path.suffix}")
    return image_format


def save_screenshot(window: QWidget, path: Path) -> None:
    """The window as an image in the format the suffix names (PNG without one), encoded in memory
    and then written atomically like every other file ovgui writes."""
    image_format = screenshot_format(path)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not window.grab().save(buffer, image_format):
        raise OvguiError(f"cannot write {path}: Qt could not encode the window as {image_format.upper()}")
    write_bytes_atomic(path, bytes(data.data()))


def preload(window: MainWindow, args: argparse.Namespace, config: RunConfig) -> None:
    """Command-line files and options win; otherwise the last files used, or the built-in demo.

    The options are applied after the model is opened, so they win over what the window
    remembers for that model."""
    given = bool(args.model or args.run or args.compare)
    model = args.model or next(iter(window.controls.model_picker.recent()), None)
    image = args.image or next(iter(window.controls.image_picker.recent()), None)
    opens_files = bool(args.model or (model and image and path_exists(model) and path_exists(image)))
    if opens_files:
        window.open_model(model)
    if given:
        window.set_config(config)
    if not opens_files:
        window.open_demo(run=args.run)
        return
    if image:
        window.open_image(image)
    if args.compare and is_ladder(args.compare):
        QTimer.singleShot(0, window.start_ladder)
    elif args.compare:
        QTimer.singleShot(0, lambda: window.start_comparison(load_variants(args.compare)))
    elif args.run:
        QTimer.singleShot(0, window.start_run)


def run_app(args: argparse.Namespace, config: RunConfig) -> int:
    """The window until it closes.  Without a display, one line says so before Qt starts; Qt's
    messages go to the log from before the application exists, so a platform plugin that cannot
    start ends in one line too (`QtMessages`).  Installed here alone: tests have pytest-qt's
    handler, which fails a test on a Qt warning."""
    problem = missing_display()
    if problem:
        raise OvguiError(problem)
    messages = QtMessages()
    previous_handler = qInstallMessageHandler(messages)
    try:
        return _run_window(args, config, messages)
    finally:
        qInstallMessageHandler(previous_handler)


def _run_window(args: argparse.Namespace, config: RunConfig, messages: QtMessages) -> int:
    app = make_application()
    messages.started()
    if args.screenshot:
        screenshot_format(args.screenshot)
    if args.compare and not is_ladder(args.compare):
        load_variants(args.compare)
    window = MainWindow()
    if args.run or args.compare or args.screenshot or args.report or args.exit_after_run:
        ScriptedRun(window, args)
    bridge = SignalBridge(lambda number: quit_on_signal(window, number))
    preload(window, args, config)
    if args.view:
        window.show_view(args.view)
    window.show()
    try:
        return app.exec()
    finally:
        bridge.restore()


def quit_on_signal(window: MainWindow, number: int) -> None:
    """As File › Quit does: stop the run, save the settings, close; then the shell's code (128 + N).
    A second signal leaves at once (`SignalBridge`)."""
    tell(log, f"ovgui: {signal.Signals(number).name}, closing")
    window.close()
    QApplication.exit(128 + number)
