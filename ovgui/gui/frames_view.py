"""The filmstrip: every image of a set or frame of a video, with its answer and its latency.

During a run the strip pulls from `LiveData` at each `refresh` (the window's poller, about
10 Hz, like the charts): new rows come from `LiveData.frames`, and the newest picture from
`LiveData.latest_frame`, which is handed on for playback; frames that came and went between
two refreshes are dropped, never queued.  After the run (or from a saved report) the rows
come from `Report.per_image`.

Pixels are never kept for the whole set: a row's picture is read again by its
`FramePosition` (`ovgui.core.inputs`) off the GUI thread when it is selected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QSizePolicy, QVBoxLayout, QWidget

from ovgui.core.errors import OvguiError
from ovgui.core.events import LiveData
from ovgui.core.formatting import format_ms
from ovgui.core.image import fit_within
from ovgui.core.inputs import FramePosition, frames_again, is_video, run_video
from ovgui.core.report import FrameResult, Report
from ovgui.gui.image_view import bgr_to_qimage
from ovgui.gui.plain_text import literal
from ovgui.gui.tables import NO_PARENT

THUMB_SIZE = QSize(84, 56)
THUMBNAIL_LIMIT = 1000
"""Thumbnails of a finished set are read for its first frames only: 14 KB each, and a long video has many."""


def thumbnail(bgr: np.ndarray) -> QImage:
    """A small copy that can be made off the GUI thread (QImage is thread-safe)."""
    return bgr_to_qimage(fit_within(bgr, THUMB_SIZE.width(), THUMB_SIZE.height())).copy()


def read_thumbnails(report: Report) -> dict[int, QImage]:
    """Thumbnails of a finished set's first frames, read again from its source; what cannot be read is left out."""
    try:
        return {row.index: thumbnail(frame.image.bgr) for row, frame in frames_again(report, THUMBNAIL_LIMIT)}
    except OvguiError:
        return {}


def frame_answer(result: FrameResult) -> str:
    """A row's answer in a few characters: the top class, or how many boxes."""
    if result.classes:
        return result.classes[0].label
    count = len(result.detections)
    return f"{count} box" if count == 1 else f"{count} boxes"


def frame_title(result: FrameResult) -> str:
    """An image's file name, or a video frame's "frame N"."""
    return Path(result.source).name


class FrameListModel(QAbstractListModel):
    """The rows of the strip: one `FrameResult` each, with a thumbnail once there is one."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frames: list[FrameResult] = []
        self._thumbs: dict[int, QIcon] = {}
        self.missing: set[int] = set()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.frames)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        frame = self.frames[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{frame_title(frame)}\n{frame_answer(frame)} · {format_ms(frame.latency_ms)} ms"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbs.get(frame.index)
        if role == Qt.ItemDataRole.ToolTipRole:
            gone = " (no longer readable)" if frame.index in self.missing else ""
            p = frame.pipeline_ms
            return literal(f"{frame.source}{gone}\n{frame.width}×{frame.height}, inference {format_ms(frame.latency_ms)} ms, "
                           f"frame {format_ms(frame.wall_ms)} ms (decode {format_ms(p.decode)}, preprocess "
                           f"{format_ms(p.preprocess)}, infer {format_ms(p.infer)}, postprocess {format_ms(p.postprocess)})")
        return None

    def set_frames(self, frames: list[FrameResult]) -> None:
        self.beginResetModel()
        self.frames = list(frames)
        self._thumbs = {}
        self.missing = set()
        self.endResetModel()

    def append(self, frames: list[FrameResult]) -> None:
        if frames:
            self.beginInsertRows(NO_PARENT, len(self.frames), len(self.frames) + len(frames) - 1)
            self.frames.extend(frames)
            self.endInsertRows()

    def set_thumbnails(self, images: dict[int, QImage]) -> None:
        """Thumbnails by frame index; a frame that was read for one and has none is no longer readable."""
        self._thumbs.update({index: QIcon(QPixmap.fromImage(image)) for index, image in images.items()})
        self.missing = {frame.index for frame in self.frames[:THUMBNAIL_LIMIT] if frame.index not in self._thumbs}
        self._changed()

    def set_thumbnail(self, index: int, image: QImage) -> None:
        self._thumbs[index] = QIcon(QPixmap.fromImage(image))
        row = next((row for row in range(len(self.frames) - 1, -1, -1) if self.frames[row].index == index), None)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row), [Qt.ItemDataRole.DecorationRole])

    def _changed(self) -> None:
        if self.frames:
            self.dataChanged.emit(self.index(0), self.index(len(self.frames) - 1))


class FrameStrip(QWidget):
    """The strip of frames; `frame_selected` says which row the user picked, `live_frame`
    hands on the newest picture of a running set (pixels and result) for playback."""

    frame_selected = Signal(object)
    live_frame = Signal(object, object)
    frames_added = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = FrameListModel(self)
        self.video: str | None = None
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setIconSize(THUMB_SIZE)
        grid = QSize(THUMB_SIZE.width() + 56, THUMB_SIZE.height() + 2 * self.fontMetrics().height() + 14)
        self.list.setGridSize(grid)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll_bar = self.list.horizontalScrollBar().sizeHint().height()
        self.list.setFixedHeight(grid.height() + scroll_bar + 2 * self.list.frameWidth())
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.note = QLabel("Run a folder of images or a video (File › Open folder…, File › Open video…) to see each frame here.",
                           wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.note)
        layout.addWidget(self.list)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._live: LiveData | None = None
        self._last_shown: FrameResult | None = None

    def set_source(self, image_path: str) -> None:
        """What the next run reads (an image, a folder, a glob or a video): a video's frames are read again from it."""
        self.video = image_path if is_video(image_path) else None

    def follow(self, live: LiveData) -> None:
        """A set is running: empty the strip and fill it from `live` at each `refresh` until `stop_following`."""
        self.model.set_frames([])
        self._live = live
        self._last_shown = None
        self.note.setText("Running…")

    def stop_following(self) -> None:
        """One last pull, so the last frames are not lost."""
        self.refresh()
        self._live = None

    def show_report(self, report: Report) -> None:
        """The rows of a finished set; thumbnails follow via `set_thumbnails` (read off the GUI thread)."""
        summary = report.frame_set
        self.video = run_video(report)
        self.model.set_frames(report.per_image)
        skipped = f" · {len(summary.skipped)} skipped" if summary.skipped else ""
        self.note.setText(f"{summary.frames} {'frames' if summary.kind == 'video' else 'images'} of {summary.source}{skipped}")
        self.select_row(0)

    def clear(self) -> None:
        self._live = None
        self.model.set_frames([])
        self.video = None
        self.note.setText("No set of images or video in this run.")

    def set_thumbnails(self, images: dict[int, QImage]) -> None:
        self.model.set_thumbnails(images)
        gone = len(self.model.missing)
        if gone:
            self.note.setText(f"{self.note.text()} · {gone} of {self.model.rowCount()} can no longer be read from disk")

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(row))

    def select_frame(self, index: int) -> None:
        """Select the row of the frame whose `FrameResult.index` this is (a video's frame number with a stride)."""
        row = next((row for row, frame in enumerate(self.model.frames) if frame.index == index), -1)
        self.select_row(row)

    def step(self, delta: int) -> None:
        """Next (+1) or previous (-1) frame."""
        current = self.list.currentIndex().row()
        self.select_row(max(0, min(self.model.rowCount() - 1, current + delta if current >= 0 else 0)))

    def position(self, result: FrameResult) -> FramePosition:
        """Where a row's picture can be read again."""
        return FramePosition.of(result, self.video)

    def current_frame(self) -> FrameResult | None:
        row = self.list.currentIndex().row()
        return self.model.frames[row] if 0 <= row < self.model.rowCount() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.frame_selected.emit(self.model.frames[current.row()])

    def refresh(self) -> None:
        """New rows, and the newest picture if it changed (`live_frame`); nothing when not following."""
        live = self._live
        if live is None:
            return
        new = live.frames[self.model.rowCount():]
        self.model.append(new)
        latest = live.latest_frame
        if latest is not None and latest[1] is not self._last_shown:
            pixels, result = latest
            self._last_shown = result
            self.model.set_thumbnail(result.index, thumbnail(pixels))
            self.live_frame.emit(pixels, result)
        if new:
            count = self.model.rowCount()
            self.note.setText(f"Running… {count} {'frame' if count == 1 else 'frames'} so far")
            self.frames_added.emit(self.model.frames)
