"""Where each frame's time goes: decode, preprocess, infer and postprocess stacked per frame.

A slow application is often slow outside the model, so the chart puts the stage medians
and the whole pass's end-to-end FPS beside the inference-only FPS: the gap between the two
is what the rest of the pipeline costs.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ovgui.core.formatting import format_fps, format_ms
from ovgui.core.report import FrameResult, FrameSetSummary, PipelineTimes
from ovgui.gui.bars import still_plot, with_legend
from ovgui.gui.plot_style import theme_plot, with_alpha
from ovgui.gui.wrapping_label import WrappingLabel

STAGES = (
    ("decode", "decode", QColor(66, 133, 244)),
    ("preprocess", "preprocess", QColor(245, 124, 0)),
    ("infer", "inference", QColor(67, 160, 71)),
    ("postprocess", "postprocess", QColor(171, 71, 188)),
)
PLOT_MIN_HEIGHT_PX = 110
"""Below this the stacked bars of a 640-pixel-wide dock flatten into lines."""
MIN_FRAMES_SHOWN = 5
"""The x axis spans at least this many frames, so the first bars of a run are not a wall of colour."""


def stage_medians(frames: list[FrameResult]) -> PipelineTimes:
    """The median of each stage over the frames so far (a running set has no summary yet)."""
    return PipelineTimes(**{name: float(np.median([getattr(f.pipeline_ms, name) for f in frames])) for name, _, _ in STAGES})


def medians_text(medians: PipelineTimes) -> str:
    """Each stage's name held to its figure (a no-break space), so a wrapped line never parts them."""
    stages = " + ".join(f"{label}\u00a0{format_ms(getattr(medians, name))}" for name, label, _ in STAGES)
    return f"median ms: {stages}"


def fps_text(summary: FrameSetSummary) -> str:
    return f"end-to-end {format_fps(summary.end_to_end_fps)} · inference only {format_fps(summary.inference_fps)}"


FPS_MEANING = ("end-to-end: frames over the whole pass, decode to boxes; inference only: what the model alone "
               "could do (1000 / mean inference latency, times the requests in flight in throughput mode)")


class PipelineChart(QWidget):
    """Stacked bars, one per frame; the medians and the two FPS figures in lines above, wrapped where narrow.
    The selected frame's bar is shaded (`mark_frame`), and a click on a bar names its frame (`frame_clicked`)."""

    frame_clicked = Signal(int)
    """The `FrameResult.index` of the bar clicked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = still_plot("frame", "", "ms")
        self.plot.getPlotItem().setMouseEnabled(x=True, y=False)
        self.plot.setMinimumHeight(PLOT_MIN_HEIGHT_PX)
        self.bars = [pg.BarGraphItem(x=[], height=[], y0=[], width=0.8, brush=color, pen=pg.mkPen(None))
                     for _, _, color in STAGES]
        for bar in self.bars:
            self.plot.addItem(bar)
        self._indexes: set[int] = set()
        self._mark = pg.LinearRegionItem(movable=False, pen=pg.mkPen(None))
        self._mark.setZValue(-10)
        self.plot.addItem(self._mark, ignoreBounds=True)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        # The summary wraps, never cut ("postprocess 13." on a narrow screen), and never widens the chart.
        self.medians = WrappingLabel()
        self.fps = WrappingLabel()
        self.fps.setToolTip(FPS_MEANING)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.medians)
        layout.addWidget(self.fps)
        layout.addWidget(with_legend(self.plot, [(color, label) for _, label, color in STAGES]), 1)
        self._apply_palette()
        self.clear()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()

    def _apply_palette(self) -> None:
        theme_plot(self.plot, self.palette())
        self._mark.setBrush(with_alpha(self.palette().color(QPalette.ColorRole.Highlight), 70))

    def mark_frame(self, index: int | None) -> None:
        """Shade the bar of frame `index` (None: no bar), so the strip and the chart point at the same frame."""
        self._mark.setVisible(index is not None)
        if index is not None:
            self._mark.setRegion((index - 0.5, index + 0.5))

    def marked_frame(self) -> int | None:
        return round(sum(self._mark.getRegion()) / 2) if self._mark.isVisible() else None

    def _clicked(self, event) -> None:
        index = round(self.plot.getViewBox().mapSceneToView(event.scenePos()).x())
        if index in self._indexes:
            self.frame_clicked.emit(index)

    def clear(self) -> None:
        self.show_frames([])
        self.mark_frame(None)
        self.fps.setText("")

    def show_frames(self, frames: list[FrameResult]) -> None:
        """The bars and medians of the frames so far; FPS waits for the end of the pass."""
        x = np.array([f.index for f in frames], dtype=float)
        self._indexes = {f.index for f in frames}
        bottom = np.zeros(len(frames))
        for bar, (name, _, _) in zip(self.bars, STAGES):
            height = np.array([getattr(f.pipeline_ms, name) for f in frames], dtype=float)
            bar.setOpts(x=x, height=height, y0=bottom.copy(), width=0.8)
            bottom += height
        self._show_medians(stage_medians(frames) if frames else None)
        self.fps.setText("end-to-end and inference-only FPS when the pass ends" if frames else "")
        last = x.max() if len(x) else 0.0
        self.plot.getPlotItem().setXRange(-0.6, max(last, MIN_FRAMES_SHOWN - 1) + 0.6, padding=0)
        self.plot.getPlotItem().enableAutoRange(axis="y")

    def show_summary(self, frames: list[FrameResult], summary: FrameSetSummary) -> None:
        self.show_frames(frames)
        self._show_medians(summary.pipeline_median_ms)
        self.fps.setText(fps_text(summary))

    def _show_medians(self, medians: PipelineTimes | None) -> None:
        text = medians_text(medians) if medians else "No set of images or video in this run."
        self.medians.setText(text)
        self.medians.setToolTip(f"{text} = {format_ms(medians.total)} ms per frame" if medians else "")

    def bar_count(self) -> int:
        return len(self.bars[0].opts["x"])
