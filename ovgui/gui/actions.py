"""The window's actions and menus in one place: what a user can do, with its shortcut and where it
sits, apart from how the window does it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from ovgui.gui.exports import EXPORTS, Export
from ovgui.gui.view_names import VIEW_TITLES

if TYPE_CHECKING:
    from ovgui.gui.main_window import MainWindow


@dataclass(frozen=True)
class WindowActions:
    run: QAction
    stop: QAction
    compare: QAction
    ladder: QAction
    against_source: QAction
    sweep: QAction
    add_target: QAction
    all_targets: QAction
    exports: dict[str, QAction]  # by the export's dialog caption
    export_frames: QAction
    save_ir: QAction
    fp16_weights: QAction
    quantize: QAction
    remeasure_roofs: QAction
    maximise: QAction
    settings: QAction


def window_action(window: MainWindow, text: str, slot: Callable, shortcut=None, tip: str | None = None) -> QAction:
    """An action of the window itself, so its shortcut works whichever panel has the focus."""
    action = QAction(text, window)
    window.addAction(action)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
    action.triggered.connect(slot)
    return action


def export_action(window: MainWindow, export: Export) -> QAction:
    """The action carries its declaration, so the window enables it from `enabled_if`."""
    action = window_action(window, export.text, lambda: window.export(export), export.shortcut)
    action.setData(export)
    return action


def build_actions(window: MainWindow) -> WindowActions:
    """Every action, and the menus that hold them."""
    act = lambda *args, **kwargs: window_action(window, *args, **kwargs)  # noqa: E731
    controls = window.controls
    actions = WindowActions(
        run=act("&Run", window.start_run, "F5", "Run the model on the image (F5)"),
        stop=act("&Stop", window.stop_run, "Esc", "Stop the run (Esc)"),
        compare=act("&Compare…", window.choose_comparison, "Ctrl+F5",
                    "Run several configurations in turn and compare them (Ctrl+F5)"),
        ladder=act("From &PyTorch to OpenVINO", window.start_ladder,
                   tip="The latency ladder: PyTorch or ONNX Runtime, then OpenVINO on the file, as IR, with shared memory, "
                       "threads, the LATENCY hint and a model cache, one step at a time"),
        against_source=act("Against its &source model", window.compare_with_source,
                           tip="An IR ovgui wrote (Quantize to INT8, Save model as IR) side by side with the file it "
                               "was made from: speed, size, memory, drift, and layer by layer in A/B"),
        sweep=act("S&weep…", window.choose_sweep,
                  tip="Run every combination of run options (streams, requests, threads…) several times and find the "
                      "fastest within a latency budget"),
        add_target=act("&Add…", window.add_target,
                       tip="Profile on another machine over SSH: an ssh host or ~/.ssh/config alias, probed for its "
                           "Python, OpenVINO and devices, which join the device picker"),
        all_targets=act("Run on &all targets", window.run_on_all_targets,
                        tip="The run here and on every target at once (one run a target at a time), side by side in Compare"),
        exports={export.caption: export_action(window, export) for export in EXPORTS},
        export_frames=act("Export annotated &frames into a folder…", window.export_annotated_frames),
        save_ir=act("Save model as &IR…", window.save_model_as_ir, "Ctrl+Shift+S",
                    "Write the model as OpenVINO IR (.xml + .bin), as a run reads it, and open it as the model"),
        fp16_weights=act("FP16 &weights in a saved IR", lambda: None,
                         tip="Compress the IR's weights to FP16 (half the file; the CPU still computes in its own precision)"),
        quantize=act("&Quantize to INT8…", window.quantize_model,
                     tip="Post-training INT8 quantization with NNCF, calibrated on a folder of images preprocessed as a "
                         "run preprocesses them; the INT8 IR then opens as the model"),
        remeasure_roofs=act("Re-&measure roofs", window.remeasure_roofs,
                            tip="Measure the device's roofs again (in a child process) and judge this run's layers against them"),
        maximise=act("&Maximise the view", window.toggle_maximised, "F11",
                     "Give the results the whole window, or bring the panels back (F11, or double-click a tab)"),
        settings=window.setup_dock.toggleViewAction(),
    )
    actions.maximise.setCheckable(True)
    actions.fp16_weights.setCheckable(True)
    actions.fp16_weights.setChecked(True)
    actions.settings.setText("&Settings panel")
    actions.settings.setShortcut(QKeySequence("Ctrl+,"))
    actions.settings.setToolTip("Show or fold the run settings (Ctrl+,)")
    window.addAction(actions.settings)
    menu = window.menuBar()
    file_menu = menu.addMenu("&File")
    file_menu.addActions([
        act("Open &model…", controls.model_picker.browse, QKeySequence.StandardKey.Open),
        act("Open &image…", controls.image_picker.browse, "Ctrl+I"),
        act("Open &folder…", controls.image_picker.browse_folder, "Ctrl+Shift+I"),
        act("Open &video…", controls.image_picker.browse_video),
        act("Open &demo", window.open_demo),
        act("Open &report…", window.choose_report, "Ctrl+Shift+O"),
    ])
    file_menu.addSeparator()
    file_menu.addActions([*actions.exports.values(), actions.export_frames])
    file_menu.addSeparator()
    file_menu.addActions([actions.save_ir, actions.fp16_weights])
    file_menu.addSeparator()
    file_menu.addAction(act("&Quit", window.close, QKeySequence.StandardKey.Quit))
    menu.addMenu("&Run").addActions([actions.run, actions.stop, actions.compare, actions.sweep, actions.ladder,
                                     actions.against_source])
    view_menu = menu.addMenu("&View")
    for number, (name, title) in enumerate(VIEW_TITLES.items(), start=1):
        shortcut = f"Ctrl+{number}" if number <= 9 else None  # Ctrl+1 to Ctrl+9; a tenth view is in the menu only
        view_menu.addAction(act(f"&{number % 10} {title}", lambda _checked=False, n=name: window.show_view(n), shortcut))
    view_menu.addSeparator()
    view_menu.addActions([
        actions.settings, actions.maximise,
        act("&Fit image", lambda: window.image_panel.view.fit_to_window(), "Ctrl+0"),
        act("&Next frame", lambda: window.frames.step(1), QKeySequence.StandardKey.MoveToNextPage,
            "Next image or frame (Page Down)"),
        act("&Previous frame", lambda: window.frames.step(-1), QKeySequence.StandardKey.MoveToPreviousPage,
            "Previous image or frame (Page Up)"),
    ])
    view_menu.addSeparator()
    view_menu.addActions([actions.remeasure_roofs, act("&Reset layout", window.reset_layout)])
    menu.addMenu("&Model").addAction(actions.quantize)
    menu.addMenu("&Targets").addActions([actions.add_target, actions.all_targets])
    menu.addMenu("&Help").addActions([
        act("Open &log folder", window.open_log_folder, tip="The folder of the log files, for a bug report"),
        act("&About ovgui", window.show_about),
    ])
    return actions
