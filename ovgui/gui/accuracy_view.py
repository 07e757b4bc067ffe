"""The Accuracy workspace: a set's results scored against its annotations (`Report.accuracy`).

The figures on top, then two sortable tables side by side: every class with its top-1/top-5
(a classifier) or AP@0.5 and AP@[.5:.95] (a detector), and every evaluated image, the worst
first.  A click on an image opens it in the Frames filmstrip, where its ground truth is drawn
beside the model's answer.  Everything comes from the report, so a saved report shows the same.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ovgui.core.accuracy_text import accuracy_line, coverage, image_text
from ovgui.core.decoders.classify import TOP_K
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import ClassAccuracy, ImageAccuracy
from ovgui.gui.tables import Column, ComputedColumn, RowsModel, hint_or_content, make_table, or_missing, percent_text
from ovgui.gui.wrapping_label import WrappingLabel

EMPTY_HINT = ("Score a set of images against its annotations: Settings › Run › Accuracy (--accuracy ANNOTATIONS), "
              "a folder-per-class tree, a CSV of image,label rows or a COCO JSON; then run the set (F5).")
CLASSIFIER_COLUMNS = ("label", "images", "top1", "top5")
DETECTOR_COLUMNS = ("label", "boxes", "ap50", "ap50_95")


def ap_text(value: float) -> str:
    return f"{value:.3f}"


class ClassAccuracyModel(RowsModel):
    """One row per class; the view hides the columns of the other task."""

    COLUMNS = (
        Column("Class", "The class as the annotations name it", "label", sample="Egyptian_cat_and_more"),
        ComputedColumn("Images", "Annotated images of this class that were run", "images", str, numeric=True,
                       sample="000000", compute=lambda row: row.count),
        ComputedColumn("Boxes", "Ground-truth boxes of this class in the images run", "boxes", str, numeric=True,
                       sample="000000", compute=lambda row: row.count),
        Column("Top-1", "How often the model's first class is this true class", "top1", or_missing(percent_text),
               numeric=True, sample="100.0%"),
        Column(f"Top-{TOP_K}", f"How often this true class is among the model's {TOP_K} best", "top5",
               or_missing(percent_text), numeric=True, sample="100.0%"),
        Column("AP@0.5", "Average precision at IoU 0.5 (pycocotools COCOeval)", "ap50", or_missing(ap_text),
               numeric=True, sample="0.000"),
        Column("AP@[.5:.95]", "Average precision over IoU 0.50 to 0.95 (pycocotools COCOeval)", "ap50_95",
               or_missing(ap_text), numeric=True, sample="0.000"),
    )

    def set_classes(self, rows: list[ClassAccuracy]) -> None:
        self._set_rows(rows)

    def _tooltip(self, row: ClassAccuracy) -> str:
        return row.label


class ImageAccuracyModel(RowsModel):
    """One row per evaluated image, in the report's order (the worst first) until sorted."""

    COLUMNS = (
        ComputedColumn("Image", "The image's file name (its path in the tooltip)", "name", sample="000000000139.jpg",
                       compute=lambda image: Path(image.source).name),
        Column("Score", "A classifier: the probability it gave the true class (0 outside its top-5).\n"
               "A detector: the F1 of its boxes at IoU 0.5 (1 when neither side has a box).", "score",
               lambda score: f"{score:.3f}", numeric=True, sample="0.000"),
        ComputedColumn("Result", "Where the true class came, or how many boxes matched, were missed and were false",
                       "result", sample="Egyptian cat: not in the top-5, 0.000", compute=image_text),
    )

    def set_images(self, images: list[ImageAccuracy]) -> None:
        self._set_rows(images)

    def image_at(self, row: int) -> ImageAccuracy:
        return self._rows[row]

    def _tooltip(self, image: ImageAccuracy) -> str:
        return f"{image.source}\n{image_text(image)}\nclick to open it in Frames with its ground truth"


class AccuracyView(QWidget):
    """A `ResultView`; `image_chosen` (the image's path) when the user clicks an image."""

    image_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.figures = QLabel(objectName="accuracyFigures", textFormat=Qt.TextFormat.PlainText,
                              textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.figures.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.figures.setFont(font)
        self.details = WrappingLabel(objectName="accuracyDetails", textFormat=Qt.TextFormat.PlainText,
                                     textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.classes = ClassAccuracyModel(self)
        self.class_table = make_table(self.classes, ClassAccuracyModel.COLUMNS, stretch_column=0)
        self.class_table.setObjectName("accuracyClasses")
        self.class_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.images = ImageAccuracyModel(self)
        self.image_table = make_table(self.images, ImageAccuracyModel.COLUMNS, stretch_column=2)
        self.image_table.setObjectName("accuracyImages")
        self.image_table.setSelectionMode(self.image_table.SelectionMode.SingleSelection)
        self.image_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.image_table.clicked.connect(self._open)
        self.image_table.activated.connect(self._open)
        self._stack = hint_or_content(self, EMPTY_HINT, self._make_content())

    def _make_content(self) -> QWidget:
        tables = QSplitter(Qt.Orientation.Horizontal, objectName="accuracy", childrenCollapsible=False)
        tables.addWidget(_titled("Per class", self.class_table))
        tables.addWidget(_titled("Images, the worst first (click one to see it in Frames with its ground truth)",
                                 self.image_table))
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(6, 6, 6, 0)
        column.addWidget(self.figures)
        column.addWidget(self.details)
        column.addWidget(tables, 1)
        return content

    def show_outcome(self, outcome: RunOutcome) -> None:
        accuracy = outcome.report.accuracy
        if accuracy is None:
            self.clear()
            return
        self.figures.setText(accuracy_line(accuracy))
        self.details.setText("\n".join([coverage(accuracy), accuracy.method, *accuracy.notes]))
        shown = CLASSIFIER_COLUMNS if accuracy.task == "classification" else DETECTOR_COLUMNS
        for section, column in enumerate(ClassAccuracyModel.COLUMNS):
            self.class_table.setColumnHidden(section, column.field not in shown)
        self.classes.set_classes(accuracy.per_class)
        self.images.set_images(accuracy.worst)
        self._stack.setCurrentIndex(1)

    def clear(self) -> None:
        self.figures.clear()
        self.details.clear()
        self.classes.set_classes([])
        self.images.set_images([])
        self._stack.setCurrentIndex(0)

    def shows_figures(self) -> bool:
        """True when a scored set is on screen, False on the hint."""
        return self._stack.currentIndex() == 1

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.image_chosen.emit(self.images.image_at(index.row()).source)


def _titled(title: str, table: QWidget) -> QWidget:
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 4, 0, 0)
    column.addWidget(QLabel(title, textFormat=Qt.TextFormat.PlainText))
    column.addWidget(table)
    return box
