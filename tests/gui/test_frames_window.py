"""The window over a set of images and a video: the filmstrip, the pipeline chart, playback,
Stop mid-video, exports and reopening a saved set."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import cv2
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog
from shared_data import IMAGES, image_path, model_path, write_video

from ovgui.gui.main_window import MainWindow

RUN_TIMEOUT_MS = 180_000
SQUEEZENET_TOP1 = {"chelsea.png": 285, "dog.jpg": 537, "kite.jpg": 977, "bus.jpg": 408, "person.jpg": 355}



def load(window: MainWindow, qtbot, model: str, image: str) -> None:
    window.open_model(str(model_path(model)))
    window.open_image(image)
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    settings = window.controls.settings
    settings.precision.setCurrentIndex(settings.precision.findData("f32"))


def run(window: MainWindow, qtbot):
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    return blocker.args[0]


def row_of(window: MainWindow, name: str) -> int:
    return next(row for row, frame in enumerate(window.frames.model.frames) if Path(frame.source).name == name)


def shown_top_class(window: MainWindow) -> str:
    lines = window.image_panel.view.class_lines()
    return lines[0].split(None, 1)[1] if lines else ""


def test_a_folder_shows_one_row_per_image_and_each_images_own_classes(window, qtbot, tmp_path, monkeypatch):
    load(window, qtbot, "squeezenet", str(IMAGES))
    assert window.image.info.path == str(IMAGES)
    assert window.image_panel.view.has_image()
    report = run(window, qtbot)
    names = sorted(p.name for p in IMAGES.iterdir() if p.suffix in (".jpg", ".png"))
    assert [Path(f.source).name for f in window.frames.model.frames] == names
    assert not window.stale_note.isVisible()
    qtbot.waitUntil(lambda: window.frames.model.data(window.frames.model.index(0), Qt.ItemDataRole.DecorationRole) is not None)
    for name, class_id in SQUEEZENET_TOP1.items():
        row = row_of(window, name)
        window.frames.select_row(row)
        result = report.per_image[row]
        label = result.classes[0].label
        assert result.classes[0].class_id == class_id
        qtbot.waitUntil(lambda label=label: shown_top_class(window) == label)
        assert window.image_panel.view.scene().sceneRect().width() == result.width
    chart = window.pipeline_chart
    assert chart.bar_count() == len(names)
    assert "end-to-end" in chart.fps.text() and "inference only" in chart.fps.text()
    assert chart.fps.text().startswith(f"end-to-end {report.frame_set.end_to_end_fps:.1f} FPS")

    csv_path = tmp_path / "per_image.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(csv_path), ""))
    assert window.export_action("Export per-image results").isEnabled()
    window.export_action("Export per-image results").trigger()
    rows = list(csv.DictReader(csv_path.read_text(encoding="utf-8").splitlines()))
    assert [Path(row["source"]).name for row in rows] == names

    folder = tmp_path / "annotated"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(folder))
    window.commands.export_frames.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Saved"), timeout=30_000)
    assert len(list(folder.glob("*.png"))) == len(names)


def test_next_and_previous_keys_step_through_the_strip(window, qtbot, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("bus.jpg", "chelsea.png", "dog.jpg"):
        shutil.copy(image_path(name), folder / name)
    load(window, qtbot, "squeezenet", str(folder))
    run(window, qtbot)
    assert window.frames.current_frame() is window.frames.model.frames[0]
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.frames.current_frame() is window.frames.model.frames[1]
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.frames.current_frame() is window.frames.model.frames[2]
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert window.frames.current_frame() is window.frames.model.frames[1]


def test_a_video_plays_with_live_boxes_and_gives_one_row_per_frame(window, qtbot, tmp_path):
    video = write_video(tmp_path / "clip.avi", 12)
    load(window, qtbot, "yolov8", video)
    assert window.image.info.path == video and window.image.info.width == 640
    shown = []
    window.frames.live_frame.connect(lambda _pixels, result: shown.append((result, len(window.image_panel.view.box_items()))))
    live_bars = []
    window.frames.frames_added.connect(lambda _frames: live_bars.append(window.pipeline_chart.bar_count()))
    report = run(window, qtbot)
    assert [f.source for f in window.frames.model.frames] == [f"frame {i}" for i in range(12)]
    assert shown, "no frame was shown while the video ran"
    assert all(boxes == len(result.detections) for result, boxes in shown)
    assert any(boxes for _, boxes in shown)
    assert live_bars and live_bars[0] > 0, "the pipeline chart did not follow the video"
    assert window.pipeline_chart.bar_count() == 12
    window.frames.select_row(4)
    qtbot.waitUntil(lambda: len(window.image_panel.view.box_items()) == len(report.per_image[4].detections) > 0)
    assert [box.detection for box in window.image_panel.view.box_items()] == report.per_image[4].detections


def test_stop_mid_video_ends_cleanly_with_the_frames_so_far(window, qtbot, tmp_path):
    video = write_video(tmp_path / "long.avi", 300)
    load(window, qtbot, "yolov8", video)
    window.commands.run.trigger()
    qtbot.waitUntil(lambda: window.frames.model.rowCount() >= 3, timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.stop.trigger()
    report = blocker.args[0]
    assert not report.completed
    assert 3 <= len(report.per_image) < 300
    assert [f.index for f in window.frames.model.frames] == [f.index for f in report.per_image]
    assert window.pipeline_chart.bar_count() == len(report.per_image)
    assert not window.session.busy and not window.commands.stop.isEnabled()


def test_a_saved_set_reopens_with_its_strip_and_chart_and_says_which_images_are_gone(window, qtbot, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("bus.jpg", "chelsea.png", "dog.jpg"):
        shutil.copy(image_path(name), folder / name)
    load(window, qtbot, "squeezenet", str(folder))
    report = run(window, qtbot)
    saved = tmp_path / "set.json"
    report.save_json(saved)
    (folder / "dog.jpg").unlink()

    other = MainWindow()
    qtbot.addWidget(other)
    other.show()
    try:
        other.open_report(str(saved))
        qtbot.waitUntil(lambda: other.frames.model.rowCount() == 3, timeout=30_000)
        assert other.pipeline_chart.bar_count() == 3
        assert "end-to-end" in other.pipeline_chart.fps.text()
        qtbot.waitUntil(lambda: other.frames.model.missing == {2}, timeout=30_000)
        assert "1 of 3 can no longer be read" in other.frames.note.text()
        assert other.export_action("Export per-image results").isEnabled()
        other.frames.select_row(1)
        qtbot.waitUntil(lambda: shown_top_class(other) == report.per_image[1].classes[0].label)
        other.frames.select_row(2)
        qtbot.waitUntil(lambda: "dog.jpg" in other.banner.label.text())
    finally:
        other.session.shutdown()
        other.jobs.wait()


def test_a_dropped_folder_goes_to_the_image_picker(window, qtbot):
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(IMAGES))])
    view = window.image_panel.view
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)
    assert window.controls.image_path() == str(IMAGES)
    qtbot.waitUntil(lambda: window.image is not None and window.image.info.path == str(IMAGES))


def action_named(window: MainWindow, text: str):
    return next(action for action in window.actions() if action.text().replace("&", "") == text)


def test_file_menu_opens_a_folder_and_a_video_and_shows_their_first_frame(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(IMAGES))
    action_named(window, "Open folder…").trigger()
    assert window.controls.image_path() == str(IMAGES)
    qtbot.waitUntil(lambda: window.image is not None and window.image.info.path == str(IMAGES))
    first = min(p for p in IMAGES.iterdir() if p.suffix in (".jpg", ".png"))
    assert window.image.size == cv2.imread(str(first)).shape[1::-1]

    video = write_video(tmp_path / "clip.avi", 3)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (video, ""))
    action_named(window, "Open video…").trigger()
    qtbot.waitUntil(lambda: window.image is not None and window.image.info.path == video)
    assert window.image.size == (640, 480)


def test_a_folder_without_images_is_one_line_in_the_banner(window, qtbot, tmp_path):
    (tmp_path / "notes.txt").write_text("no pictures here")
    window.open_image(str(tmp_path))
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert window.banner.label.text() == f"{tmp_path} holds no images OpenCV can read"
    assert window.image is None and not window.image_panel.view.has_image()
