"""The Frames workspace: a set of images or a video, frame by frame.

The filmstrip across the top (which frame, what the model found, how long it took); under it the
selected frame with its boxes and the pipeline chart (where each frame's time went, the selected frame shaded; a click on a
bar selects its frame), in one splitter: the strip is a single
row of thumbnails, so it needs a band of fixed height, and every other pixel goes to the chart,
whose bars per frame want the full width at 1366x768 and at 1920x1080 alike.

A run that is not a set (one image) leaves the workspace on its hint: an empty strip and an
empty chart would only say less.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QSplitter, QWidget

from ovgui.core.events import LiveData
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import FrameResult
from ovgui.gui.frames_view import FrameStrip
from ovgui.gui.photo_column import PhotoSlot
from ovgui.gui.pipeline_chart import PipelineChart
from ovgui.gui.tables import hint_or_content

FRAMES_HINT = ("Run a folder of images or a video (File › Open folder…, File › Open video…) "
               "to see each frame here, with where its time went.")
_HINT_PAGE, _CONTENT_PAGE = 0, 1


class FramesWorkspace(QWidget):
    """The strip and the pipeline chart of one set, live while it runs (the window's LiveView).

    `frame_selected` (a `FrameResult`) says which frame the user picked in the strip;
    `live_frame` (BGR pixels, `FrameResult`) hands on the newest frame of a running set at each
    `refresh`, for playback."""

    frame_selected = Signal(object)
    live_frame = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strip = FrameStrip()
        self.pipeline = PipelineChart()
        self.photo_slot = PhotoSlot()
        self.strip.frame_selected.connect(self.frame_selected)
        self.strip.live_frame.connect(self.live_frame)
        self.strip.frames_added.connect(lambda _frames: self._stack.setCurrentIndex(_CONTENT_PAGE))
        self.strip.frames_added.connect(self.pipeline.show_frames)
        self.strip.frame_selected.connect(lambda result: self.pipeline.mark_frame(result.index))
        self.pipeline.frame_clicked.connect(self.strip.select_frame)
        self._stack = hint_or_content(self, FRAMES_HINT, self._make_content())

    def _make_content(self) -> QWidget:
        """The selected frame with its boxes (the window's photo column, lent while this workspace
        is open) beside the pipeline chart, under the strip."""
        below = QSplitter(Qt.Orientation.Horizontal, objectName="frames-below", childrenCollapsible=False)
        below.addWidget(self.photo_slot)
        below.addWidget(self.pipeline)
        below.setStretchFactor(0, 1)
        below.setStretchFactor(1, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="frames", childrenCollapsible=False)
        splitter.addWidget(self.strip)
        splitter.addWidget(below)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        return splitter

    def set_source(self, image_path: str) -> None:
        """What the next run reads (an image, a folder, a glob or a video); call it before `follow`:
        a video's frames are read again from its file when one is selected."""
        self.strip.set_source(image_path)

    def follow(self, live: LiveData) -> None:
        """A run started: empty the strip and the chart, and fill them at each `refresh`."""
        self.pipeline.clear()
        self.strip.follow(live)
        self._stack.setCurrentIndex(_HINT_PAGE)

    def refresh(self) -> None:
        """New frames into the strip and the chart, the newest picture to `live_frame`; the content
        replaces the hint with the first frame."""
        self.strip.refresh()
        if self.strip.model.rowCount():
            self._stack.setCurrentIndex(_CONTENT_PAGE)

    def stop_following(self) -> None:
        self.strip.stop_following()

    def show_outcome(self, outcome: RunOutcome) -> None:
        """A finished set's rows and chart, its first frame selected; thumbnails follow by `set_thumbnails`
        (`frames_view.read_thumbnails(report)`, run off the GUI thread).  Not a set: the hint."""
        report = outcome.report
        if report.frame_set is None:
            self.clear()
            return
        self.strip.show_report(report)
        self.pipeline.show_summary(report.per_image, report.frame_set)
        self._stack.setCurrentIndex(_CONTENT_PAGE)

    def clear(self) -> None:
        self.strip.clear()
        self.pipeline.clear()
        self._stack.setCurrentIndex(_HINT_PAGE)

    def set_thumbnails(self, images: dict[int, QImage]) -> None:
        self.strip.set_thumbnails(images)

    def shows_frames(self) -> bool:
        """True when a set is on screen (running or finished), False on the hint."""
        return self._stack.currentIndex() == _CONTENT_PAGE

    def current_frame(self) -> FrameResult | None:
        return self.strip.current_frame()
