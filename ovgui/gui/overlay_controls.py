"""What the model produced, drawn over the photo: which map, how (heatmap or class map), and its legend.

The sources are the outputs that line up with the input (`spatial_outputs`) and the decoder's
mask (segmentation class ids or a probability map, already at photo size).  The pictures are
worked out by `ovgui.core.overlay` in a background job, because warping a map onto a 12-MP
photo is numpy work the GUI thread must not wait for; a job that ends after the user picked
something else is dropped.  The opacity only fades the drawn picture, so it needs no job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QSpinBox, QVBoxLayout, QWidget

from ovgui.core.annotate import class_color
from ovgui.core.decoders.base import ModelOutput
from ovgui.core.geometry import Geometry
from ovgui.core.outcome import RunOutcome
from ovgui.core.overlay import (
    COLORMAPS,
    DEFAULT_COLORMAP,
    DEFAULT_OPACITY,
    SpatialOutput,
    class_overlay,
    heatmap_overlay,
    map_layout,
    spatial_outputs,
)
from ovgui.core.report import ClassShare, Report
from ovgui.gui.image_view import ImageView
from ovgui.gui.plain_text import escaped
from ovgui.gui.session import BackgroundJobs

DECODER_MASK = "decoder mask"
HEATMAP, CLASSES = "heatmap", "classes"
LEGEND_ENTRIES = 12
SOURCE_CHARS = 8
OPACITY_SLIDER_PX = 60


@dataclass(frozen=True)
class OverlaySource:
    """One picture that can go over the photo: a map output, or the decoder's mask (at photo size)."""

    name: str
    spatial: SpatialOutput
    geometry: Geometry
    is_class_ids: bool

    @property
    def channels(self) -> int:
        return self.spatial.layout.channels

    @property
    def default_mode(self) -> str:
        return CLASSES if self.is_class_ids or self.channels > 1 else HEATMAP


@dataclass(frozen=True)
class OverlayChoice:
    source: OverlaySource
    mode: str
    channel: int
    colormap: str


@dataclass
class Rendered:
    image: np.ndarray
    legend: list[ClassShare]
    value_range: tuple[float, float] | None


def overlay_sources(outcome: RunOutcome) -> list[OverlaySource]:
    """The decoder's mask first (it is what the decoder made of the outputs), then each map output."""
    sources = []
    if outcome.mask is not None and outcome.geometry is not None:
        height, width = outcome.mask.shape
        photo = Geometry.stretch((width, height), (width, height))
        mask = ModelOutput([DECODER_MASK], [1, height, width], outcome.mask[None])
        layout = map_layout([1, height, width], photo)
        if layout is not None:
            is_ids = outcome.mask.dtype.kind in "biu"
            sources.append(OverlaySource(DECODER_MASK, SpatialOutput(mask, layout), photo, is_ids))
    if outcome.geometry is not None:
        for spatial in spatial_outputs(list(outcome.outputs), outcome.geometry):
            is_ids = np.asarray(spatial.output.data).dtype.kind in "biu"
            sources.append(OverlaySource(spatial.name, spatial, outcome.geometry, is_ids))
    return sources


def class_labels(report: Report | None) -> list[str] | None:
    """The decoder's class names (from its legend), so the mask's legend reads "person", not "class 15"."""
    if report is None or not report.segments:
        return None
    names = {share.class_id: share.label for share in report.segments}
    return [names.get(class_id, f"class {class_id}") for class_id in range(max(names) + 1)]


def render(photo_bgr: np.ndarray, choice: OverlayChoice, labels: list[str] | None) -> Rendered:
    """Fully painted (opacity 1): the view fades it with the item's opacity."""
    source = choice.source
    if choice.mode == CLASSES:
        drawn = class_overlay(photo_bgr, source.spatial, source.geometry, labels if source.name == DECODER_MASK else None, 1.0)
        return Rendered(drawn.image, drawn.legend, None)
    heat = heatmap_overlay(photo_bgr, source.spatial, source.geometry, choice.channel, choice.colormap, 1.0)
    return Rendered(heat.image, [], heat.value_range)


def swatch(class_id: int) -> str:
    """A small block in the class's colour, the one its pixels and boxes are painted in."""
    red, green, blue = class_color(class_id)
    return f'<span style="background-color:#{red:02x}{green:02x}{blue:02x}">&nbsp;&nbsp;&nbsp;</span>'


def legend_html(legend: list[ClassShare]) -> str:
    shown = legend[:LEGEND_ENTRIES]
    entries = [f"{swatch(share.class_id)}&nbsp;{escaped(share.label)} {share.share * 100:.1f}%" for share in shown]
    more = f" &nbsp; … {len(legend) - len(shown)} more" if len(legend) > len(shown) else ""
    return " &nbsp; ".join(entries) + more


class OverlayControls(QWidget):
    """A row under the photo: source, heatmap or class map, channel, colour map, opacity; the legend below."""

    failed = Signal(str)
    drawn = Signal()
    """A picture (or none) is on the photo for what the row now says."""

    def __init__(self, jobs: BackgroundJobs, view: ImageView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._view = view
        self._photo: np.ndarray | None = None
        self._labels: list[str] | None = None
        self._sources: list[OverlaySource] = []
        self._generation = 0
        self.legend: list[ClassShare] = []
        self.source_box = QComboBox(toolTip="Which output (or the decoder's mask) to draw over the photo")
        self.source_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source_box.setMinimumContentsLength(SOURCE_CHARS)
        self.mode_box = QComboBox(toolTip="Heatmap: one channel in a colour map.\n"
                                          "Classes: each pixel's highest channel (argmax) as a class")
        self.mode_box.addItem("Heatmap", HEATMAP)
        self.mode_box.addItem("Classes", CLASSES)
        self.channel_box = QSpinBox(toolTip="The channel the heatmap shows")
        self.channel_box.setPrefix("ch ")
        self.colormap_box = QComboBox(toolTip="Colour map of the heatmap")
        self.colormap_box.addItems(list(COLORMAPS))
        self.colormap_box.setCurrentText(DEFAULT_COLORMAP)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, toolTip="Opacity of the overlay")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(round(DEFAULT_OPACITY * 100))
        self.opacity_slider.setMinimumWidth(OPACITY_SLIDER_PX)
        self.opacity_slider.setMaximumWidth(2 * OPACITY_SLIDER_PX)
        self.legend_label = QLabel(wordWrap=True)
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        self._lay_out()
        self.source_box.activated.connect(self._source_picked)
        for box in (self.mode_box, self.colormap_box):
            box.activated.connect(self._redraw)
        self.channel_box.valueChanged.connect(self._redraw)
        self.opacity_slider.valueChanged.connect(self._fade)
        self._view.set_overlay_opacity(DEFAULT_OPACITY)
        self.clear()

    def _lay_out(self) -> None:
        """Two short rows, so the photo keeps its width on a laptop screen: what to draw, then how strongly
        and what the colours mean."""
        what = QHBoxLayout()
        for widget in (self.source_box, self.mode_box, self.channel_box, self.colormap_box):
            what.addWidget(widget)
        what.addStretch(1)
        how = QHBoxLayout()
        for widget in (QLabel("Opacity"), self.opacity_slider):
            how.addWidget(widget)
        how.addWidget(self.legend_label, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 2, 6, 2)
        column.setSpacing(2)
        for row in (what, how):
            row.setSpacing(8)
            column.addLayout(row)

    def show_result(self, outcome: RunOutcome, photo_bgr: np.ndarray) -> None:
        """The run's maps over its photo; the decoder's mask (or else the first map) is drawn at once."""
        self._photo = photo_bgr
        self._labels = class_labels(outcome.report)
        self._sources = [s for s in overlay_sources(outcome) if s.geometry.image_width == photo_bgr.shape[1]
                         and s.geometry.image_height == photo_bgr.shape[0]]
        with QSignalBlocker(self.source_box):
            self.source_box.clear()
            self.source_box.addItem("no overlay")
            for source in self._sources:
                self.source_box.addItem(f"{source.name} ({source.channels} ch)" if source.channels > 1 else source.name)
            self.source_box.setCurrentIndex(1 if self._sources else 0)
        self.setVisible(bool(self._sources))
        self._source_picked()

    def clear(self) -> None:
        self._photo = None
        self._sources = []
        with QSignalBlocker(self.source_box):
            self.source_box.clear()
        self._generation += 1
        self._view.set_overlay(None)
        self._show_legend([], None)
        self.hide()

    def source(self) -> OverlaySource | None:
        index = self.source_box.currentIndex() - 1
        return self._sources[index] if 0 <= index < len(self._sources) else None

    def pick(self, name: str, mode: str | None = None, channel: int = 0) -> None:
        """Choose a source by name (and a mode and channel), as a user would in the row."""
        names = [source.name for source in self._sources]
        self.source_box.setCurrentIndex(names.index(name) + 1 if name in names else 0)
        self._source_picked()
        if mode is not None:
            self.mode_box.setCurrentIndex(self.mode_box.findData(mode))
        self.channel_box.setValue(channel)
        self._redraw()

    def legend_entries(self) -> list[str]:
        return [f"{share.label} {share.share * 100:.1f}%" for share in self.legend]

    @Slot()
    def _source_picked(self) -> None:
        source = self.source()
        with QSignalBlocker(self.mode_box), QSignalBlocker(self.channel_box):
            if source is not None:
                self.mode_box.setCurrentIndex(self.mode_box.findData(source.default_mode))
                self.channel_box.setRange(0, source.channels - 1)
                self.channel_box.setValue(0)
        self._redraw()

    @Slot()
    def _redraw(self) -> None:
        source = self.source()
        self._generation += 1
        heatmap = self.mode_box.currentData() == HEATMAP
        for widget in (self.mode_box, self.channel_box, self.colormap_box):
            widget.setEnabled(source is not None)
        self.channel_box.setEnabled(source is not None and heatmap and source.channels > 1)
        self.colormap_box.setEnabled(source is not None and heatmap)
        if source is None or self._photo is None:
            self._view.set_overlay(None)
            self._show_legend([], None)
            return
        choice = OverlayChoice(source, self.mode_box.currentData(), self.channel_box.value(), self.colormap_box.currentText())
        photo, labels, generation = self._photo, self._labels, self._generation
        self._jobs.submit(lambda: (generation, render(photo, choice, labels)), self._rendered, self._render_failed)

    @Slot(object)
    def _rendered(self, done: tuple[int, Rendered]) -> None:
        generation, rendered = done
        if generation != self._generation:
            return
        self._view.set_overlay(rendered.image)
        self._show_legend(rendered.legend, rendered.value_range)
        self.drawn.emit()

    @Slot(str)
    def _render_failed(self, message: str) -> None:
        self._view.set_overlay(None)
        self._show_legend([], None)
        self.failed.emit(f"Overlay: {message}")

    def _fade(self, value: int) -> None:
        self._view.set_overlay_opacity(value / 100.0)

    def _show_legend(self, legend: list[ClassShare], value_range: tuple[float, float] | None) -> None:
        """The class legend, or the values the colour map spans."""
        self.legend = legend
        if legend:
            self.legend_label.setText(legend_html(legend))
        elif value_range:
            self.legend_label.setText(f"{self.colormap_box.currentText()} spans {value_range[0]:.3g} … {value_range[1]:.3g}")
        else:
            self.legend_label.clear()
        self.legend_label.setVisible(bool(self.legend_label.text()))
