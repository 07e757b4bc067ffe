"""The preprocessing panel: how the image becomes the model's input, and what ovgui guessed and why.

A field left on "guessed" is filled in by ovgui when the run starts; after the
run the panel says what was used and where it came from (the model's rt_info or
ONNX metadata, the decoder family, the model format, a dynamic input rounded up
to 32).  It reads that from the report's `PreprocessInfo.sources` and the model
summary, never from OpenVINO; a report written before there were sources gets
the reasons worked out from its family and format.  A preset fills colour
order, mean and scale in one pick.  The values are remembered per model file,
because a mean or a colour order belongs to a model, not to the session.
"""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QWidget

from ovgui.core.errors import OvguiError
from ovgui.core.files import parse_json
from ovgui.core.options import BY_NAME, PRESETS, Option, OptionError, format_value, options_in
from ovgui.core.preprocess import DEFAULT_GUESS, SET_BY_YOU, family_guess, shape_reason
from ovgui.core.report import ModelInfo, PreprocessInfo, Report, RunConfig
from ovgui.gui.option_fields import OptionForm, accepted_values

REMEMBERED_KEY = "preprocess/by_model"
REMEMBERED_LIMIT = 50
MODE = "preprocess"
GUESSED_AT_RUN = "read from the model, else guessed, when the run starts"
CHANGED = "changed: used from the next run on"
PRESET = "preset"
PRESET_FIELDS = ("color_order", "mean", "scale")
NO_PRESET = "pick one to fill colour order, mean and scale"
TRY_A_PRESET = ("the model states no preprocessing and ovgui knows no recipe for it: if the results look wrong, "
                "pick the range it was trained with")


def applied_values(info: PreprocessInfo) -> dict[str, str]:
    return {
        "layout": info.model_layout or "—",
        "color_order": info.color_order.upper(),
        "mean": format_value(info.mean) or "none",
        "scale": format_value(info.scale) or "none",
        "resize": info.resize,
        "input_shape": format_value(info.input_shape) or "—",
    }


def sources_after_run(report: Report) -> dict[str, str]:
    """Where each value the run used came from: the report's sources, else (an older report) the user's
    setting or the family's guess."""
    return {**reasons_before_sources(report), **report.preprocess.sources}


def reasons_after_run(report: Report) -> dict[str, str]:
    """One line per field: what the run used and where it came from; a source the field above already
    gave in full is named in short."""
    info = report.preprocess
    if not info.input_name:
        unused = "not used: no input was fed the photo (the Inputs panel shows what each got)"
        return {name: unused for name in applied_values(info)}
    why = sources_after_run(report)
    reasons, above = {}, ""
    for name, value in applied_values(info).items():
        source = why[name]
        shown = f"{short_source(source)}, as above" if source == above and source != SET_BY_YOU else source
        reasons[name] = f"{value}: {shown}" if source.startswith(SET_BY_YOU) else f"{value} — {shown}"
        above = source
    return reasons


def short_source(source: str) -> str:
    """A source up to its details: "from the model's rt_info: the converter put …" is "from the model's rt_info"."""
    ends = [index for index in (source.find(":"), source.find(" (")) if index > 0]
    return source[:min(ends)] if ends else source


def reasons_before_sources(report: Report) -> dict[str, str]:
    """The reasons for a report written before `PreprocessInfo.sources`: the user's setting, else the family's guess."""
    info = report.preprocess
    guess = family_guess(info.family, report.model.format).guess
    port_shape = next((port.shape for port in report.model.inputs if port.name == info.input_name), "?")
    why = {"layout": f"guessed from where the input {port_shape} has its channels",
           "input_shape": shape_reason(report.model, info.input_name),
           **{name: guess for name in ("color_order", "mean", "scale", "resize")}}
    return {name: SET_BY_YOU if getattr(report.config, name) is not None else reason for name, reason in why.items()}


class PreprocessPanel(OptionForm):
    """The preprocessing options, each with a line saying what ovgui chose and why."""

    def __init__(self, parent: QWidget | None = None):
        self.reasons: dict[str, QLabel] = {}
        super().__init__("Preprocessing", options_in("preprocess"), parent=parent)
        self._model_path = ""
        self.fields[MODE].currentIndexChanged.connect(self._explain_mode)
        self.fields[PRESET].edited.connect(self._apply_preset)
        for name, field in self.fields.items():
            field.edited.connect(lambda name=name: self._edited(name))
        self._explain_mode()
        self._show_pending()

    def add_row(self, option: Option, field: QWidget) -> None:
        """The field, and under it, across the whole form, the line saying where its value comes from.
        The preset goes right under the mode, above the fields it fills."""
        reason = QLabel(wordWrap=True, objectName=f"reason-{option.name}", textFormat=Qt.TextFormat.PlainText)
        reason.setStyleSheet("color: palette(dark); font-size: small; margin-bottom: 4px;")
        self.reasons[option.name] = reason
        if option.name == PRESET:
            row = self.form.getWidgetPosition(self.reasons[MODE])[0] + 1
            self.form.insertRow(row, option.label.capitalize(), field)
            self.form.insertRow(row + 1, reason)
            return
        super().add_row(option, field)
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
        sources = sources_after_run(report) if report.preprocess.input_name else {}
        for name, text in reasons_after_run(report).items():
            self.reasons[name].setText(text)
            self.reasons[name].setToolTip(sources.get(name, ""))
        if any(source.startswith(DEFAULT_GUESS) for source in sources.values()) and self.fields[PRESET].value() is None:
            self.reasons[PRESET].setText(TRY_A_PRESET)

    def _show_pending(self) -> None:
        for name in applied_values(PreprocessInfo()):
            self.reasons[name].setText(SET_BY_YOU if _holds_value(self.fields[name]) else GUESSED_AT_RUN)
        self._explain_preset()

    def _apply_preset(self) -> None:
        """Fill the fields the chosen preset sets, as if the user had typed them (a colour order the preset leaves
        open stays as it is)."""
        preset = PRESETS.get(self.fields[PRESET].value() or "")
        if preset is not None:
            for name in PRESET_FIELDS:
                value = getattr(preset, name)
                if value is not None:
                    self.fields[name].setValue(list(value) if isinstance(value, tuple) else value)
                    self._edited(name)
        self._explain_preset()

    def _explain_preset(self) -> None:
        preset = PRESETS.get(self.fields[PRESET].value() or "")
        if preset is None:
            self.reasons[PRESET].setText(NO_PRESET)
            return
        order = preset.color_order.upper() if preset.color_order else "colour order unchanged"
        self.reasons[PRESET].setText(f"{order}, mean {format_value(list(preset.mean))}, scale {format_value(list(preset.scale))}")

    def _edited(self, name: str) -> None:
        if name not in (MODE, PRESET):
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
