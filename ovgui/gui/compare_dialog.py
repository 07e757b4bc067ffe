"""Choosing the configurations to compare: common latency tricks as presets, or a JSON file.

Each preset is the current settings plus one change, so the comparison answers
"what does this one knob do on my model and device?".  The JSON format is the
one `ovgui-profile --compare` reads.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.compare import Variant, load_variants
from ovgui.core.errors import OvguiError
from ovgui.gui.engine_choice import fixed_values, unavailable
from ovgui.gui.plain_text import escaped, literal

CHECKED_BY_DEFAULT = {"Current settings", "Throughput mode (async)", "Precision f32", "Precision bf16"}
ONNXRUNTIME_PRESET = Variant(
    "ONNX Runtime",
    {"engine": "onnxruntime", **fixed_values("onnxruntime")},
)
"""The same model through the other engine, with what that engine needs (CPU, one request,
the image converted on the host) rather than a configuration it refuses."""


def preset_variants(devices: list[str], model_path: str = "") -> list[Variant]:
    """The presets for the current model: ONNX Runtime only for an .onnx model."""
    cache = str(Path(tempfile.gettempdir()) / "ovgui-model-cache")
    presets = [
        Variant("Current settings", {}),
        Variant("LATENCY hint, sync", {"mode": "latency", "hint": "latency"}),
        Variant("Throughput mode (async)", {"mode": "throughput"}),
        Variant("Precision f32", {"precision": "f32"}),
        Variant("Precision bf16", {"precision": "bf16"}),
        Variant("1 thread", {"nthreads": 1}),
        Variant("Input copied (no shared memory)", {"shared_memory": False}),
        Variant("Model cache (compile twice)", {"cache_dir": cache}),
    ]
    engines = [ONNXRUNTIME_PRESET] if Path(model_path).suffix.lower() == ".onnx" else []
    return presets + engines + [Variant(f"Device {name}", {"device": name}) for name in devices]


class CompareDialog(QDialog):
    def __init__(self, devices: list[str], parent: QWidget | None = None, model_path: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Compare configurations")
        self.list = QListWidget()
        self.message = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self._model_path = model_path
        self._fill(preset_variants(devices, model_path), CHECKED_BY_DEFAULT)
        load = QPushButton(
            "Load from JSON…", toolTip="A list of {\"name\": …, <setting>: value}, as ovgui-profile --compare reads"
        )
        load.clicked.connect(self._load)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run comparison")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Each configuration runs in turn on the current model and image:"))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addWidget(load, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(buttons)
        self.resize(420, 420)

    def variants(self) -> list[Variant]:
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def _fill(self, variants: list[Variant], checked: set[str]) -> None:
        self.list.clear()
        self.message.clear()
        for variant in variants:
            item = QListWidgetItem(variant.name)
            item.setData(Qt.ItemDataRole.UserRole, variant)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if variant.name in checked else Qt.CheckState.Unchecked)
            item.setToolTip(literal(", ".join(f"{k}={v}" for k, v in variant.changes.items()) or "no change"))
            self._refuse_unavailable_engine(item, variant)
            self.list.addItem(item)

    def _refuse_unavailable_engine(self, item: QListWidgetItem, variant: Variant) -> None:
        """ONNX Runtime not installed: the preset stays in sight, unchecked and greyed, saying how to install it."""
        reason = unavailable(variant.changes["engine"], self._model_path) if "engine" in variant.changes else ""
        if reason:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(literal(reason))
            self.message.setText(escaped(reason))

    def _load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load configurations", "", "JSON (*.json)")
        if not path:
            return
        try:
            variants = load_variants(path)
        except OvguiError as error:
            self.message.setText(f"<span style='color:#c0392b'>{escaped(str(error))}</span>")
            return
        self._fill(variants, {variant.name for variant in variants})
        self.message.setText(" ".join(filter(None, [f"{len(variants)} configurations from {escaped(Path(path).name)}.",
                                                    self.message.text()])))
