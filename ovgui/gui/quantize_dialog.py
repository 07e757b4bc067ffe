"""Model › Quantize to INT8…: NNCF's options, a calibration folder, a progress bar and a Stop
that ends the quantizing process at once.

The options' words are `ovgui.core.quantize_options`' (the command line reads the same), the
layers to keep in floating point come prefilled from the rows selected in the Layers table, and
the work runs in `ovgui.core.quantize`'s child process, watched from a worker thread: the dialog
only shows what it reports.  On success the dialog says so with `quantized` and closes; a failure
stays in the dialog and goes out as one line with `failed`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ovgui.core import events
from ovgui.core.quantize import Quantization, QuantizedIr, QuantizeProgress, QuantizeRequest
from ovgui.core.quantize_options import DEFAULT_SUBSET_SIZE, HELP, MAX_SUBSET_SIZE, MODEL_TYPES, PRESETS, QuantizeOptions
from ovgui.core.report import RunConfig
from ovgui.gui.plain_text import literal
from ovgui.gui.session import Worker, user_message

IR_FILTER = "OpenVINO IR (*.xml)"
PROGRESS_STEPS = 1000


class QuantizeWorker(Worker):
    """One quantization on a worker thread: its progress and notes are yielded, its `QuantizedIr` returned."""

    def __init__(self, request: QuantizeRequest):
        super().__init__()
        self._quantization = Quantization(request)

    def cancel(self) -> None:
        """From the GUI thread: the quantizing process is killed at once."""
        self._quantization.stop()

    def work(self) -> QuantizedIr:
        return self._quantization.run(self.yielded.emit)


def suggested_output(model_path: str) -> str:
    return str(Path(model_path).with_name(f"{Path(model_path).stem}_int8.xml"))


class QuantizeDialog(QDialog):
    quantized = Signal(object)
    """The `QuantizedIr` written: the window opens it as the model (and may set it beside the source)."""
    failed = Signal(str)
    """The line saying why the quantization failed, for the window's banner."""

    def __init__(self, model_path: str, config: RunConfig, keep_float: list[str], calibration: str = "",
                 compress_to_fp16: bool = True, image: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Quantize to INT8")
        self._model_path = model_path
        self._image = image
        self._config = config
        self._compress_to_fp16 = compress_to_fp16
        self._worker: QuantizeWorker | None = None
        self._build(keep_float, calibration)
        self._set_running(False)

    def _build(self, keep_float: list[str], calibration: str) -> None:
        self.calibration = QLineEdit(calibration, placeholderText="a folder of images", toolTip=HELP["calibration"])
        self.subset_size = QSpinBox(minimum=1, maximum=MAX_SUBSET_SIZE, value=DEFAULT_SUBSET_SIZE, toolTip=HELP["subset_size"])
        self.preset = QComboBox(toolTip=HELP["preset"])
        self.preset.addItem("NNCF's choice", None)
        for name in PRESETS:
            self.preset.addItem(name, name)
        self.model_type = QComboBox(toolTip=HELP["model_type"])
        self.model_type.addItem("none", None)
        for name in MODEL_TYPES:
            self.model_type.addItem(name, name)
        self.fast_bias_correction = QCheckBox("fast bias correction", checked=True, toolTip=HELP["fast_bias_correction"])
        self.keep_float = QPlainTextEdit("\n".join(keep_float), toolTip=HELP["keep_float"],
                                         placeholderText="one layer name or operation type a line (select rows in "
                                                         "the Layers table to fill this in)")
        self.keep_float.setMaximumHeight(90)
        self.output = QLineEdit(suggested_output(self._model_path), toolTip="where the INT8 IR goes (.xml, its .bin beside it)")
        shown = Path(self._image).name or "the image"
        self.compare_after = QCheckBox(f"Then profile the source and the INT8 IR side by side on {shown}",
                                       checked=bool(self._image), enabled=bool(self._image),
                                       toolTip="Compare: latency, throughput, compile time, peak RSS, size on disk, "
                                               "accuracy (with annotations) and output drift of each, and the layer "
                                               "A/B of source and INT8" if self._image else
                                               "Choose an image (or a folder) in the window first")
        self.with_fp16 = QCheckBox("with an FP16 IR of the source between them", enabled=bool(self._image),
                                   toolTip="The source saved as IR with FP16 weights (once, kept under "
                                           "~/.cache/ovgui/ladder): what FP16 alone buys, in size and speed")
        self.compare_after.toggled.connect(self.with_fp16.setEnabled)
        form = QFormLayout()
        form.addRow("Calibration images", with_button(self.calibration, "Browse…", self._browse_calibration))
        form.addRow("Subset size", self.subset_size)
        form.addRow("Preset", self.preset)
        form.addRow("Model type", self.model_type)
        form.addRow("", self.fast_bias_correction)
        form.addRow("Keep in float", self.keep_float)
        form.addRow("Save INT8 IR as", with_button(self.output, "Browse…", self._browse_output))
        form.addRow("", self.compare_after)
        form.addRow("", self.with_fp16)
        self.progress = QProgressBar(textVisible=True)
        self.status = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText,
                             textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton("Quantize", QDialogButtonBox.ButtonRole.ActionRole)
        self.stop_button = self.buttons.addButton("Stop", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Post-training INT8 quantization of {Path(self._model_path).name} with NNCF; each "
                                "calibration image is preprocessed as a run preprocesses it.", wordWrap=True,
                                textFormat=Qt.TextFormat.PlainText))
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(560, 500)

    @property
    def running(self) -> bool:
        return self._worker is not None

    def options(self) -> QuantizeOptions:
        lines = (line.strip() for line in self.keep_float.toPlainText().splitlines())
        return QuantizeOptions(self.subset_size.value(), self.preset.currentData(), self.model_type.currentData(),
                               self.fast_bias_correction.isChecked(), tuple(line for line in lines if line))

    def start(self) -> None:
        calibration, output = self.calibration.text().strip(), self.output.text().strip()
        if not calibration or not output:
            self._fail("choose the calibration images and where the INT8 IR goes")
            return
        request = QuantizeRequest(self._model_path, calibration, Path(output), self.options(), self._config,
                                  self._compress_to_fp16)
        worker = self._worker = QuantizeWorker(request)
        worker.yielded.connect(self._on_event)
        worker.returned.connect(self._on_returned)
        worker.aborted.connect(self._on_aborted)
        worker.errored.connect(self._on_errored)
        self.status.clear()
        self._set_running(True)
        threading.Thread(target=worker.run, name="ovgui-quantize", daemon=True).start()

    def stop(self) -> None:
        if self._worker is not None:
            self.status.setText("Stopping…")
            self._worker.cancel()

    def reject(self) -> None:
        """Closing the dialog stops a quantization under way: nothing is left writing behind it."""
        self.stop()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)

    @Slot(object)
    def _on_event(self, event: QuantizeProgress | events.Note) -> None:
        if self.sender() is not self._current_signals():
            return
        if isinstance(event, events.Note):
            self.status.setText("\n".join(filter(None, [self.status.text(), event.text])))
            return
        fraction = event.fraction
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, PROGRESS_STEPS)
            self.progress.setValue(round(fraction * PROGRESS_STEPS))
        self.progress.setFormat(event.text())
        self.progress.setToolTip(literal(event.text()))

    @Slot(object)
    def _on_returned(self, quantized: QuantizedIr) -> None:
        if self.sender() is self._current_signals():
            self._set_running(False)
            self.quantized.emit(quantized)
            self.accept()

    @Slot()
    def _on_aborted(self) -> None:
        if self.sender() is self._current_signals():
            self._set_running(False)
            self.status.setText("Stopped: nothing was written.")

    @Slot(object)
    def _on_errored(self, error: Exception) -> None:
        if self.sender() is self._current_signals():
            self._set_running(False)
            self._fail(user_message(error))

    def _fail(self, message: str) -> None:
        self.status.setText(message)
        self.failed.emit(message)

    def _current_signals(self):
        return self._worker.signals if self._worker is not None else None

    def _set_running(self, running: bool) -> None:
        if not running:
            self._worker = None
            self.progress.setRange(0, PROGRESS_STEPS)
            self.progress.setValue(0)
            self.progress.setFormat("")
        for widget in (self.calibration, self.subset_size, self.preset, self.model_type, self.fast_bias_correction,
                       self.keep_float, self.output, self.start_button):
            widget.setEnabled(not running)
        self.compare_after.setEnabled(not running and bool(self._image))
        self.with_fp16.setEnabled(not running and self.compare_after.isChecked())
        self.stop_button.setEnabled(running)
        self.progress.setVisible(running)

    def _browse_calibration(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Calibration images", self.calibration.text())
        if folder:
            self.calibration.setText(folder)

    def _browse_output(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the INT8 IR as", self.output.text(), IR_FILTER)
        if path:
            self.output.setText(path if path.lower().endswith(".xml") else f"{path}.xml")


def with_button(field: QLineEdit, text: str, slot) -> QWidget:
    """A path field with its Browse… button."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    button = QPushButton(text)
    button.clicked.connect(slot)
    layout.addWidget(button)
    return row
