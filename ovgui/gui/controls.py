"""The run setup panel: model, image and device pickers, run settings, and the model summary."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.decoders import DECODERS
from ovgui.core.report import DeviceInfo, ModelInfo, RunConfig

MODEL_FILTER = "Models (*.xml *.onnx *.tflite *.pdmodel);;OpenVINO IR (*.xml);;ONNX (*.onnx);;All files (*)"
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.webp);;All files (*)"
RECENT_LIMIT = 10
DEFAULT = "default"


class FilePicker(QWidget):
    """An editable combo of recent paths plus a browse button; remembers recent picks in QSettings."""

    path_chosen = Signal(str)

    def __init__(self, settings_key: str, caption: str, name_filter: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._key = settings_key
        self._caption = caption
        self._filter = name_filter
        self.combo = QComboBox(editable=True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(18)
        self.combo.lineEdit().setPlaceholderText(caption)
        self.combo.activated.connect(lambda _index: self._emit_current())
        self.combo.lineEdit().returnPressed.connect(self._emit_current)
        browse = QToolButton(text="…", toolTip=caption)
        browse.clicked.connect(self.browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(browse)
        self.combo.addItems(self.recent())
        self.combo.setCurrentIndex(-1)

    def path(self) -> str:
        return self.combo.currentText().strip()

    def set_path(self, path: str, emit: bool = True) -> None:
        self.combo.setEditText(path)
        self.combo.setToolTip(path)
        if emit:
            self.path_chosen.emit(path)

    def browse(self) -> None:
        start = str(Path(self.path()).parent) if self.path() else ""
        path, _ = QFileDialog.getOpenFileName(self, self._caption, start, self._filter)
        if path:
            self.set_path(path)

    def recent(self) -> list[str]:
        value = QSettings().value(self._key, [])
        return [value] if isinstance(value, str) else list(value or [])

    def remember(self, path: str) -> None:
        """Move `path` to the top of the recent list (called once a run has used it)."""
        paths = [path] + [p for p in self.recent() if p != path]
        QSettings().setValue(self._key, paths[:RECENT_LIMIT])
        text = self.path()
        self.combo.clear()
        self.combo.addItems(paths[:RECENT_LIMIT])
        self.combo.setEditText(text)

    def _emit_current(self) -> None:
        if self.path():
            self.set_path(self.path())


def _combo(items: list[tuple[str, object]], tooltip: str) -> QComboBox:
    combo = QComboBox(toolTip=tooltip)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _select_data(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


def _auto_spin(tooltip: str) -> QSpinBox:
    """0 shows as "auto": the setting is left to OpenVINO."""
    return QSpinBox(minimum=0, maximum=256, specialValueText="auto", toolTip=tooltip)


class RunSettings(QGroupBox):
    """Everything that shapes a run, read back as a `RunConfig`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Run", parent)
        self.device = QComboBox(toolTip="Inference device, as OpenVINO reports it")
        self.budget_kind = _combo([("iterations", "iterations"), ("seconds", "seconds")], "Run a number of iterations or for a time")
        self.iterations = QSpinBox(minimum=1, maximum=10_000_000, value=100, singleStep=100, toolTip="Timed iterations after the first inference")
        self.seconds = QDoubleSpinBox(minimum=0.1, maximum=86_400.0, value=10.0, decimals=1, suffix=" s", toolTip="Run for this long")
        self.precision = _combo([(DEFAULT, None), ("f32", "f32"), ("bf16", "bf16"), ("f16", "f16")], "INFERENCE_PRECISION_HINT; default lets the device choose (bf16 on CPUs with AMX/AVX512-BF16)")
        self.mode = _combo([("latency (sync)", "latency"), ("throughput (async)", "throughput")], "latency: one synchronous request; throughput: an AsyncInferQueue of requests")
        self.hint = _combo(
            [("auto (follows mode)", None), ("latency", "latency"), ("throughput", "throughput"), ("cumulative throughput", "cumulative_throughput"), ("none", "none")],
            "PERFORMANCE_HINT",
        )
        self.nstreams = _auto_spin("NUM_STREAMS; auto lets the hint choose")
        self.nthreads = _auto_spin("INFERENCE_NUM_THREADS; auto uses the device default")
        self.nireq = _auto_spin("Infer requests in throughput mode; auto uses OPTIMAL_NUMBER_OF_INFER_REQUESTS")
        self.cache_dir = QLineEdit(placeholderText="none", toolTip="CACHE_DIR: compiled models are cached here; the second compile loads from it", clearButtonEnabled=True)
        self.shared_memory = QCheckBox("Share the input buffer", checked=True, toolTip="Off: copy the input on every inference, as naive code does")
        self.decoder = _combo([(name, name) for name in DECODERS], "How outputs become boxes or classes; auto picks from the output shapes")
        self.threshold = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, decimals=2, specialValueText="auto", toolTip="Score threshold; auto uses the decoder's default")
        budget = QHBoxLayout()
        budget.addWidget(self.iterations, 1)
        budget.addWidget(self.seconds, 1)
        budget.addWidget(self.budget_kind)
        self.budget_kind.currentIndexChanged.connect(self._show_budget)
        self._show_budget()
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Device", self.device)
        form.addRow("Mode", self.mode)
        form.addRow("Run for", budget)
        form.addRow("Precision", self.precision)
        form.addRow("Hint", self.hint)
        form.addRow("Streams", self.nstreams)
        form.addRow("Threads", self.nthreads)
        form.addRow("Requests", self.nireq)
        form.addRow("Cache dir", self.cache_dir)
        form.addRow("", self.shared_memory)
        form.addRow("Decoder", self.decoder)
        form.addRow("Threshold", self.threshold)

    def set_devices(self, devices: list[DeviceInfo]) -> None:
        current = self.device.currentData()
        self.device.clear()
        for device in devices:
            self.device.addItem(f"{device.name} — {device.full_name}", device.name)
            self.device.setItemData(self.device.count() - 1, device.full_name, Qt.ItemDataRole.ToolTipRole)
        _select_data(self.device, current or "CPU")

    def config(self) -> RunConfig:
        by_time = self.budget_kind.currentData() == "seconds"
        return RunConfig(
            device=self.device.currentData() or "CPU",
            mode=self.mode.currentData(),
            iterations=None if by_time else self.iterations.value(),
            duration_s=self.seconds.value() if by_time else None,
            hint=self.hint.currentData(),
            precision=self.precision.currentData(),
            nireq=self.nireq.value() or None,
            nstreams=self.nstreams.value() or None,
            nthreads=self.nthreads.value() or None,
            cache_dir=self.cache_dir.text().strip() or None,
            shared_memory=self.shared_memory.isChecked(),
            decoder=self.decoder.currentData(),
            threshold=self.threshold.value() or None,
        )

    def set_config(self, config: RunConfig) -> None:
        if self.device.findData(config.device) < 0:
            self.device.addItem(config.device, config.device)
        _select_data(self.device, config.device)
        _select_data(self.budget_kind, "seconds" if config.duration_s else "iterations")
        if config.duration_s:
            self.seconds.setValue(config.duration_s)
        if config.iterations:
            self.iterations.setValue(config.iterations)
        _select_data(self.mode, config.mode)
        _select_data(self.precision, config.precision)
        _select_data(self.hint, config.hint)
        self.nireq.setValue(config.nireq or 0)
        self.nstreams.setValue(config.nstreams or 0)
        self.nthreads.setValue(config.nthreads or 0)
        self.cache_dir.setText(config.cache_dir or "")
        self.shared_memory.setChecked(config.shared_memory)
        _select_data(self.decoder, config.decoder)
        self.threshold.setValue(config.threshold or 0.0)

    def save(self, settings: QSettings) -> None:
        settings.setValue("run/config", json.dumps(asdict(self.config())))

    def restore(self, settings: QSettings) -> None:
        """Settings from an older or damaged file are ignored rather than trusted."""
        try:
            stored = json.loads(str(settings.value("run/config", "{}")))
            known = {k: v for k, v in stored.items() if k in RunConfig.__dataclass_fields__}
            self.set_config(RunConfig(**known))
        except (TypeError, ValueError, AttributeError):
            return

    def _show_budget(self) -> None:
        by_time = self.budget_kind.currentData() == "seconds"
        self.iterations.setVisible(not by_time)
        self.seconds.setVisible(by_time)


class ModelSummary(QTreeWidget):
    """Inputs and outputs with their shapes (dynamic dims as ?) and element types, plus format and size."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderLabels(["Port", "Shape", "Type"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(False)

    def show_model(self, info: ModelInfo) -> None:
        self.clear()
        for title, ports in (("inputs", info.inputs), ("outputs", info.outputs)):
            heading = QTreeWidgetItem([f"{len(ports)} {title}", "", ""])
            font = heading.font(0)
            font.setBold(True)
            heading.setFont(0, font)
            self.addTopLevelItem(heading)
            for port in ports:
                item = QTreeWidgetItem([f"  {port.name}", port.shape, port.element_type])
                item.setToolTip(0, "names: " + ", ".join(port.names))
                self.addTopLevelItem(item)


class ControlPanel(QWidget):
    """The left-hand panel; the window reads `model_path()`, `image_path()` and `config()` from it."""

    model_chosen = Signal(str)
    image_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model_picker = FilePicker("recent/models", "Open model (.xml, .onnx, .tflite, .pdmodel)", MODEL_FILTER)
        self.image_picker = FilePicker("recent/images", "Open image", IMAGE_FILTER)
        self.settings = RunSettings()
        self.model_info = QLabel("No model loaded", wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = ModelSummary()
        files = QGroupBox("Inputs")
        files_form = QFormLayout(files)
        files_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        files_form.addRow("Model", self.model_picker)
        files_form.addRow("Image", self.image_picker)
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.model_info)
        model_layout.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(files)
        layout.addWidget(self.settings)
        layout.addWidget(model_box, 1)
        self.model_picker.path_chosen.connect(self.model_chosen)
        self.image_picker.path_chosen.connect(self.image_chosen)

    def model_path(self) -> str:
        return self.model_picker.path()

    def image_path(self) -> str:
        return self.image_picker.path()

    def config(self) -> RunConfig:
        return self.settings.config()

    def show_model(self, info: ModelInfo) -> None:
        size_mb = info.file_size_bytes / 1e6
        demo = "<br><b>Built-in demo model</b>: a small colour-marker detector made by ovgui." if info.is_demo else ""
        self.model_info.setText(f"<b>{Path(info.path).name}</b><br>{info.format}, {size_mb:.1f} MB{demo}")
        self.model_info.setToolTip(info.path)
        self.summary.show_model(info)

    def show_model_error(self, message: str) -> None:
        self.model_info.setText(f"<span style='color:#c0392b'>{message}</span>")
        self.summary.clear()
