"""The lines above the results that say what the views show: an error, the demo, stale results,
a report opened from a file.  Each wraps rather than cuts, and can be selected and copied."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

INFO_STYLE = "padding: 6px 10px; background: palette(alternate-base); border-radius: 4px;"
WARNING_STYLE = "padding: 6px 10px; background: #fff4ce; color: #5c4400; border-radius: 4px;"
REPORT_STYLE = "padding: 6px 10px; background: #e3f0fb; color: #0b3d63; border-radius: 4px;"


def note(style: str, text: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True, textFormat=Qt.TextFormat.PlainText,
                   textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(style)
    label.hide()
    return label


class ErrorBanner(QWidget):
    """A one-line, dismissable error above the results: visible without blocking a scripted run."""

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
