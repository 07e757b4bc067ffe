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
    assert panel.reason("color_order") == "read from the model, else guessed, when the run starts"
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
    assert panel.reason("preset").startswith("the model states no preprocessing and ovgui knows no recipe for it")

    open_files(window, qtbot, "face", "bus.jpg")
    assert panel.values() == {"preprocess": "host", "layout": None, "color_order": None, "mean": None, "scale": None,
                              "resize": None, "input_shape": None, "batch": None, "input_shapes": None, "data_shapes": None,
                              "preset": None, "shape_mode": "static", "shape_bounds": None}
    assert panel.reason("input_shape") == "[1,3,384,672] — the model's own shape"
    report = run(window, qtbot)
    assert report.preprocess.color_order == "bgr" and report.config.color_order is None
    assert panel.reason("color_order") == (
        "BGR — from the model's rt_info: the converter put mean_values=data[88.0,107.0,102.0], "
        "scale_values=data[76.9231] inside the IR, so it takes raw BGR 0..255")
    assert panel.reason("mean") == "none — from the model's rt_info, as above"
    assert panel.reason("preset") == "pick one to fill colour order, mean and scale"
    assert panel.reason("resize").startswith("stretch — guessed from the model format (OpenVINO IR")

    fresh = MainWindow()
    qtbot.addWidget(fresh)
    open_files(fresh, qtbot, "yunet_dynamic")
    assert fresh.controls.preprocess.values() == {"preprocess": "graph", "layout": "NCHW", "color_order": "rgb",
                                                  "mean": [1.0, 2.0, 3.0], "scale": None, "resize": "letterbox",
                                                  "input_shape": [1, 3, 256, 320], "batch": None, "input_shapes": None,
                                                  "data_shapes": None, "preset": None, "shape_mode": "static",
                                                  "shape_bounds": None}
    assert run(fresh, qtbot).preprocess.input_shape == [1, 3, 256, 320]
    fresh.session.shutdown()
    fresh.jobs.wait()


def test_the_sources_name_the_models_metadata_after_a_run(window, qtbot):
    open_files(window, qtbot, "yolov8", "bus.jpg")
    run(window, qtbot)
    panel = window.controls.preprocess
    metadata = "from the ONNX metadata (Ultralytics export: imgsz, stride, names)"
    assert panel.reason("color_order") == f"RGB — {metadata}"
    assert panel.reason("scale") == "255 — from the ONNX metadata, as above"
    assert panel.reason("resize") == "letterbox — from the ONNX metadata, as above"
    assert panel.reasons["resize"].toolTip() == metadata
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


def test_a_preset_fills_the_fields_in_one_pick_and_the_run_uses_them(window, qtbot):
    open_files(window, qtbot, "squeezenet", "dog.jpg")
    panel = window.controls.preprocess
    assert panel.reason("preset") == "pick one to fill colour order, mean and scale"
    choose(panel.field("preset"), "imagenet-bgr")
    assert (panel.field("color_order").value(), panel.field("mean").value(), panel.field("scale").value()) == (
        "bgr", [103.53, 116.28, 123.675], [57.375, 57.12, 58.395])
    assert panel.reason("mean") == "changed: used from the next run on"
    assert panel.reason("preset") == "BGR, mean 103.53,116.28,123.675, scale 57.375,57.12,58.395"
    report = run(window, qtbot)
    assert (report.preprocess.color_order, report.preprocess.mean) == ("bgr", [103.53, 116.28, 123.675])
    assert panel.reason("mean") == "103.53,116.28,123.675: set by you"
    choose(panel.field("preset"), "unit")
    assert (panel.field("color_order").value(), panel.field("mean").value(), panel.field("scale").value()) == (
        "bgr", [0.0], [255.0])


def test_a_report_without_sources_gets_its_reasons_from_family_and_format(window, qtbot, tmp_path):
    open_files(window, qtbot, "yolov8", "bus.jpg")
    report = run(window, qtbot)
    report.preprocess.sources = {}
    saved = tmp_path / "old.json"
    report.save_json(saved)
    window.open_report(str(saved))
    qtbot.waitUntil(lambda: window.report_source == "old.json", timeout=30_000)
    assert window.controls.preprocess.reason("color_order") == "RGB — guessed from the yolov8 family"
    assert window.controls.preprocess.reason("scale") == "255 — guessed from the yolov8 family, as above"
