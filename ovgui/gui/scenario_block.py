"""The Overview's LoadGen block: the verdict (coloured), the rate search, LoadGen's figures and the
"not an official MLPerf result" label of a `--scenario` run (`Report.scenario`)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QWidget

from ovgui.core.report import ScenarioResult
from ovgui.core.scenario_text import scenario_lines
from ovgui.gui.wrapping_label import WrappingLabel

VERDICT_COLORS = {"VALID": "#2e7d32", "INVALID": "#c62828"}


class ScenarioBlock(WrappingLabel):
    """Hidden unless the run shown was measured by LoadGen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(objectName="scenario-block", parent=parent)
        self.setTextFormat(self.textFormat().RichText)
        self.hide()

    def show_scenario(self, scenario: ScenarioResult | None) -> None:
        if scenario is None:
            self.clear_scenario()
            return
        verdict, *figures, official = [html.escape(line) for line in scenario_lines(scenario)]
        color = VERDICT_COLORS.get(scenario.result)
        lines = [f'<b style="color: {color}">{verdict}</b>' if color else f"<b>{verdict}</b>", *figures, f"<i>{official}</i>"]
        self.setText("<br>".join(lines))
        self.show()

    def clear_scenario(self) -> None:
        self.setText("")
        self.hide()
