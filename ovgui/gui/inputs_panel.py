"""The Inputs panel: every model input with the data it is fed, editable.

Each row makes the same ``NAME=SOURCE`` text the command line's ``--input`` takes, so a run from
the window and one from ``ovgui-profile`` are fed alike.  Left on "auto", an input gets what ovgui
gives it when nobody says (the photo for an image input, seeded random data for the rest, decided
when the run starts); after a run each row says what its input was actually fed, read from the
report, never from OpenVINO.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.report import InputFeed, ModelInfo, RunConfig, TensorInfo

AUTO_HINT = "the photo, or random data (seed 0)"
KIND_WIDTH_CHARACTERS = 9


@dataclass(frozen=True)
class SourceKind:
    """One choice of the source combo: how its text becomes a SOURCE, and what the line edit asks for."""

    key: str
    label: str
    prefix: str = ""
    placeholder: str = ""
    file_filter: str = ""


KINDS = (
    SourceKind("auto", "auto", placeholder=AUTO_HINT),
    SourceKind("image", "image file…", placeholder="an image file", file_filter="Images (*.jpg *.jpeg *.png *.bmp *.tif *.tiff)"),
    SourceKind("array", ".npy/.npz file…", placeholder="FILE.npy or FILE.npz[:KEY]", file_filter="Arrays (*.npy *.npz)"),
    SourceKind("const", "constant", "const:", placeholder="a value, e.g. 0"),
    SourceKind("random", "random", "random", placeholder="LOW:HIGH (blank: 0..255, seed 0)"),
)
BY_KEY = {kind.key: kind for kind in KINDS}


def kind_of(source: str) -> tuple[SourceKind, str]:
    """The combo's choice and the line edit's text for a SOURCE as the command line spells it."""
    if source.startswith("const:"):
        return BY_KEY["const"], source[len("const:"):]
    if source == "random" or source.startswith("random:"):
        return BY_KEY["random"], source[len("random:"):]
    if source.lower().endswith(".npy") or ".npz" in source.lower():
        return BY_KEY["array"], source
    return BY_KEY["image"], source


def source_text(kind: SourceKind, text: str) -> str | None:
    """The SOURCE for a row, None when the row is left on auto."""
    text = text.strip()
    if kind.key == "auto":
        return None
    if kind.key == "random":
        return f"random:{text}" if text else "random"
    return kind.prefix + text


def port_text(port: TensorInfo) -> str:
    """Name, element type, shape (a dynamic dimension is `?`) and the declared layout, if any."""
    return " ".join(filter(None, [port.element_type, port.shape, port.layout]))


class SourceRow(QWidget):
    """One input's source: a choice of kind, the file or value, and a button to pick the file."""

    edited = Signal()

    def __init__(self, port: TensorInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.port = port
        self.kind = QComboBox(objectName=f"input-kind-{port.name}", minimumContentsLength=KIND_WIDTH_CHARACTERS,
                              sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for kind in KINDS:
            self.kind.addItem(kind.label, kind.key)
        self.text = QLineEdit(objectName=f"input-text-{port.name}")
        self.browse = QToolButton(text="…", toolTip="Choose the file")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.browse)
        self.kind.currentIndexChanged.connect(self._show_kind)
        self.kind.currentIndexChanged.connect(self.edited)
        self.text.textEdited.connect(self.edited)
        self.browse.clicked.connect(self._choose_file)
        self._show_kind()

    def current(self) -> SourceKind:
        return BY_KEY[self.kind.currentData()]

    def source(self) -> str | None:
        return source_text(self.current(), self.text.text())

    def set_source(self, source: str | None) -> None:
        kind, text = kind_of(source) if source else (BY_KEY["auto"], "")
        self.kind.setCurrentIndex(self.kind.findData(kind.key))
        self.text.setText(text)
        self.text.setCursorPosition(0)
        self.text.setToolTip(text)

    def _show_kind(self) -> None:
        kind = self.current()
        self.text.setEnabled(kind.key != "auto")
        self.text.setPlaceholderText(kind.placeholder)
        self.browse.setVisible(bool(kind.file_filter))

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, f"Data for input '{self.port.name}'", self.text.text(),
                                                    self.current().file_filter)
        if path:
            self.text.setText(path)
            self.edited.emit()


class InputsPanel(QGroupBox):
    """Every input of the loaded model and its data; `values()` is the run's ``input`` option."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Inputs", parent)
        self.rows: dict[str, SourceRow] = {}
        self.fed: dict[str, QLabel] = {}
        self._given: dict[str, str] = {}
        self.grid = QGridLayout()
        self.empty = QLabel("No model loaded", wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addLayout(self.grid)

    def show_model(self, info: ModelInfo) -> None:
        """One row per input, holding what was given for it (by name or index) or auto; a source for an
        input this model lacks is dropped, as the run would refuse it."""
        previous = self._all_sources()
        self._clear()
        self.empty.setVisible(not info.inputs)
        for index, port in enumerate(info.inputs):
            name = QLabel(f"<b>{port.name}</b>", textFormat=Qt.TextFormat.RichText, toolTip=f"input {index}")
            details = QLabel(port_text(port), objectName=f"input-port-{port.name}")
            row = SourceRow(port)
            row.set_source(previous.get(port.name, previous.get(str(index))))
            row.edited.connect(self.edited)
            fed = QLabel(objectName=f"input-fed-{port.name}", wordWrap=True, textFormat=Qt.TextFormat.PlainText)
            fed.setStyleSheet("color: palette(dark); font-size: small;")
            fed.hide()
            line = index * 3
            self.grid.addWidget(name, line, 0)
            self.grid.addWidget(details, line, 1)
            self.grid.addWidget(row, line + 1, 0, 1, 2)
            self.grid.addWidget(fed, line + 2, 0, 1, 2)
            self.rows[port.name] = row
            self.fed[port.name] = fed
        self._given = {}

    def show_fed(self, inputs: list[InputFeed]) -> None:
        """After a run: what each input was fed, as the report says."""
        for feed in inputs:
            label = self.fed.get(feed.name)
            if label is not None:
                label.setText(f"fed {feed.source}")
                label.show()

    def values(self) -> dict[str, Any]:
        return {"input": self._all_sources() or None}

    def set_values(self, config: RunConfig) -> None:
        given = dict(config.input or {})
        for name, row in self.rows.items():
            row.set_source(given.pop(name, None))
        self._given = given

    def source_of(self, name: str) -> str | None:
        row = self.rows.get(name)
        return row.source() if row is not None else None

    def _all_sources(self) -> dict[str, str]:
        """The rows' sources and, until a model is shown, those given for its inputs."""
        shown = {name: source for name, row in self.rows.items() if (source := row.source()) is not None}
        return {**self._given, **shown}

    def _clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows.clear()
        self.fed.clear()
