"""The photo with its boxes, the overlay controls, and the notes a user needs to trust the picture:
which inputs were not fed the photo as such, and what the decoder did.

One column, shown by whichever workspace is open that has room for it (Overview, or Frames beside
its strip), so the selected frame and its boxes are in sight wherever a user looks at them."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ovgui.core.outcome import RunOutcome
from ovgui.gui.banners import INFO_STYLE, note
from ovgui.gui.decoder_suggestions import DecoderSuggestions
from ovgui.gui.image_view import ImagePanel
from ovgui.gui.overlay_controls import OverlayControls


class PhotoColumn(QWidget):
    def __init__(self, image_panel: ImagePanel, overlays: OverlayControls, parent: QWidget | None = None):
        super().__init__(parent)
        self.image_panel = image_panel
        self.overlays = overlays
        self.input_note = note(INFO_STYLE)
        self.input_note.setObjectName("inputNote")
        self.decoder_note = note(INFO_STYLE)
        self.suggestions = DecoderSuggestions()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(image_panel, 1)
        column.addWidget(overlays)
        column.addWidget(self.input_note)
        column.addWidget(self.decoder_note)
        column.addWidget(self.suggestions)

    def show_outcome(self, outcome: RunOutcome) -> None:
        report = outcome.report
        lines = [f"Read: “{report.text.text}” (mean confidence {report.text.confidence:.2f})"] if report.text else []
        lines += [report.decoder.note] if report.decoder.note else []
        self.decoder_note.setText(f"Decoder ({report.decoder.name}): " + "\n".join(lines))
        self.decoder_note.setVisible(bool(lines))
        self.suggestions.show_suggestions(report.decoder.suggestions)
        fed = report.preprocess.substitutions
        self.input_note.setText("Not the photo as such:\n" + "\n".join(f"• {line}" for line in fed))
        self.input_note.setVisible(bool(fed))

    def clear(self) -> None:
        self.decoder_note.hide()
        self.suggestions.clear()
        self.input_note.hide()


class PhotoSlot(QWidget):
    """Where a workspace puts the photo column while it is the one open."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def take(self, column: PhotoColumn) -> None:
        self._layout.addWidget(column)
        column.show()
