"""The image view on real photos: boxes where the detections are, the score filter, the top-5 card."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage, QWheelEvent
from PySide6.QtWidgets import QDoubleSpinBox, QGraphicsSceneHoverEvent, QSlider
from shared_data import image_path

from ovgui.core.annotate import class_color
from ovgui.core.report import ClassScore, Detection
from ovgui.gui.image_view import ImagePanel, ImageView, bgr_to_qimage

# yolov8n_int8, YOLO-letterbox, conf 0.25, on bus.jpg (shared/models/MANIFEST.md).
BUS_DETECTIONS = [
    Detection(0, "person", 0.898, [672, 374, 810, 879]),
    Detection(0, "person", 0.896, [50, 399, 243, 903]),
    Detection(0, "person", 0.896, [221, 408, 344, 856]),
    Detection(5, "bus", 0.834, [34, 231, 798, 769]),
    Detection(0, "person", 0.314, [0, 551, 61, 868]),
]
# squeezenet1.1 top-5 on chelsea.png (shared/models/MANIFEST.md).
CHELSEA_CLASSES = [
    ClassScore(285, "Egyptian cat", 0.507),
    ClassScore(282, "tiger cat", 0.285),
    ClassScore(281, "tabby", 0.187),
    ClassScore(287, "lynx", 0.020),
    ClassScore(293, "cheetah", 0.000),
]


def read_bgr(name: str) -> np.ndarray:
    return cv2.imread(str(image_path(name)))


def mean_lightness(image: QImage, corner: QPoint) -> float:
    """Mean lightness of the 150x80 block where the top-5 card goes."""
    points = [corner + QPoint(x, y) for x in range(15, 165, 5) for y in range(15, 95, 5)]
    return sum(image.pixelColor(point).lightness() for point in points) / len(points)


@pytest.fixture
def view(show_sized) -> Iterator[ImageView]:
    image_view = ImageView()
    host = show_sized(image_view)
    yield image_view
    host.close()


@pytest.fixture
def panel(show_sized) -> Iterator[ImagePanel]:
    image_panel = ImagePanel()
    host = show_sized(image_panel)
    yield image_panel
    host.close()


def test_qimage_keeps_pixels_and_row_stride():
    bgr = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)  # 21-byte rows: not 4-aligned
    image = bgr_to_qimage(bgr)
    for y, x in ((0, 0), (4, 6), (2, 3)):
        b, g, r = bgr[y, x]
        assert image.pixelColor(x, y) == QColor(int(r), int(g), int(b))


def test_qimage_of_a_photo_is_rgb_and_owns_its_pixels():
    bgr = read_bgr("bus.jpg")
    image = bgr_to_qimage(bgr)
    expected = bgr[500, 400].copy()
    bgr[:] = 0

    assert (image.width(), image.height()) == (810, 1080)
    assert image.pixelColor(400, 500) == QColor(int(expected[2]), int(expected[1]), int(expected[0]))


def test_qimage_rejects_what_it_cannot_show():
    with pytest.raises(ValueError):
        bgr_to_qimage(np.zeros((4, 4, 4), dtype=np.uint8))


def test_boxes_sit_at_the_detections_scene_coordinates(view):
    view.set_image(read_bgr("bus.jpg"))
    view.set_detections(BUS_DETECTIONS)

    boxes = view.box_items()
    assert len(boxes) == 5
    for box, det in zip(boxes, BUS_DETECTIONS):
        x1, y1, x2, y2 = det.box
        assert box.mapRectToScene(box.rect()) == QRectF(x1, y1, x2 - x1, y2 - y1)
        assert box.pen().color() == QColor(*class_color(det.class_id))
        assert box.pen().isCosmetic()
    assert boxes[3].label_text() == "bus 0.83"
    assert "class 5" in boxes[3].toolTip() and "34, 231, 798, 769" in boxes[3].toolTip()


def test_min_score_hides_boxes_without_rerunning(view):
    view.set_image(read_bgr("bus.jpg"))
    view.set_detections(BUS_DETECTIONS)

    view.set_min_score(0.5)
    assert view.visible_box_count() == 4
    view.set_min_score(0.9)
    assert view.visible_box_count() == 0
    view.set_min_score(0.0)
    assert view.visible_box_count() == 5


def test_label_goes_inside_a_box_touching_the_top_edge(view):
    view.set_image(read_bgr("chelsea.png"))
    view.set_detections([Detection(15, "cat", 0.86, [2, 1, 436, 295]), Detection(15, "cat", 0.5, [100, 150, 200, 250])])

    touching, lower = (box.childItems()[0].boundingRect() for box in view.box_items())
    assert touching.top() == 0, "no room above: the tab hangs inside the box"
    assert lower.bottom() == 0, "room above: the tab sits on the box's top edge"


def test_hover_thickens_the_box(view):
    view.set_image(read_bgr("bus.jpg"))
    view.set_detections(BUS_DETECTIONS[:1])
    box = view.box_items()[0]

    box.hoverEnterEvent(QGraphicsSceneHoverEvent())
    assert box.pen().widthF() > 2
    box.hoverLeaveEvent(QGraphicsSceneHoverEvent())
    assert box.pen().widthF() == 2


def test_classes_overlay_lists_the_top_five(view):
    view.set_image(read_bgr("chelsea.png"))
    before = view.viewport().grab().toImage()
    view.set_classes(list(reversed(CHELSEA_CLASSES)))

    assert view.class_lines() == [
        "0.507  Egyptian cat",
        "0.285  tiger cat",
        "0.187  tabby",
        "0.020  lynx",
        "0.000  cheetah",
    ]
    after = view.viewport().grab().toImage()
    corner = view.mapFromScene(QPointF(0, 0))
    assert mean_lightness(after, corner) < mean_lightness(before, corner) - 40, "a dark card on the photo's corner"


def test_classes_overlay_keeps_only_five(view):
    view.set_classes([ClassScore(i, f"class {i}", i / 10) for i in range(8)])

    assert [line.split("  ")[1] for line in view.class_lines()] == [f"class {i}" for i in (7, 6, 5, 4, 3)]


def test_wheel_zoom_and_fit(view):
    view.set_image(read_bgr("bus.jpg"))
    view.set_detections(BUS_DETECTIONS)
    fitted = view.transform().m11()

    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        view.viewport().mapToGlobal(centre),
        QPoint(),
        QPoint(0, 360),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(wheel)
    assert view.transform().m11() == pytest.approx(fitted * 1.25**3)
    view.zoom(1e-6)
    assert view.transform().m11() == pytest.approx(fitted / 2, rel=0.02)
    view.zoom(1e6)
    assert view.transform().m11() == pytest.approx(40.0)
    view.viewport().grab()
    view.fit_to_window()
    assert view.transform().m11() == pytest.approx(fitted)


def test_new_image_drops_the_old_answer(view):
    view.set_image(read_bgr("bus.jpg"))
    view.set_detections(BUS_DETECTIONS)
    view.set_classes(CHELSEA_CLASSES)
    view.set_image(read_bgr("chelsea.png"))

    assert view.box_items() == [] and view.class_lines() == []
    assert view.sceneRect() == QRectF(0, 0, 451, 300)


def test_placeholder_without_an_image(view):
    assert not view.has_image()
    image: QImage = view.viewport().grab().toImage()
    assert not image.isNull()


def test_dropping_a_file_asks_for_it(view, qtbot):
    path = str(image_path("dog.jpg"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path)])
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )

    with qtbot.waitSignal(view.image_dropped) as dropped:
        view.dropEvent(drop)
    assert dropped.args == [path]


def test_panel_threshold_controls_stay_in_step(panel, qtbot):
    panel.set_image(read_bgr("bus.jpg"))
    panel.set_result(BUS_DETECTIONS, [], default_threshold=0.25)
    slider, spin = panel.findChild(QSlider), panel.findChild(QDoubleSpinBox)

    assert (slider.value(), spin.value()) == (25, 0.25)
    assert panel.count_text() == "5 of 5 boxes shown"

    with qtbot.waitSignal(panel.min_score_changed) as changed:
        spin.setValue(0.5)
    assert changed.args == [0.5]
    assert slider.value() == 50
    assert panel.view.visible_box_count() == 4
    assert panel.count_text() == "4 of 5 boxes shown"

    slider.setValue(90)
    assert spin.value() == 0.9
    assert panel.count_text() == "0 of 5 boxes shown"


def test_panel_for_a_classifier_and_after_clear(panel):
    panel.set_image(read_bgr("chelsea.png"))
    panel.set_result([], CHELSEA_CLASSES, default_threshold=0.0)

    assert panel.count_text() == ""
    assert not panel.findChild(QSlider).isEnabled()
    assert len(panel.view.class_lines()) == 5

    panel.clear()
    assert not panel.view.has_image()
    assert panel.view.class_lines() == []


def test_panel_says_when_a_detector_found_nothing(panel):
    panel.set_image(read_bgr("dog.jpg"))
    assert panel.count_text() == ""
    panel.set_result([], [], default_threshold=0.5)
    assert panel.count_text() == "no detections"


def test_labels_of_boxes_sharing_a_corner_do_not_cover_each_other(view):
    view.set_image(read_bgr("zidane.jpg"))
    crowd = [Detection(0, "person", score, [400, 300, 700 + 10 * i, 700]) for i, score in enumerate((0.9, 0.8, 0.7))]
    crowd.append(Detection(27, "tie", 0.6, [405, 302, 460, 400]))
    view.set_detections(crowd)

    scale = view.transform().m11()
    rects = [box.label_rect(scale) for box in view.box_items()]
    for i, first in enumerate(rects):
        for second in rects[i + 1 :]:
            assert not first.intersects(second)
    best = max(view.box_items(), key=lambda box: box.detection.score)
    assert best.label_rect(scale).bottom() <= 300 * scale, "the best-scoring label keeps its place above its box"


def test_min_score_slider_stays_usable_in_a_narrow_panel(show_sized):
    image_panel = ImagePanel()
    host = show_sized(image_panel)
    host.resize(420, 300)
    image_panel.resize(420, 300)
    image_panel.set_image(read_bgr("bus.jpg"))
    image_panel.set_result(BUS_DETECTIONS, [], 0.25)
    assert image_panel.findChild(QSlider).width() >= 120
    host.close()


def test_a_chosen_min_score_outlives_the_next_result_and_clear_result_keeps_the_photo(panel):
    panel.set_image(read_bgr("bus.jpg"))
    panel.set_result(BUS_DETECTIONS, [], 0.25)
    assert panel.min_score() == 0.25
    panel.findChild(QDoubleSpinBox).setValue(0.85)
    panel.set_result(BUS_DETECTIONS, [], 0.25)
    assert panel.min_score() == 0.85 and panel.view.visible_box_count() == 3

    panel.clear_result()
    assert panel.view.has_image() and not panel.view.box_items() and panel.count_text() == ""
