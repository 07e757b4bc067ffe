"""The main window: layout, menus and actions, wired to the run session.

The image sits in the centre; setup, layers, latency and memory are docks the
user can move, resize or close, and their arrangement is kept in QSettings.
The window never calls OpenVINO: runs go through `RunSession`, and model
summaries, device lists and image decoding through `BackgroundJobs`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ovgui.core import demo
from ovgui.core.annotate import annotated_image, save_annotated_frames, save_image
from ovgui.core.compare import Configured, Variant
from ovgui.core.decoders.families import default_threshold
from ovgui.core.devices import list_devices
from ovgui.core.environment import environment_info
from ovgui.core.errors import OvguiError
from ovgui.core.events import PHASE_TITLES, Progress
from ovgui.core.files import path_exists, path_problem, write_text_atomic
from ovgui.core.formatting import format_ms, layers_vs_latency_text, preprocess_text, throughput_text
from ovgui.core.graph import graph_to_dot
from ovgui.core.image import LoadedImage
from ovgui.core.imports import load_report
from ovgui.core.inputs import first_frame, is_video, read_frame, report_input
from ovgui.core.logs import log_folder
from ovgui.core.model import MODEL_FORMATS, inspect_model
from ovgui.core.options import OptionError
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import EnvironmentInfo, ModelInfo, Report, RunConfig
from ovgui.core.roofline import apply_roofs, roofs_for_run
from ovgui.core.runner import RunRequest
from ovgui.core.trace import save_trace
from ovgui.gui.ab_panel import ABPanel
from ovgui.gui.charts import LatencyChart, MemoryChart
from ovgui.gui.compare_dialog import CompareDialog
from ovgui.gui.comparison import ComparisonView
from ovgui.gui.controls import ControlPanel
from ovgui.gui.frames_view import FrameStrip, read_thumbnails
from ovgui.gui.graph_view import GraphView
from ovgui.gui.image_view import ImagePanel
from ovgui.gui.layer_detail import LayerDetailPanel
from ovgui.gui.layer_table import LayerTableWidget
from ovgui.gui.outputs_panel import OutputsPanel
from ovgui.gui.overlay_controls import OverlayControls
from ovgui.gui.pipeline_chart import PipelineChart
from ovgui.gui.plain_text import literal
from ovgui.gui.roofline_view import RooflineView
from ovgui.gui.run_history import DEFAULT_KEPT_RUNS, RunHistory, from_configuration, from_file
from ovgui.gui.session import BackgroundJobs, RunSession
from ovgui.gui.window_geometry import clamp_to, first_geometry

log = logging.getLogger(__name__)
STATE_VERSION = 1
SETUP_MIN_WIDTH_PX = 300
CHART_DOCK_MIN_WIDTH_PX = 340
LAYERS_DOCK_MIN_WIDTH_PX = 380
DETAIL_DOCK_MIN_WIDTH_PX = 300
RESULT_VIEWS = ("layers", "graph", "roofline")
VIEW_HEIGHT_SHARE = 0.62


def report_summary(report: Report) -> str:
    """The status line after a run: iterations, median, what the latency covers, layers sum vs mean latency."""
    lat = report.latency_ms
    parts = [
        f"{lat.iterations} iterations, median {format_ms(lat.median)} ms",
        preprocess_text(report.preprocess.mode),
        layers_vs_latency_text(report.profile),
    ]
    return " · ".join(part for part in parts if part)


def about_text(env: EnvironmentInfo) -> str:
    rows = (("ovgui", env.ovgui), ("OpenVINO", env.openvino), ("Python", env.python), ("OS", env.os), ("CPU", env.cpu))
    table = "".join(f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>" for name, value in rows)
    return (
        "<b>ovgui</b> — a desktop profiler for OpenVINO models.<br>"
        "Latency, per-layer time, memory by phase and detections, measured on your device.<br><br>"
        f"<table>{table}</table>"
    )


def annotated_copy(report_path: Path) -> Path:
    """Where a saved run keeps its annotated image: next to the JSON, same name."""
    return report_path.with_suffix(".png")


def with_filter_suffix(path: str, name_filter: str) -> str:
    """`path`, with the filter's first suffix added unless it already ends in one of the filter's."""
    suffixes = re.findall(r"\*(\.[\w.]+)", name_filter)
    if not suffixes or Path(path).suffix.lower() in suffixes:
        return path
    return path + suffixes[0]


@dataclass(frozen=True)
class OpenedReport:
    """A saved report and the image to show with it: all the window needs, decided before it changes."""

    name: str
    report: Report
    image_path: str
    message: str
    is_annotated_copy: bool = False


def open_saved_report(path: str) -> OpenedReport:
    """The report, and its image if still there, else the annotated copy saved beside it.

    Runs on a background job; every path is checked without raising (a path too long for the
    system or unreadable is a reason in the status line, not a traceback)."""
    report = load_report(path)
    name = Path(path).name
    copy = annotated_copy(Path(path))
    given = report_input(report) if report.image else ""
    problem = path_problem(given) if given else "not found"
    if problem is None:
        return OpenedReport(name, report, given, f"Opened report {name}: {report_summary(report)}")
    if path_exists(copy):
        return OpenedReport(name, report, str(copy), f"Opened report {name}; the image is the annotated copy saved with it", True)
    what = "images are" if report.frame_set else "image is"
    gone = "gone" if problem == "not found" else f"unreadable ({problem})"
    return OpenedReport(name, report, "", f"Opened report {name}; its {what} {gone}")


def scrolled(widget: QWidget) -> QScrollArea:
    """A dock's content that scrolls rather than forcing its minimum size on the whole window
    (which then no longer fits a 1366x768 screen)."""
    scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


class ErrorBanner(QWidget):
    """A one-line, dismissable error above the image: visible without blocking a scripted run."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText,
                            textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(text="✕", autoRaise=True, toolTip="Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.setAutoFillBackground(True)
        self.setStyleSheet("ErrorBanner { background: #fdecea; } QLabel { color: #8a1c13; }")
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()


class WindowShortcutsFirst(QObject):
    """Lets the window's shortcuts through a text field: a QLineEdit claims Ctrl+E (end of line,
    emacs-style) and other Ctrl keys before any QAction sees them, so Export did nothing while a
    path field had the focus."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._is_window_shortcut(event):
            event.ignore()
            return True
        return False

    def _is_window_shortcut(self, event: QKeyEvent) -> bool:
        pressed = QKeySequence(event.keyCombination())
        return any(
            action.isEnabled() and action.shortcut().matches(pressed) == QKeySequence.SequenceMatch.ExactMatch
            for action in self._window.actions()
        )


class MainWindow(QMainWindow):
    report_ready = Signal(object)
    run_refused = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("ovgui — OpenVINO profiler")
        self.setAcceptDrops(True)
        self.outcome: RunOutcome | None = None
        """What the views show: a run's outcome, or a report opened from a file as an outcome with just its report."""
        self.report_source: str | None = None
        self.image: LoadedImage | None = None
        self.model_info: ModelInfo | None = None
        self._results_image_path: str | None = None
        self._annotated_copy_path: str | None = None
        self._run_when_demo_ready = False
        self.session = RunSession(self)
        self.jobs = BackgroundJobs(self)
        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        self._connect_session()
        self._restore_settings()
        self._set_running(False)
        self.jobs.submit(list_devices, self._devices_listed, self._show_error)

    @property
    def report(self) -> Report | None:
        return self.outcome.report if self.outcome is not None else None

    # layout -----------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.controls = ControlPanel()
        self.image_panel = ImagePanel()
        self.layers = LayerTableWidget()
        self.latency_chart = LatencyChart()
        self.memory_chart = MemoryChart()
        self.history = RunHistory(QSettings().value("ab/kept_runs", DEFAULT_KEPT_RUNS, int), self)
        self.comparison = ComparisonView(self.history)
        self.ab_panel = ABPanel(self.history)
        self.layer_detail = LayerDetailPanel()
        self.outputs_panel = OutputsPanel()
        self.overlays = OverlayControls(self.jobs, self.image_panel.view)
        self.frames = FrameStrip()
        self.pipeline_chart = PipelineChart()
        self.graph_view = GraphView(self.jobs.submit)
        self.roofline = RooflineView()
        self.banner = ErrorBanner()
        self.demo_note = QLabel(
            "Demo: a small colour-marker detector built by ovgui, on a scene it drew. "
            "Open your own model with Ctrl+O and an image with Ctrl+I.",
            wordWrap=True,
        )
        self.demo_note.setStyleSheet("padding: 6px 10px; background: palette(alternate-base); border-radius: 4px;")
        self.demo_note.hide()
        self.stale_note = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.stale_note.setStyleSheet("padding: 6px 10px; background: #fff4ce; color: #5c4400; border-radius: 4px;")
        self.stale_note.hide()
        self.decoder_note = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText,
                                   textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.decoder_note.setStyleSheet("padding: 4px 10px; background: palette(alternate-base); border-radius: 4px;")
        self.decoder_note.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.banner)
        column.addWidget(self.demo_note)
        column.addWidget(self.stale_note)
        column.addWidget(self.image_panel, 1)
        column.addWidget(self.overlays)
        column.addWidget(self.decoder_note)
        self.setCentralWidget(central)
        setup = scrolled(self.controls)
        setup.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        controls_px = self.controls.minimumSizeHint().width() + setup.verticalScrollBar().sizeHint().width()
        setup.setMinimumWidth(max(SETUP_MIN_WIDTH_PX, controls_px))
        self.setup_dock = self._dock("Setup", setup, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.latency_dock = self._dock("Latency", self.latency_chart, Qt.DockWidgetArea.RightDockWidgetArea)
        self.memory_dock = self._dock("Memory", self.memory_chart, Qt.DockWidgetArea.RightDockWidgetArea)
        self.layers_dock = self._dock("Layers", self.layers, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.detail_dock = self._dock("Layer detail", scrolled(self.layer_detail), Qt.DockWidgetArea.BottomDockWidgetArea)
        self.compare_dock = self._dock("Compare", scrolled(self.comparison), Qt.DockWidgetArea.BottomDockWidgetArea)
        self.ab_dock = self._dock("A/B", scrolled(self.ab_panel), Qt.DockWidgetArea.BottomDockWidgetArea)
        self.outputs_dock = self._dock("Outputs", self.outputs_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.frames_dock = self._dock("Frames", self.frames, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.pipeline_dock = self._dock("Pipeline", self.pipeline_chart, Qt.DockWidgetArea.RightDockWidgetArea)
        self.graph_dock = self._dock("Graph", self.graph_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.roofline_dock = self._dock("Roofline", self.roofline, Qt.DockWidgetArea.BottomDockWidgetArea)
        for dock, width in (
            (self.latency_dock, CHART_DOCK_MIN_WIDTH_PX),
            (self.memory_dock, CHART_DOCK_MIN_WIDTH_PX),
            (self.pipeline_dock, CHART_DOCK_MIN_WIDTH_PX),
            (self.layers_dock, LAYERS_DOCK_MIN_WIDTH_PX),
            (self.detail_dock, DETAIL_DOCK_MIN_WIDTH_PX),
        ):
            dock.setMinimumWidth(width)
        self.splitDockWidget(self.layers_dock, self.detail_dock, Qt.Orientation.Horizontal)
        self.tabifyDockWidget(self.layers_dock, self.compare_dock)
        self.tabifyDockWidget(self.compare_dock, self.ab_dock)
        self.tabifyDockWidget(self.ab_dock, self.outputs_dock)
        self.tabifyDockWidget(self.outputs_dock, self.frames_dock)
        self.tabifyDockWidget(self.memory_dock, self.pipeline_dock)
        self.tabifyDockWidget(self.frames_dock, self.graph_dock)
        self.tabifyDockWidget(self.graph_dock, self.roofline_dock)
        self.layers_dock.raise_()
        self.memory_dock.raise_()
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.controls.model_chosen.connect(self.open_model)
        self.controls.image_chosen.connect(self.open_image)
        self.image_panel.image_dropped.connect(self.open_dropped)
        for view in (self.layers, self.graph_view, self.roofline):
            view.layer_selected.connect(self._layer_selected)
        self.ab_panel.open_failed.connect(self._show_error)
        self.ab_dock.visibilityChanged.connect(lambda shown: shown and self.ab_panel.refresh())
        self.overlays.failed.connect(self._show_error)
        self.frames.frame_selected.connect(self._frame_selected)
        self.frames.live_frame.connect(self._live_frame)
        self.frames.frames_added.connect(self.pipeline_chart.show_frames)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        self.run_action = self._action("&Run", self.start_run, "F5", "Run the model on the image (F5)")
        self.stop_action = self._action("&Stop", self.stop_run, "Esc", "Stop the run (Esc)")
        self.compare_action = self._action("&Compare configurations…", self.choose_comparison, "Ctrl+F5",
                                           "Run several configurations in turn and compare them")
        open_model = self._action("Open &model…", self.controls.model_picker.browse, QKeySequence.StandardKey.Open)
        open_image = self._action("Open &image…", self.controls.image_picker.browse, "Ctrl+I")
        open_folder = self._action("Open &folder…", self.controls.image_picker.browse_folder, "Ctrl+Shift+I")
        open_video = self._action("Open &video…", self.controls.image_picker.browse_video)
        open_demo = self._action("Open &demo", self.open_demo)
        self.export_report_action = self._action("&Export report…", self.export_report, "Ctrl+E")
        self.export_csv_action = self._action("Export &layers CSV…", self.export_layers_csv)
        self.export_png_action = self._action("Export &annotated image…", self.export_annotated)
        self.export_trace_action = self._action("Export &trace (Perfetto)…", self.export_trace)
        self.export_frames_csv_action = self._action("Export &per-image CSV…", self.export_per_image_csv)
        self.export_frames_action = self._action("Export annotated &frames into a folder…", self.export_annotated_frames)
        next_frame = self._action("&Next frame", lambda: self.frames.step(1), QKeySequence.StandardKey.MoveToNextPage,
                                  "Next image or frame (Page Down)")
        previous_frame = self._action("&Previous frame", lambda: self.frames.step(-1),
                                      QKeySequence.StandardKey.MoveToPreviousPage, "Previous image or frame (Page Up)")
        self.export_dot_action = self._action("Export &graph (DOT)…", self.export_graph)
        open_report = self._action("Open &report…", self.choose_report, "Ctrl+Shift+O")
        quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        fit = self._action("&Fit image", lambda: self.image_panel.view.fit_to_window(), "Ctrl+0")
        reset = self._action("&Reset layout", self.reset_layout)
        self.remeasure_roofs_action = self._action(
            "Re-&measure roofs", self.remeasure_roofs,
            tip="Measure the device's roofs again (in a child process) and judge this run's layers against them")
        about = self._action("&About ovgui", self.show_about)
        open_logs = self._action("Open &log folder", self.open_log_folder, tip="The folder of the log files, for a bug report")
        shortcuts_first = WindowShortcutsFirst(self)
        for picker in (self.controls.model_picker, self.controls.image_picker):
            # The combo hands a ShortcutOverride straight to its line edit's event(), so both need the filter.
            for field in (picker.combo, picker.combo.lineEdit()):
                field.installEventFilter(shortcuts_first)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for action in (
            open_model, open_image, open_folder, open_video, open_demo, open_report, None,
            self.export_report_action, self.export_csv_action, self.export_png_action, self.export_trace_action,
            self.export_frames_csv_action, self.export_frames_action, self.export_dot_action, None,
            quit_action,
        ):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        run_menu = menu.addMenu("&Run")
        run_menu.addActions([self.run_action, self.stop_action, self.compare_action])
        view_menu = menu.addMenu("&View")
        view_menu.addActions([fit, next_frame, previous_frame])
        view_menu.addSeparator()
        for dock in self._docks():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addAction(self.remeasure_roofs_action)
        view_menu.addAction(reset)
        menu.addMenu("&Help").addActions([open_logs, about])

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("toolbar-main")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([open_model, open_image])
        toolbar.addSeparator()
        toolbar.addActions([self.run_action, self.stop_action, self.compare_action])
        toolbar.addSeparator()
        toolbar.addAction(self.export_report_action)

    def _action(self, text: str, slot, shortcut=None, tip: str | None = None) -> QAction:
        """An action of the window itself, so its shortcut works whichever dock has the focus."""
        action = QAction(text, self)
        self.addAction(action)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_model = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.status_fps = QLabel()
        self.progress = QProgressBar(maximumWidth=220, textVisible=True)
        self.progress.hide()
        bar.addPermanentWidget(self.status_model)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.status_fps)

    def _connect_session(self) -> None:
        self.session.started.connect(self._run_started)
        self.session.phase_started.connect(self._phase_started)
        self.session.progress.connect(self._progressed)
        self.session.note.connect(lambda text: self.statusBar().showMessage(f"Note: {text}", 8000))
        self.session.variant_finished.connect(self._variant_finished)
        self.session.returned.connect(self._returned)
        self.session.aborted.connect(lambda: self._run_ended("Stopped before the first inference"))
        self.session.errored.connect(self._run_failed)
        self.session.abandoned.connect(self._run_abandoned)

    # inputs -----------------------------------------------------------------

    @Slot(str)
    def open_model(self, path: str) -> None:
        """A different model: the results shown belonged to the last one, so they go."""
        self.controls.model_picker.set_path(path, emit=False)
        self.controls.preprocess.load_for(path)
        self.model_info = None
        is_demo = demo.is_demo_model(path)
        self.demo_note.setVisible(is_demo)
        self.banner.hide()
        if self.report is not None and self.report.model.path != path:
            self._clear_results()
        self._describe_state()
        self.jobs.submit(lambda: inspect_model(path, is_demo), self._model_inspected, self._model_failed)

    @Slot(str)
    def open_image(self, path: str) -> None:
        self.controls.image_picker.set_path(path, emit=False)
        self.banner.hide()
        self.jobs.submit(lambda: first_frame(path), self._image_loaded, lambda message: self._image_failed(path, message))

    def open_demo(self, run: bool = False) -> None:
        """Write the demo files off the GUI thread, then load them (and run, for a scripted start)."""
        self._run_when_demo_ready = run
        self.jobs.submit(demo.ensure_demo_files, self._demo_ready, self._show_error)

    @Slot(object)
    def _demo_ready(self, paths: tuple[Path, Path]) -> None:
        self.open_model(str(paths[0]))
        self.open_image(str(paths[1]))
        if self._run_when_demo_ready:
            self.start_run()

    @Slot(object)
    def _model_inspected(self, info: ModelInfo) -> None:
        if info.path != self.controls.model_path():
            return
        self.model_info = info
        self.controls.show_model(info)
        self._describe_state()

    @Slot(str)
    def _model_failed(self, message: str) -> None:
        self.controls.show_model_error(message)
        self._show_error(message)

    @Slot(object)
    def _image_loaded(self, image: LoadedImage) -> None:
        if image.info.path != self.controls.image_path():
            return
        self.image = image
        self.image_panel.set_image(image.bgr)
        self.overlays.clear()
        if self.report is not None and image.info.path == self._results_image_path:
            self._show_result(self.report)
        self._describe_state()

    def _image_failed(self, path: str, message: str) -> None:
        """A photo that cannot be read leaves the placeholder, never the previous photo under the new name."""
        if path == self.controls.image_path():
            self.image = None
            self.image_panel.clear()
            self._describe_state()
        self._show_error(message)

    @Slot(object)
    def _devices_listed(self, devices) -> None:
        self.controls.settings.set_devices(devices)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            self.open_dropped(url.toLocalFile())
        event.acceptProposedAction()

    @Slot(str)
    def open_dropped(self, path: str) -> None:
        """A model file (or an IR's .bin) goes to the model picker, anything else to the image picker."""
        suffix = Path(path).suffix.lower()
        if suffix == ".bin":
            self.open_model(str(Path(path).with_suffix(".xml")))
        elif suffix in MODEL_FORMATS:
            self.open_model(path)
        elif path:
            self.open_image(path)

    # runs -------------------------------------------------------------------

    def set_config(self, config: RunConfig) -> None:
        self.controls.set_config(config)

    def start_run(self) -> None:
        request = self._request()
        if request is not None:
            self.session.start(request)

    def _request(self) -> RunRequest | None:
        """The run the panels describe, or None (and `run_refused`) when they hold a mistake."""
        model, image = self.controls.model_path(), self.controls.image_path()
        if not model or not image:
            self._refuse("choose a model and an image first (File › Open model, File › Open image)")
            return None
        try:
            config = self.controls.config()
        except OptionError as error:
            self.controls.focus_option(error.option.name)
            self._refuse(str(error))
            return None
        self.banner.hide()
        self.controls.preprocess.remember()
        return RunRequest(model, image, config, demo.is_demo_model(model))

    def _refuse(self, message: str) -> None:
        self._show_error(message)
        self.run_refused.emit(message)

    def choose_comparison(self) -> None:
        devices = [self.controls.settings.device.itemData(i) for i in range(self.controls.settings.device.count())]
        dialog = CompareDialog([d for d in devices if d != self.controls.device()], self, self.controls.model_path())
        if dialog.exec() == CompareDialog.DialogCode.Accepted and dialog.variants():
            self.start_comparison(dialog.variants())

    def start_comparison(self, variants: list[Variant]) -> None:
        request = self._request()
        if request is None:
            return
        self.comparison.clear()
        self.compare_dock.show()
        self.compare_dock.raise_()
        self.resizeDocks([self.compare_dock], [self.height() // 2], Qt.Orientation.Vertical)
        self.session.start_comparison(request, variants)

    @Slot(object)
    def _variant_finished(self, result: Configured) -> None:
        self.comparison.add_result(result)
        _name, outcome = result
        if isinstance(outcome, RunOutcome):
            self.history.add(outcome.report, from_configuration(_name))

    @Slot(object)
    def _returned(self, value: RunOutcome | list[Configured]) -> None:
        """A run returns its outcome, a comparison every configuration's."""
        if isinstance(value, RunOutcome):
            self._run_finished(value)
        else:
            self._comparison_finished(value)

    def _comparison_finished(self, results: list[Configured]) -> None:
        done = [outcome for _name, outcome in results if isinstance(outcome, RunOutcome)]
        if done:
            self._show_outcome(done[-1])
        failed = len(results) - len(done)
        self._run_ended(f"Compared {len(results)} configurations" + (f"; {failed} failed" if failed else ""))

    @Slot(object)
    def _layer_selected(self, layer) -> None:
        """A layer of the shown run, with what its outcome carries; a layer of a live snapshot has no samples."""
        shown = self.outcome is not None and any(known is layer for known in self.outcome.report.layers)
        self.layer_detail.show_layer(layer, self.outcome if shown else None)
        self.layers.select_layer(layer.name)
        self.graph_view.select_layer(layer.name)
        self.roofline.select_layer(layer.name)

    def show_view(self, name: str) -> None:
        """Bring one of the result views ("layers", "graph", "roofline") forward, given most of the height."""
        dock = {"layers": self.layers_dock, "graph": self.graph_dock, "roofline": self.roofline_dock}[name]
        dock.show()
        dock.raise_()
        tall = int(self.height() * VIEW_HEIGHT_SHARE)
        charts = (self.height() - tall) // 2
        self.resizeDocks([dock, self.latency_dock, self.memory_dock], [tall, charts, charts], Qt.Orientation.Vertical)

    def stop_run(self) -> None:
        """Stop reads "Stopping…" until the run ends, or until the session walks away from it."""
        if self.session.busy:
            self.statusBar().showMessage("Stopping…")
            self.stop_action.setText("Stopping…")
            self.stop_action.setEnabled(False)
            self.session.stop()

    @Slot(object)
    def _run_started(self, live) -> None:
        self._set_running(True)
        self.stale_note.hide()
        self.decoder_note.hide()
        self.layers.clear()
        self.layers.follow(live)
        self.graph_view.clear()
        self.roofline.clear()
        for chart in (self.latency_chart, self.memory_chart):
            chart.clear()
            chart.attach(live)
            chart.start_live()
        self._follow_frames(live)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_fps.clear()

    @Slot(str)
    def _phase_started(self, name: str) -> None:
        self.statusBar().showMessage(f"{PHASE_TITLES[name].capitalize()}…")
        if name == "steady_state":
            self.progress.setRange(0, 1000)

    @Slot(object)
    def _progressed(self, event: Progress) -> None:
        self.progress.setValue(int(event.fraction * 1000))
        self.progress.setFormat(f"{event.iterations_done} it · %p%")
        self.status_fps.setText(throughput_text(event.fps))

    def _run_finished(self, outcome: RunOutcome) -> None:
        report = outcome.report
        self._show_outcome(outcome)
        self.history.add(report)
        state = "Done" if report.completed else "Stopped"
        self._run_ended(f"{state}: {report_summary(report)}")
        self.report_ready.emit(report)

    def _show_outcome(self, outcome: RunOutcome, source: str | None = None) -> None:
        """Every view from one outcome; `source` is the file its report was opened from (None: just measured)."""
        report = outcome.report
        self.outcome = outcome
        self.report_source = source
        self._results_image_path = report_input(report) if report.image else None
        self._annotated_copy_path = None
        self.latency_chart.show_report(report)
        self.memory_chart.show_report(report)
        self.layer_detail.clear()
        self.layers.set_layers(report.layers, report.layer_types)
        self.graph_view.show_graph(outcome.graph, report.layers)
        self.roofline.show_layers(report.layers, report.rooflines)
        self.controls.preprocess.show_report(report)
        self.outputs_panel.show_report(report)
        self._show_result(report)
        self.status_fps.setText(throughput_text(report.throughput_fps))
        self._show_frame_set(report)
        self.controls.model_picker.remember(report.model.path)
        if report.image:
            self.controls.image_picker.remember(report_input(report))
        if not self.comparison.model.rowCount() and not self.compare_dock.visibleRegion().isEmpty():
            self.layers_dock.raise_()
        self._describe_state()

    def _clear_results(self) -> None:
        """Forget the shown outcome and empty every view that showed it."""
        self.outcome = None
        self.report_source = None
        self._results_image_path = None
        self._annotated_copy_path = None
        self.layers.clear()
        self.layer_detail.clear()
        self.graph_view.clear()
        self.roofline.clear()
        for chart in (self.latency_chart, self.memory_chart, self.frames, self.pipeline_chart):
            chart.clear()
        self.image_panel.clear_result()
        self.outputs_panel.clear()
        self.overlays.clear()
        self.decoder_note.hide()
        self.status_fps.clear()
        self._set_running(self.session.busy)

    def _show_result(self, report: Report) -> None:
        if self.image is None or self.image.info.path != self._results_image_path:
            return
        threshold = report.config.threshold or default_threshold(report.decoder.name)
        self.image_panel.set_result(report.detections, report.classes, threshold)
        self.overlays.show_result(self.outcome, self.image.bgr)
        self.decoder_note.setText(f"Decoder ({report.decoder.name}): {report.decoder.note}")
        self.decoder_note.setVisible(bool(report.decoder.note))

    @Slot(str)
    def _run_failed(self, message: str) -> None:
        self._show_error(message)
        self._run_ended("Run failed")

    @Slot(str)
    def _run_abandoned(self, message: str) -> None:
        self._show_error(message)
        self._run_ended("Stopped")

    def _run_ended(self, message: str) -> None:
        self.layers.stop_following()
        self.frames.stop_following()
        for chart in (self.latency_chart, self.memory_chart):
            chart.stop_live()
        self._set_running(False)
        self.progress.hide()
        self.statusBar().showMessage(message)

    def _set_running(self, running: bool) -> None:
        self.stop_action.setText("&Stop")
        self.stop_action.setEnabled(running)
        has_report = self.report is not None and not running
        for action in (self.export_report_action, self.export_csv_action, self.export_png_action, self.export_trace_action):
            action.setEnabled(has_report)
        for action in (self.export_frames_csv_action, self.export_frames_action):
            action.setEnabled(has_report and self.report.frame_set is not None)
        self.export_dot_action.setEnabled(has_report and self.outcome.graph is not None)
        self.remeasure_roofs_action.setEnabled(has_report and bool(self.report.rooflines))

    def remeasure_roofs(self) -> None:
        """The measurement runs off the GUI thread (in a child process); the report is judged
        against the new roofs back on the GUI thread, so no view reads it half-updated."""
        report = self.report
        self.remeasure_roofs_action.setEnabled(False)
        self.statusBar().showMessage("Measuring the roofs again…")
        self.jobs.submit(lambda: (report, roofs_for_run(report, fresh=True)), self._roofs_measured, self._roofs_failed)

    def _roofs_measured(self, measured: tuple[Report, list]) -> None:
        report, roofs = measured
        if report is self.report:
            apply_roofs(report, roofs)
            self.layers.model.update_layers(report.layers)
            self.roofline.show_layers(report.layers, report.rooflines)
            self.statusBar().showMessage("Roofs measured again")
        self._set_running(self.stop_action.isEnabled())

    def _roofs_failed(self, message: str) -> None:
        self._show_error(message)
        self._set_running(self.stop_action.isEnabled())

    @Slot(str)
    def _show_error(self, message: str) -> None:
        log.error("shown: %s", message)
        self.banner.show_message(message)
        self.statusBar().showMessage(f"Error: {message}")

    def _describe_state(self) -> None:
        """Title, status bar and the stale-results note say what the views show, and nothing else."""
        model, image, device = self._shown()
        parts = [model, image and f"on {image}", self.report_source and f"(report {self.report_source})"]
        title = " ".join(part for part in parts if part)
        self.setWindowTitle(f"{title} — ovgui" if title else "ovgui — OpenVINO profiler")
        self.status_model.setText(f"{model} · {device}" if model else "")
        self.status_model.setToolTip(literal(self.report.profile.method) if self.report else "")
        self._update_stale_note(model, image)

    def _shown(self) -> tuple[str, str, str]:
        """Model and image file names and the device of what is shown: the report's, or else the pickers'."""
        if self.report is None:
            return Path(self.controls.model_path()).name, Path(self.controls.image_path()).name, self.controls.config().device
        image = self.report.image.path if self.report.image else ""
        return Path(self.report.model.path).name, Path(image).name, self.report.device.name

    def _update_stale_note(self, model: str, image: str) -> None:
        """Results kept while another image is picked are marked as the previous run's."""
        picked = self.controls.image_path()
        belongs = (self._results_image_path, self._annotated_copy_path)
        stale = self.report is not None and picked not in belongs and not self.session.busy
        if stale:
            self.stale_note.setText(
                f"Latency, layers and memory are from the previous run of {model} on {image or 'no image'}; "
                f"press Run (F5) to measure {Path(picked).name or 'the new image'}."
            )
        self.stale_note.setVisible(stale)

    # sets of images and video ----------------------------------------------

    def _follow_frames(self, live) -> None:
        """A folder or a video: its strip and pipeline chart fill while it runs."""
        path = self.controls.image_path()
        self.pipeline_chart.clear()
        self.frames.follow(live, path)
        if Path(path).is_dir() or is_video(path):
            self.frames_dock.raise_()
            self.pipeline_dock.raise_()
        else:
            self.memory_dock.raise_()

    def _show_frame_set(self, report: Report) -> None:
        if report.frame_set is None:
            self.frames.clear()
            self.pipeline_chart.clear()
            return
        self.frames.show_report(report)
        self.pipeline_chart.show_summary(report.per_image, report.frame_set)
        self.frames_dock.raise_()
        self.pipeline_dock.raise_()
        self.jobs.submit(lambda: read_thumbnails(report), self.frames.set_thumbnails, self._show_error)

    @Slot(object)
    def _frame_selected(self, result) -> None:
        """The selected image or frame is read again off the GUI thread, then shown with its own boxes."""
        position = self.frames.position(result)
        self.jobs.submit(lambda: (result, read_frame(position)), self._frame_read, self._show_error)

    @Slot(object)
    def _frame_read(self, read) -> None:
        result, pixels = read
        if self.frames.current_frame() is result:
            self._show_frame(pixels, result)

    @Slot(object, object)
    def _live_frame(self, pixels, result) -> None:
        self._show_frame(pixels, result)

    def _show_frame(self, pixels, result) -> None:
        """A frame's boxes passed the decoder's threshold already; a finished run's threshold is the slider's start."""
        report = self.report if self.report is not None and self.report.frame_set is not None else None
        threshold = (report.config.threshold or default_threshold(report.decoder.name)) if report else 0.0
        self.image_panel.set_image(pixels)
        self.image_panel.set_result(result.detections, result.classes, threshold)

    # export -----------------------------------------------------------------

    def _save_path(self, caption: str, suffix: str, name_filter: str) -> str | None:
        """The chosen file name, ending in a suffix of the chosen filter: a PNG is never written as name.json."""
        stem = Path(self.report.model.path).stem if self.report else "report"
        path, chosen = QFileDialog.getSaveFileName(self, caption, f"{stem}{suffix}", name_filter)
        return with_filter_suffix(path, chosen or name_filter) if path else None

    def export_report(self) -> None:
        """The JSON report, and beside it the annotated image, so the run reopens without its files."""
        path = self._save_path("Export report", ".json", "JSON report (*.json)")
        if path:
            self._write(lambda: self._save_run(Path(path)), path)

    def _save_run(self, path: Path) -> None:
        self.report.save_json(path)
        if self.report.image and path_exists(self.report.image.path):
            save_image(annotated_image(self.report), annotated_copy(path))

    def export_layers_csv(self) -> None:
        path = self._save_path("Export layers", "_layers.csv", "CSV (*.csv)")
        if path:
            self._write(lambda: self.layers.export_csv(path), path)

    def export_annotated(self) -> None:
        path = self._save_path("Export annotated image", "_annotated.png", "PNG image (*.png)")
        if path:
            self._write(lambda: save_image(annotated_image(self.report), path), path)

    def export_trace(self) -> None:
        path = self._save_path("Export trace", "_trace.json", "Trace-event JSON (*.json)")
        if path:
            self._write(lambda: save_trace(self.report, path), path)

    def export_per_image_csv(self) -> None:
        path = self._save_path("Export per-image results", "_per_image.csv", "CSV (*.csv)")
        if path:
            self._write(lambda: write_text_atomic(path, self.report.per_image_csv()), path)

    def export_annotated_frames(self) -> None:
        """Every frame is read again from its source and drawn on, off the GUI thread."""
        folder = QFileDialog.getExistingDirectory(self, "Export annotated frames into a folder")
        if folder:
            report = self.report
            self.statusBar().showMessage(f"Writing annotated frames into {folder}…")
            self.jobs.submit(lambda: save_annotated_frames(report, Path(folder)),
                             lambda written: self.statusBar().showMessage(f"Saved {written} annotated frames into {folder}",
                                                                          8000),
                             self._show_error)

    def export_graph(self) -> None:
        path = self._save_path("Export graph", "_graph.dot", "Graphviz DOT (*.dot *.gv)")
        if path:
            self._write(lambda: write_text_atomic(path, graph_to_dot(self.outcome.graph)), path)

    def choose_report(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open report", "", "Reports (*.json *.csv);;All files (*)")
        if path:
            self.open_report(path)

    def open_report(self, path: str) -> None:
        """Every view from a saved report, without the model; the image too if it is still there.

        Read, and its image chosen, off the GUI thread (an 800-layer report takes a noticeable
        moment to read); a file that is not a report changes nothing but the banner, and the
        window changes only once everything about the report is known: what is shown stays consistent."""
        self.jobs.submit(lambda: open_saved_report(path), self._report_loaded, self._show_error)

    @Slot(object)
    def _report_loaded(self, opened: OpenedReport) -> None:
        report = opened.report
        self.banner.hide()
        self.controls.preprocess.load_for(report.model.path, report.config)
        self.controls.model_picker.set_path(report.model.path, emit=False)
        self.model_info = report.model
        self.controls.show_model(report.model)
        self.demo_note.setVisible(report.model.is_demo)
        self.image = None
        self.image_panel.clear()
        self.controls.image_picker.set_path(opened.image_path, emit=False)
        self._show_outcome(RunOutcome(report), source=opened.name)
        if opened.is_annotated_copy:
            self._annotated_copy_path = opened.image_path
        self.history.add(report, from_file(opened.name))
        self._set_running(False)
        self._describe_state()
        self.statusBar().showMessage(opened.message)
        if opened.image_path:
            self.open_image(opened.image_path)

    def _write(self, write, path: str) -> None:
        try:
            write()
        except OvguiError as error:
            QMessageBox.warning(self, "Export failed", literal(str(error)))
        except OSError as error:
            QMessageBox.warning(self, "Export failed", literal(f"cannot write {path}: {error.strerror or error}"))
        else:
            self.statusBar().showMessage(f"Saved {path}", 5000)

    # window state -----------------------------------------------------------

    def _docks(self) -> list[QDockWidget]:
        return [self.setup_dock, self.layers_dock, self.detail_dock, self.compare_dock, self.ab_dock, self.outputs_dock,
                self.frames_dock, self.graph_dock, self.roofline_dock, self.latency_dock, self.memory_dock,
                self.pipeline_dock]

    def reset_layout(self) -> None:
        for dock in self._docks():
            dock.setFloating(False)
            dock.show()
        self.restoreState(self._default_state, STATE_VERSION)

    def open_log_folder(self) -> None:
        """Created when no log was written yet (a file manager cannot open a missing folder)."""
        folder = log_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.statusBar().showMessage(f"Cannot create the log folder {folder}: {error.strerror or error}")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_about(self) -> None:
        """Versions are read off the GUI thread (OpenVINO's among them), then shown."""
        self.jobs.submit(environment_info, self._show_about, self._show_error)

    @Slot(object)
    def _show_about(self, env: EnvironmentInfo) -> None:
        self.about_box = QMessageBox(QMessageBox.Icon.NoIcon, "About ovgui", about_text(env), parent=self)
        self.about_box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.about_box.open()

    def _restore_settings(self) -> None:
        """Sized for the screen it opens on; a saved geometry is brought back onto the current screen."""
        available = self.screen().availableGeometry()
        geometry, maximise = first_geometry(available)
        self.setGeometry(geometry)
        self._size_docks(geometry.size())
        self._default_state = self.saveState(STATE_VERSION)
        settings = QSettings()
        saved = settings.value("window/geometry")
        if saved is not None and self.restoreGeometry(saved):
            if not self.isMaximized():
                self.setGeometry(clamp_to(self.geometry(), available))
        elif maximise:
            self.setWindowState(Qt.WindowState.WindowMaximized)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state, STATE_VERSION)
        self.layers_dock.raise_()
        self.controls.settings.restore(settings)

    def _size_docks(self, window: QSize) -> None:
        """Shares of the window, so a laptop screen gets the same arrangement as a large one."""
        width, height = window.width(), window.height()
        setup = max(SETUP_MIN_WIDTH_PX, min(360, int(0.22 * width)))
        charts = max(CHART_DOCK_MIN_WIDTH_PX, int(0.36 * width))
        self.resizeDocks([self.setup_dock, self.latency_dock], [setup, charts], Qt.Orientation.Horizontal)
        bottom = int(0.4 * height)
        charts = (height - bottom) // 2
        self.resizeDocks([self.layers_dock, self.latency_dock, self.memory_dock], [bottom, charts, charts],
                         Qt.Orientation.Vertical)
        layers = int(0.62 * (width - setup))
        self.resizeDocks([self.layers_dock, self.detail_dock], [layers, width - setup - layers], Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout, disappear at once, then stop a run and wait behind the scenes for the
        worker's current OpenVINO call (a compile may take seconds) to return."""
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(STATE_VERSION))
        self.controls.settings.save(settings)
        for chart in (self.latency_chart, self.memory_chart):
            chart.stop_live()
        self.hide()
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        self.session.shutdown()
        self.jobs.wait()
        super().closeEvent(event)
