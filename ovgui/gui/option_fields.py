"""Widgets for run options, made from their declarations in `ovgui.core.options`.

A choice becomes a combo box (with the "unset" entry first when the option may
be left to ovgui), a switch a check box, and everything else a text field (with a
browse button inside it when the option names a file or a folder) that parses
what is typed with the option's own parser — the one the command line uses — so
a value is accepted or refused with the same words in both.  Every field
answers `value()` and `setValue()` and emits `edited` only for the user's own
changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QLineEdit, QMenu, QStyle, QWidget

from ovgui.core.options import BY_NAME, Option, OptionError, format_value
from ovgui.core.report import RunConfig


class ChoiceField(QComboBox):
    edited = Signal()

    def __init__(self, option: Option, parent: QWidget | None = None):
        super().__init__(parent, toolTip=option.help_text())
        self.option = option
        if option.optional:
            self.addItem(option.unset, None)
        for choice in option.choices:
            self.addItem(option.choice_labels.get(choice, choice), choice)
        self.activated.connect(lambda _index: self.edited.emit())

    def value(self) -> Any:
        return self.currentData()

    def setValue(self, value: Any) -> None:
        index = self.findData(value)
        if index >= 0:
            self.setCurrentIndex(index)


class SwitchField(QCheckBox):
    edited = Signal()

    def __init__(self, option: Option, parent: QWidget | None = None):
        super().__init__(_capitalised(option.label), parent, toolTip=option.help_text())
        self.option = option
        self.clicked.connect(lambda _checked: self.edited.emit())

    def value(self) -> bool:
        return self.isChecked()

    def setValue(self, value: bool) -> None:
        self.setChecked(bool(value))


class TextField(QLineEdit):
    """Blank means the option's default, shown as the placeholder."""

    edited = Signal()

    def __init__(self, option: Option, parent: QWidget | None = None):
        super().__init__(parent, toolTip=option.help_text(), placeholderText=option.describe_default(), clearButtonEnabled=True)
        self.option = option
        self.textEdited.connect(lambda _text: self.edited.emit())

    def value(self) -> Any:
        """The parsed value; an `OptionError` for text that is no value of this option."""
        return self.option.parse(self.text())

    def setValue(self, value: Any) -> None:
        self.setText(format_value(value))


class PathField(TextField):
    """A text field for an option that names a file or a folder (its declaration's `path`), with a
    browse button inside it; "file or folder" offers both."""

    def __init__(self, option: Option, parent: QWidget | None = None):
        super().__init__(option, parent)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon)
        self.browse_action = self.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self.browse_action.setToolTip(f"Choose the {option.label} {option.path}…")
        self.browse_action.triggered.connect(self._browse)

    def browse_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, _capitalised(self.option.label), self._start())
        self._chosen(path)

    def browse_folder(self) -> None:
        self._chosen(QFileDialog.getExistingDirectory(self, _capitalised(self.option.label), self._start()))

    def _browse(self) -> None:
        if self.option.path == "folder":
            self.browse_folder()
        elif self.option.path == "file":
            self.browse_file()
        else:
            menu = QMenu(self)
            menu.addActions([QAction("A file…", menu, triggered=self.browse_file),
                             QAction("A folder…", menu, triggered=self.browse_folder)])
            menu.exec(QCursor.pos())

    def _start(self) -> str:
        return self.text().strip()

    def _chosen(self, path: str) -> None:
        if path:
            self.setText(path)
            self.edited.emit()


def make_field(option: Option) -> ChoiceField | SwitchField | TextField:
    if option.choices:
        return ChoiceField(option)
    if option.value_type is bool:
        return SwitchField(option)
    return PathField(option) if option.path else TextField(option)


class OptionForm(QGroupBox):
    """A titled form of option fields, read back as a dict of `RunConfig` changes."""

    edited = Signal()

    def __init__(
        self, title: str, options: list[Option], fields: dict[str, QWidget] | None = None, parent: QWidget | None = None
    ):
        super().__init__(title, parent)
        given = fields or {}
        self.fields = {option.name: given.get(option.name) or make_field(option) for option in options}
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for option in options:
            self.add_row(option, self.fields[option.name])
            self.fields[option.name].edited.connect(self.edited)

    def add_row(self, option: Option, field: QWidget) -> None:
        self.form.addRow("" if isinstance(field, SwitchField) else _capitalised(option.label), field)

    def values(self) -> dict[str, Any]:
        return {name: field.value() for name, field in self.fields.items()}

    def set_values(self, config: RunConfig) -> None:
        for name, field in self.fields.items():
            field.setValue(getattr(config, name))

    def field(self, name: str) -> QWidget | None:
        return self.fields.get(name)


def accepted_values(stored: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The stored values (from QSettings) that their options accept, for the options in `names`."""
    wanted = set(names)
    accepted = {}
    for name, value in stored.items():
        if name in wanted:
            try:
                accepted[name] = BY_NAME[name].check(value)
            except OptionError:
                continue
    return accepted


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]
