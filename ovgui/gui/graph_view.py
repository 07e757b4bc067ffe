"""The executed graph, drawn top-down and coloured by where the time goes.

The layout is worked out by `ovgui.core.graph.lay_out` on a background job; this module only
draws it.  YOLOv8n has ~870 nodes and ~1,150 edges, so the drawing stays cheap: every edge is
part of one path item, nodes are plain rectangles without effects, and a node paints its label
only when the zoom makes it legible (level of detail), which keeps panning a zoomed-out graph
smooth.  Selection goes out as the node's `LayerStats` and comes back in by layer name, so the
window links it to the layer table and the detail panel both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.graph import RuntimeGraph, Spacing, lay_out
from ovgui.core.outcome import RunOutcome
from ovgui.core.precision import normalise
from ovgui.core.report import LayerStats
from ovgui.gui.plain_text import literal
from ovgui.gui.tables import heat_color, hint_label

EMPTY_HINT = "Run a model with OpenVINO to see its executed graph"
LAYING_OUT_HINT = "Laying out the graph…"
LABEL_MIN_SCALE = 0.5
"""Below this zoom a label is under 5 pixels high: unreadable, and the costliest thing to paint."""
READABLE_SCALE = 0.85
"""The zoom a graph opens at when fitting it whole would hide its labels."""
ZOOM_STEP = 1.25
SEARCH_MIN_WIDTH_PX = 130
MIN_ZOOM, MAX_ZOOM = 0.02, 4.0
NOT_RUN = QColor(215, 215, 215)
NO_FIGURE = QColor(190, 190, 190)


def cosmetic_pen(color: QColor, width_px: float) -> QPen:
    """A pen as wide on screen at any zoom, and cheaper to stroke than a scaled one."""
    pen = QPen(color, width_px)
    pen.setCosmetic(True)
    return pen


SELECTED_PEN = cosmetic_pen(QColor(20, 20, 20), 3.0)
NODE_PEN = cosmetic_pen(QColor(90, 90, 90), 1.0)
EDGE_PEN = cosmetic_pen(QColor(120, 120, 120, 170), 1.0)
PRECISION_COLORS = {
    "f32": QColor(92, 141, 214), "bf16": QColor(155, 110, 200), "f16": QColor(86, 180, 160),
    "i8": QColor(235, 140, 60), "u8": QColor(230, 180, 60), "i32": QColor(170, 120, 90), "i64": QColor(140, 140, 90),
    "f64": QColor(60, 90, 160), "i16": QColor(200, 120, 120), "u16": QColor(210, 150, 150), "u32": QColor(150, 100, 70),
    "u64": QColor(120, 120, 70), "i4": QColor(240, 110, 40), "u4": QColor(240, 200, 40), "u1": QColor(90, 90, 90),
    "nf4": QColor(200, 90, 90), "f8e4m3": QColor(70, 160, 200), "f8e5m2": QColor(70, 190, 200), "boolean": QColor(110, 110, 110),
    "f8e8m0": QColor(90, 200, 220), "f4e2m1": QColor(120, 210, 230), "u2": QColor(250, 215, 80), "u3": QColor(250, 225, 110),
    "u6": QColor(245, 190, 60),
}
"""Keyed by `ovgui.core.precision.normalise` names: every element type OpenVINO can run a kernel in."""
OTHER_PRECISION = QColor(160, 160, 160)
COLOR_MODES = {"time": "Colour by time share", "precision": "Colour by runtime precision", "efficiency": "Colour by efficiency"}
LEGEND_TOOLTIPS = {
    "time": "Share of the model's layer sum spent in the node; grey: not run.",
    "precision": ("The precision the node's kernel ran in (its execType; runtimePrecision where the kernel names none); "
                  "grey: not run."),
    "efficiency": "Achieved GFLOP/s over the measured compute roof; pale grey: no operations counted.",
}
HEAT_FULL_SHARE = 0.10
"""A node with a tenth of the time or more is full red: in YOLOv8n the top layers take 3–6 %."""


def precision_color(name: str) -> QColor:
    """Any spelling the runtime or a saved report uses (`f32`, `FP32`, `float32`) gets one colour."""
    return PRECISION_COLORS.get(normalise(name), OTHER_PRECISION)


def time_fraction(layer: LayerStats | None, node_time_ms: float | None, total_ms: float) -> float | None:
    time_ms = layer.real_time_ms if layer is not None else node_time_ms
    return None if time_ms is None or total_ms <= 0 else min(1.0, time_ms / total_ms / HEAT_FULL_SHARE)


def laid_out(graph: RuntimeGraph) -> RuntimeGraph:
    """For a background job: the graph with its coordinates, handed back to the GUI thread."""
    lay_out(graph)
    return graph


class NodeItem(QGraphicsRectItem):
    """One runtime node: a box, with its name and type painted only when they can be read."""

    def __init__(self, index: int, title: str, subtitle: str, rect: QRectF):
        super().__init__(rect)
        self.index = index
        self.title = title
        self.subtitle = subtitle
        self.setPen(NODE_PEN)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setToolTip(literal(f"{title}\n{subtitle}"))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(SELECTED_PEN if selected else self.pen())
        painter.setBrush(self.brush())
        painter.drawRect(self.rect())
        if option.levelOfDetailFromTransform(painter.worldTransform()) < LABEL_MIN_SCALE:
            return
        painter.setPen(QColor(20, 20, 20))
        text_rect = self.rect().adjusted(4, 1, -4, -1)
        flags = Qt.AlignmentFlag.AlignHCenter
        painter.drawText(text_rect, flags | Qt.AlignmentFlag.AlignTop, self._elided(painter, self.title, text_rect.width()))
        painter.drawText(text_rect, flags | Qt.AlignmentFlag.AlignBottom, self._elided(painter, self.subtitle, text_rect.width()))

    @staticmethod
    def _elided(painter: QPainter, text: str, width: float) -> str:
        return painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, int(width))


class ZoomingView(QGraphicsView):
    """Wheel zooms about the cursor, dragging pans."""

    def __init__(self, scene: QGraphicsScene):
        super().__init__(scene)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def zoom(self) -> float:
        return self.transform().m11()

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP
        if MIN_ZOOM <= self.zoom() * factor <= MAX_ZOOM:
            self.scale(factor, factor)
        event.accept()

    def fit(self) -> None:
        """The whole graph, however small that makes it."""
        self.resetTransform()
        self.fitInView(self.scene().itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def open_on(self, item: QGraphicsItem) -> None:
        """The whole graph if its labels stay readable so, else a readable zoom centred on `item`:
        YOLOv8n fitted whole is a column of specks."""
        self.fit()
        if self.zoom() < READABLE_SCALE:
            self.resetTransform()
            self.scale(READABLE_SCALE, READABLE_SCALE)
            self.centerOn(item)


class GraphView(QWidget):
    """The runtime graph with a colour picker, a legend, search and fit."""

    layer_selected = Signal(object)
    """The `LayerStats` of the node the user selected."""
    drawn = Signal()
    """A laid-out graph (or the hint that there is none) is on screen."""

    def __init__(self, submit: Callable[[Callable[[], object], Callable, Callable], None], parent: QWidget | None = None):
        super().__init__(parent)
        self._submit = submit
        self._graph: RuntimeGraph | None = None
        self._layers: dict[str, LayerStats] = {}
        self._items: list[NodeItem] = []
        self._generation = 0
        self._selecting = False
        self.scene = QGraphicsScene(self)
        self.view = ZoomingView(self.scene)
        self.view.setObjectName("graphView")
        self._hint = hint_label(EMPTY_HINT)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._hint)
        self._stack.addWidget(self.view)
        self.color_mode = QComboBox()
        for key, title in COLOR_MODES.items():
            self.color_mode.addItem(title, key)
        self.search = QLineEdit(placeholderText="Find a layer…", clearButtonEnabled=True)
        self.search.setMinimumWidth(SEARCH_MIN_WIDTH_PX)
        self.search.setObjectName("graphSearch")
        fit = QPushButton("Fit")
        fit.setToolTip("Show the whole graph, or its top at a zoom where the labels read")
        self.legend = QLabel(textFormat=Qt.TextFormat.RichText)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # clipped, never widens the window
        self.legend.setObjectName("graphLegend")
        self.search_note = QLabel()
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(6, 6, 6, 0)
        toolbar.addWidget(self.color_mode)
        toolbar.addWidget(self.legend, 1)
        toolbar.addWidget(self.search)
        toolbar.addWidget(self.search_note)
        toolbar.addWidget(fit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(toolbar)
        layout.addWidget(self._stack, 1)
        self.color_mode.currentIndexChanged.connect(lambda _index: self._recolor())
        self.search.returnPressed.connect(lambda: self.find(self.search.text()))
        fit.clicked.connect(self.view.fit)
        self.scene.selectionChanged.connect(self._selection_changed)

    def show_graph(self, graph: RuntimeGraph | None, layers: Sequence[LayerStats]) -> None:
        """Lay `graph` out on a background job, then draw it; None shows why there is nothing."""
        self._generation += 1
        self._clear_scene()
        self._layers = {layer.name: layer for layer in layers}
        if graph is None:
            self._hint.setText(EMPTY_HINT)
            self._stack.setCurrentIndex(0)
            self.drawn.emit()
            return
        generation = self._generation
        self._hint.setText(LAYING_OUT_HINT)
        self._stack.setCurrentIndex(0)
        # Bound methods as slots: a lambda connected to a job's signals keeps them alive, one per run.
        self._submit(lambda: (generation, laid_out(graph)), self._draw, self._layout_failed)

    def show_outcome(self, outcome: RunOutcome) -> None:
        self.show_graph(outcome.graph, outcome.report.layers)

    def clear(self) -> None:
        self.show_graph(None, [])

    def is_laying_out(self) -> bool:
        return self._stack.currentIndex() == 0 and self._hint.text() == LAYING_OUT_HINT

    def node_count(self) -> int:
        return len(self._items)

    def node_item(self, layer_name: str) -> NodeItem | None:
        index = self._graph.index_of(layer_name) if self._graph else None
        return None if index is None else self._items[index]

    def selected_layer_name(self) -> str | None:
        selected = self.scene.selectedItems()
        return self._graph.nodes[selected[0].index].name if selected and self._graph else None

    def node_color(self, layer_name: str) -> QColor | None:
        item = self.node_item(layer_name)
        return None if item is None else item.brush().color()

    def set_color_mode(self, mode: str) -> None:
        self.color_mode.setCurrentIndex(self.color_mode.findData(mode))

    def select_layer(self, layer_name: str) -> None:
        """Select and centre the node that shows `layer_name`, without announcing it back."""
        item = self.node_item(layer_name)
        if item is None or item.isSelected():
            return
        self._selecting = True
        try:
            self.scene.clearSelection()
            item.setSelected(True)
        finally:
            self._selecting = False
        self.view.centerOn(item)

    def find(self, text: str) -> bool:
        """The first node, in execution order, whose name contains `text` (any case): selected, centred, announced."""
        wanted = text.strip().casefold()
        match = next((item for item in self._items if wanted and wanted in item.title.casefold()), None)
        self.search_note.setText("" if match or not wanted else "no such layer")
        if match is not None:
            self.scene.clearSelection()
            match.setSelected(True)
            self.view.centerOn(match)
        return match is not None

    def _draw(self, laid: tuple[int, RuntimeGraph]) -> None:
        """A layout for the graph still asked for; an older one (a newer run came first) is dropped."""
        generation, graph = laid
        if generation != self._generation:
            return
        self._graph = graph
        spacing = Spacing()
        edges = QPainterPath()
        for edge in graph.edges:
            (x0, y0), *rest = edge.points
            edges.moveTo(x0, y0)
            for x, y in rest:
                edges.lineTo(x, y)
        edge_item = QGraphicsPathItem(edges)
        edge_item.setPen(EDGE_PEN)
        edge_item.setZValue(-1)
        self.scene.addItem(edge_item)
        width, height = spacing.node_width, spacing.node_height
        for index, node in enumerate(graph.nodes):
            rect = QRectF(node.x - width / 2, node.y - height / 2, width, height)
            title = f"{node.name} (+{len(node.collapsed) - 1} not run)" if node.collapsed else node.name
            subtitle = " · ".join(part for part in (node.layer_type, node.runtime_precision, self._time_text(node)) if part)
            item = NodeItem(index, title, subtitle, rect)
            self.scene.addItem(item)
            self._items.append(item)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-40, -40, 40, 40))
        self._recolor()
        self._stack.setCurrentIndex(1)
        if self._items:
            self.view.open_on(self._items[self._slowest_node()])
        self.drawn.emit()

    def _slowest_node(self) -> int:
        """Where a run's time goes first: the node the view opens on."""
        def time_of(index: int) -> float:
            layer = self._layers.get(self._graph.nodes[index].name)
            return (layer.real_time_ms if layer is not None else self._graph.nodes[index].real_time_ms) or 0.0

        return max(range(len(self._items)), key=time_of)

    def _time_text(self, node) -> str:
        layer = self._layers.get(node.name)
        time_ms = layer.real_time_ms if layer is not None else node.real_time_ms
        return f"{time_ms:.3f} ms" if time_ms is not None and node.executed else ""

    def _layout_failed(self, message: str) -> None:
        self._hint.setText(f"Could not lay out the graph: {message}")
        self.drawn.emit()

    def _clear_scene(self) -> None:
        self._selecting = True
        try:
            self.scene.clear()
        finally:
            self._selecting = False
        self._items = []
        self._graph = None

    def _recolor(self) -> None:
        if self._graph is None:
            self.legend.clear()
            return
        mode = self.color_mode.currentData()
        color_of = {"time": self._time_color, "precision": self._precision_color, "efficiency": self._efficiency_color}[mode]
        total_ms = sum(layer.real_time_ms for layer in self._layers.values() if layer.executed and not layer.is_preprocessing)
        total_ms = total_ms or sum(node.real_time_ms or 0.0 for node in self._graph.nodes)
        for item, node in zip(self._items, self._graph.nodes):
            color = color_of(node, total_ms) if node.executed else NOT_RUN
            item.setBrush(QBrush(color))
        self.legend.setText(self._legend_html(mode))
        self.legend.setToolTip(LEGEND_TOOLTIPS[mode])

    def _time_color(self, node, total_ms: float) -> QColor:
        fraction = time_fraction(self._layers.get(node.name), node.real_time_ms, total_ms)
        return NO_FIGURE if fraction is None else heat_color(fraction, alpha=1.0)

    def _precision_color(self, node, _total_ms: float) -> QColor:
        return precision_color(self._node_precision(node))

    def _node_precision(self, node) -> str:
        """The kernel's precision where the run's layer names it, else the graph's runtimePrecision."""
        layer = self._layers.get(node.name)
        return layer.ran_precision if layer is not None else normalise(node.runtime_precision)

    def _efficiency_color(self, node, _total_ms: float) -> QColor:
        layer = self._layers.get(node.name)
        efficiency = layer.efficiency if layer is not None else None
        return NO_FIGURE if efficiency is None else heat_color(1.0 - efficiency, alpha=1.0)

    def _legend_html(self, mode: str) -> str:
        def chip(color: QColor, text: str) -> str:
            return f'<span style="background:{color.name()}">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;{text}&nbsp;&nbsp; '

        not_run = chip(NOT_RUN, "not run")
        if mode == "time":
            chips = [chip(heat_color(0.0, 1.0), "≈0 %"), chip(heat_color(0.5, 1.0), f"{HEAT_FULL_SHARE * 50:.0f} %"),
                     chip(heat_color(1.0, 1.0), f"≥{HEAT_FULL_SHARE * 100:.0f} %")]
        elif mode == "efficiency":
            chips = [chip(heat_color(0.0, 1.0), "100 %"), chip(heat_color(0.5, 1.0), "50 %"),
                     chip(heat_color(1.0, 1.0), "0 %"), chip(NO_FIGURE, "no FLOPs")]
        else:
            used = sorted({self._node_precision(node) for node in self._graph.nodes} - {""})
            chips = [chip(precision_color(name), name) for name in used]
        return "".join(chips + [not_run])

    def _selection_changed(self) -> None:
        if self._selecting or self._graph is None:
            return
        name = self.selected_layer_name()
        layer = self._layers.get(name) if name else None
        if layer is not None:
            self.layer_selected.emit(layer)
