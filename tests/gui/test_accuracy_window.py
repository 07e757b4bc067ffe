"""The Accuracy workspace: a scored set's figures, its classes and its images the worst first; a
click on an image opens it in Frames with its ground truth drawn beside the model's answer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from shared_data import IMAGES, MODELS, image_path, model_path

from ovgui.core.report import Report, RunConfig
from ovgui.core.runner import RunRequest, run_profile
from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 180_000
MANIFEST_TOP1 = {"chelsea.png": "Egyptian cat", "dog.jpg": "dogsled", "kite.jpg": "sandbar", "bus.jpg": "amphibian",
                 "person.jpg": "llama"}
COCO_NAMES = (MODELS / "labels" / "coco.names").read_text(encoding="utf-8").splitlines()


def run_scored(window: MainWindow, qtbot, model: str, images: str, annotations: str) -> Report:
    window.open_model(str(model_path(model)))
    window.open_image(images)
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    settings = window.controls.settings
    settings.precision.setCurrentIndex(settings.precision.findData("f32"))
    settings.field("accuracy").setText(annotations)
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    return blocker.args[0]


def click_image(window: MainWindow, qtbot, row: int) -> None:
    window.show_view("accuracy")
    table = window.accuracy_view.image_table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(row, 0)).center())


def shown_columns(window: MainWindow) -> list[str]:
    table = window.accuracy_view.class_table
    model = table.model()
    return [model.headerData(c, Qt.Orientation.Horizontal).replace("\n", " ")
            for c in range(model.columnCount()) if not table.isColumnHidden(c)]


def test_a_classifiers_figures_and_a_wrong_image_shown_with_its_true_class(window, qtbot, tmp_path):
    tree = tmp_path / "tree"
    labels = {**MANIFEST_TOP1, "chelsea.png": "tabby"}
    for name, label in labels.items():
        (tree / label).mkdir(parents=True)
        shutil.copy(image_path(name), tree / label / name)
    assert not window.accuracy_view.shows_figures()
    report = run_scored(window, qtbot, "squeezenet", str(tree), str(tree))
    assert report.accuracy.top1 == 0.8
    view = window.accuracy_view
    assert view.shows_figures()
    assert view.figures.text() == "top-1 80.0% · top-5 100.0% over 5 images"
    assert "5 annotated in tree (folders)" in view.details.text()
    assert shown_columns(window) == ["Class", "Images", "Top-1", "Top-5"]
    assert view.classes.rowCount() == 5
    first = view.images.image_at(0)
    assert (Path(first.source).name, first.label, first.rank) == ("chelsea.png", "tabby", 3)
    assert view.images.index(0, 2).data() == f"tabby: top-3, {first.score:.3f}"

    click_image(window, qtbot, 0)
    assert window.workspaces.current_name() == "frames"
    assert Path(window.frames.current_frame().source).name == "chelsea.png"
    qtbot.waitUntil(lambda: window.image_panel.view.truth_line() == "truth: tabby")
    assert window.image_panel.view.class_lines()[0].endswith("Egyptian cat"), "the model's answer beside the truth"


def test_a_detectors_map_and_a_wrong_box_drawn_beside_the_prediction(window, qtbot, tmp_path):
    own = run_profile(RunRequest(str(model_path("yolov5")), str(IMAGES), RunConfig(precision="f32", roofline=False,
                                                                                   perf_counters=False))).report
    images, boxes = [], []
    for image_id, result in enumerate(own.per_image, start=1):
        name = Path(result.source).name
        images.append({"id": image_id, "file_name": name})
        for detection in result.detections:
            x1, y1, x2, y2 = detection.box
            label = "toothbrush" if name == "chelsea.png" else detection.label
            boxes.append({"image_id": image_id, "category_id": COCO_NAMES.index(label) + 1, "bbox": [x1, y1, x2 - x1, y2 - y1]})
    annotations = tmp_path / "instances.json"
    annotations.write_text(json.dumps({"images": images, "annotations": boxes,
                                       "categories": [{"id": i + 1, "name": n} for i, n in enumerate(COCO_NAMES)]}))
    report = run_scored(window, qtbot, "yolov5", str(IMAGES), str(annotations))
    view = window.accuracy_view
    assert view.figures.text() == "mAP@0.5 0.889 · mAP@[.5:.95] 0.889 over 7 images"
    assert shown_columns(window) == ["Class", "Boxes", "AP@0.5", "AP@[.5:.95]"]
    assert view.classes.rowCount() == len(report.accuracy.per_class) == 9
    assert Path(view.images.image_at(0).source).name == "chelsea.png"
    assert view.images.index(0, 2).data() == "F1 0.00: 0 matched, 1 missed, 1 false"

    click_image(window, qtbot, 0)
    assert Path(window.frames.current_frame().source).name == "chelsea.png"
    image_view = window.image_panel.view
    qtbot.waitUntil(lambda: len(image_view.truth_items()) == 1)
    assert image_view.truth_items()[0].label_text() == "truth: toothbrush"
    assert [box.detection.label for box in image_view.box_items()] == ["cat"]
    assert image_view.truth_items()[0].rect() == image_view.box_items()[0].rect(), "the truth drawn where the cat was found"

    window.frames.select_row(next(row for row, frame in enumerate(window.frames.model.frames)
                                  if frame.source.endswith("bus.jpg")))
    qtbot.waitUntil(lambda: len(image_view.truth_items()) == 4)
    assert sorted(item.truth.label for item in image_view.truth_items()) == ["bus", "person", "person", "person"]

    saved = tmp_path / "report.json"
    report.save_json(saved)
    window.accuracy_view.clear()
    window.open_report(str(saved))
    qtbot.waitUntil(lambda: view.shows_figures())
    assert view.figures.text() == "mAP@0.5 0.889 · mAP@[.5:.95] 0.889 over 7 images"


def test_annotations_that_cannot_be_read_are_one_line_in_the_banner(window, qtbot, tmp_path):
    table = tmp_path / "labels.csv"
    table.write_text("image,label\nbus.jpg\n", encoding="utf-8")
    window.open_model(str(model_path("squeezenet")))
    window.open_image(str(IMAGES))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    window.controls.settings.field("accuracy").setText(str(table))
    window.commands.run.trigger()
    qtbot.waitUntil(lambda: window.banner.isVisible() and not window.session.busy, timeout=RUN_TIMEOUT_MS)
    assert window.banner.label.text() == "labels.csv line 2: expected image,label, got 'bus.jpg'"
    assert not window.accuracy_view.shows_figures()


def test_the_annotations_are_picked_as_a_file_or_a_folder_in_the_settings_panel(window, qtbot, tmp_path, monkeypatch):
    field = window.controls.settings.field("accuracy")
    assert field.browse_action.toolTip() == "Choose the accuracy file or folder…"
    table = tmp_path / "labels.csv"
    table.write_text("bus.jpg,amphibian\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(table), ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(tmp_path))
    with qtbot.waitSignal(field.edited):
        field.browse_file()
    assert window.controls.config().accuracy == str(table)
    with qtbot.waitSignal(field.edited):
        field.browse_folder()
    assert window.controls.config().accuracy == str(tmp_path)
