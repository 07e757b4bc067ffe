"""The photo with the model's answer on it: boxes for detectors, a top-5 panel for classifiers.

One scene unit is one image pixel, so a box item's rectangle is the detection's
box as reported.  Pens are cosmetic and label tabs ignore the view transform:
both stay legible whether a 4000-px photo is zoomed out to fit or zoomed in
on a face.  The confidence slider only hides items, so moving it never
re-runs the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.annotate import class_color
from ovgui.core.report import ClassScore, Detection
from ovgui.gui.plain_text import escaped

PLACEHOLDER = "Open an image (Ctrl+I) or drop one here"
ZOOM_STEP = 1.25
MAX_ZOOM = 40.0
BOX_PEN_PX = 2.0
HOVER_PEN_PX = 4.0
TOP_CLASSES = 5
OVERLAY_MARGIN_PX = 10
OVERLAY_PADDING_PX = 8
OVERLAY_BAR_PX = 4
SLIDER_MIN_WIDTH_PX = 140
TRUTH_INK = QColor(255, 255, 255)
TRUTH_OUTLINE = QColor(20, 20, 20)
TRUTH_Z = 3.0


def bgr_to_qimage(bgr: np.ndarray) -> QImage:
    """A QImage that owns its pixels, from an OpenCV BGR (or grey) uint8 array.

    The row stride is passed explicitly: QImage otherwise assumes 32-bit aligned
    rows and shears any image whose width x 3 is not a multiple of 4.
    """
    if bgr.dtype != np.uint8 or bgr.ndim not in (2, 3) or (bgr.ndim == 3 and bgr.shape[2] != 3):
        raise ValueError(f"expected an HxW or HxWx3 uint8 array, got {bgr.dtype} {bgr.shape}")
    pixels = np.ascontiguousarray(bgr)
    height, width = pixels.shape[:2]
    image_format = QImage.Format.Format_BGR888 if pixels.ndim == 3 else QImage.Format.Format_Grayscale8
    return QImage(pixels.data, width, height, pixels.strides[0], image_format).copy()


def ink_for(background: QColor) -> QColor:
    """Black or white text, whichever reads on `background` (same rule as the exported PNG)."""
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor(Qt.GlobalColor.black) if luminance > 140 else QColor(Qt.GlobalColor.white)


def _class_qcolor(class_id: int) -> QColor:
    return QColor(*class_color(class_id))


class _LabelTab(QGraphicsItem):
    """A tab saying "person 0.90" in the class colour, sized in screen pixels, not image pixels."""

    PADDING_PX = 3.0

    def __init__(self, text: str, color: QColor, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._text = text
        self._color = color
        self._font = QFont()
        self._font.setPointSizeF(8.5)
        self._font.setBold(True)
        metrics = QFontMetricsF(self._font)
        self._width = metrics.horizontalAdvance(text) + 2 * self.PADDING_PX
        self._height = metrics.height() + self.PADDING_PX
        self._above = True

    @property
    def height_px(self) -> float:
        return self._height

    def text(self) -> str:
        return self._text

    def set_above(self, above: bool) -> None:
        """Above the box's top edge, or just inside it when the image's top edge leaves no room."""
        if above != self._above:
            self.prepareGeometryChange()
            self._above = above

    def boundingRect(self) -> QRectF:
        top = -self._height if self._above else 0.0
        return QRectF(-BOX_PEN_PX / 2, top, self._width, self._height)

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem, _widget: QWidget | None = None) -> None:
        rect = self.boundingRect()
        painter.fillRect(rect, self._color)
        painter.setFont(self._font)
        painter.setPen(ink_for(self._color))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._text)


class BoxItem(QGraphicsRectItem):
    """One detection: its box in the class colour, a label tab, a tooltip and a hover highlight."""

    def __init__(self, detection: Detection) -> None:
        x1, y1, x2, y2 = detection.box
        super().__init__(QRectF(x1, y1, x2 - x1, y2 - y1))
        self.detection = detection
        self._color = _class_qcolor(detection.class_id)
        self._tab = _LabelTab(f"{detection.label} {detection.score:.2f}", self._color, self)
        self._tab.setPos(QPointF(x1, y1))
        self._resting_z = 1.0 / (1.0 + (x2 - x1) * (y2 - y1))
        self.setZValue(self._resting_z)
        self.setAcceptHoverEvents(True)
        self.setToolTip(self._tooltip())
        self._highlight(False)

    def label_text(self) -> str:
        return self._tab.text()

    def label_rect(self, scale: float) -> QRectF:
        """Where the tab is, in view pixels relative to the image's top-left corner."""
        tab = self._tab.boundingRect()
        pos = self._tab.pos()
        return QRectF(pos.x() * scale + tab.left(), pos.y() * scale + tab.top(), tab.width(), tab.height())

    def place_label(self, scale: float, taken: list[QRectF]) -> QRectF:
        """Above the box (or just inside it at the image's top edge), then lower by one tab
        height at a time while it would cover a tab already placed; returns where it went."""
        x1, y1 = self.rect().left(), self.rect().top()
        self._tab.set_above(y1 * scale >= self._tab.height_px)
        for step in range(2 * len(taken) + 1):
            self._tab.setPos(QPointF(x1, y1 + step * self._tab.height_px / scale))
            rect = self.label_rect(scale)
            if not any(rect.intersects(other) for other in taken):
                break
        return rect

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._highlight(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._highlight(False)
        super().hoverLeaveEvent(event)

    def _highlight(self, on: bool) -> None:
        pen = QPen(self._color, HOVER_PEN_PX if on else BOX_PEN_PX)
        pen.setCosmetic(True)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        self.setPen(pen)
        fill = QColor(self._color)
        fill.setAlpha(45)
        self.setBrush(QBrush(fill) if on else QBrush(Qt.BrushStyle.NoBrush))
        self.setZValue(2.0 if on else self._resting_z)

    def _tooltip(self) -> str:
        det = self.detection
        x1, y1, x2, y2 = det.box
        return (
            f"<b>{escaped(det.label)}</b> (class {det.class_id})<br>"
            f"score {det.score:.3f}<br>"
            f"box [{x1:.0f}, {y1:.0f}, {x2:.0f}, {y2:.0f}] · {x2 - x1:.0f} × {y2 - y1:.0f} px"
        )


class TruthItem(QGraphicsRectItem):
    """A ground-truth box of a labelled set: white dashes over a dark line, so it reads on any photo
    and stays apart from the model's solid boxes in their class colours; its tab ("truth: person")
    sits inside the box's bottom edge, away from the predictions' tabs at the top.  The score
    slider never hides it: the truth has no score."""

    def __init__(self, truth: Detection) -> None:
        x1, y1, x2, y2 = truth.box
        super().__init__(QRectF(x1, y1, x2 - x1, y2 - y1))
        self.truth = truth
        self._pens = [self._pen(TRUTH_OUTLINE, Qt.PenStyle.SolidLine, BOX_PEN_PX + 2),
                      self._pen(TRUTH_INK, Qt.PenStyle.DashLine, BOX_PEN_PX)]
        self.setPen(self._pens[0])
        self._tab = _LabelTab(f"truth: {truth.label}", TRUTH_OUTLINE, self)
        self._tab.setPos(QPointF(x1, y2))
        self.setZValue(TRUTH_Z)
        self.setToolTip(f"<b>ground truth: {escaped(truth.label)}</b><br>"
                        f"box [{x1:.0f}, {y1:.0f}, {x2:.0f}, {y2:.0f}] · {x2 - x1:.0f} × {y2 - y1:.0f} px")

    @staticmethod
    def _pen(color: QColor, style: Qt.PenStyle, width: float) -> QPen:
        pen = QPen(color, width, style)
        pen.setCosmetic(True)
        return pen

    def label_text(self) -> str:
        return self._tab.text()

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem, _widget: QWidget | None = None) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen in self._pens:
            painter.setPen(pen)
            painter.drawRect(self.rect())


class ImageView(QGraphicsView):
    """Zoom with the wheel around the cursor, pan by dragging, double-click to fit."""

    image_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._pixmap_item: QGraphicsPixmapItem | None = None
        self._overlay_item: QGraphicsPixmapItem | None = None
        self._overlay_opacity = 1.0
        self._boxes: list[BoxItem] = []
        self._truth: list[TruthItem] = []
        self._truth_label = ""
        self._classes: list[ClassScore] = []
        self._min_score = 0.0
        self._user_zoomed = False
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # The overlays are painted in viewport coordinates; a partial update would smear them while panning.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)

    def has_image(self) -> bool:
        return self._pixmap_item is not None

    def set_image(self, bgr: np.ndarray) -> None:
        """Show a new photo; the previous boxes and classes belonged to the old one, so they go."""
        self.clear()
        self._pixmap_item = self.scene().addPixmap(QPixmap.fromImage(bgr_to_qimage(bgr)))
        self._pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._pixmap_item.setZValue(-1)
        self.scene().setSceneRect(self._pixmap_item.boundingRect())
        self.fit_to_window()

    def clear(self) -> None:
        self.set_detections([])
        self.set_classes([])
        self.set_truth([])
        self.set_overlay(None)
        if self._pixmap_item is not None:
            self.scene().removeItem(self._pixmap_item)
            self._pixmap_item = None
        self.scene().setSceneRect(QRectF())
        self.viewport().update()

    def set_overlay(self, bgr: np.ndarray | None) -> None:
        """A photo-sized picture between the photo and the boxes (a heatmap, a class map), or none.

        It is drawn fully painted and faded with the item's opacity, which gives the same pixels
        as blending at that opacity, so the opacity slider needs no new picture."""
        if self._overlay_item is not None:
            self.scene().removeItem(self._overlay_item)
            self._overlay_item = None
        if bgr is not None and self._pixmap_item is not None:
            self._overlay_item = self.scene().addPixmap(QPixmap.fromImage(bgr_to_qimage(bgr)))
            self._overlay_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            self._overlay_item.setZValue(-0.5)
            self._overlay_item.setOpacity(self._overlay_opacity)

    def set_overlay_opacity(self, opacity: float) -> None:
        self._overlay_opacity = opacity
        if self._overlay_item is not None:
            self._overlay_item.setOpacity(opacity)

    def has_overlay(self) -> bool:
        return self._overlay_item is not None

    def overlay_image(self) -> QImage | None:
        return None if self._overlay_item is None else self._overlay_item.pixmap().toImage()

    def overlay_opacity(self) -> float:
        return self._overlay_opacity

    def set_detections(self, detections: list[Detection]) -> None:
        for box in self._boxes:
            self.scene().removeItem(box)
        self._boxes = [BoxItem(det) for det in detections]
        for box in self._boxes:
            self.scene().addItem(box)
        self._place_labels()
        self.set_min_score(self._min_score)

    def set_truth(self, boxes: list[Detection], label: str = "") -> None:
        """A labelled set's ground truth for the photo shown: its boxes (a detector's set) or its
        class (a classifier's, a line under the top-5); none clears it."""
        for item in self._truth:
            self.scene().removeItem(item)
        self._truth = [TruthItem(box) for box in boxes]
        for item in self._truth:
            self.scene().addItem(item)
        self._truth_label = label
        self.viewport().update()

    def truth_items(self) -> list[TruthItem]:
        return list(self._truth)

    def truth_line(self) -> str:
        """The class card's ground-truth line as drawn, e.g. "truth: Egyptian cat" ("" without one)."""
        return f"truth: {self._truth_label}" if self._truth_label else ""

    def set_min_score(self, score: float) -> None:
        self._min_score = score
        for box in self._boxes:
            box.setVisible(box.detection.score >= score)
        self._place_labels()

    def min_score(self) -> float:
        return self._min_score

    def box_items(self) -> list[BoxItem]:
        return list(self._boxes)

    def visible_box_count(self) -> int:
        return sum(box.isVisible() for box in self._boxes)

    def set_classes(self, classes: list[ClassScore]) -> None:
        self._classes = sorted(classes, key=lambda c: c.score, reverse=True)[:TOP_CLASSES]
        self.viewport().update()

    def class_lines(self) -> list[str]:
        """The overlay's lines as drawn, e.g. "0.507  Egyptian cat"."""
        return [f"{c.score:.3f}  {c.label}" for c in self._classes]

    def fit_to_window(self) -> None:
        """Show the whole image, and keep doing so on resize until the user zooms."""
        self._user_zoomed = False
        if self._pixmap_item is not None:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._place_labels()

    def zoom(self, factor: float) -> None:
        """Scale around the cursor, between half the fitted size and MAX_ZOOM screen pixels per image pixel."""
        if self._pixmap_item is None:
            return
        current = self.transform().m11()
        target = min(max(current * factor, 0.5 * self._fit_scale()), MAX_ZOOM)
        self.scale(target / current, target / current)
        self._user_zoomed = True
        self._place_labels()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(ZOOM_STEP**steps)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit_to_window()
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed:
            self.fit_to_window()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._dropped_file(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event)
        if path:
            event.acceptProposedAction()
            self.image_dropped.emit(path)

    @staticmethod
    def _dropped_file(event: QDropEvent) -> str:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        local = [url.toLocalFile() for url in urls if url.isLocalFile()]
        return local[0] if local and Path(local[0]).exists() else ""

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.palette().color(QPalette.ColorRole.Window))

    def drawForeground(self, painter: QPainter, _rect: QRectF) -> None:
        painter.save()
        painter.resetTransform()
        if self._pixmap_item is None:
            self._draw_placeholder(painter)
        elif self._classes or self._truth_label:
            self._draw_classes(painter)
        painter.restore()

    def _fit_scale(self) -> float:
        scene = self.sceneRect()
        viewport = self.viewport().rect()
        if scene.isEmpty():
            return 1.0
        return min(viewport.width() / scene.width(), viewport.height() / scene.height())

    def _place_labels(self) -> None:
        """Visible tabs, best score first, each moved down until it covers no tab placed before it."""
        scale = self.transform().m11()
        taken: list[QRectF] = []
        for box in sorted(self._boxes, key=lambda b: b.detection.score, reverse=True):
            if box.isVisible():
                taken.append(box.place_label(scale, taken))

    def _draw_placeholder(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, PLACEHOLDER)

    def _draw_classes(self, painter: QPainter) -> None:
        """A dark translucent card at the photo's top-left corner (or the viewport's, when
        zoomed in): one line and one score bar per class.  Dark with white text whatever
        the theme, because it sits on a photo."""
        metrics = QFontMetricsF(self.font())
        lines = self.class_lines()
        truth = self.truth_line()
        line_h = metrics.height() + OVERLAY_BAR_PX + 4
        text_w = max(metrics.horizontalAdvance(line) for line in [*lines, truth])
        corner = self.mapFromScene(self.sceneRect().topLeft())
        panel = QRectF(
            max(corner.x(), 0) + OVERLAY_MARGIN_PX,
            max(corner.y(), 0) + OVERLAY_MARGIN_PX,
            max(text_w, 160) + 2 * OVERLAY_PADDING_PX,
            (len(lines) + bool(truth)) * line_h + 2 * OVERLAY_PADDING_PX - 4,
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 20, 20, 190))
        painter.drawRoundedRect(panel, 6, 6)
        painter.setFont(self.font())
        inner_w = panel.width() - 2 * OVERLAY_PADDING_PX
        for row, (cls, line) in enumerate(zip(self._classes, lines)):
            top = panel.top() + OVERLAY_PADDING_PX + row * line_h
            painter.setPen(QColor(Qt.GlobalColor.white))
            painter.drawText(QPointF(panel.left() + OVERLAY_PADDING_PX, top + metrics.ascent()), line)
            bar = QRectF(panel.left() + OVERLAY_PADDING_PX, top + metrics.height() + 1, inner_w, OVERLAY_BAR_PX)
            painter.fillRect(bar, QColor(255, 255, 255, 40))
            score_bar = QRectF(bar.left(), bar.top(), inner_w * cls.score, OVERLAY_BAR_PX)
            painter.fillRect(score_bar, _class_qcolor(cls.class_id))
        if truth:
            top = panel.top() + OVERLAY_PADDING_PX + len(lines) * line_h
            font = QFont(self.font())
            font.setItalic(True)
            painter.setFont(font)
            painter.setPen(QColor(Qt.GlobalColor.white))
            painter.drawText(QPointF(panel.left() + OVERLAY_PADDING_PX, top + metrics.ascent()), truth)


class ImagePanel(QWidget):
    """The image view with its own controls: minimum score (slider + spin box, kept in step),
    a Fit button and how many boxes the threshold leaves."""

    min_score_changed = Signal(float)
    image_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = ImageView()
        self._slider = QSlider(Qt.Orientation.Horizontal)
        self._slider.setRange(0, 100)
        self._slider.setMinimumWidth(SLIDER_MIN_WIDTH_PX)
        self._slider.setMaximumWidth(220)
        self._spin = QDoubleSpinBox()
        self._spin.setRange(0.0, 1.0)
        self._spin.setSingleStep(0.01)
        self._spin.setDecimals(2)
        self._fit = QPushButton("Fit")
        self._fit.setToolTip("Show the whole image (or double-click it)")
        self._score_label = QLabel("Min score")
        self._score_label.setBuddy(self._spin)
        self._count = QLabel()
        self._has_result = False
        self._chosen_score: float | None = None
        self._slider.valueChanged.connect(self._on_slider)
        self._spin.valueChanged.connect(self._on_spin)
        self._fit.clicked.connect(self.view.fit_to_window)
        self.view.image_dropped.connect(self.image_dropped)
        self._lay_out()
        self.clear()

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 4)
        bar.setSpacing(8)
        for widget in (self._score_label, self._slider, self._spin, self._fit):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self._count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def set_image(self, bgr: np.ndarray) -> None:
        self.view.set_image(bgr)
        self._has_result = False
        self._update_controls()

    def set_result(self, detections: list[Detection], classes: list[ClassScore], default_threshold: float) -> None:
        """Show a run's answer with the slider where the user left it, or else at the run's threshold."""
        score = default_threshold if self._chosen_score is None else self._chosen_score
        self.view.set_detections(detections)
        self.view.set_classes(classes)
        self._show_score(score)
        self.view.set_min_score(score)
        self._has_result = True
        self._update_controls()

    def clear(self) -> None:
        self.view.clear()
        self._has_result = False
        self._update_controls()

    def set_truth(self, boxes: list[Detection], label: str = "") -> None:
        self.view.set_truth(boxes, label)

    def clear_result(self) -> None:
        """Take the boxes, classes and ground truth off the photo (they belonged to another model), keep the photo."""
        self.view.set_detections([])
        self.view.set_classes([])
        self.view.set_truth([])
        self._has_result = False
        self._update_controls()

    def min_score(self) -> float:
        return self._spin.value()

    def count_text(self) -> str:
        """What the toolbar says about the boxes, e.g. "4 of 5 boxes shown"."""
        return self._count.text()

    def _on_slider(self, value: int) -> None:
        self._choose(value / 100.0)

    def _on_spin(self, value: float) -> None:
        self._choose(value)

    def _choose(self, score: float) -> None:
        """The user's own minimum score: kept for the next runs."""
        self._chosen_score = score
        self._apply(score)

    def _apply(self, score: float) -> None:
        self._show_score(score)
        self.view.set_min_score(score)
        self._update_count()
        self.min_score_changed.emit(score)

    def _show_score(self, score: float) -> None:
        with QSignalBlocker(self._slider), QSignalBlocker(self._spin):
            self._slider.setValue(round(score * 100))
            self._spin.setValue(score)

    def _update_controls(self) -> None:
        has_boxes = bool(self.view.box_items())
        for widget in (self._score_label, self._slider, self._spin):
            widget.setEnabled(has_boxes)
        self._fit.setEnabled(self.view.has_image())
        self._update_count()

    def _update_count(self) -> None:
        total = len(self.view.box_items())
        if total:
            noun = "box" if total == 1 else "boxes"
            self._count.setText(f"{self.view.visible_box_count()} of {total} {noun} shown")
        elif self._has_result and not self.view.class_lines():
            self._count.setText("no detections")
        else:
            self._count.setText("")
