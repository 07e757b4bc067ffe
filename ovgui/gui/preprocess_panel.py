"""The preprocessing panel: how the image becomes the model's input, and what ovgui guessed and why.

A field left on "guessed" is filled in by ovgui when the run starts; after the
run the panel says what was used and where it came from (the decoder family,
the model format, a dynamic input rounded up to 32).  It reads that from the
report's `PreprocessInfo` and the model summary, never from OpenVINO.  The
values are remembered per model file, because a mean or a colour order belongs
to a model, not to the session.
"""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QWidget

from ovgui.core.errors import OvguiError
from ovgui.core.files import parse_json
from ovgui.core.options import BY_NAME, Option, OptionError, format_value, options_in
from ovgui.core.preprocess import RECIPES
from ovgui.core.report import ModelInfo, PreprocessInfo, Report, RunConfig
from ovgui.gui.option_fields import OptionForm, accepted_values

REMEMBERED_KEY = "preprocess/by_model"
REMEMBERED_LIMIT = 50
MODE = "preprocess"
GUESSED_AT_RUN = "guessed when the run starts"
CHANGED = "changed: used from the next run on"
SET_BY_YOU = "set by you"


def recipe_source(family: str, model_format: str) -> str:
    """Where the colour order, mean, scale and resize came from, in the terms of `preprocess.recipe_for`."""
    if family in RECIPES:
        return f"guessed from the {family} family"
    if family == "classify" and model_format != "OpenVINO IR":
        return f"guessed from the model: a {model_format} classifier (torchvision's recipe)"
    if model_format == "OpenVINO IR":
        return "guessed from the model format (OpenVINO IR: raw BGR 0..255, as Open Model Zoo models take it)"
    known = f"the {family} family" if family and family != "none" else "a model no decoder recognises"
    return f"ovgui's default (raw BGR 0..255): no recipe is known for {known}"


def applied_values(info: PreprocessInfo) -> dict[str, str]:
    return {
        "layout": info.model_layout or "—",
        "color_order": info.color_order.upper(),
        "mean": format_value(info.mean) or "none",
        "scale": format_value(info.scale) or "none",
        "resize": info.resize,
        "input_shape": format_value(info.input_shape) or "—",
    }


def shape_reason(model: ModelInfo, input_name: str) -> str:
    port = next((port for port in model.inputs if port.name == input_name), None)
    if port is None:
        return "the model's own shape"
    if "?" in port.shape:
        return f"the input is dynamic ({port.shape}): the image's size rounded up to 32"
    return "the model's own shape"


def reasons_after_run(report: Report) -> dict[str, str]:
    """One line per field: what the run used, and whether the user set it or where ovgui's guess came from."""
    info = report.preprocess
    if not info.input_name:
        return {name: "not used: the model has no image-like input, every input was fed zeros" for name in applied_values(info)}
    source = recipe_source(info.family, report.model.format)
    port_shape = next((port.shape for port in report.model.inputs if port.name == info.input_name), "?")
    why = {
        "layout": f"guessed from where the input {port_shape} has its channels",
        "color_order": source,
        "mean": source,
        "scale": source,
        "resize": source,
        "input_shape": shape_reason(report.model, info.input_name),
    }
    return {
        name: f"{value}: {SET_BY_YOU}" if getattr(report.config, name) is not None else f"{value} — {why[name]}"
        for name, value in applied_values(info).items()
    }


class PreprocessPanel(OptionForm):
    """The preprocessing options, each with a line saying what ovgui chose and why."""

    def __init__(self, parent: QWidget | None = None):
        self.reasons: dict[str, QLabel] = {}
        super().__init__("Preprocessing", options_in("preprocess"), parent=parent)
        self._model_path = ""
        self.fields[MODE].currentIndexChanged.connect(self._explain_mode)
        for name, field in self.fields.items():
            field.edited.connect(lambda name=name: self._edited(name))
        self._explain_mode()
        self._show_pending()

    def add_row(self, option: Option, field: QWidget) -> None:
        """The field, and under it, across the whole form, the line saying where its value comes from."""
        super().add_row(option, field)
        reason = QLabel(wordWrap=True, objectName=f"reason-{option.name}", textFormat=Qt.TextFormat.PlainText)
        reason.setStyleSheet("color: palette(dark); font-size: small; margin-bottom: 4px;")
        self.reasons[option.name] = reason
        self.form.addRow(reason)

    def reason(self, name: str) -> str:
        return self.reasons[name].text()

    def load_for(self, model_path: str, config: RunConfig | None = None) -> None:
        """Show `config`'s values (a reopened report's), else those last used with this model, else
        ovgui's guesses for a model never run."""
        self._model_path = model_path
        if config is None:
            stored = _remembered(QSettings()).get(model_path, {})
            config = replace(RunConfig(), **accepted_values(stored if isinstance(stored, dict) else {}, self.fields))
        self.set_values(config)

    def set_values(self, config: RunConfig) -> None:
        super().set_values(config)
        self._show_pending()

    def remember(self) -> None:
        """Store the values for the current model; text that is no value is not stored."""
        if not self._model_path:
            return
        try:
            values = self.values()
        except OptionError:
            return
        settings = QSettings()
        stored = _remembered(settings)
        stored.pop(self._model_path, None)
        stored[self._model_path] = values
        for path in list(stored)[:-REMEMBERED_LIMIT]:
            del stored[path]
        settings.setValue(REMEMBERED_KEY, json.dumps(stored))

    def show_model(self, info: ModelInfo) -> None:
        if info.path != self._model_path or _holds_value(self.fields["input_shape"]):
            return
        image_inputs = [port for port in info.inputs if port.shape.count(",") == 3]
        if image_inputs:
            port = image_inputs[0]
            reason = shape_reason(info, port.name)
            self.reasons["input_shape"].setText(reason if "?" in port.shape else f"{port.shape} — {reason}")

    def show_report(self, report: Report) -> None:
        if report.model.path != self._model_path:
            return
        for name, text in reasons_after_run(report).items():
            self.reasons[name].setText(text)

    def _show_pending(self) -> None:
        for name in applied_values(PreprocessInfo()):
            self.reasons[name].setText(SET_BY_YOU if _holds_value(self.fields[name]) else GUESSED_AT_RUN)

    def _edited(self, name: str) -> None:
        if name != MODE:
            self.reasons[name].setText(CHANGED)
        self.remember()

    def _explain_mode(self) -> None:
        self.reasons[MODE].setText(BY_NAME[MODE].choice_help[self.fields[MODE].value()])


def _holds_value(field: QWidget) -> bool:
    """Whether the user has put something in the field (valid or not) rather than leaving it to ovgui."""
    try:
        return field.value() is not None
    except OptionError:
        return True


def _remembered(settings: QSettings) -> dict:
    try:
        stored = parse_json(str(settings.value(REMEMBERED_KEY, "{}")), "settings")
    except (ValueError, OvguiError):
        return {}
    return stored if isinstance(stored, dict) else {}
