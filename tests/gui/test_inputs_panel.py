"""The Inputs panel lists every model input with its data source and makes the `--input` values the
command line takes; after a run it says what each input was fed."""

from __future__ import annotations

from shared_data import image_path, model_path

from ovgui.core.model import inspect_model
from ovgui.core.report import InputFeed, ModelInfo, RunConfig, TensorInfo
from ovgui.gui.inputs_panel import InputsPanel


def gaze_panel(qtbot, config: RunConfig) -> InputsPanel:
    panel = InputsPanel()
    qtbot.addWidget(panel)
    panel.set_values(config)
    panel.show_model(inspect_model(model_path("gaze")))
    panel.show()
    return panel


def test_the_gaze_models_three_inputs_show_with_their_sources(qtbot, tmp_path):
    left, right = str(image_path("astronaut.png")), str(image_path("zidane.jpg"))
    given = {"left_eye_image": left, "1": right, "head_pose_angles": str(tmp_path / "pose.npy")}
    panel = gaze_panel(qtbot, RunConfig(input=given))
    assert list(panel.rows) == ["left_eye_image", "right_eye_image", "head_pose_angles"]
    ports = [panel.findChild(type(panel.empty), f"input-port-{name}").text() for name in panel.rows]
    assert ports == ["f32 [1,3,60,60]", "f32 [1,3,60,60]", "f32 [1,3]"]
    kinds = [row.kind.currentText() for row in panel.rows.values()]
    assert kinds == ["image file…", "image file…", ".npy/.npz file…"]
    assert panel.values() == {"input": {"left_eye_image": left, "right_eye_image": right,
                                        "head_pose_angles": str(tmp_path / "pose.npy")}}


def test_a_row_edited_makes_the_source_the_command_line_takes(qtbot):
    panel = gaze_panel(qtbot, RunConfig())
    assert panel.values() == {"input": None}, "left on auto, nothing is named"
    row = panel.rows["head_pose_angles"]
    row.kind.setCurrentIndex(row.kind.findData("const"))
    row.text.setText("0.5")
    assert panel.values() == {"input": {"head_pose_angles": "const:0.5"}}
    row.kind.setCurrentIndex(row.kind.findData("random"))
    row.text.setText("-1:1")
    assert panel.source_of("head_pose_angles") == "random:-1:1"
    row.text.setText("")
    assert panel.source_of("head_pose_angles") == "random"
    assert not row.browse.isVisible()
    row.kind.setCurrentIndex(row.kind.findData("array"))
    assert row.browse.isVisible()


def test_dynamic_dimensions_show_as_question_marks_and_what_was_fed_after_a_run(qtbot):
    panel = gaze_panel(qtbot, RunConfig())
    panel.show_model(inspect_model(model_path("yunet_dynamic")))
    assert list(panel.rows) == ["input"]
    assert panel.findChild(type(panel.empty), "input-port-input").text() == "f32 [?,3,?,?]"
    panel.show_fed([InputFeed("input", "f32", [1, 3, 736, 1280], "", "the photo")])
    fed = panel.fed["input"]
    assert fed.isVisible() and fed.text() == "fed the photo"


def test_a_source_for_an_input_the_next_model_lacks_is_dropped(qtbot):
    panel = gaze_panel(qtbot, RunConfig(input={"head_pose_angles": "const:0"}))
    panel.show_model(inspect_model(model_path("gaze")))
    assert panel.values() == {"input": {"head_pose_angles": "const:0"}}, "the same model again keeps its sources"
    panel.show_model(inspect_model(model_path("face")))
    assert panel.values() == {"input": None}


def test_a_declared_layout_is_shown(qtbot):
    panel = InputsPanel()
    qtbot.addWidget(panel)
    panel.show_model(ModelInfo("m.xml", "OpenVINO IR", 0, [TensorInfo("x", "[1,3,?,?]", "u8", ["x"], "[N,C,H,W]")]))
    assert panel.findChild(type(panel.empty), "input-port-x").text() == "u8 [1,3,?,?] [N,C,H,W]"
