"""Decoders that might read outputs nothing decoded, each with its reason and a button that tries it.

The buttons only say which run options to change (`try_changes`, names as in `ovgui.core.options`);
the window applies them to the settings and runs again, so a retry is an ordinary run a user can
see and undo in the Settings dock.  A suggestion that needs the user's own decoder file has no
button: its line points to the template instead."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from ovgui.core.report import DecoderSuggestion
from ovgui.gui.banners import INFO_STYLE


class DecoderSuggestions(QWidget):
    try_changes = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("decoderSuggestions")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(f"#decoderSuggestions {{ {INFO_STYLE} }}")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(10, 6, 10, 6)
        self._grid.setColumnStretch(0, 1)
        self.buttons: list[QPushButton] = []
        self.hide()

    def show_suggestions(self, suggestions: list[DecoderSuggestion]) -> None:
        self.clear()
        if not suggestions:
            return
        self._grid.addWidget(QLabel("Nothing decoded. Decoders that might:"), 0, 0, 1, 2)
        for row, suggestion in enumerate(suggestions, start=1):
            self._grid.addWidget(self._reason(suggestion), row, 0)
            if suggestion.changes:
                self._grid.addWidget(self._button(suggestion), row, 1)
        self.show()

    def clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.buttons = []
        self.hide()

    def _reason(self, suggestion: DecoderSuggestion) -> QLabel:
        guide = f" Template: {suggestion.guide}." if suggestion.guide else ""
        return QLabel(f"• {suggestion.reason}.{guide}", wordWrap=True, textFormat=Qt.TextFormat.PlainText,
                      textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)

    def _button(self, suggestion: DecoderSuggestion) -> QPushButton:
        changes = ", ".join(f"{name} {value}" for name, value in suggestion.changes.items())
        button = QPushButton(suggestion.title, toolTip=f"Set {changes} and run again")
        button.clicked.connect(lambda: self.try_changes.emit(dict(suggestion.changes)))
        self.buttons.append(button)
        return button
