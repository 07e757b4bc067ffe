"""The preprocessing panel: what the user sets reaches the run, is remembered per model, and the
panel says what ovgui guessed and why."""

from __future__ import annotations

from shared_data import image_path, model_path

from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 120_000


def open_files(window, qtbot, model: str, image: str = "zidane.jpg") -> None:
    window.open_model(str(model_path(model)))
    window.open_image(str(image_path(image)))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.settings.iterations.setValue(3)


def choose(combo, data) -> None:
    """As a user picks an item: the index changes and `activated` fires."""
    index = combo.findData(data)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def run(window, qtbot):
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    return blocker.args[0]


def test_the_panel_reaches_the_run_and_is_remembered_per_model(window, qtbot):
    panel = window.controls.preprocess
    open_files(window, qtbot, "yunet_dynamic")
    assert panel.reason("input_shape") == "the input is dynamic ([?,3,?,?]): the image's size rounded up to 32"
    assert panel.reason("color_order") == "guessed when the run starts"
    qtbot.keyClicks(panel.field("input_shape"), "1,3,256,320")
    qtbot.keyClicks(panel.field("mean"), "1,2,3")
    choose(panel.field("color_order"), "rgb")
    choose(panel.field("resize"), "letterbox")
    choose(panel.field("layout"), "NCHW")
    choose(panel.field("preprocess"), "graph")
    report = run(window, qtbot)
    applied = report.preprocess
    assert (applied.input_shape, applied.color_order, applied.mean, applied.resize, applied.model_layout) == (
        [1, 3, 256, 320], "rgb", [1.0, 2.0, 3.0], "letterbox", "NCHW")
    assert (report.config.input_shape, report.config.color_order, report.config.preprocess) == ([1, 3, 256, 320], "rgb", "graph")
    assert panel.reason("input_shape") == "1,3,256,320: set by you"
    assert panel.reason("scale") == "none — ovgui's default (raw BGR 0..255): no recipe is known for the yunet family"

    open_files(window, qtbot, "face", "bus.jpg")
    assert panel.values() == {"preprocess": "host", "layout": None, "color_order": None, "mean": None, "scale": None,
                              "resize": None, "input_shape": None, "batch": None, "input_shapes": None, "data_shapes": None}
    assert panel.reason("input_shape") == "[1,3,384,672] — the model's own shape"
    report = run(window, qtbot)
    assert report.preprocess.color_order == "bgr" and report.config.color_order is None
    assert panel.reason("color_order").startswith("BGR — guessed from the model format (OpenVINO IR")

    fresh = MainWindow()
    qtbot.addWidget(fresh)
    open_files(fresh, qtbot, "yunet_dynamic")
    assert fresh.controls.preprocess.values() == {"preprocess": "graph", "layout": "NCHW", "color_order": "rgb",
                                                  "mean": [1.0, 2.0, 3.0], "scale": None, "resize": "letterbox",
                                                  "input_shape": [1, 3, 256, 320], "batch": None, "input_shapes": None,
                                                  "data_shapes": None}
    assert run(fresh, qtbot).preprocess.input_shape == [1, 3, 256, 320]
    fresh.session.shutdown()
    fresh.jobs.wait()


def test_guesses_name_the_family_after_a_run(window, qtbot):
    open_files(window, qtbot, "yolov8", "bus.jpg")
    run(window, qtbot)
    panel = window.controls.preprocess
    assert panel.reason("color_order") == "RGB — guessed from the yolov8 family"
    assert panel.reason("scale") == "255 — guessed from the yolov8 family"
    assert panel.reason("resize") == "letterbox — guessed from the yolov8 family"
    assert panel.reason("input_shape") == "1,3,640,640 — the model's own shape"
    assert panel.reason("layout") == "NCHW — guessed from where the input [1,3,640,640] has its channels"
    assert panel.reason("preprocess").startswith("the image is converted once, outside the timed region")


def test_a_reopened_report_shows_its_own_preprocessing(window, qtbot, tmp_path):
    open_files(window, qtbot, "yunet_dynamic")
    qtbot.keyClicks(window.controls.preprocess.field("input_shape"), "1,3,224,288")
    report = run(window, qtbot)
    saved = tmp_path / "run.json"
    report.save_json(saved)
    open_files(window, qtbot, "face", "bus.jpg")
    window.open_report(str(saved))
    qtbot.waitUntil(lambda: window.report_source == "run.json", timeout=30_000)  # read off the GUI thread
    panel = window.controls.preprocess
    assert panel.values()["input_shape"] == [1, 3, 224, 288]
    assert panel.reason("input_shape") == "1,3,224,288: set by you"
