"""The main window: a run strip on top, the settings in a panel that folds to an icon strip, and
the results in workspaces that each get the whole result area.

The window iterates its result views (`ResultView`/`LiveView`) rather than listing each by hand;
one `LivePoller` refreshes the live ones that are on screen.  The arrangement (panel, splitters,
the open workspace) is remembered per screen size.  The window never calls OpenVINO: runs go
through `RunSession`, and model summaries, device lists and image decoding through `BackgroundJobs`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QEventLoop, QObject, QSettings, QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ovgui.core import demo
from ovgui.core.accuracy import image_accuracy
from ovgui.core.annotate import save_annotated_frames
from ovgui.core.compare import Comparison, Configured, Variant, run_variants
from ovgui.core.decoders.families import default_threshold
from ovgui.core.devices import list_devices
from ovgui.core.environment import environment_info
from ovgui.core.errors import OvguiError
from ovgui.core.events import PHASE_TITLES, Progress
from ovgui.core.formatting import throughput_text
from ovgui.core.image import LoadedImage
from ovgui.core.inputs import first_frame, is_frame_set, read_frame, report_input
from ovgui.core.int8_comparison import run_int8_comparison
from ovgui.core.ladder import run_ladder
from ovgui.core.logs import log_folder
from ovgui.core.model import MODEL_FORMATS, inspect_model
from ovgui.core.options import OptionError, make_config
from ovgui.core.outcome import RunOutcome
from ovgui.core.quantize import QuantizedIr, nncf_missing, quantized_text
from ovgui.core.remote.fleet import run_fleet
from ovgui.core.remote.probe import Probe, device_label
from ovgui.core.remote.target import Target
from ovgui.core.report import EnvironmentInfo, ModelInfo, Report, RunConfig, SweepPoint
from ovgui.core.roofline import apply_roofs, roofs_for_run
from ovgui.core.runner import RunRequest
from ovgui.core.save_ir import SavedIr, save_as_ir, saved_ir_text
from ovgui.core.sweep import chosen_run, sweep_comparison
from ovgui.core.sweep_options import compiled_bounds, percentile_label, run_changes
from ovgui.gui.ab_panel import ABPanel
from ovgui.gui.accuracy_view import AccuracyView
from ovgui.gui.actions import build_actions
from ovgui.gui.banners import INFO_STYLE, REPORT_STYLE, WARNING_STYLE, ErrorBanner, note
from ovgui.gui.compare_dialog import CompareDialog
from ovgui.gui.comparison import ComparisonView
from ovgui.gui.controls import TARGET_ROLE, ControlPanel
from ovgui.gui.exports import Export, with_filter_suffix
from ovgui.gui.frames_view import read_thumbnails
from ovgui.gui.frames_workspace import FramesWorkspace
from ovgui.gui.graph_view import GraphView
from ovgui.gui.image_view import ImagePanel
from ovgui.gui.layers_view import LayersView
from ovgui.gui.live_poller import LivePoller
from ovgui.gui.opened_report import OpenedReport, open_saved_report, report_summary
from ovgui.gui.outputs_panel import OutputsPanel
from ovgui.gui.overlay_controls import OverlayControls
from ovgui.gui.overview import OverviewView
from ovgui.gui.photo_column import PhotoColumn
from ovgui.gui.plain_text import literal
from ovgui.gui.quantize_dialog import QuantizeDialog
from ovgui.gui.result_view import LiveView, ResultView
from ovgui.gui.roofline_view import RooflineView
from ovgui.gui.run_history import DEFAULT_KEPT_RUNS, RunHistory, from_configuration, from_file
from ovgui.gui.run_strip import RunStrip
from ovgui.gui.session import BackgroundJobs, RunSession
from ovgui.gui.shape_runs_view import ShapeRunsView
from ovgui.gui.sweep_dialog import Pace, SweepDialog, SweepPlan
from ovgui.gui.sweep_view import SweepView
from ovgui.gui.targets import AddTargetDialog, Targets
from ovgui.gui.targets import about as target_about
from ovgui.gui.window_geometry import clamp_to, first_geometry
from ovgui.gui.workspaces import Workspaces

log = logging.getLogger(__name__)
STATE_VERSION = 2
SETUP_MIN_WIDTH_PX = 300
SETUP_WIDTH_PX = 340
IR_FILTER = "OpenVINO IR (*.xml)"
FOLD_SETTINGS_BELOW_PX = 1600
"""A run on a window narrower than this folds the settings panel, unless the user opened it since."""
DEMO_TEXT = ("Demo: a small colour-marker detector built by ovgui, on a scene it drew. "
             "Open your own model with Ctrl+O and an image with Ctrl+I.")


def about_text(env: EnvironmentInfo) -> str:
    rows = (("ovgui", env.ovgui), ("OpenVINO", env.openvino), ("Python", env.python), ("OS", env.os), ("CPU", env.cpu))
    table = "".join(f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>" for name, value in rows)
    return (
        "<b>ovgui</b> — a desktop profiler for OpenVINO models.<br>"
        "Latency, per-layer time, memory by phase and detections, measured on your device.<br><br>"
        f"<table>{table}</table>"
    )


def scrolled(widget: QWidget) -> QScrollArea:
    """A panel's content that scrolls rather than forcing its minimum size on the whole window
    (which then no longer fits a 1366x768 screen)."""
    scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


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
    model_quantized = Signal(object)
    targets_changed = Signal()
    """A target was probed and its devices are in the picker."""
    """A `QuantizedIr` written by Model › Quantize to INT8… and opened as the model; its `source` is
    the model it was made from (the hook for setting the two side by side)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("ovgui — OpenVINO profiler")
        self.setAcceptDrops(True)
        self.outcome: RunOutcome | None = None
        """What the views show: a run's outcome, or a report opened from a file as an outcome with just its report."""
        self.opened: OpenedReport | None = None
        """The file the shown report was opened from; None while it is a run of this session."""
        self.image: LoadedImage | None = None
        self.model_info: ModelInfo | None = None
        self._results_image_path: str | None = None
        self._annotated_copy_path: str | None = None
        self._run_when_demo_ready = False
        self._settings_chosen = False
        self._comparing = False
        self._sweeping = False
        self._panels_before_maximise: bool | None = None
        self.quantize_dialog: QuantizeDialog | None = None
        self.sweep_dialog: SweepDialog | None = None
        self.session = RunSession(self)
        self.jobs = BackgroundJobs(self)
        self.targets = Targets(self.jobs, self)
        self._build_views()
        self.commands = build_actions(self)
        self._build_central()
        self._build_status_bar()
        self._connect()
        self._restore_settings()
        self._set_running(False)
        self.jobs.submit(list_devices, self._devices_listed, self._show_error)
        self.targets.restore()

    @property
    def report(self) -> Report | None:
        return self.outcome.report if self.outcome is not None else None

    @property
    def report_source(self) -> str | None:
        return self.opened.name if self.opened is not None else None

    # layout -----------------------------------------------------------------

    def _build_views(self) -> None:
        self.controls = ControlPanel()
        self.image_panel = ImagePanel()
        self.overlays = OverlayControls(self.jobs, self.image_panel.view)
        self.history = RunHistory(QSettings().value("ab/kept_runs", DEFAULT_KEPT_RUNS, int), self)
        self.photo = PhotoColumn(self.image_panel, self.overlays)
        self.photo.suggestions.try_changes.connect(self._retry_with)
        self.overview = OverviewView()
        self.layers_view = LayersView()
        self.comparison = ComparisonView(self.history)
        self.ab_panel = ABPanel(self.history)
        self.outputs_panel = OutputsPanel()
        self.frames_view = FramesWorkspace()
        self.graph_view = GraphView(self.jobs.submit)
        self.roofline = RooflineView()
        self.shape_runs_view = ShapeRunsView()
        self.accuracy_view = AccuracyView()
        self.sweep_view = SweepView()
        self.workspaces = Workspaces({
            "overview": self.overview, "layers": self.layers_view, "compare": self.comparison, "ab": self.ab_panel,
            "outputs": self.outputs_panel, "frames": self.frames_view, "shapes": self.shape_runs_view,
            "graph": self.graph_view, "roofline": self.roofline, "accuracy": self.accuracy_view,
            "sweep": self.sweep_view,
        })
        self.outcome_views: list[ResultView] = [self.photo, self.overview, self.layers_view, self.ab_panel, self.outputs_panel,
                                                self.frames_view, self.shape_runs_view, self.graph_view, self.roofline,
                                                self.accuracy_view]
        """The views made from the shown outcome, emptied when a run starts.  Compare keeps its
        configurations until the next comparison: it is told which one is shown, never cleared by a run;
        Sweep keeps its sweep until the next one (or a report that holds one)."""
        self.live_views: list[LiveView] = [self.overview, self.layers_view, self.frames_view]
        # The frames' newest picture is shown by the photo, in the Overview too: Frames refreshes when either is seen.
        self.poller = LivePoller([(self.overview, (self.overview,)), (self.layers_view, (self.layers_view,)),
                                  (self.frames_view, (self.frames_view, self.photo))], self)
        # What the views hold, by the names the tests and the scripted mode read.
        self.latency_chart = self.overview.latency_chart
        self.memory_chart = self.overview.memory_chart
        self.decoder_note = self.photo.decoder_note
        self.layers = self.layers_view.table
        self.layer_detail = self.layers_view.detail
        self.frames = self.frames_view.strip
        self.pipeline_chart = self.frames_view.pipeline
        setup = scrolled(self.controls)
        setup.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        controls_px = self.controls.minimumSizeHint().width() + setup.verticalScrollBar().sizeHint().width()
        setup.setMinimumWidth(max(SETUP_MIN_WIDTH_PX, controls_px))
        self.setup_dock = QDockWidget("Settings", self, objectName="dock-setup")
        self.setup_dock.setWidget(setup)
        self.setup_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                    | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.setup_dock)

    def _build_central(self) -> None:
        """Run strip, the lines that say what is shown, then the workspaces; the settings panel's
        icon strip down the left edge stays when the panel folds."""
        self.run_strip = RunStrip(self.controls, [self.commands.run, self.commands.stop, self.commands.compare])
        self.banner = ErrorBanner()
        self.demo_note = note(INFO_STYLE, DEMO_TEXT)
        self.stale_note = note(WARNING_STYLE)
        self.report_note = note(REPORT_STYLE)
        self.report_note.setObjectName("reportNote")
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(2, 2, 2, 0)
        column.setSpacing(3)
        for widget in (self.run_strip, self.banner, self.report_note, self.demo_note, self.stale_note):
            column.addWidget(widget)
        column.addWidget(self.workspaces, 1)
        self.setCentralWidget(central)
        self.side_strip = QToolBar("Panels", objectName="toolbar-panels", movable=False, floatable=False)
        self.side_strip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.commands.settings.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self.side_strip.addAction(self.commands.settings)
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, self.side_strip)
        shortcuts_first = WindowShortcutsFirst(self)
        for picker in (self.controls.model_picker, self.controls.image_picker):
            # The combo hands a ShortcutOverride straight to its line edit's event(), so both need the filter.
            for field in (picker.combo, picker.combo.lineEdit()):
                field.installEventFilter(shortcuts_first)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_model = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.status_fps = QLabel()
        self.progress = QProgressBar(maximumWidth=220, textVisible=True)
        self.progress.hide()
        bar.addPermanentWidget(self.status_model)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.status_fps)

    def _connect(self) -> None:
        self.targets.probed.connect(self._target_probed)
        self.targets.failed.connect(self._show_error)
        self.session.started.connect(self._run_started)
        self.session.phase_started.connect(self._phase_started)
        self.session.progress.connect(self._progressed)
        self.session.note.connect(self._noted)
        self.session.variant_finished.connect(self._variant_finished)
        self.session.returned.connect(self._returned)
        self.session.aborted.connect(lambda: self._run_ended("Stopped before the first inference"))
        self.session.errored.connect(self._run_failed)
        self.session.abandoned.connect(self._run_abandoned)
        self.controls.model_chosen.connect(self.open_model)
        self.controls.image_chosen.connect(self.open_image)
        self.image_panel.image_dropped.connect(self.open_dropped)
        for view in (self.layers_view, self.graph_view, self.roofline):
            view.layer_selected.connect(self._layer_selected)
        self.ab_panel.open_failed.connect(self._show_error)
        self.overlays.failed.connect(self._show_error)
        self.frames_view.frame_selected.connect(self._frame_selected)
        self.frames_view.live_frame.connect(self._live_frame)
        self.accuracy_view.image_chosen.connect(self._show_scored_image)
        self.sweep_view.use_point.connect(self.use_sweep_point)
        self.workspaces.maximise_toggled.connect(self.commands.maximise.trigger)
        self.workspaces.currentChanged.connect(lambda _index: self._place_photo())
        self.commands.settings.triggered.connect(self._settings_toggled)

    # the panels ---------------------------------------------------------------

    def show_view(self, name: str) -> None:
        """Open one of the result workspaces (the names `--view` takes)."""
        self.workspaces.show_view(name)

    def _place_photo(self) -> None:
        """The photo goes with the Frames workspace while it is open (beside the strip), else with the Overview."""
        slot = self.frames_view.photo_slot if self.workspaces.current_name() == "frames" else self.overview.photo_slot
        slot.take(self.photo)

    def toggle_maximised(self) -> None:
        """The results alone, or the panels back as they were."""
        maximised = self._panels_before_maximise is None
        if maximised:
            self._panels_before_maximise = self.setup_dock.isVisible()
            self.setup_dock.hide()
        else:
            self.setup_dock.setVisible(bool(self._panels_before_maximise))
            self._panels_before_maximise = None
        for widget in (self.run_strip, self.side_strip):
            widget.setVisible(not maximised)
        self.commands.maximise.setChecked(maximised)

    def is_maximised_view(self) -> bool:
        return self._panels_before_maximise is not None

    @Slot(bool)
    def _settings_toggled(self, shown: bool) -> None:
        self._settings_chosen = True

    def _fold_settings_for_results(self) -> None:
        """On a laptop-sized window the results need the width once there are results to show."""
        if not self._settings_chosen and self.width() < FOLD_SETTINGS_BELOW_PX:
            self.setup_dock.hide()

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

    def _retry_with(self, changes: dict) -> None:
        """A suggested decoder: its settings go into the Settings panel, then the run starts again."""
        try:
            config = self.controls.config()
        except OptionError as error:
            self._refuse(str(error))
            return
        self.controls.set_config(replace(config, **changes))
        self.start_run()

    def start_run(self) -> None:
        """The run, here or on the target whose device the picker shows."""
        request = self._request()
        if request is not None:
            self.session.start(request, self.targets.remote(self.controls.target()))

    def add_target(self) -> None:
        """Targets › Add…: the target is probed in the background; its devices then join the picker."""
        dialog = AddTargetDialog(self)
        if dialog.exec() == AddTargetDialog.DialogCode.Accepted:
            self.add_target_now(dialog.target())

    def add_target_now(self, target: Target) -> None:
        self.statusBar().showMessage(f"Probing {target.name} over SSH…", 15000)
        self.targets.add(target)

    @Slot(object, object)
    def _target_probed(self, target: Target, probe: Probe) -> None:
        self.controls.settings.device.set_target_devices(target.name, probe.devices, target_about(target, probe))
        self.statusBar().showMessage(f"{target.name}: OpenVINO {probe.openvino}, {', '.join(probe.devices)} "
                                     f"({probe.cpu}) — in the device picker", 15000)
        self.targets_changed.emit()

    def run_on_all_targets(self) -> None:
        """Targets › Run on all targets: the run here and on every target at once, one run a target
        at a time, side by side in Compare with their hosts."""
        if not self.targets.known:
            self._refuse("no targets yet: add one with Targets › Add…")
            return
        device = self.controls.device()
        variants = [Variant(f"{device} — here", {}),
                    *(Variant(device_label(device, name), {}, target=name) for name in self.targets.known)]
        self._start_comparing(partial(run_fleet, variants=variants, targets=dict(self.targets.known)))

    def _request(self) -> RunRequest | None:
        """The run the panels describe, or None (and `run_refused`) when they hold a mistake."""
        model, image = self.controls.model_path(), self.controls.image_path()
        if not model or not image:
            self._refuse("choose a model and an image first (File › Open model, File › Open image)")
            return None
        try:
            config = self.controls.config()
        except OptionError as error:
            self.setup_dock.show()
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
        picker = self.controls.settings.device
        devices = [picker.itemData(i) for i in range(picker.count()) if not picker.itemData(i, TARGET_ROLE)]
        dialog = CompareDialog([d for d in devices if d != self.controls.device()], self, self.controls.model_path())
        if dialog.exec() == CompareDialog.DialogCode.Accepted and dialog.variants():
            self.start_comparison(dialog.variants())

    def start_comparison(self, variants: list[Variant]) -> None:
        self._start_comparing(partial(run_variants, variants=variants))

    def start_ladder(self) -> None:
        """Run › From PyTorch to OpenVINO: the latency ladder on the current model, image and device."""
        self._start_comparing(run_ladder)

    def compare_with_source(self) -> None:
        """Run › Against its source model: the open model, when it is a copy ovgui wrote (its IR
        records the file it was made from), beside that file."""
        info = self.model_info
        if info is None or not info.source_path:
            self._refuse("this model records no source: only an IR that ovgui wrote (Model › Quantize to INT8, "
                         "File › Save model as IR) knows the file it was made from")
            return
        if not Path(info.source_path).is_file():
            self._refuse(f"the model it was made from is no longer there: {info.source_path}")
            return
        self._start_comparing(partial(run_int8_comparison, source=info.source_path, int8=info.path))

    def _start_comparing(self, comparison: Comparison, view: str = "compare") -> bool:
        """Whether it started (the panels may hold a mistake); `view` is the workspace it opens."""
        request = self._request()
        if request is None:
            return False
        self.comparison.clear()
        self.show_view(view)
        self._comparing = True
        self._sweeping = False
        self.session.start_comparing(request, comparison)
        return True

    def choose_sweep(self) -> None:
        """Run › Sweep…: the dialog starts from the Settings panel's run options (its estimate reads
        their iterations or time, at the pace of the last run of this model; its percentile is theirs)."""
        try:
            config = self.controls.config()
        except OptionError as error:
            self._refuse(str(error))
            return
        dialog = self.sweep_dialog = SweepDialog(config, self, Pace.of(self.report, self.controls.model_path()))
        dialog.accepted.connect(lambda: self.start_sweep(dialog.plan()))
        dialog.open()

    def start_sweep(self, plan: SweepPlan) -> None:
        """Runs as a comparison does (Compare and the run history fill too), shown in the Sweep
        workspace.  The sweep's percentile is the Settings panel's, set first, so every run's report
        reads its latency where the sweep does."""
        try:
            config = self.controls.config()
        except OptionError as error:
            self._refuse(str(error))
            return
        if config.latency_percentile != plan.percentile:
            self.controls.set_config(replace(config, latency_percentile=plan.percentile))
        if self._start_comparing(sweep_comparison(plan.points, plan.repeats), view="sweep"):
            self._sweeping = True
            self.sweep_view.start(plan)

    def use_sweep_point(self, point: SweepPoint) -> None:
        """The point's settings into the Settings panel, as the sweep ran them (`run_changes`)."""
        try:
            config = self.controls.config()
        except OptionError as error:
            self._refuse(str(error))
            return
        changes = run_changes(point.settings, point.baseline, compiled_bounds(point.compiled_shape))
        self.controls.set_config(make_config(changes, config))
        said = ", ".join(f"{name} {'unset' if value is None else value}" for name, value in changes.items())
        self.statusBar().showMessage(f"Settings panel set to {point.name}: {said}", 15000)

    @Slot(str)
    def _noted(self, text: str) -> None:
        self.statusBar().showMessage(f"Note: {text}", 8000)
        if self._sweeping:
            self.sweep_view.set_pace(text)

    @Slot(object)
    def _variant_finished(self, result: Configured) -> None:
        self.comparison.add_result(result)
        if self._sweeping:
            self.sweep_view.add_result(result)
        name, outcome = result
        if isinstance(outcome, RunOutcome):
            self.history.add(outcome.report, from_configuration(name))

    @Slot(object)
    def _returned(self, value: RunOutcome | list[Configured]) -> None:
        """A run returns its outcome, a comparison every configuration's.  The live views take their
        last frames before the outcome replaces them, so no late live picture covers the result."""
        self._stop_following()
        if isinstance(value, RunOutcome):
            self._run_finished(value)
        else:
            self._comparison_finished(value)

    def _comparison_finished(self, results: list[Configured]) -> None:
        if self._sweeping:
            self._sweep_finished(results)
            return
        done = [outcome for _name, outcome in results if isinstance(outcome, RunOutcome)]
        if done:
            self._show_outcome(done[-1])
        failed = len(results) - len(done)
        self._run_ended(f"Compared {len(results)} configurations" + (f"; {failed} failed" if failed else ""))

    def _sweep_finished(self, results: list[Configured]) -> None:
        """The views show the run that stands for the sweep (the best point's last), and its report
        holds every point, so an export of it carries the whole sweep."""
        view = self.sweep_view
        sweep = view.sweep
        chosen = chosen_run(sweep, view.runs) if sweep is not None else None
        if chosen is not None:
            chosen.outcome.report.sweep = sweep
            self._show_outcome(chosen.outcome)
        planned = view.planned_runs()
        stopped = f"; stopped after {len(results)} of {planned} runs" if len(results) < planned else ""
        best = f"; best: {sweep.best.name}" if sweep is not None and sweep.best is not None and sweep.best.index >= 0 else ""
        label = percentile_label(sweep.percentile) if sweep is not None else ""
        self._run_ended(f"Swept {len(results)} runs, latency at {label}{best}{stopped}")

    @Slot(object)
    def _layer_selected(self, layer) -> None:
        """A layer picked in one view is the one selected in the others (the Layers view opens its detail)."""
        if self.layers_view.table.selected_layer() is not layer:
            self.layers_view.select_layer(layer.name)
        self.graph_view.select_layer(layer.name)
        self.roofline.select_layer(layer.name)

    def stop_run(self) -> None:
        """Stop reads "Stopping…" until the run ends, or until the session walks away from it."""
        if self.session.busy:
            self.statusBar().showMessage("Stopping…")
            self.commands.stop.setText("Stopping…")
            self.commands.stop.setEnabled(False)
            self.session.stop()

    @Slot(object)
    def _run_started(self, live) -> None:
        self._set_running(True)
        self.stale_note.hide()
        self.report_note.hide()
        self.opened = None
        for view in self.outcome_views:
            view.clear()
        self.frames_view.set_source(self.controls.image_path())
        for view in self.live_views:
            view.follow(live)
        self.poller.start()
        if not self._comparing:
            self._open_the_view_a_run_fills()
        self._fold_settings_for_results()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_fps.clear()

    def _open_the_view_a_run_fills(self) -> None:
        """A set of frames opens Frames; a single run leaves the user on the view they watch,
        unless it is one this run does not fill (Compare, or Frames for a single image)."""
        if is_frame_set(self.controls.image_path()):
            self.show_view("frames")
        elif self.workspaces.current_name() in ("compare", "frames"):
            self.show_view("overview")

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
        self.history.add(report)
        self._show_outcome(outcome)
        state = "Done" if report.completed else "Stopped"
        self._run_ended(f"{state}: {report_summary(report)}")
        self.report_ready.emit(report)

    def _show_outcome(self, outcome: RunOutcome, opened: OpenedReport | None = None) -> None:
        """Every view from one outcome; `opened` is the file its report was read from (None: just measured)."""
        report = outcome.report
        self.outcome = outcome
        self.opened = opened
        self.report_note.setText(opened.banner_text() if opened else "")
        self.report_note.setVisible(opened is not None)
        self._results_image_path = report_input(report) if report.image else None
        self._annotated_copy_path = None
        for view in [*self.outcome_views, self.comparison, self.sweep_view]:
            view.show_outcome(outcome)
        self.controls.preprocess.show_report(report)
        self.controls.inputs.show_fed(report.preprocess.inputs)
        self._show_result(report)
        self.status_fps.setText(throughput_text(report.throughput_fps))
        if report.frame_set is not None:
            self.jobs.submit(lambda: read_thumbnails(report), self.frames_view.set_thumbnails, self._show_error)
        self.controls.model_picker.remember(report.model.path)
        if report.image:
            self.controls.image_picker.remember(report_input(report))
        self._describe_state()

    def _clear_results(self) -> None:
        """Forget the shown outcome and empty every view that showed it."""
        self.outcome = None
        self.opened = None
        self.report_note.hide()
        self._results_image_path = None
        self._annotated_copy_path = None
        for view in self.outcome_views:
            view.clear()
        self.image_panel.clear_result()
        self.overlays.clear()
        self.status_fps.clear()
        self._set_running(self.session.busy)

    def _show_result(self, report: Report) -> None:
        """The boxes go on the photo only when the photo shown is the one the run measured."""
        if self.image is None or self.image.info.path != self._results_image_path:
            return
        threshold = report.config.threshold or default_threshold(report.decoder.name)
        self.image_panel.set_result(report.detections, report.classes, threshold)
        self._show_truth(report.image.path if report.image and report.frame_set is None else "")
        self.overlays.show_result(self.outcome, self.image.bgr)

    @Slot(str)
    def _run_failed(self, message: str) -> None:
        self._show_error(message)
        self._run_ended("Run failed")

    @Slot(str)
    def _run_abandoned(self, message: str) -> None:
        self._show_error(message)
        self._run_ended("Stopped")

    def _run_ended(self, message: str) -> None:
        if self._sweeping:
            self.sweep_view.finish()
        self._comparing = False
        self._sweeping = False
        self._stop_following()
        self._set_running(False)
        self.progress.hide()
        self.statusBar().showMessage(message)

    def _stop_following(self) -> None:
        self.poller.stop()
        for view in self.live_views:
            view.stop_following()

    def _set_running(self, running: bool) -> None:
        actions = self.commands
        actions.stop.setText("&Stop")
        actions.stop.setEnabled(running)
        outcome = self.outcome if not running else None
        for export in actions.exports.values():
            export.setEnabled(outcome is not None and export.data().enabled_if(outcome))
        actions.export_frames.setEnabled(outcome is not None and outcome.report.frame_set is not None)
        actions.remeasure_roofs.setEnabled(outcome is not None and bool(outcome.report.rooflines))

    def remeasure_roofs(self) -> None:
        """The measurement runs off the GUI thread (in a child process); the report is judged
        against the new roofs back on the GUI thread, so no view reads it half-updated."""
        report = self.report
        self.commands.remeasure_roofs.setEnabled(False)
        self.statusBar().showMessage("Measuring the roofs again…")
        self.jobs.submit(lambda: (report, roofs_for_run(report, fresh=True)), self._roofs_measured, self._roofs_failed)

    def _roofs_measured(self, measured: tuple[Report, list]) -> None:
        report, roofs = measured
        if report is self.report:
            apply_roofs(report, roofs)
            self.layers.model.update_layers(report.layers)
            self.roofline.show_outcome(self.outcome)
            self.statusBar().showMessage("Roofs measured again")
        self._set_running(self.session.busy)

    def _roofs_failed(self, message: str) -> None:
        self._show_error(message)
        self._set_running(self.session.busy)

    @Slot(str)
    def _show_error(self, message: str) -> None:
        log.error("shown: %s", message)
        self.banner.show_message(message)
        self.statusBar().showMessage(f"Error: {message}")

    def _describe_state(self) -> None:
        """Title, status bar and the stale-results note say what the views show, and nothing else."""
        model, image, device = self._shown()
        parts = [model, image and f"on {image}", self.opened and f"[report {self.opened.name}, {self.opened.when}]"]
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
        self._show_truth(result.source)

    def _show_truth(self, source: str) -> None:
        """The ground truth of the image shown, when the shown report scored it (never a running set's: its
        report is not in yet)."""
        scored = image_accuracy(self.report.accuracy, source) if self.report and not self.session.busy else None
        self.image_panel.set_truth(scored.truth if scored else [], scored.label if scored else "")

    @Slot(str)
    def _show_scored_image(self, source: str) -> None:
        """An image picked in the Accuracy workspace: its frame in Frames (a run of one image: the Overview)."""
        frame = next((row for row in self.report.per_image if row.source == source), None) if self.report else None
        if frame is None:
            self.show_view("overview")
            return
        self.show_view("frames")
        self.frames.select_frame(frame.index)

    # export -----------------------------------------------------------------

    def export(self, export: Export) -> None:
        """Ask where, then write; the name ends in a suffix of the chosen filter (a PNG is never written as name.json)."""
        outcome = self.outcome
        stem = Path(outcome.report.model.path).stem
        path, chosen = QFileDialog.getSaveFileName(self, export.caption, f"{stem}{export.suffix}", export.name_filter)
        if path:
            target = with_filter_suffix(path, chosen or export.name_filter)
            self._write(lambda: export.write(outcome, Path(target)), target)

    def export_action(self, caption: str):
        return self.commands.exports[caption]

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

    def save_model_as_ir(self) -> None:
        """Read as a run reads it (a PyTorch file converted) and written off the GUI thread; the
        IR then becomes the model, so the next run measures what would ship."""
        source = self.controls.model_picker.path()
        if not source:
            self.statusBar().showMessage("Choose a model to save as IR first", 8000)
            return
        fp16 = self.commands.fp16_weights.isChecked()
        suggested = Path(source).with_name(f"{Path(source).stem}{'_fp16' if fp16 else ''}.xml")
        path, _ = QFileDialog.getSaveFileName(self, "Save model as OpenVINO IR", str(suggested), IR_FILTER)
        if path:
            target = with_filter_suffix(path, IR_FILTER)
            self.statusBar().showMessage(f"Saving {Path(target).name}…")
            self.jobs.submit(lambda: save_as_ir(source, target, fp16), self._ir_saved, self._show_error)

    @Slot(object)
    def _ir_saved(self, saved: SavedIr) -> None:
        self.open_model(str(saved.xml))
        text = saved_ir_text(saved)
        self.statusBar().showMessage(f"{text[:1].upper()}{text[1:]}; it is now the model", 15000)

    def quantize_model(self) -> None:
        """The dialog, with the layers selected in the Layers table to keep in float; the run
        settings of the Settings panel preprocess the calibration images."""
        source = self.controls.model_picker.path()
        if not source:
            self.statusBar().showMessage("Choose a model to quantize first", 8000)
            return
        missing = nncf_missing()
        if missing:
            self._show_error(missing)
            return
        try:
            config = self.controls.config()
        except OptionError as error:
            self.controls.focus_option(error.option.name)
            self._show_error(str(error))
            return
        keep_float = [layer.name for layer in self.layers.selected_layers() if not layer.is_preprocessing]
        image = self.controls.image_path()
        dialog = self.quantize_dialog = QuantizeDialog(source, config, keep_float, image if Path(image).is_dir() else "",
                                                       self.commands.fp16_weights.isChecked(), image, self)
        dialog.quantized.connect(self._model_quantized)
        dialog.failed.connect(self._show_error)
        dialog.open()

    @Slot(object)
    def _model_quantized(self, quantized: QuantizedIr) -> None:
        """The INT8 IR becomes the model; when the dialog asked for it, source and INT8 (and an FP16
        IR) are then profiled side by side on the window's image."""
        self.open_model(str(quantized.xml))
        text = quantized_text(quantized)
        self.statusBar().showMessage(f"{text[:1].upper()}{text[1:]}; it is now the model", 15000)
        dialog = self.quantize_dialog
        if dialog is not None and dialog.compare_after.isChecked():
            self._start_comparing(partial(run_int8_comparison, source=quantized.source, int8=quantized.xml,
                                          with_fp16=dialog.with_fp16.isChecked()))
        self.model_quantized.emit(quantized)

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
        self.controls.inputs.set_values(report.config)
        self.demo_note.setVisible(report.model.is_demo)
        self.image = None
        self.image_panel.clear()
        self.controls.image_picker.set_path(opened.image_path, emit=False)
        self.history.add(report, from_file(opened.name))
        self._show_outcome(RunOutcome(report), opened)
        if opened.is_annotated_copy:
            self._annotated_copy_path = opened.image_path
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

    def reset_layout(self) -> None:
        """The arrangement a first start on this screen gets."""
        if self.is_maximised_view():
            self.toggle_maximised()
        self.setup_dock.setFloating(False)
        self.setup_dock.show()
        self._settings_chosen = False
        self.restoreState(self._default_state, STATE_VERSION)
        self._share_splitters(self.size())

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

    def _layout_key(self) -> str:
        """Layouts are kept per screen size: what suits a laptop is not what suits a large monitor."""
        size = self.screen().availableGeometry().size()
        return f"layout/{size.width()}x{size.height()}"

    def _splitters(self) -> list[QSplitter]:
        return [splitter for splitter in self.workspaces.findChildren(QSplitter) if splitter.objectName()]

    def _restore_settings(self) -> None:
        """Sized for the screen it opens on; a saved geometry is brought back onto the current screen,
        and the layout saved for this screen size comes back."""
        available = self.screen().availableGeometry()
        geometry, maximise = first_geometry(available)
        self.setGeometry(geometry)
        self.resizeDocks([self.setup_dock], [SETUP_WIDTH_PX], Qt.Orientation.Horizontal)
        self._place_photo()
        self._share_splitters(geometry.size())
        self._default_state = self.saveState(STATE_VERSION)
        settings = QSettings()
        saved = settings.value("window/geometry")
        if saved is not None and self.restoreGeometry(saved):
            if not self.isMaximized():
                self.setGeometry(clamp_to(self.geometry(), available))
        elif maximise:
            self.setWindowState(Qt.WindowState.WindowMaximized)
        key = self._layout_key()
        state = settings.value(f"{key}/state")
        if isinstance(state, QByteArray):
            self.restoreState(state, STATE_VERSION)
        for splitter in self._splitters():
            sizes = settings.value(f"{key}/{splitter.objectName()}")
            if isinstance(sizes, QByteArray):
                splitter.restoreState(sizes)
        self.controls.settings.restore(settings)

    def _share_splitters(self, window: QSize) -> None:
        self.overview.share_width(window.width() - SETUP_WIDTH_PX)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout, disappear at once, then stop a run and wait behind the scenes for the
        worker's current OpenVINO call (a compile may take seconds) to return."""
        if self.is_maximised_view():
            self.toggle_maximised()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        key = self._layout_key()
        settings.setValue(f"{key}/state", self.saveState(STATE_VERSION))
        for splitter in self._splitters():
            settings.setValue(f"{key}/{splitter.objectName()}", splitter.saveState())
        self.controls.settings.save(settings)
        if self.quantize_dialog is not None:
            self.quantize_dialog.stop()
        self.poller.stop()
        self.hide()
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        self.session.shutdown()
        self.jobs.wait()
        super().closeEvent(event)
