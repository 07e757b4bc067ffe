"""A label that wraps instead of being cut."""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy


class WrappingLabel(QLabel):
    """Wraps instead of being cut, never widens its parent, and claims the height its lines need
    as its minimum: a dock or a form row ignores height-for-width, and would otherwise squeeze the
    label to one line and cut the rest ("ONNX Runtime needs an .onnx model, not")."""

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(text, wordWrap=True, **kwargs)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._claim_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._claim_height()

    def _claim_height(self) -> None:
        needed = self.heightForWidth(self.width()) if self.text() else 0
        if needed != self.minimumHeight():
            self.setMinimumHeight(max(needed, 0))
