"""The strip above the results: model, image, device and Run, always in sight and one line high,
while the full settings live in a panel that folds away."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from ovgui.gui.controls import ControlPanel

PICKER_STRETCH = 3
DEVICE_STRETCH = 2


class RunStrip(QWidget):
    def __init__(self, controls: ControlPanel, actions: list[QAction], parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for label, field, stretch in (
            ("Model", controls.model_picker, PICKER_STRETCH),
            ("Image", controls.image_picker, PICKER_STRETCH),
            ("Device", controls.settings.device_row, DEVICE_STRETCH),
        ):
            caption = QLabel(label)
            caption.setBuddy(field)
            layout.addWidget(caption)
            layout.addWidget(field, stretch)
            layout.addSpacing(6)
        for action in actions:
            button = QToolButton(autoRaise=False)
            button.setDefaultAction(action)
            layout.addWidget(button)
