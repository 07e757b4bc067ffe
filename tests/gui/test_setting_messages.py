"""A message that points at a setting ("Preprocessing › Input shape in the window") names the
panel and the field the window really has."""

from __future__ import annotations

from ovgui.core.options import BY_NAME, where_to_set
from ovgui.gui.preprocess_panel import PreprocessPanel


def test_the_input_shape_field_is_where_messages_say(qtbot):
    panel = PreprocessPanel()
    qtbot.addWidget(panel)
    label = panel.form.labelForField(panel.field("input_shape"))
    in_the_window = f"{panel.title()} › {label.text()} in the window"
    assert where_to_set(BY_NAME["input_shape"]) == f"--shape N,C,H,W on the command line, {in_the_window}"
