"""The run setup: model, image and device pickers (laid out by the run strip), run settings,
preprocessing and the model summary (the settings panel)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.engines.capabilities import DECLARED, ENGINE_SETTINGS, capabilities
from ovgui.core.errors import OvguiError
from ovgui.core.files import parse_json
from ovgui.core.options import BY_NAME, Option, OptionError, make_config, options_in, validate
from ovgui.core.remote.probe import device_label
from ovgui.core.report import DeviceInfo, ModelInfo, RunConfig
from ovgui.gui.engine_choice import fixed_values, mode_reason, unavailable
from ovgui.gui.inputs_panel import InputsPanel
from ovgui.gui.option_fields import OptionForm, TextField, accepted_values
from ovgui.gui.plain_text import escaped, literal
from ovgui.gui.preprocess_panel import PreprocessPanel
from ovgui.gui.wrapping_label import WrappingLabel

MODEL_FILTER = ("Models (*.xml *.onnx *.tflite *.pdmodel *.pt *.pt2);;OpenVINO IR (*.xml);;ONNX (*.onnx);;"
                "PyTorch (*.pt *.pt2);;All files (*)")
DECODER_FILTER = "Python decoder (*.py);;All files (*)"
DECODER_WARNING = "a decoder file is Python code that runs with your rights: open only files you trust"
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.webp);;Videos (*.mp4 *.avi *.mkv *.mov *.webm);;All files (*)"
VIDEO_FILTER = "Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v *.mpg *.mpeg *.wmv);;All files (*)"
RECENT_LIMIT = 10


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
        self.browse_button = QToolButton(text="…", toolTip=caption)
        self.browse_button.clicked.connect(self.browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.browse_button)
        self.combo.addItems(self.recent())
        self.combo.setCurrentIndex(-1)

    def path(self) -> str:
        return self.combo.currentText().strip()

    def set_path(self, path: str, emit: bool = True) -> None:
        self.combo.setEditText(path)
        self.combo.setToolTip(literal(path))
        if emit:
            self.path_chosen.emit(path)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self._caption, self._start(), self._filter)
        if path:
            self.set_path(path)

    def _start(self) -> str:
        return str(Path(self.path()).parent) if self.path() else ""

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


class ImagePicker(FilePicker):
    """IMAGE: one image, or a folder of images, or a video, each run frame by frame.

    The button's menu offers the folder and the video, which a file dialog alone cannot pick."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("recent/images", "Open image, folder or video", IMAGE_FILTER, parent)
        menu = QMenu(self.browse_button)
        menu.addAction("Image…", self.browse)
        menu.addAction("Folder of images…", self.browse_folder)
        menu.addAction("Video…", self.browse_video)
        self.browse_button.setMenu(menu)
        self.browse_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)

    def browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images", self._start())
        if path:
            self.set_path(path)

    def browse_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open video", self._start(), VIDEO_FILTER)
        if path:
            self.set_path(path)


TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
"""The target a device entry is on (none: here)."""


class DeviceField(QComboBox):
    """The devices OpenVINO lists, plus any device the command line named, then each target's."""

    edited = Signal()

    def __init__(self, option: Option, parent: QWidget | None = None):
        super().__init__(parent, toolTip=option.help_text())
        self.option = option
        self._targets: dict[str, tuple[list[str], str]] = {}
        self.activated.connect(lambda _index: self.edited.emit())

    def set_devices(self, devices: list[DeviceInfo]) -> None:
        current, target = self.currentData(), self.target()
        self.clear()
        for device in devices:
            self.addItem(f"{device.name} — {device.full_name}", device.name)
            self.setItemData(self.count() - 1, device.full_name, Qt.ItemDataRole.ToolTipRole)
        for name, (devices_there, about) in self._targets.items():
            self._add_remote(name, devices_there, about)
        self.setValue(current or self.option.default)
        self.choose_target(target, current or self.option.default)

    def set_target_devices(self, target: str, devices: list[str], about: str) -> None:
        """A target's devices after the local ones ("CPU — host: edge-1"), `about` as their tooltip."""
        self._targets[target] = (devices, about)
        for index in reversed(range(self.count())):
            if self.itemData(index, TARGET_ROLE) == target:
                self.removeItem(index)
        self._add_remote(target, devices, about)

    def _add_remote(self, target: str, devices: list[str], about: str) -> None:
        for device in devices:
            self.addItem(device_label(device, target), device)
            self.setItemData(self.count() - 1, target, TARGET_ROLE)
            self.setItemData(self.count() - 1, about, Qt.ItemDataRole.ToolTipRole)

    def target(self) -> str:
        """The target the chosen device is on; "" here."""
        return self.currentData(TARGET_ROLE) or ""

    def choose_target(self, target: str, device: str) -> None:
        for index in range(self.count()):
            if self.itemData(index) == device and (self.itemData(index, TARGET_ROLE) or "") == target:
                self.setCurrentIndex(index)
                return

    def value(self) -> str:
        return self.currentData() or self.option.default

    def setValue(self, name: str) -> None:
        """A device here (a target's device is chosen with `choose_target`)."""
        if self.findData(name) < 0:
            self.addItem(name, name)
        if self.currentData() != name:
            self.setCurrentIndex(self.findData(name))


class DecoderFileField(QWidget):
    """The decoder-file option's text field with a Browse… button for a .py file."""

    edited = Signal()

    def __init__(self, option: Option, parent: QWidget | None = None):
        super().__init__(parent)
        self.option = option
        self.text = TextField(option)
        self.browse_button = QToolButton(text="Browse…",
                                         toolTip=f"Pick a Python file with decode(outputs, info). {DECODER_WARNING}")
        self.browse_button.clicked.connect(self.browse)
        self.text.edited.connect(self.edited)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.browse_button)

    def browse(self) -> None:
        start = str(Path(self.text.text()).parent) if self.text.text() else ""
        path, _ = QFileDialog.getOpenFileName(self, f"Decoder file: {DECODER_WARNING}", start, DECODER_FILTER)
        if path:
            self.text.setText(path)
            self.edited.emit()

    def value(self) -> Any:
        return self.text.value()

    def setValue(self, value: Any) -> None:
        self.text.setValue(value)


class RunSettings(OptionForm):
    """The run and output options, made from their declarations; iterations and time share one row.

    The engine picker offers an engine only where it can run the model (a line under it says why
    not), and the settings the chosen engine ignores are hidden; all of it comes from the engines'
    declarations (`ovgui.core.engines.capabilities`)."""

    def __init__(self, parent: QWidget | None = None):
        device = DeviceField(BY_NAME["device"])
        self.engine_note = WrappingLabel(objectName="engineNote", textFormat=Qt.TextFormat.PlainText,
                                         textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.engine_device = QLabel(objectName="engineDevice")
        fields = {"device": device, "decoder_file": DecoderFileField(BY_NAME["decoder_file"])}
        super().__init__("Run", options_in("run") + options_in("output"), fields, parent)
        self.device = device
        self.engine = self.fields["engine"]
        self.iterations = self.fields["iterations"]
        self.seconds = self.fields["duration_s"]
        self.precision = self.fields["precision"]
        self.budget_kind.currentIndexChanged.connect(self._show_budget)
        self.engine.currentIndexChanged.connect(self._show_engine)
        self._show_budget()
        self._show_engine()
        self.set_model_path("")

    def add_row(self, option: Option, field: QWidget) -> None:
        """One "Run for" row holds the iterations field, the time field and the combo that picks between them;
        the engine's row has its note beneath, the device's row what an engine with one device runs on."""
        if option.name == "engine":
            super().add_row(option, field)
            self.form.addRow(self.engine_note)
            return
        if option.name == "device":
            self.device_row = QWidget()
            device = QHBoxLayout(self.device_row)
            device.setContentsMargins(0, 0, 0, 0)
            device.addWidget(field, 1)
            device.addWidget(self.engine_device, 1)
            return
        if option.name == "duration_s":
            return
        if option.name != "iterations":
            super().add_row(option, field)
            return
        self.budget_kind = QComboBox(toolTip="Run a number of iterations or for a time")
        self.budget_kind.addItem("iterations", "iterations")
        self.budget_kind.addItem("seconds", "seconds")
        self.budget_kind.activated.connect(lambda _index: self.edited.emit())
        budget = QHBoxLayout()
        budget.addWidget(field, 1)
        budget.addWidget(self.fields["duration_s"], 1)
        budget.addWidget(self.budget_kind)
        self.form.addRow("Run for", budget)

    def values(self) -> dict[str, Any]:
        """What the fields hold (hidden ones too: the command line's values reach the report as given);
        on an engine with one device, the device its row shows."""
        values = self._read(lenient=False)
        device = fixed_values(values["engine"]).get("device")
        if device is not None:
            values["device"] = device
        return values

    def set_model_path(self, path: str) -> None:
        """Offer each engine only if it can run `path`; otherwise say why under the picker.  A choice
        already made (command line, last session) stays, and the run says why it cannot start."""
        reasons = []
        for declared in DECLARED:
            reason = unavailable(declared.name, path)
            item = self.engine.model().item(self.engine.findData(declared.name))
            item.setEnabled(not reason)
            item.setToolTip(literal(reason))
            reasons += [reason] if reason else []
        self.engine_note.setText("; ".join(reasons))
        self.engine_note.setVisible(bool(reasons))

    def _show_engine(self) -> None:
        declared = capabilities(self.engine.value())
        for name in ENGINE_SETTINGS:
            self.form.setRowVisible(self.fields[name], name in declared.reads)
        fixed = fixed_values(declared.name)
        self.device.setVisible("device" not in fixed)
        self.engine_device.setVisible("device" in fixed)
        if declared.devices is not None:
            self.engine_device.setText(declared.devices.reason)
            self.engine_device.setToolTip(f"{declared.label} runs on the {declared.devices.reason} here")
        mode = self.fields["mode"]
        if "mode" in fixed:
            mode.setValue(fixed["mode"])
        mode.setEnabled("mode" not in fixed)
        mode.setToolTip(mode_reason(declared.name) or mode.option.help_text())

    def set_values(self, config: RunConfig) -> None:
        by_time = config.duration_s is not None
        self.budget_kind.setCurrentIndex(self.budget_kind.findData("seconds" if by_time else "iterations"))
        for name, field in self.fields.items():
            if name not in ("iterations", "duration_s") or getattr(config, name) is not None:
                field.setValue(getattr(config, name))

    def set_devices(self, devices: list[DeviceInfo]) -> None:
        self.device.set_devices(devices)

    def save(self, settings: QSettings) -> None:
        settings.setValue("run/config", json.dumps(self._read(lenient=True)))

    def restore(self, settings: QSettings) -> None:
        """Settings from an older or damaged file are checked like any input; a bad value is dropped."""
        try:
            stored = parse_json(str(settings.value("run/config", "{}")), "settings")
        except (ValueError, OvguiError):
            return
        if isinstance(stored, dict):
            self.set_values(replace(RunConfig(), **accepted_values(stored, self.fields)))

    def _read(self, lenient: bool) -> dict[str, Any]:
        """The fields' values, the hidden budget as None; `lenient` skips text that is no value."""
        by_time = self.budget_kind.currentData() == "seconds"
        active, inactive = ("duration_s", "iterations") if by_time else ("iterations", "duration_s")
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            try:
                values[name] = None if name == inactive else field.value()
            except OptionError:
                if not lenient:
                    raise
        if values.get(active) is None and not lenient:
            raise OptionError(BY_NAME[active], "needs a value")
        return values

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
                item.setToolTip(0, literal("names: " + ", ".join(port.names)))
                self.addTopLevelItem(item)


class ControlPanel(QWidget):
    """The settings panel; the window reads `model_path()`, `image_path()` and `config()` from it.

    The model and image pickers and the device row (`settings.device_row`) belong to it but are
    laid out in the run strip, so they stay in sight while the panel is collapsed.

    It keeps the configuration it was given (from the command line) and lays over it only
    what its fields hold, so an option without a field still reaches the run unchanged.
    """

    model_chosen = Signal(str)
    image_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._given = RunConfig()
        self.model_picker = FilePicker("recent/models", "Open model (.xml, .onnx, .tflite, .pdmodel, .pt, .pt2)", MODEL_FILTER)
        self.image_picker = ImagePicker()
        self.settings = RunSettings()
        self.preprocess = PreprocessPanel()
        self.inputs = InputsPanel()
        self.model_info = QLabel("No model loaded", wordWrap=True, textFormat=Qt.TextFormat.RichText,
                                 textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = ModelSummary()
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.model_info)
        model_layout.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.settings)
        layout.addWidget(self.preprocess)
        layout.addWidget(self.inputs)
        layout.addWidget(model_box, 1)
        self.model_picker.path_chosen.connect(self.model_chosen)
        self.model_picker.combo.editTextChanged.connect(self.settings.set_model_path)
        self.image_picker.path_chosen.connect(self.image_chosen)

    def model_path(self) -> str:
        return self.model_picker.path()

    def image_path(self) -> str:
        return self.image_picker.path()

    def device(self) -> str:
        return self.settings.device.value()

    def target(self) -> str:
        """The target the chosen device is on ("" here)."""
        return self.settings.device.target()

    def set_config(self, config: RunConfig) -> None:
        self._given = config
        self.settings.set_values(config)
        self.preprocess.set_values(config)
        self.inputs.set_values(config)

    def config(self) -> RunConfig:
        """What a run would use now; an `OptionError` naming the first field that holds no valid value."""
        changes = {**self.settings.values(), **self.preprocess.values(), **self.inputs.values()}
        return validate(make_config(changes, self._given))

    def focus_option(self, name: str) -> None:
        field = self.settings.field(name) or self.preprocess.field(name)
        if field is not None:
            field.setFocus()

    def show_model(self, info: ModelInfo) -> None:
        size_mb = info.file_size_bytes / 1e6
        demo = "<br><b>Built-in demo model</b>: a small colour-marker detector made by ovgui." if info.is_demo else ""
        self.model_info.setText(f"<b>{escaped(Path(info.path).name)}</b><br>{escaped(info.format)}, {size_mb:.1f} MB{demo}")
        self.model_info.setToolTip(literal(info.path))
        self.summary.show_model(info)
        self.preprocess.show_model(info)
        self.inputs.show_model(info)

    def show_model_error(self, message: str) -> None:
        self.model_info.setText(f"<span style='color:#c0392b'>{escaped(message)}</span>")
        self.summary.clear()
